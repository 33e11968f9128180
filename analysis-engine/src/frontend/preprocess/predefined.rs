//! Predefined macros of the targets, `__has_attribute` / `__has_builtin`
//! answers, and the BPF-program conventions.
//!
//! x86-64: exactly gcc 12's table (`predefined_gcc.rs`, produced once by
//! `gcc -dM -E -x c /dev/null`), adjusted for `-std`: `__STDC_VERSION__`
//! per standard, `__STRICT_ANSI__` and no `linux`/`unix` for the non-GNU
//! standards, as gcc does.
//!
//! BPF: what `clang -target bpf` defines, derived from the gcc table (no
//! clang is installed here, so this was written by hand, not produced by a
//! tool): the x86 and OS macros are removed (`__x86_64__`, `__amd64__`,
//! `__SSE*__`, `__MMX__`, `__k8*`, `__linux__`, `__unix__`, `__gnu_linux__`,
//! `__CET__`, `__SEG_FS`/`__SEG_GS`, `__code_model_small__`, 80/128-bit float
//! sizes), and `__bpf__`, `__BPF__`, `__BPF_CPU_VERSION__ 1`, `__clang__`,
//! `__clang_major__ 14`, `__GNUC__ 4` / `__GNUC_MINOR__ 2` (what clang
//! claims) are added. Longs and pointers stay 64-bit (`__LP64__`,
//! `__SIZEOF_LONG__ 8`), the byte order little endian (`bpfel`, the default
//! on x86 hosts), `__SIZEOF_LONG_DOUBLE__` 8.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::expand::{parse_define, Builtin, Macro};
use super::lexer::lex;
use super::Target;

fn parse_table(text: &str) -> Vec<Arc<Macro>> {
    let mut v = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("#define ") else { continue };
        let toks = lex(rest.as_bytes()).toks;
        if let Ok(m) = parse_define(&toks) {
            v.push(Arc::new(m));
        }
    }
    v
}

const BPF_REMOVE: &[&str] = &[
    "__x86_64__", "__x86_64", "__amd64__", "__amd64", "__k8", "__k8__", "__code_model_small__", "__MMX__", "__SSE__",
    "__SSE2__", "__SSE_MATH__", "__SSE2_MATH__", "__MMX_WITH_SSE__", "__FXSR__", "__SEG_FS", "__SEG_GS", "__CET__",
    "__linux__", "__linux", "linux", "__unix__", "__unix", "unix", "__gnu_linux__", "__SIZEOF_FLOAT80__",
    "__SIZEOF_FLOAT128__", "__GCC_ASM_FLAG_OUTPUTS__", "__GCC_HAVE_DWARF2_CFI_ASM", "__GCC_IEC_559",
    "__GCC_IEC_559_COMPLEX", "__pic__", "__PIC__", "__pie__", "__PIE__", "__HAVE_SPECULATION_SAFE_VALUE",
];

const BPF_ADD: &str = r#"
#define __bpf__ 1
#define __BPF__ 1
#define __BPF_CPU_VERSION__ 1
#define __BPF_FEATURE_ARSH 1
#define __clang__ 1
#define __clang_major__ 14
#define __clang_minor__ 0
#define __clang_patchlevel__ 6
#define __clang_version__ "14.0.6 "
#define __llvm__ 1
#define __GNUC__ 4
#define __GNUC_MINOR__ 2
#define __GNUC_PATCHLEVEL__ 1
#define __VERSION__ "Debian Clang 14.0.6"
#define __SIZEOF_LONG_DOUBLE__ 8
#define __LITTLE_ENDIAN__ 1
"#;

fn base(target: Target) -> &'static [Arc<Macro>] {
    static X86: OnceLock<Vec<Arc<Macro>>> = OnceLock::new();
    static BPF: OnceLock<Vec<Arc<Macro>>> = OnceLock::new();
    match target {
        Target::X86_64 => X86.get_or_init(|| parse_table(super::predefined_gcc::GCC12_X86_64)),
        Target::Bpf => BPF.get_or_init(|| {
            let add = parse_table(BPF_ADD);
            let mut v: Vec<Arc<Macro>> = parse_table(super::predefined_gcc::GCC12_X86_64)
                .into_iter()
                .filter(|m| {
                    let n = String::from_utf8_lossy(&m.name);
                    !BPF_REMOVE.contains(&n.as_ref()) && !add.iter().any(|a| a.name == m.name)
                })
                .collect();
            v.extend(add);
            v
        }),
    }
}

fn std_version(std: &str) -> Option<&'static str> {
    let s = std.trim_start_matches("gnu").trim_start_matches('c').trim_start_matches("iso9899:");
    Some(match s {
        "89" | "90" | "199409" => return None,
        "99" | "9x" | "1999" => "199901L",
        "11" | "1x" | "2011" => "201112L",
        "17" | "18" | "2017" | "2018" => "201710L",
        "2x" | "23" => "202000L",
        _ => "201710L",
    })
}

/// The predefined table for `target` and `-std`.
pub(super) fn table(target: Target, std: Option<&str>) -> Vec<Arc<Macro>> {
    let mut v: Vec<Arc<Macro>> = base(target).to_vec();
    if let Some(std) = std {
        let strict = !std.starts_with("gnu");
        if strict {
            v.retain(|m| &*m.name != b"linux" && &*m.name != b"unix" && &*m.name != b"i386");
            v.extend(parse_table("#define __STRICT_ANSI__ 1"));
        }
        v.retain(|m| &*m.name != b"__STDC_VERSION__");
        let ver = std_version(std);
        if let Some(ver) = ver {
            v.extend(parse_table(&format!("#define __STDC_VERSION__ {ver}")));
        }
        // C89/C90: GNU inline semantics; char16_t/char32_t macros are C11 (gcc keeps them for gnu99)
        if ver.is_none() {
            v.retain(|m| &*m.name != b"__GNUC_STDC_INLINE__");
            v.extend(parse_table("#define __GNUC_GNU_INLINE__ 1"));
        }
        if ver.is_none() || (strict && ver == Some("199901L")) {
            v.retain(|m| &*m.name != b"__STDC_UTF_16__" && &*m.name != b"__STDC_UTF_32__");
        }
    }
    v
}

/// The predefined macros as `#define` lines (like `gcc -dM -E`), sorted.
pub fn predefined_macros(target: Target, std: Option<&str>) -> Vec<String> {
    let mut v: Vec<String> = table(target, std).iter().map(|m| m.to_define_line()).collect();
    v.sort();
    v
}

const GCC_ATTRIBUTES: &[&str] = &[
    "access", "alias", "aligned", "alloc_align", "alloc_size", "always_inline", "artificial", "assume_aligned",
    "cleanup", "cold", "common", "const", "constructor", "copy", "deprecated", "designated_init", "destructor",
    "error", "externally_visible", "fallthrough", "flatten", "format", "format_arg", "gnu_inline", "hot", "ifunc",
    "interrupt", "leaf", "malloc", "may_alias", "mode", "no_icf", "no_instrument_function",
    "no_profile_instrument_function", "no_reorder", "no_sanitize", "no_sanitize_address",
    "no_sanitize_coverage", "no_sanitize_thread", "no_sanitize_undefined", "no_split_stack",
    "no_stack_limit", "no_stack_protector", "noclone", "nocommon", "noinit", "noinline", "noipa", "nonnull",
    "nonstring", "noplt", "noreturn", "nothrow", "optimize", "packed", "patchable_function_entry",
    "persistent", "pure", "retain", "returns_nonnull", "returns_twice", "scalar_storage_order", "section",
    "sentinel", "simd", "stack_protect", "symver", "target", "target_clones", "tls_model", "transparent_union",
    "unavailable", "uninitialized", "unused", "used", "vector_size", "visibility", "warn_if_not_aligned",
    "warn_unused_result", "warning", "weak", "weakref", "zero_call_used_regs", "ms_abi", "sysv_abi", "naked",
    "regparm", "cdecl", "stdcall", "fastcall", "thiscall", "indirect_branch", "function_return",
    "nocf_check", "cf_check", "ms_struct", "gcc_struct", "nodiscard", "maybe_unused",
];

const CLANG_ONLY: &[&str] = &[
    "preserve_access_index", "btf_type_tag", "btf_decl_tag", "overloadable", "enable_if", "diagnose_if",
    "__builtin_preserve_access_index", "__builtin_btf_type_id", "__builtin_preserve_type_info",
    "__builtin_preserve_enum_value", "__builtin_preserve_field_info", "__builtin_dump_struct",
];

/// `__has_attribute`, `__has_c_attribute`, `__has_builtin` of a name.
pub(super) fn has_name(b: Builtin, name: &[u8], target: Target) -> i64 {
    let n = String::from_utf8_lossy(name);
    let n = n.strip_prefix("__").and_then(|s| s.strip_suffix("__")).unwrap_or(&n).to_string();
    let full = String::from_utf8_lossy(name).into_owned();
    let clang = target == Target::Bpf;
    match b {
        Builtin::HasAttribute | Builtin::HasCAttribute => {
            if b == Builtin::HasCAttribute {
                return match n.as_str() {
                    "deprecated" | "fallthrough" | "maybe_unused" => 201904,
                    "nodiscard" => 202003,
                    _ => 0,
                };
            }
            (GCC_ATTRIBUTES.contains(&n.as_str()) || clang && CLANG_ONLY.contains(&n.as_str())) as i64
        }
        _ => {
            if CLANG_ONLY.contains(&full.as_str()) {
                return clang as i64;
            }
            (full.starts_with("__builtin_") || full.starts_with("__sync_") || full.starts_with("__atomic_")) as i64
        }
    }
}

/// Whether a file is a BPF program when its compile command names no target.
/// Conventions (in order): a name ending in `.bpf.c` (libbpf-bootstrap,
/// bcc/libbpf-tools), `_kern.c` (the kernel's `samples/bpf`), a `progs/`
/// folder (the kernel's BPF selftests), or text that includes
/// `<bpf/bpf_helpers.h>` or uses `SEC("` together with `<linux/bpf.h>`.
pub fn is_bpf_program(path: &Path, text: &[u8]) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.ends_with(".bpf.c") || name.ends_with("_kern.c") {
        return true;
    }
    if path.parent().and_then(|p| p.file_name()).is_some_and(|d| d == "progs") {
        return true;
    }
    let has = |s: &[u8]| text.windows(s.len()).any(|w| w == s);
    has(b"<bpf/bpf_helpers.h>") || has(b"\"bpf_helpers.h\"") || (has(b"<linux/bpf.h>") && has(b"SEC(\""))
}
