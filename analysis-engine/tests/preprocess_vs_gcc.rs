//! The preprocessor against gcc: the predefined macro table, and the flat
//! token stream of our own test files and of wrappers around real system
//! headers, compared with `gcc -E -P` token for token. Skipped (with a
//! note) when gcc is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

use perfi_engine::frontend::preprocess::{
    self as pp, default_system_dirs, flat_tokens, lex_spellings, predefined_macros, CmdMacro, DiagKind, DiskFiles,
    HeaderCache, Options, Target,
};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/preprocess")
}

fn gcc() -> bool {
    let ok = Command::new("gcc").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: gcc not found, comparison skipped");
    }
    ok
}

struct Flags {
    include: Vec<PathBuf>,
    defines: Vec<(String, String)>,
    /// more gcc-style flags: -iquote, -isystem, -idirafter, -U, -include, -D with a value (`-DF(a)=a`)
    extra: Vec<String>,
}

fn gcc_tokens(file: &Path, f: &Flags) -> Vec<Vec<u8>> {
    let mut c = Command::new("gcc");
    c.args(["-E", "-P", "-x", "c", "-std=gnu17"]);
    for i in &f.include {
        c.arg(format!("-I{}", i.display()));
    }
    for (n, v) in &f.defines {
        c.arg(format!("-D{n}={v}"));
    }
    c.args(&f.extra);
    c.arg(file);
    let o = c.output().expect("gcc runs");
    let text = String::from_utf8_lossy(&o.stdout);
    // gcc keeps #pragma and #ident lines; we drop them (documented)
    let kept: String = text.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
    lex_spellings(kept.as_bytes())
}

fn options(f: &Flags) -> Options {
    let mut o = Options {
        include_dirs: f.include.clone(),
        macros: f.defines.iter().map(|(n, v)| CmdMacro::Define(n.clone(), v.clone())).collect(),
        ..Options::default()
    };
    let mut system = Vec::new();
    let mut it = f.extra.iter();
    while let Some(a) = it.next() {
        let mut val = |flag: &str| -> Option<String> {
            let rest = a.strip_prefix(flag)?;
            if rest.is_empty() { it.next().cloned() } else { Some(rest.to_string()) }
        };
        if let Some(d) = val("-iquote") {
            o.quote_dirs.push(d.into());
        } else if let Some(d) = val("-isystem") {
            system.push(PathBuf::from(d));
        } else if let Some(d) = val("-idirafter") {
            o.after_dirs.push(d.into());
        } else if let Some(d) = val("-include") {
            o.forced_includes.push(d.into());
        } else if let Some(d) = val("-I") {
            o.include_dirs.push(d.into());
        } else if let Some(d) = val("-U") {
            o.macros.push(CmdMacro::Undef(d));
        } else if let Some(d) = val("-D") {
            let (n, v) = d.split_once('=').unwrap_or((&d, "1"));
            o.macros.push(CmdMacro::Define(n.to_string(), v.to_string()));
        } else if let Some(d) = val("-std=") {
            o.std = Some(d);
        }
    }
    system.extend(default_system_dirs(Target::X86_64));
    o.system_dirs = system;
    o
}

fn ours(file: &Path, f: &Flags) -> (Vec<Vec<u8>>, pp::Output) {
    let text = std::fs::read(file).expect("test file");
    flat_tokens(file, &text, &options(f), &DiskFiles)
}

/// Compares; prints the first difference with context. Returns (equal
/// prefix length, our count, gcc's count).
fn compare(name: &str, a: &[Vec<u8>], b: &[Vec<u8>]) -> (usize, usize, usize) {
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let s = |v: &[Vec<u8>]| v.iter().map(|t| String::from_utf8_lossy(t).into_owned()).collect::<Vec<_>>().join(" ");
    if same < a.len().max(b.len()) {
        let lo = same.saturating_sub(15);
        eprintln!("{name}: first difference at token {same} (ours {}, gcc {})", a.len(), b.len());
        eprintln!("  ours: ... {}", s(&a[lo..(same + 15).min(a.len())]));
        eprintln!("  gcc : ... {}", s(&b[lo..(same + 15).min(b.len())]));
    } else {
        eprintln!("{name}: {} tokens, identical to gcc", a.len());
    }
    (same, a.len(), b.len())
}

#[test]
fn predefined_table_equals_gcc() {
    if !gcc() {
        return;
    }
    let o = Command::new("gcc").args(["-dM", "-E", "-x", "c", "/dev/null"]).output().unwrap();
    let norm = |l: &str| {
        lex_spellings(l.as_bytes()).iter().map(|t| String::from_utf8_lossy(t).into_owned()).collect::<Vec<_>>().join(" ")
    };
    let mut theirs: Vec<String> = String::from_utf8_lossy(&o.stdout).lines().map(norm).collect();
    let mut mine: Vec<String> = predefined_macros(Target::X86_64, None).iter().map(|l| norm(l)).collect();
    theirs.sort();
    mine.sort();
    assert_eq!(mine, theirs);
    for std in ["c89", "gnu89", "c99", "gnu99", "c11", "gnu11", "c17", "gnu17", "c2x"] {
        let o = Command::new("gcc").args(["-dM", "-E", "-x", "c", &format!("-std={std}"), "/dev/null"]).output().unwrap();
        let mut theirs: Vec<String> = String::from_utf8_lossy(&o.stdout).lines().map(norm).collect();
        let mut mine: Vec<String> = predefined_macros(Target::X86_64, Some(std)).iter().map(|l| norm(l)).collect();
        theirs.sort();
        mine.sort();
        let extra: Vec<_> = mine.iter().filter(|l| !theirs.contains(l)).collect();
        let missing: Vec<_> = theirs.iter().filter(|l| !mine.contains(l)).collect();
        assert!(extra.is_empty() && missing.is_empty(), "-std={std}: extra {extra:?} missing {missing:?}");
    }
}

#[test]
fn bpf_target_macros() {
    let m = predefined_macros(Target::Bpf, None).join("\n");
    assert!(m.contains("#define __bpf__ 1") && m.contains("#define __BPF__ 1") && m.contains("__BPF_CPU_VERSION__"));
    assert!(m.contains("#define __clang__ 1") && m.contains("#define __SIZEOF_LONG__ 8"));
    assert!(m.contains("#define __SIZEOF_POINTER__ 8") && m.contains("__ORDER_LITTLE_ENDIAN__"));
    assert!(!m.contains("__x86_64__"));
    assert!(pp::is_bpf_program(Path::new("a/xdp_lb.bpf.c"), b""));
    assert!(pp::is_bpf_program(Path::new("samples/bpf/sock_kern.c"), b""));
    assert!(pp::is_bpf_program(Path::new("selftests/bpf/progs/test.c"), b""));
    assert!(pp::is_bpf_program(Path::new("x.c"), b"#include <bpf/bpf_helpers.h>\n"));
    assert!(!pp::is_bpf_program(Path::new("main.c"), b"#include <stdio.h>\n"));
}

fn check_file(name: &str, f: &Flags) -> bool {
    let file = dir().join(name);
    let theirs = gcc_tokens(&file, f);
    let (mine, out) = ours(&file, f);
    for d in &out.diagnostics {
        if !matches!(d.kind, DiagKind::Warning | DiagKind::Error) {
            eprintln!("  {name}: diagnostic {}:{}:{} {:?} {}", d.path.display(), d.line, d.col, d.kind, d.message);
        }
    }
    let (same, a, b) = compare(name, &mine, &theirs);
    // the pieces' texts re-lex to the same tokens (as a multiset: pieces
    // cannot interleave the way the production order does)
    let mut from_pieces: Vec<Vec<u8>> = out.pieces.iter().flat_map(|p| lex_spellings(&p.text)).collect();
    let mut produced = mine.clone();
    from_pieces.sort();
    produced.sort();
    let pieces_ok = from_pieces == produced;
    if !pieces_ok {
        let extra: Vec<String> = from_pieces
            .iter()
            .filter(|t| !produced.contains(t))
            .take(10)
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect();
        eprintln!("{name}: the pieces re-lex to {} tokens, production has {}; e.g. {extra:?}", from_pieces.len(), produced.len());
    }
    same == a && a == b && pieces_ok
}

fn local() -> Flags {
    Flags { include: vec![dir()], defines: vec![], extra: vec![] }
}

#[test]
fn features_match_gcc() {
    if !gcc() {
        return;
    }
    assert!(check_file("features.c", &local()));
}

#[test]
fn search_order_and_flags_match_gcc() {
    if !gcc() {
        return;
    }
    let inc = dir().join("inc");
    let p = |s: &str| inc.join(s).display().to_string();
    let f = Flags {
        include: vec![inc.join("first"), inc.join("second")],
        defines: vec![],
        extra: vec![
            "-iquote".into(),
            p("quote"),
            "-idirafter".into(),
            p("after"),
            "-DFROM_CMDLINE=7".into(),
            "-DUNDONE".into(),
            "-UUNDONE".into(),
            "-DFUNC_DEF(a,b)=((a)*(b))".into(),
            "-include".into(),
            dir().join("forced.h").display().to_string(),
        ],
    };
    assert!(check_file("search.c", &f));
    let f = Flags { include: vec![], defines: vec![], extra: vec!["-std=c11".into()] };
    assert!(check_file("features.c", &Flags { include: vec![dir()], ..f }));
}

#[test]
fn variadic_corner_cases_match_gcc() {
    if !gcc() {
        return;
    }
    assert!(check_file("va_opt.c", &local()));
}

#[test]
fn aes_chain_picks_gccs_branch() {
    if !gcc() {
        return;
    }
    for defs in [vec![], vec![("AES256", "1")], vec![("AES192", "1")], vec![("AES256", "0"), ("AES192", "1")], vec![("AES128", "1")]] {
        let f = Flags {
            include: vec![],
            defines: defs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            extra: vec![],
        };
        assert!(check_file("aes_chain.c", &f), "{defs:?}");
        let (toks, _) = ours(&dir().join("aes_chain.c"), &f);
        let s: Vec<String> = toks.iter().map(|t| String::from_utf8_lossy(t).into_owned()).collect();
        let want = match defs.first() {
            Some(("AES256", "1")) => "14",
            Some(("AES192", _)) | Some(("AES256", "0")) => "12",
            _ => "10",
        };
        assert_eq!(s[3], want, "{defs:?}: {s:?}");
    }
}

#[test]
fn system_headers_match_gcc() {
    if !gcc() {
        return;
    }
    let mut all = true;
    all &= check_file("libc_wrap.c", &local());
    if Path::new("/usr/include/bpf/bpf_helpers.h").exists() {
        all &= check_file("bpf_wrap.c", &local());
    } else {
        eprintln!("note: libbpf-dev not installed, bpf_wrap.c skipped");
    }
    if Path::new("/usr/include/dpdk/rte_ip.h").exists() {
        let f = Flags {
            include: vec![PathBuf::from("/usr/include/dpdk"), PathBuf::from("/usr/include/x86_64-linux-gnu/dpdk")],
            defines: vec![],
            extra: vec![],
        };
        all &= check_file("dpdk_wrap.c", &f);
    } else {
        eprintln!("note: dpdk-dev not installed, dpdk_wrap.c skipped");
    }
    assert!(all, "some token streams differ from gcc (see above)");
}

// ---- origin map (no gcc needed) ----

fn line_of(text: &[u8], byte: usize) -> usize {
    text[..byte.min(text.len())].iter().filter(|b| **b == b'\n').count()
}

fn find(hay: &[u8], needle: &str) -> usize {
    hay.windows(needle.len()).position(|w| w == needle.as_bytes()).unwrap_or_else(|| panic!("{needle} not found"))
}

#[test]
fn origin_map_points_at_what_the_user_wrote() {
    let src: &[u8] = b"#define ONE 1\n\
#define ADD(a, b) ((a) + (b))\n\
#define L a_very_long_identifier_that_makes_this_expansion_longer\n\
int x = ADD(foo, bar);\n\
int y = L; int z = ONE;\n\
int m = ADD(1,\n\
   2); int after;\n\
/* @perf pcv N: kept */ int w;\n";
    let out = pp::preprocess(Path::new("/tmp/origin.c"), src, &Options::default(), &DiskFiles, &HeaderCache::new());
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let p = out.pieces.last().unwrap();
    let t = &p.text;
    let ts = String::from_utf8_lossy(t);
    // lines never change
    assert_eq!(line_of(t, t.len()), line_of(src, src.len()), "{ts}");
    for (k, (a, b)) in ts.lines().zip(String::from_utf8_lossy(src).lines()).enumerate() {
        if b.starts_with("int") || b.starts_with("/*") {
            assert_eq!(a.split_whitespace().next(), b.split_whitespace().next(), "line {k}: {a:?} vs {b:?}");
        }
    }
    assert!(ts.contains("/* @perf pcv N: kept */"), "comments stay");
    // a token from a macro argument maps to the argument
    let e = find(t, "foo");
    assert_eq!(p.map.to_user(e), find(src, "foo"));
    let o = p.map.origin(e);
    assert!(o.from_argument && o.macro_name.as_deref() == Some("ADD"), "{o:?}");
    // a token from the body maps to the invocation
    let inv = find(src, "ADD(foo");
    let plus = find(t, "+");
    assert_eq!(p.map.to_user(plus), inv);
    assert_eq!(p.map.origin(plus).invocation, Some(inv..inv + "ADD(foo, bar)".len()));
    // offsets after a longer expansion shift and map back
    let ez = find(t, "z = ");
    let uz = find(src, "z = ");
    assert!(ez > uz, "L's expansion is longer than its use");
    assert_eq!(p.map.to_user(ez), uz);
    assert_eq!(p.map.from_user(uz), ez);
    assert_eq!(line_of(t, ez), line_of(src, uz));
    // a multi-line use keeps the following line's text on its line
    let ea = find(t, "int after");
    let ua = find(src, "int after");
    assert_eq!(line_of(t, ea), line_of(src, ua));
    assert_eq!(p.map.to_user(ea), ua);
    assert_eq!(p.map.from_user(ua), ea);
    // from_user inside a use gives the start of its expansion
    let inside = find(src, "bar);");
    let start = p.map.from_user(inside);
    assert_eq!(&t[start..start + 2], b"((");
    // macro uses
    let names: Vec<&str> = p.macro_uses.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["ADD", "L", "ONE", "ADD"]);
    let one = &p.macro_uses[2];
    assert!(one.object_like && &src[one.user.clone()] == b"ONE" && &t[one.expanded.clone()] == b"1");
    // every expanded byte maps inside the user text, monotone over verbatim text
    for e in 0..t.len() {
        assert!(p.map.to_user(e) <= src.len());
    }
}

#[test]
fn header_cache_reuses_pieces_and_tracks_state() {
    let d = std::env::temp_dir().join(format!("perfi-pp-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("v.h"), "int v_X = X;\n").unwrap();
    let main = d.join("m.c");
    let src = b"#define X 1\n#include \"v.h\"\n#undef X\n#define X 2\n#include \"v.h\"\nint main_x = X;\n";
    let cache = HeaderCache::new();
    let opts = Options::default();
    let a = pp::preprocess(&main, src, &opts, &DiskFiles, &cache);
    assert_eq!(a.pieces.len(), 3, "the same header in two macro states gives two pieces");
    assert_ne!(a.pieces[0].text, a.pieces[1].text);
    let b = pp::preprocess(&main, src, &opts, &DiskFiles, &cache);
    assert!(std::sync::Arc::ptr_eq(&a.pieces[0], &b.pieces[0]) && std::sync::Arc::ptr_eq(&a.pieces[1], &b.pieces[1]));
    // an edited header is a miss
    std::fs::write(d.join("v.h"), "long v_X = X;\n").unwrap();
    let c = pp::preprocess(&main, src, &opts, &DiskFiles, &cache);
    assert!(String::from_utf8_lossy(&c.pieces[0].text).contains("long v_X = 1;"));
    let _ = std::fs::remove_dir_all(&d);
}

/// Benchmark figure (not a timed assertion): a keystroke in a file that
/// includes <linux/bpf.h> and <bpf/bpf_helpers.h> re-preprocesses only its
/// own text once the header cache is warm.
#[test]
fn header_cache_cold_vs_warm_figures() {
    if !Path::new("/usr/include/bpf/bpf_helpers.h").exists() {
        eprintln!("note: libbpf-dev not installed, skipped");
        return;
    }
    let file = dir().join("bpf_wrap.c");
    let text = std::fs::read(&file).unwrap();
    let opts = options(&local());
    let cache = HeaderCache::new();
    let t = std::time::Instant::now();
    let cold = pp::preprocess(&file, &text, &opts, &DiskFiles, &cache);
    let cold_t = t.elapsed();
    let mut times = Vec::new();
    let mut edited = text.clone();
    for k in 0..20 {
        edited.extend_from_slice(format!("int typed_{k};\n").as_bytes());
        let t = std::time::Instant::now();
        let warm = pp::preprocess(&file, &edited, &opts, &DiskFiles, &cache);
        times.push(t.elapsed());
        assert_eq!(warm.pieces.len(), cold.pieces.len());
        for (a, b) in warm.pieces.iter().zip(&cold.pieces).take(cold.pieces.len() - 1) {
            assert!(std::sync::Arc::ptr_eq(a, b), "header pieces are reused");
        }
    }
    times.sort();
    eprintln!(
        "bpf_wrap.c: cold {:.2} ms, warm keystroke median {:.3} ms (min {:.3}, max {:.3}) over 20; {} pieces",
        cold_t.as_secs_f64() * 1e3,
        times[10].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[19].as_secs_f64() * 1e3,
        cold.pieces.len()
    );
}

/// Many installed headers, one wrapper each (written to a temp dir):
/// prints how many match gcc token for token.
#[test]
fn many_system_headers_match_gcc() {
    if !gcc() {
        return;
    }
    let headers = [
        "assert.h", "ctype.h", "errno.h", "fcntl.h", "inttypes.h", "limits.h", "math.h", "pthread.h", "signal.h",
        "stdarg.h", "stdatomic.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "string.h",
        "time.h", "unistd.h", "arpa/inet.h", "netinet/in.h", "netinet/ip.h", "netinet/tcp.h", "sys/socket.h",
        "sys/types.h", "sys/mman.h", "sys/stat.h", "linux/bpf.h", "linux/if_ether.h", "linux/ip.h", "linux/ipv6.h",
        "linux/tcp.h", "linux/udp.h", "linux/icmp.h", "linux/in.h", "linux/pkt_cls.h", "linux/if_packet.h",
        "linux/types.h", "linux/swab.h", "bpf/bpf_helpers.h", "bpf/bpf_endian.h", "bpf/bpf_core_read.h",
        "bpf/bpf_tracing.h", "bpf/libbpf.h", "bpf/bpf.h", "x86intrin.h", "immintrin.h", "rte_ip.h", "rte_jhash.h",
        "rte_hash_crc.h", "rte_lpm.h", "rte_ether.h", "rte_mbuf.h", "rte_tcp.h", "rte_udp.h", "rte_byteorder.h",
    ];
    let tmp = std::env::temp_dir().join(format!("perfi-pp-many-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let dpdk = Flags {
        include: vec![PathBuf::from("/usr/include/dpdk"), PathBuf::from("/usr/include/x86_64-linux-gnu/dpdk")],
        defines: vec![],
        extra: vec![],
    };
    let (mut ok, mut total, mut toks) = (0, 0, 0);
    let mut failed = Vec::new();
    for h in headers {
        let found = ["/usr/include", "/usr/include/x86_64-linux-gnu", "/usr/include/dpdk", "/usr/include/x86_64-linux-gnu/dpdk"]
            .iter()
            .any(|d| Path::new(d).join(h).exists())
            || default_system_dirs(Target::X86_64).iter().any(|d| d.join(h).exists());
        if !found {
            eprintln!("note: <{h}> not installed, skipped");
            continue;
        }
        let file = tmp.join(format!("w_{}.c", h.replace(['/', '.'], "_")));
        std::fs::write(&file, format!("#include <{h}>\nint wrapper_end;\n")).unwrap();
        let f = if h.starts_with("rte_") { &dpdk } else { &local() };
        let theirs = gcc_tokens(&file, f);
        let (mine, _) = ours(&file, f);
        total += 1;
        let (same, a, b) = compare(h, &mine, &theirs);
        if same == a && a == b {
            ok += 1;
            toks += a;
        } else {
            failed.push(h);
        }
    }
    eprintln!("{ok} of {total} headers identical to gcc ({toks} tokens); differing: {failed:?}");
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(failed.is_empty(), "differing: {failed:?}");
}

#[test]
fn bpf_target_reads_an_xdp_program() {
    if !Path::new("/usr/include/bpf/bpf_helpers.h").exists() {
        eprintln!("note: libbpf-dev not installed, skipped");
        return;
    }
    let file = dir().join("bpf_wrap.c");
    let text = std::fs::read(&file).unwrap();
    assert!(pp::is_bpf_program(&file, &text));
    let opts = Options { target: Target::Bpf, ..options(&local()) };
    let out = pp::preprocess(&file, &text, &opts, &DiskFiles, &HeaderCache::new());
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let main = String::from_utf8_lossy(&out.pieces.last().unwrap().text).into_owned();
    assert!(main.contains("__attribute__((section(\"xdp\"), used))"), "{main}");
    assert!(main.contains("__builtin_bswap16") || main.contains("___constant_swab16") || main.contains("0x0800"), "{main}");
    let uses: Vec<&str> = out.pieces.last().unwrap().macro_uses.iter().map(|u| u.name.as_str()).collect();
    assert!(uses.contains(&"SEC") && uses.contains(&"bpf_htons") && !uses.contains(&"XDP_DROP"), "{uses:?}");
}
