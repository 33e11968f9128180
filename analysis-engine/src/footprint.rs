//! Cache footprint of a path: the distinct cache lines it touches, per
//! object and in total, as formulas in the PCVs, and the bytes brought
//! into the cache.
//!
//! Counting (see README, "Cache footprints"):
//! - a constant-offset access touches the lines its bytes lie on;
//! - an access at a symbolic offset (`tbl[h]`) touches one line;
//! - loops (summarized in `exec/summarize.rs`, per iteration in
//!   `exec/observe.rs`): lines of nodes reached by pointer chasing count
//!   once per iteration; a stride below a line counts `stride/64` per
//!   iteration (an array of 16-byte entries: ⌈16·t/64⌉, written `0.25*t`);
//!   lines that do not move count once.
//!
//! Alignment: the *aligned* figure assumes every object starts on a line
//! boundary. The *unaligned* figure is the worst case when an object's
//! base is only aligned to its largest scalar access (a lower bound on
//! its type's alignment, at most 8): constant accesses may straddle one
//! more line, and every strided stream may touch one more line.

use crate::exec::observe::label_in;
use crate::exec::state::{ObjId, State};
use crate::poly::{Poly, VarId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct ObjLines {
    pub object: String,
    pub lines: Poly,
    pub lines_unaligned: Poly,
    /// Lines at symbolic offsets (which entry depends on the input or the
    /// state): these grow the working set with the state (`cliffs.rs`).
    pub indexed: Poly,
}

#[derive(Clone, Debug, Default)]
pub struct PathFootprint {
    /// Line size of the hardware model, bytes.
    pub line: u64,
    pub objs: Vec<ObjLines>,
    /// (struct, field, written) for every field access on the path.
    pub fields: BTreeSet<(String, String, bool)>,
}

impl PathFootprint {
    pub fn total(&self) -> Poly {
        let mut p = Poly::default();
        for o in &self.objs {
            p.add(&o.lines);
        }
        p
    }
    pub fn total_unaligned(&self) -> Poly {
        let mut p = Poly::default();
        for o in &self.objs {
            p.add(&o.lines_unaligned);
        }
        p
    }
}

/// Distinct lines of constant spans when the object's base sits `shift`
/// bytes past a line boundary.
pub fn span_lines(spans: &[(i64, u64)], shift: i64, line: i64) -> usize {
    let mut set = BTreeSet::new();
    for &(off, size) in spans {
        let a = off + shift;
        let b = a + size.max(1) as i64 - 1;
        for l in a.div_euclid(line)..=b.div_euclid(line) {
            set.insert(l);
        }
    }
    set.len()
}

pub fn path_footprint(st: &State, field_names: &[(String, String)], line_size: u64, sizes: &BTreeMap<String, u64>) -> PathFootprint {
    let line = line_size.max(1) as i64;
    // Object label → (constant spans, symbolic-offset groups by base).
    type Groups = BTreeMap<crate::term::TermId, Vec<(i64, u64)>>;
    let mut per: BTreeMap<String, (Vec<(i64, u64)>, Groups)> = BTreeMap::new();
    let label = |o: ObjId| label_in(&st.mem, o);
    for (o, base, k, size) in &st.obs.sym_spans {
        per.entry(label(*o)).or_default().1.entry(*base).or_default().push((*k, *size));
    }
    for (o, off, size) in &st.obs.spans {
        per.entry(label(*o)).or_default().0.push((*off, *size));
    }
    let worst_of = |spans: &[(i64, u64)]| {
        let align = spans.iter().map(|s| s.1.clamp(1, 8).next_power_of_two()).max().unwrap_or(8) as i64;
        (0..line).step_by(align as usize).map(|b| span_lines(spans, b, line)).max().unwrap_or(0)
    };
    let mut objs: BTreeMap<String, ObjLines> = BTreeMap::new();
    for (name, (spans, groups)) in per {
        let (mut aligned, mut worst) = (span_lines(&spans, 0, line), worst_of(&spans));
        let mut indexed = 0;
        for g in groups.values() {
            let a = span_lines(g, 0, line);
            indexed += a;
            aligned += a;
            worst += worst_of(g);
        }
        objs.insert(
            name.clone(),
            ObjLines { object: name, lines: Poly::konst(aligned as f64), lines_unaligned: Poly::konst(worst as f64), indexed: Poly::konst(indexed as f64) },
        );
    }
    for (name, (p, streams)) in &st.cost.loop_objs {
        let e = objs.entry(name.clone()).or_insert_with(|| ObjLines { object: name.clone(), ..Default::default() });
        e.lines.add(p);
        e.lines_unaligned.add(p);
        e.lines_unaligned.c += streams;
        e.indexed.add(p);
    }
    // Objects loops index at bounded offsets: at most the lines those
    // offsets reach (`exec/observe.rs`, `iteration_lines`).
    for (name, cap) in &st.cost.caps {
        let e = objs.entry(name.clone()).or_insert_with(|| ObjLines { object: name.clone(), ..Default::default() });
        e.lines.c += cap;
        e.lines_unaligned.c += cap + 1.0;
        e.indexed.c += cap;
    }
    // An object has only so many lines: loops that revisit the same small
    // table (every round reading the S-box) count it once. Formulas with
    // PCVs are left as they are (a bound would need a min).
    for o in objs.values_mut() {
        if let Some(sz) = sizes.get(&o.object) {
            let n = sz.div_ceil(line_size.max(1)) as f64;
            if o.lines.is_const() && o.lines.c > n {
                o.lines.c = n;
            }
            if o.lines_unaligned.is_const() && o.lines_unaligned.c > n + 1.0 {
                o.lines_unaligned.c = n + 1.0;
            }
            if o.indexed.is_const() && o.indexed.c > o.lines.c {
                o.indexed.c = o.lines.c;
            }
        }
    }
    let fields = st
        .obs
        .fields
        .iter()
        .filter_map(|(id, w)| field_names.get(*id as usize).map(|(s, f)| (s.clone(), f.clone(), *w)))
        .collect();
    PathFootprint { line: line_size, objs: objs.into_values().filter(|o| o.lines != Poly::default()).collect(), fields }
}

#[derive(Clone, Debug, Serialize)]
pub struct ObjFootprintJson {
    pub object: String,
    pub lines: crate::interface::Formula,
    pub lines_unaligned: crate::interface::Formula,
    pub bytes: crate::interface::Formula,
}

#[derive(Clone, Debug, Serialize)]
pub struct FieldUse {
    #[serde(rename = "struct")]
    pub record: String,
    pub field: String,
    pub read: bool,
    pub write: bool,
}

/// The footprint of a case, as `perfi analyze --format json` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct CaseFootprint {
    pub alignment: &'static str,
    pub lines: crate::interface::Formula,
    pub lines_unaligned: crate::interface::Formula,
    pub bytes: crate::interface::Formula,
    pub objects: Vec<ObjFootprintJson>,
    pub fields: Vec<FieldUse>,
    /// Working-set cliffs of this case (`cliffs.rs`), set by the analysis.
    pub cliffs: Option<crate::cliffs::Cliffs>,
    #[serde(skip)]
    pub path: PathFootprint,
}

pub const ALIGNMENT_NOTE: &str = "lines: objects start on a line boundary; lines_unaligned: an object's base is aligned only to its largest scalar access (at most 8 bytes), so accesses may straddle one more line";

pub fn formula(p: &Poly, name: &dyn Fn(VarId) -> String) -> crate::interface::Formula {
    crate::interface::Formula { text: p.render(name), poly: p.to_json(name) }
}

/// The footprint of the case made of `members` (paths): the member with
/// the most lines stands for the case (the upper end, as for cycles), and
/// fields are those any member accesses.
pub fn case_footprint(members: &[&PathFootprint], name: &dyn Fn(VarId) -> String) -> CaseFootprint {
    let rep = members.iter().max_by(|a, b| a.total().c.total_cmp(&b.total().c)).map(|p| (*p).clone()).unwrap_or_default();
    let line = rep.line;
    let bytes = |p: &Poly| {
        let mut b = p.clone();
        b.scale(line as f64);
        b
    };
    let objects = rep
        .objs
        .iter()
        .map(|o| ObjFootprintJson { object: o.object.clone(), lines: formula(&o.lines, name), lines_unaligned: formula(&o.lines_unaligned, name), bytes: formula(&bytes(&o.lines), name) })
        .collect();
    let mut uses: BTreeMap<(String, String), (bool, bool)> = BTreeMap::new();
    for m in members {
        for (s, f, w) in &m.fields {
            let e = uses.entry((s.clone(), f.clone())).or_default();
            if *w {
                e.1 = true;
            } else {
                e.0 = true;
            }
        }
    }
    let fields = uses.into_iter().map(|((record, field), (read, write))| FieldUse { record, field, read, write }).collect();
    let total = rep.total();
    CaseFootprint {
        alignment: ALIGNMENT_NOTE,
        lines: formula(&total, name),
        lines_unaligned: formula(&rep.total_unaligned(), name),
        bytes: formula(&bytes(&total), name),
        objects,
        fields,
        cliffs: None,
        path: rep,
    }
}
