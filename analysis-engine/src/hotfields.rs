//! Hot fields: which fields of a struct the cases of the analyzed
//! functions read and write, on which cache line each sits, and a field
//! order that packs the hot ones into fewer lines.
//!
//! Without a profile every case counts once: a field's hotness is the
//! number of cases that access it, and the hot set is the fields accessed
//! by at least half of the cases that touch the struct at all (the fields
//! the common paths share). The suggested order puts hot fields first
//! (hottest first), then the rest in their declared order, each at its
//! natural alignment (approximated by the largest power of two ≤ 8 that
//! divides its size); bitfields sharing a storage unit move together.

use crate::layout::RecordLayout;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Serialize)]
pub struct FieldHotness {
    pub name: String,
    pub offset: u64,
    pub size: u64,
    pub line: u64,
    /// Cases that read / write the field.
    pub read_cases: usize,
    pub write_cases: usize,
    pub hot: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct StructHotness {
    pub name: String,
    /// Cases (over all analyzed functions) that access the struct.
    pub cases: usize,
    pub fields: Vec<FieldHotness>,
    pub hot_fields: Vec<String>,
    /// Distinct lines the hot fields span now, and in the suggested order.
    pub hot_lines: u64,
    pub suggested_order: Vec<String>,
    pub suggested_hot_lines: u64,
    pub suggested_size: u64,
    pub lines_saved: i64,
}

/// One case's accesses: field path (`int_key.src_addr`) → (read, write).
pub type CaseUses = BTreeMap<String, (bool, bool)>;

fn bare(name: &str) -> &str {
    name.trim_start_matches("struct ").trim_start_matches("union ")
}

/// The layout's field a recorded access belongs to: the longest field
/// name equal to the access path or a prefix of it followed by `.`.
fn field_of<'a>(l: &'a RecordLayout, path: &str) -> Option<&'a str> {
    l.fields
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| !n.is_empty() && (path == *n || path.starts_with(&format!("{n}."))))
        .max_by_key(|n| n.len())
}

struct Unit {
    names: Vec<String>,
    offset: u64,
    size: u64,
    align: u64,
    hot: usize,
    is_hot: bool,
}

fn lines_of(units: &[(u64, u64)], line: u64) -> u64 {
    let mut set = BTreeSet::new();
    for &(off, size) in units {
        for l in off / line..=(off + size.max(1) - 1) / line {
            set.insert(l);
        }
    }
    set.len() as u64
}

/// `uses`: per case, the accesses recorded for struct `bare(layout.name)`.
pub fn struct_hotness(layout: &RecordLayout, uses: &[CaseUses], line: u64) -> Option<StructHotness> {
    let line = line.max(1);
    let mut read: BTreeMap<&str, usize> = BTreeMap::new();
    let mut write: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cases: usize = 0;
    for u in uses {
        let mut touched: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
        for (path, (r, w)) in u {
            if let Some(f) = field_of(layout, path) {
                let e = touched.entry(f).or_default();
                e.0 |= r;
                e.1 |= w;
            }
        }
        if touched.is_empty() {
            continue;
        }
        cases += 1;
        for (f, (r, w)) in touched {
            if r {
                *read.entry(f).or_default() += 1;
            }
            if w {
                *write.entry(f).or_default() += 1;
            }
        }
    }
    if cases == 0 {
        return None;
    }
    let hotness = |n: &str| -> usize { read.get(n).copied().unwrap_or(0).max(write.get(n).copied().unwrap_or(0)) };
    // Top-level fields (flattened members of anonymous structs have dots).
    let top: Vec<&crate::layout::FieldLayout> = layout.fields.iter().filter(|f| !f.name.contains('.') && !f.name.is_empty()).collect();
    let threshold = cases.div_ceil(2);
    let mut units: Vec<Unit> = Vec::new();
    for f in &top {
        let h = hotness(&f.name);
        if f.bit_size.is_some() {
            if let Some(u) = units.last_mut().filter(|u| u.offset == f.offset && u.size == f.size) {
                u.names.push(f.name.clone());
                u.hot = u.hot.max(h);
                continue;
            }
        }
        let align = (1..=8u64).rev().find(|a| a.is_power_of_two() && f.size % a == 0).unwrap_or(1);
        units.push(Unit { names: vec![f.name.clone()], offset: f.offset, size: f.size, align, hot: h, is_hot: false });
    }
    for u in units.iter_mut() {
        u.is_hot = u.hot >= threshold && u.hot > 0;
    }
    let hot_now: Vec<(u64, u64)> = units.iter().filter(|u| u.is_hot).map(|u| (u.offset, u.size)).collect();
    let hot_lines = lines_of(&hot_now, line);
    // Hottest first (stable: declared order among equals), cold after.
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|i| (!units[*i].is_hot, std::cmp::Reverse(if units[*i].is_hot { units[*i].hot } else { 0 })));
    let mut off = 0u64;
    let mut placed: Vec<(u64, u64)> = Vec::new();
    let mut max_align = 1;
    for i in &order {
        let u = &units[*i];
        off = off.div_ceil(u.align) * u.align;
        if u.is_hot {
            placed.push((off, u.size));
        }
        off += u.size;
        max_align = max_align.max(u.align);
    }
    let suggested_size = off.div_ceil(max_align) * max_align;
    let suggested_hot_lines = lines_of(&placed, line);
    let fields = layout
        .fields
        .iter()
        .map(|f| {
            let is_hot = units.iter().any(|u| u.is_hot && u.names.contains(&f.name));
            FieldHotness { name: f.name.clone(), offset: f.offset, size: f.size, line: f.line, read_cases: read.get(f.name.as_str()).copied().unwrap_or(0), write_cases: write.get(f.name.as_str()).copied().unwrap_or(0), hot: is_hot }
        })
        .collect();
    Some(StructHotness {
        name: layout.name.clone(),
        cases,
        fields,
        hot_fields: units.iter().filter(|u| u.is_hot).flat_map(|u| u.names.clone()).collect(),
        hot_lines,
        suggested_order: order.iter().flat_map(|i| units[*i].names.clone()).collect(),
        suggested_hot_lines,
        suggested_size,
        lines_saved: hot_lines as i64 - suggested_hot_lines as i64,
    })
}

/// Accesses of every case, grouped by struct (bare name).
pub fn uses_by_struct(cases: &[&crate::interface::Case]) -> BTreeMap<String, Vec<CaseUses>> {
    let mut out: BTreeMap<String, Vec<CaseUses>> = BTreeMap::new();
    for c in cases {
        let mut per: BTreeMap<String, CaseUses> = BTreeMap::new();
        for f in &c.footprint.fields {
            let e = per.entry(bare(&f.record).to_string()).or_default().entry(f.field.clone()).or_default();
            e.0 |= f.read;
            e.1 |= f.write;
        }
        for (s, u) in per {
            out.entry(s).or_default().push(u);
        }
    }
    out
}

pub fn struct_key(layout: &RecordLayout) -> String {
    bare(&layout.name).to_string()
}

pub fn describe(h: &StructHotness) -> String {
    let mut s = format!(
        "\t/* accesses: {} cases touch this struct; hot (accessed by at least half of them): {} — {} line{} */\n",
        h.cases,
        if h.hot_fields.is_empty() { "none".to_string() } else { h.hot_fields.join(", ") },
        h.hot_lines,
        if h.hot_lines == 1 { "" } else { "s" }
    );
    if h.lines_saved > 0 {
        s.push_str(&format!(
            "\t/* suggested order: {} — hot fields on {} line{} ({} saved), size {} */\n",
            h.suggested_order.join(", "),
            h.suggested_hot_lines,
            if h.suggested_hot_lines == 1 { "" } else { "s" },
            h.lines_saved,
            h.suggested_size
        ));
    } else {
        s.push_str("\t/* the hot fields already sit on as few lines as reordering could give */\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::FieldLayout;

    fn fl(name: &str, offset: u64, size: u64) -> FieldLayout {
        FieldLayout { name: name.into(), ty: String::new(), offset, size, bit_offset: None, bit_size: None, line: offset / 64 }
    }

    #[test]
    fn hot_fields_packed_into_one_line() {
        // a (0..8) and d (128..136) are read by all three cases, b by one
        // (below half), c by none.
        // Now: lines 0 and 2. Packed first: a at 0, d at 8: one line.
        let l = RecordLayout { name: "struct s".into(), size: 136, align: 8, cache_lines: 3, fields: vec![fl("a", 0, 8), fl("b", 8, 64), fl("c", 72, 56), fl("d", 128, 8)], holes: vec![], padding: 0, file: String::new(), line: 0, members: vec![] };
        let case = |f: &[&str]| -> CaseUses { f.iter().map(|x| (x.to_string(), (true, false))).collect() };
        let h = struct_hotness(&l, &[case(&["a", "d"]), case(&["a", "d"]), case(&["a", "d", "b"])], 64).expect("touched");
        assert_eq!(h.hot_fields, vec!["a", "d"]);
        assert_eq!(h.hot_lines, 2);
        assert_eq!(h.suggested_hot_lines, 1);
        assert_eq!(h.lines_saved, 1);
        assert_eq!(&h.suggested_order[..2], &["a".to_string(), "d".to_string()]);
    }
}
