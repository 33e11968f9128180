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
