//! Built-in knowledge of functions we do not analyze: libc, eBPF helpers,
//! kernel helpers. Costs live in `cost.rs`; this file knows their shapes.

use crate::types::CType;

/// Return type of a well-known external function (for calls without a
/// prototype in view).
pub fn builtin_return(name: &str) -> CType {
    match name {
        "memcpy" | "memmove" | "memset" | "bpf_map_lookup_elem" | "malloc" | "calloc" => CType::Ptr(Box::new(CType::Void)),
        "memcmp" | "strcmp" | "strncmp" | "bpf_map_update_elem" | "bpf_map_delete_elem" => CType::int(4, true),
        "strlen" | "bpf_ktime_get_ns" | "jiffies" | "ktime_get_ns" => CType::int(8, false),
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
        | "bpf_map_delete_elem" | "bpf_ktime_get_ns" | "ktime_get_ns" | "bpf_get_prandom_u32" | "bpf_get_smp_processor_id" | "jhash"
        | "jhash_2words" | "jhash_3words" | "likely" | "unlikely" | "printf" | "printk" | "bpf_printk" => Some(&[]),
        _ => None,
    }
}

use crate::cost::{Counts, Feature};

/// Cost of a built-in external function: a fixed part, and optionally a
/// part per unit of one argument (bytes for memcpy/memset/memcmp).
pub struct Builtin {
    pub fixed: Counts,
    pub per_unit: Option<(usize, &'static [(Feature, f64)])>,
}

fn counts(items: &[(Feature, f64)]) -> Counts {
    let mut c = Counts::default();
    for (f, n) in items {
        c.add(*f, *n);
    }
    c
}

/// Built-in contracts. Byte-wise costs assume 8-byte words
/// (glibc's small-size paths for mem* move a word per instruction pair).
pub fn builtin(name: &str) -> Option<Builtin> {
    const COPY: &[(Feature, f64)] = &[(Feature::CopyWord, 0.125)];
    const CMP: &[(Feature, f64)] = &[(Feature::Load, 0.25), (Feature::Alu, 0.125)];
    Some(match name {
        "memcpy" | "memmove" | "__builtin_memcpy" => Builtin { fixed: counts(&[(Feature::Alu, 4.0), (Feature::Branch, 2.0)]), per_unit: Some((2, COPY)) },
        "memset" | "__builtin_memset" => Builtin { fixed: counts(&[(Feature::Alu, 3.0), (Feature::Branch, 2.0)]), per_unit: Some((2, COPY)) },
        "memcmp" | "__builtin_memcmp" => Builtin { fixed: counts(&[(Feature::Alu, 3.0), (Feature::Branch, 2.0)]), per_unit: Some((2, CMP)) },
        "bpf_map_lookup_elem" => Builtin { fixed: counts(&[(Feature::Alu, 20.0), (Feature::Load, 6.0), (Feature::Branch, 4.0), (Feature::ExternCall, 1.0)]), per_unit: None },
        "bpf_map_update_elem" => Builtin { fixed: counts(&[(Feature::Alu, 30.0), (Feature::Load, 6.0), (Feature::Store, 6.0), (Feature::Branch, 5.0), (Feature::ExternCall, 1.0)]), per_unit: None },
        "bpf_map_delete_elem" => Builtin { fixed: counts(&[(Feature::Alu, 25.0), (Feature::Load, 6.0), (Feature::Store, 3.0), (Feature::Branch, 4.0), (Feature::ExternCall, 1.0)]), per_unit: None },
        "bpf_ktime_get_ns" | "ktime_get_ns" | "bpf_get_prandom_u32" | "bpf_get_smp_processor_id" => {
            Builtin { fixed: counts(&[(Feature::Alu, 8.0), (Feature::Load, 2.0), (Feature::ExternCall, 1.0)]), per_unit: None }
        }
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
