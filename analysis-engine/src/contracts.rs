//! Built-in knowledge of functions we do not analyze: libc, eBPF helpers,
//! kernel helpers. Costs live in `cost.rs`; this file knows their shapes.

use crate::types::CType;

/// Return type of a well-known external function (for calls without a
/// prototype in view).
pub fn builtin_return(name: &str) -> CType {
    match name {
        "memcpy" | "memmove" | "memset" | "bpf_map_lookup_elem" | "malloc" | "calloc" => CType::Ptr(Box::new(CType::Void)),
        "memcmp" | "strcmp" | "strncmp" | "bpf_map_update_elem" | "bpf_map_delete_elem" => CType::int(4, true),
        "bpf_tail_call" | "bpf_redirect" | "bpf_redirect_map" | "bpf_xdp_adjust_head" | "bpf_xdp_adjust_tail" | "bpf_xdp_adjust_meta" | "bpf_csum_diff"
        | "bpf_fib_lookup" | "bpf_loop" | "bpf_for_each_map_elem" => CType::int(8, true),
        "strlen" | "bpf_ktime_get_ns" | "jiffies" | "ktime_get_ns" => CType::int(8, false),
        "__builtin_popcount" | "__builtin_ctz" | "__builtin_clz" => CType::int(4, true),
        "bpf_get_prandom_u32" | "bpf_get_smp_processor_id" | "jhash" | "jhash_2words" | "jhash_3words" => CType::int(4, false),
        _ => CType::int(4, true),
    }
}

/// Arguments (by index) through which a known external function writes
/// caller memory; `None` for an unknown function (any pointer argument may
/// be written). eBPF map helpers change a map's entries, never the map
/// definition a program names.
pub fn written_args(name: &str) -> Option<&'static [usize]> {
    match name {
        "memcpy" | "memmove" | "memset" | "__builtin_memcpy" | "__builtin_memset" | "__builtin_memmove" | "bzero" | "strcpy" | "strncpy"
        | "strcat" | "strncat" | "snprintf" | "sprintf" => Some(&[0]),
        "memcmp" | "__builtin_memcmp" | "strcmp" | "strncmp" | "strlen" | "strnlen" | "bpf_map_lookup_elem" | "bpf_map_update_elem"
        | "bpf_map_delete_elem" | "bpf_ktime_get_ns" | "ktime_get_ns" | "bpf_get_prandom_u32" | "bpf_get_smp_processor_id" | "bpf_tail_call"
        | "bpf_redirect" | "bpf_redirect_map" | "bpf_xdp_adjust_head" | "bpf_xdp_adjust_tail" | "bpf_xdp_adjust_meta" | "bpf_csum_diff" | "jhash"
        | "jhash_2words" | "jhash_3words" | "likely" | "unlikely" | "printf" | "printk" | "bpf_printk" | "__builtin_popcount" | "__builtin_ctz"
        | "__builtin_clz" | "__asm_output" | "__builtin_unreachable" => Some(&[]),
        _ => None,
    }
}

use crate::cost::{Counts, Feature};

/// Cost of a built-in external function: a fixed part, and optionally
/// parts per unit of arguments (bytes for memcpy/memset/memcmp).
pub struct Builtin {
    pub fixed: Counts,
    pub per_unit: Vec<(usize, &'static [(Feature, f64)])>,
    /// `bpf_loop`/`bpf_for_each_map_elem`: the callback (argument index)
    /// runs a number of times: argument `times` or the map's entries.
    pub callback: Option<(usize, CallbackTimes)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CallbackTimes {
    Arg(usize),
    MapEntries,
}

fn counts(items: &[(Feature, f64)]) -> Counts {
    let mut c = Counts::default();
    for (f, n) in items {
        c.add(*f, *n);
    }
    c
}

/// eBPF helper by number, as libbpf's `bpf_helper_defs.h` declares them
/// (`static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;`).
/// Only helpers with a contract (or a known effect) are listed.
pub fn bpf_helper(id: u64) -> Option<&'static str> {
    Some(match id {
        1 => "bpf_map_lookup_elem",
        2 => "bpf_map_update_elem",
        3 => "bpf_map_delete_elem",
        5 => "bpf_ktime_get_ns",
        7 => "bpf_get_prandom_u32",
        8 => "bpf_get_smp_processor_id",
        12 => "bpf_tail_call",
        23 => "bpf_redirect",
        28 => "bpf_csum_diff",
        44 => "bpf_xdp_adjust_head",
        51 => "bpf_redirect_map",
        54 => "bpf_xdp_adjust_meta",
        65 => "bpf_xdp_adjust_tail",
        69 => "bpf_fib_lookup",
        164 => "bpf_for_each_map_elem",
        181 => "bpf_loop",
        _ => return None,
    })
}

/// The helper a function-pointer global of this name stands for, when its
/// initializer gives no number (`= (void *) BPF_FUNC_map_lookup_elem` with
/// the enum out of view).
pub fn bpf_helper_named(name: &str) -> Option<&'static str> {
    (1..=200).filter_map(bpf_helper).find(|h| *h == name)
}

/// What a map definition says (BTF-style `struct { __uint(type, ...); ... } m SEC(".maps")`
/// or legacy `struct bpf_map_def`), see `crate::ir::MapInfo`.
pub use crate::ir::MapInfo;

/// Map types by their number in `enum bpf_map_type`.
pub fn map_type_name(t: u32) -> &'static str {
    match t {
        1 => "hash",
        2 => "array",
        3 => "prog array",
        4 => "perf event array",
        5 => "per-CPU hash",
        6 => "per-CPU array",
        9 => "LRU hash",
        10 => "LRU per-CPU hash",
        11 => "LPM trie",
        14 => "devmap",
        16 => "cpumap",
        17 => "xskmap",
        25 => "devmap hash",
        _ => "map",
    }
}

/// Built-in contracts without map knowledge.
pub fn builtin(name: &str) -> Option<Builtin> {
    builtin_for(name, None)
}

/// Built-in contracts. Byte-wise costs assume 8-byte words (glibc's
/// small-size paths for mem* move a word per instruction pair; gcc expands
/// a constant size inline, a store per word or two). eBPF
/// helper costs are estimates of the kernel's x86-64 code paths, per map
/// type where a map is given (docs/semantics.md lists them with their
/// reasoning):
///
/// - array / per-CPU array lookup: the verifier inlines it (bounds check,
///   index times value size, add; per-CPU adds the CPU offset): no call.
/// - hash / LRU hash lookup: `jhash` over the key (about 3 ALU operations
///   per key byte) plus a bucket walk of one element and a key compare
///   (one load per 4 key bytes); LRU also sets the entry's reference bit.
/// - LPM trie lookup: a node per prefix byte at most (about 16 ALU
///   operations and 3 loads per node, the node visit of `trie_lookup_elem`).
/// - update: the lookup plus copying the value (a word per 8 bytes) and,
///   for hash maps, allocating and linking an element (about 40 operations).
/// - delete: the lookup plus unlinking (hash); array entries cannot be
///   deleted (the helper fails at once).
pub fn builtin_for(name: &str, map: Option<&MapInfo>) -> Option<Builtin> {
    const COPY: &[(Feature, f64)] = &[(Feature::CopyWord, 0.125)];
    const CMP: &[(Feature, f64)] = &[(Feature::Load, 0.25), (Feature::Alu, 0.125)];
    const CSUM: &[(Feature, f64)] = &[(Feature::Load, 0.25), (Feature::Alu, 0.5)];
    let fixed = |items: &[(Feature, f64)]| Builtin { fixed: counts(items), per_unit: vec![], callback: None };
    let key = map.map(|m| m.key_size as f64).unwrap_or(4.0);
    let value_words = map.map(|m| (m.value_size as f64 / 8.0).ceil()).unwrap_or(2.0);
    let kind = map.map(|m| m.map_type).unwrap_or(0);
    let hash_lookup = |extra_alu: f64, extra_store: f64| {
        vec![(Feature::Alu, 20.0 + 3.0 * key + extra_alu), (Feature::Load, 6.0 + key / 4.0), (Feature::Store, extra_store), (Feature::Branch, 4.0 + key / 8.0), (Feature::ExternCall, 1.0)]
    };
    let lookup: Vec<(Feature, f64)> = match kind {
        2 => vec![(Feature::Alu, 4.0), (Feature::Load, 1.0), (Feature::Branch, 1.0)],
        6 => vec![(Feature::Alu, 6.0), (Feature::Load, 2.0), (Feature::Branch, 1.0)],
        1 | 5 => hash_lookup(0.0, 0.0),
        9 | 10 => hash_lookup(2.0, 1.0),
        11 => {
            let bytes = (key - 4.0).max(1.0);
            vec![(Feature::Alu, 20.0 + 16.0 * bytes), (Feature::Load, 4.0 + 3.0 * bytes), (Feature::Branch, 4.0 + 2.0 * bytes), (Feature::ExternCall, 1.0)]
        }
        _ => vec![(Feature::Alu, 20.0), (Feature::Load, 6.0), (Feature::Branch, 4.0), (Feature::ExternCall, 1.0)],
    };
    let plus = |base: &[(Feature, f64)], more: &[(Feature, f64)]| {
        let mut c = counts(base);
        c.plus(&counts(more));
        Builtin { fixed: c, per_unit: vec![], callback: None }
    };
    Some(match name {
        "memcpy" | "memmove" | "__builtin_memcpy" | "__builtin_memmove" => Builtin { fixed: counts(&[(Feature::Alu, 4.0), (Feature::Branch, 2.0)]), per_unit: vec![(2, COPY)], callback: None },
        "memset" | "__builtin_memset" => Builtin { fixed: counts(&[(Feature::Alu, 3.0), (Feature::Branch, 2.0)]), per_unit: vec![(2, COPY)], callback: None },
        "memcmp" | "__builtin_memcmp" => Builtin { fixed: counts(&[(Feature::Alu, 3.0), (Feature::Branch, 2.0)]), per_unit: vec![(2, CMP)], callback: None },
        // One instruction each (popcnt, tzcnt, lzcnt); the value is not
        // modelled (an unknown result), except for constant arguments,
        // which lowering folds.
        "__builtin_popcount" | "__builtin_ctz" | "__builtin_clz" => fixed(&[(Feature::Alu, 1.0)]),
        // An output operand of inline asm: no cost of its own (the asm
        // statement costs `cost(asm@LINE)`).
        "__asm_output" => fixed(&[]),
        "bpf_map_lookup_elem" => plus(&lookup, &[]),
        "bpf_map_update_elem" => match kind {
            2 | 6 => plus(&lookup, &[(Feature::CopyWord, value_words), (Feature::Alu, 4.0), (Feature::ExternCall, 1.0)]),
            0 => plus(&lookup, &[(Feature::Alu, 10.0), (Feature::Store, 6.0), (Feature::Branch, 1.0)]),
            _ => plus(&lookup, &[(Feature::CopyWord, value_words), (Feature::Alu, 40.0), (Feature::Load, 4.0), (Feature::Store, 8.0), (Feature::Branch, 6.0)]),
        },
        "bpf_map_delete_elem" => match kind {
            2 | 6 => fixed(&[(Feature::Alu, 4.0), (Feature::ExternCall, 1.0)]),
            0 => plus(&lookup, &[(Feature::Alu, 5.0), (Feature::Store, 3.0)]),
            _ => plus(&lookup, &[(Feature::Alu, 20.0), (Feature::Load, 2.0), (Feature::Store, 4.0), (Feature::Branch, 3.0)]),
        },
        "bpf_ktime_get_ns" | "ktime_get_ns" | "bpf_get_prandom_u32" => fixed(&[(Feature::Alu, 8.0), (Feature::Load, 2.0), (Feature::ExternCall, 1.0)]),
        // Inlined by the verifier on x86-64: a per-CPU load.
        "bpf_get_smp_processor_id" => fixed(&[(Feature::Alu, 2.0), (Feature::Load, 1.0)]),
        // JIT-emitted: index bounds check, tail-call counter, program load.
        "bpf_tail_call" => fixed(&[(Feature::Alu, 10.0), (Feature::Load, 4.0), (Feature::Store, 1.0), (Feature::Branch, 3.0)]),
        "bpf_redirect" => fixed(&[(Feature::Alu, 8.0), (Feature::Load, 2.0), (Feature::Store, 2.0), (Feature::Branch, 2.0), (Feature::ExternCall, 1.0)]),
        "bpf_redirect_map" => fixed(&[(Feature::Alu, 14.0), (Feature::Load, 5.0), (Feature::Store, 2.0), (Feature::Branch, 3.0), (Feature::ExternCall, 1.0)]),
        "bpf_xdp_adjust_head" | "bpf_xdp_adjust_tail" | "bpf_xdp_adjust_meta" => {
            fixed(&[(Feature::Alu, 15.0), (Feature::Load, 4.0), (Feature::Store, 2.0), (Feature::Branch, 4.0), (Feature::ExternCall, 1.0)])
        }
        // csum_partial over from_size + to_size bytes (a word per 4 bytes).
        "bpf_csum_diff" => Builtin { fixed: counts(&[(Feature::Alu, 12.0), (Feature::Branch, 3.0), (Feature::ExternCall, 1.0)]), per_unit: vec![(1, CSUM), (3, CSUM)], callback: None },
        // FIB trie walk, neighbour lookup and filling the parameters.
        "bpf_fib_lookup" => fixed(&[(Feature::Alu, 160.0), (Feature::Load, 45.0), (Feature::Store, 12.0), (Feature::Branch, 30.0), (Feature::ExternCall, 1.0)]),
        "bpf_loop" => Builtin { fixed: counts(&[(Feature::Alu, 6.0), (Feature::Branch, 2.0), (Feature::ExternCall, 1.0)]), per_unit: vec![], callback: Some((1, CallbackTimes::Arg(0))) },
        "bpf_for_each_map_elem" => Builtin { fixed: counts(&[(Feature::Alu, 10.0), (Feature::Load, 2.0), (Feature::Branch, 2.0), (Feature::ExternCall, 1.0)]), per_unit: vec![], callback: Some((1, CallbackTimes::MapEntries)) },
        _ => return None,
    })
}

/// A linear cost formula over argument names: `6 + n/16`, `2*len + 3`.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub constant: f64,
    pub per_arg: Vec<(usize, f64)>,
}

pub fn parse_formula(text: &str, args: &[String]) -> Result<Linear, String> {
    let mut lin = Linear { constant: 0.0, per_arg: vec![] };
    let cleaned = text.replace(' ', "").replace('-', "+-");
    for term in cleaned.split('+').filter(|t| !t.is_empty()) {
        let (sign, term) = match term.strip_prefix('-') {
            Some(t) => (-1.0, t),
            None => (1.0, term),
        };
        let mut coeff = sign;
        let mut var: Option<usize> = None;
        // factors separated by * and /
        let mut rest = term;
        let mut op = '*';
        loop {
            let end = rest.find(['*', '/']).unwrap_or(rest.len());
            let factor = &rest[..end];
            if let Ok(v) = factor.parse::<f64>() {
                if op == '*' {
                    coeff *= v;
                } else {
                    if v == 0.0 {
                        return Err(format!("division by zero in `{text}`"));
                    }
                    coeff /= v;
                }
            } else if let Some(i) = args.iter().position(|a| a == factor) {
                if var.is_some() || op == '/' {
                    return Err(format!("`{text}` is not linear in the arguments"));
                }
                var = Some(i);
            } else {
                return Err(format!("unknown name `{factor}` in `{text}` (arguments: {})", args.join(", ")));
            }
            if end >= rest.len() {
                break;
            }
            op = rest.as_bytes()[end] as char;
            rest = &rest[end + 1..];
        }
        match var {
            Some(i) => lin.per_arg.push((i, coeff)),
            None => lin.constant += coeff,
        }
    }
    Ok(lin)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formulas() {
        let args = vec!["dst".to_string(), "src".to_string(), "n".to_string()];
        assert_eq!(parse_formula("6 + n/16", &args).unwrap(), Linear { constant: 6.0, per_arg: vec![(2, 1.0 / 16.0)] });
        assert_eq!(parse_formula("2*n - 1", &args).unwrap(), Linear { constant: -1.0, per_arg: vec![(2, 2.0)] });
        assert!(parse_formula("n*n", &args).is_err());
        assert!(parse_formula("m", &args).is_err());
    }
}
