//! Working-set cliffs: the state size at which the lines that a stream of
//! operations touches no longer fit in L1, L2 or the LLC.
//!
//! Model (CFAR's "working set" projector, simplified): an operation of a
//! case touches `F` lines at constant offsets (configuration, counters,
//! headers: the same lines for every operation) and `S` lines at symbolic
//! offsets (the flow entry, the hash bucket, the chain it walks: which
//! lines depends on the input). Operations over `n` distinct state entries
//! (flows, table slots) therefore keep `F + n·S` lines live, and the cache
//! of `C` bytes overflows once `n > (C/line − F) / S`. PCVs (chain
//! lengths) are taken at 1 unless given; a case with `S = 0` has no cliff.

use crate::config::Hardware;
use crate::footprint::PathFootprint;
use crate::poly::VarId;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Cliffs {
    /// Lines every operation of the case touches at constant offsets.
    pub fixed_lines: f64,
    /// Lines per operation that depend on which state entry it touches.
    pub lines_per_entry: f64,
    /// Largest number of distinct state entries whose working set fits;
    /// `None` when the working set does not grow with the state.
    pub l1_entries: Option<u64>,
    pub l2_entries: Option<u64>,
    pub llc_entries: Option<u64>,
    /// What the PCVs were set to.
    pub pcvs_at: f64,
}

fn fit(cache_bytes: u64, line: u64, fixed: f64, per: f64) -> Option<u64> {
    if per <= 0.0 {
        return None;
    }
    let lines = cache_bytes as f64 / line.max(1) as f64;
    Some(((lines - fixed) / per).floor().max(0.0) as u64)
}

pub fn cliffs(foot: &PathFootprint, hw: &Hardware, pcv: f64) -> Cliffs {
    let at = |_: VarId| pcv;
    let total = foot.total().eval(&at);
    let per: f64 = foot.objs.iter().map(|o| o.indexed.eval(&at)).sum();
    let fixed = (total - per).max(0.0);
    Cliffs {
        fixed_lines: fixed,
        lines_per_entry: per,
        l1_entries: fit(hw.l1_size, hw.line, fixed, per),
        l2_entries: fit(hw.l2_size, hw.line, fixed, per),
        llc_entries: fit(hw.llc_size, hw.line, fixed, per),
        pcvs_at: pcv,
    }
}

pub fn describe(c: &Cliffs, hw: &Hardware) -> String {
    let n = |x: Option<u64>| x.map(|v| format!("{}", v + 1)).unwrap_or_else(|| "never".into());
    if c.lines_per_entry <= 0.0 {
        return format!("working set {} lines, independent of the state size (fits L1 of {} KiB)", c.fixed_lines, hw.l1_size / 1024);
    }
    format!(
        "working set {} + {}·n lines for n distinct state entries: overflows L1 ({} KiB) at n = {}, L2 ({} KiB) at n = {}, LLC ({} MiB) at n = {}",
        crate::poly::fmt_num(c.fixed_lines),
        crate::poly::fmt_num(c.lines_per_entry),
        hw.l1_size / 1024,
        n(c.l1_entries),
        hw.l2_size / 1024,
        n(c.l2_entries),
        hw.llc_size / (1024 * 1024),
        n(c.llc_entries)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::footprint::ObjLines;
    use crate::poly::Poly;

    #[test]
    fn overflow_points_follow_from_cache_sizes() {
        // 2 fixed lines (config) and 2 indexed lines (the flow entry spans
        // two lines). A 32 KiB L1 of 64-byte lines has 512 lines:
        // (512 - 2) / 2 = 255 entries fit, the 256th overflows.
        let foot = PathFootprint {
            line: 64,
            objs: vec![
                ObjLines { object: "*cfg".into(), lines: Poly::konst(2.0), lines_unaligned: Poly::konst(3.0), indexed: Poly::default() },
                ObjLines { object: "*flows".into(), lines: Poly::konst(2.0), lines_unaligned: Poly::konst(2.0), indexed: Poly::konst(2.0) },
            ],
            fields: Default::default(),
        };
        let hw = Hardware { l1_size: 32 * 1024, l2_size: 1024 * 1024, llc_size: 16 * 1024 * 1024, line: 64, ..crate::config::Config::default().hardware };
        let c = cliffs(&foot, &hw, 1.0);
        assert_eq!(c.fixed_lines, 2.0);
        assert_eq!(c.l1_entries, Some(255));
        // 1 MiB: 16384 lines → 8191; 16 MiB: 262144 lines → 131071.
        assert_eq!(c.l2_entries, Some(8191));
        assert_eq!(c.llc_entries, Some(131071));
    }
}
