//! Performance interfaces: paths merged into cases at a resolution, with
//! readable conditions, metric formulas, PCVs and witnesses.

use crate::config::Hardware;
use crate::cost::{CostTable, Metric, METRICS, NMET, X_CYCLES, X_MDIVS, X_MINSTR, X_MMULS};
use crate::exec::render::render;
use crate::exec::state::{Atom, State};
use crate::exec::vars::{VarInfo, Vars};
use crate::poly::{Poly, VarId};
use crate::solver::Solver;
use crate::term::{SymKind, TermId, Terms};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One explored path, reduced to what interfaces need.
#[derive(Clone, Debug)]
pub struct PathCost {
    pub atoms: Vec<Atom>,
    pub pc: Vec<TermId>,
    /// Metrics in `METRICS` order, then cycles warm, cycles cold, lines.
    pub m: Vec<Poly>,
    pub sig: Vec<u64>,
    pub foot: crate::footprint::PathFootprint,
}

pub const CYCLES_WARM: usize = NMET;
pub const CYCLES_COLD: usize = NMET + 1;
pub const LINES: usize = NMET + 2;
pub const NALL: usize = NMET + 3;

pub fn all_metric_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = METRICS.iter().map(|m| m.json_name()).collect();
    v.extend(["cycles_warm", "cycles_cold", "cache_lines"]);
    v
}

/// Turn a finished state into metric formulas.
pub fn path_cost(st: &State, table: &CostTable, hw: &Hardware, field_names: &[(String, String)], sizes: &BTreeMap<String, u64>) -> PathCost {
    let mut m: Vec<Poly> = Vec::with_capacity(NALL);
    for (mi, row) in table.weights.iter().enumerate() {
        let mut p = Poly::konst(table.entry[mi]);
        for (fi, w) in row.iter().enumerate() {
            if *w != 0.0 {
                p.add_scaled(&st.cost.feat[fi], *w);
            }
        }
        p.add(&st.cost.extra[mi]);
        m.push(p);
    }
    let idx = |x: Metric| METRICS.iter().position(|y| *y == x).unwrap_or(0);
    // The hardware model prices the model's instructions, multiplies and
    // divides; machine code brings its own cycles (`machine::latency`).
    let mut warm = Poly::default();
    warm.add_scaled(&m[idx(Metric::Instructions)], hw.cpi);
    warm.add_scaled(&st.cost.extra[X_MINSTR], -hw.cpi);
    warm.add_scaled(&m[idx(Metric::Muls)], hw.mul);
    warm.add_scaled(&st.cost.extra[X_MMULS], -hw.mul);
    warm.add_scaled(&m[idx(Metric::Divs)], hw.div);
    warm.add_scaled(&st.cost.extra[X_MDIVS], -hw.div);
    warm.add(&st.cost.extra[X_CYCLES]);
    let foot = crate::footprint::path_footprint(st, field_names, hw.line, sizes);
    let lines = foot.total();
    let mut cold = warm.clone();
    cold.add_scaled(&lines, hw.dram);
    m.push(warm);
    m.push(cold);
    m.push(lines);
    PathCost { atoms: st.display.clone(), pc: st.pc.clone(), m, sig: st.sig.clone(), foot }
}

#[derive(Clone, Debug, Serialize)]
pub struct Formula {
    pub text: String,
    pub poly: crate::poly::PolyJson,
}

#[derive(Clone, Debug, Serialize)]
pub struct Case {
    pub condition: String,
    pub paths: usize,
    /// Metric name → formula.
    pub metrics: BTreeMap<String, Formula>,
    pub witness: BTreeMap<String, serde_json::Value>,
    /// Lines per object, alignment, bytes, fields read and written.
    pub footprint: crate::footprint::CaseFootprint,
    #[serde(skip)]
    pub polys: Vec<Poly>,
    #[serde(skip)]
    pub sigs: Vec<u64>,
    /// Per merged path: its condition atoms (for the Python output).
    #[serde(skip)]
    pub path_atoms: Vec<Vec<Atom>>,
}

pub struct Merged {
    pub cases: Vec<Case>,
    pub resolutions: Vec<f64>,
}

fn atom_text(terms: &Terms, a: &Atom) -> String {
    match a {
        // Atoms are joined with `&&`: a disjunction needs parentheses.
        Atom::Cond(t) if terms.node(*t).op == crate::term::Op::BOr => format!("({})", render(terms, *t)),
        Atom::Cond(t) => render(terms, *t),
        Atom::LoopExit { line, func, how } => format!("the loop at line {line} in {func} {how}"),
        Atom::LoopSkipped { line, func } => format!("the loop at line {line} in {func} is not entered"),
    }
}

/// Non-constant part of every metric: paths merge only within a shape.
fn shape_key(p: &PathCost) -> String {
    p.m.iter().map(|x| format!("{:?}", x.terms)).collect::<Vec<_>>().join("|")
}

/// Greedy clustering by constants: a path joins a cluster while every
/// metric's spread stays below `r`.
fn cluster(paths: &[&PathCost], r: f64) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..paths.len()).collect();
    order.sort_by(|a, b| paths[*a].m[0].c.total_cmp(&paths[*b].m[0].c));
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut lo = vec![0.0; NALL];
    let mut hi = vec![0.0; NALL];
    for i in order {
        let p = paths[i];
        let fits = out.last().is_some() && (0..NALL).all(|k| {
            let c = p.m[k].c;
            let spread = c.max(hi[k]) - c.min(lo[k]);
            // At resolution 1 (or below) only identical costs merge.
            (if r <= 1.0 { spread == 0.0 } else { spread < r }) || k >= NMET && k != LINES
        });
        if fits {
            if let Some(last) = out.last_mut() {
                last.push(i);
            }
            for k in 0..NALL {
                lo[k] = lo[k].min(p.m[k].c);
                hi[k] = hi[k].max(p.m[k].c);
            }
        } else {
            out.push(vec![i]);
            for k in 0..NALL {
                lo[k] = p.m[k].c;
                hi[k] = p.m[k].c;
            }
        }
    }
    out
}

/// Paths grouped by shape (the order of `merge`'s cases).
fn shape_groups(paths: &[PathCost]) -> BTreeMap<String, Vec<&PathCost>> {
    let mut groups: BTreeMap<String, Vec<&PathCost>> = BTreeMap::new();
    for p in paths {
        groups.entry(shape_key(p)).or_default().push(p);
    }
    groups
}

fn count_grouped(groups: &BTreeMap<String, Vec<&PathCost>>, r: f64) -> usize {
    groups.values().map(|g| cluster(g, r).len()).sum()
}

pub fn merge(paths: &[PathCost], r: f64, terms: &Terms, vars: &Vars, solver: &mut Solver) -> Merged {
    let groups = shape_groups(paths);
    let names = all_metric_names();
    let mut cases = Vec::new();
    let mut first: Vec<&PathCost> = Vec::new();
    for g in groups.values() {
        for cl in cluster(g, r) {
            let members: Vec<&PathCost> = cl.iter().map(|i| g[*i]).collect();
            let mut polys = Vec::new();
            for k in 0..NALL {
                let lo = members.iter().map(|p| p.m[k].c).fold(f64::INFINITY, f64::min);
                let hi = members.iter().map(|p| p.m[k].c).fold(f64::NEG_INFINITY, f64::max);
                let mut p = members[0].m[k].clone();
                p.c = (lo + hi) / 2.0;
                polys.push(p);
            }
            let name = |v: VarId| vars.name(v);
            let metrics = polys
                .iter()
                .enumerate()
                .map(|(k, p)| (names[k].to_string(), Formula { text: p.render(&name), poly: p.to_json(&name) }))
                .collect();
            let condition = condition_text(terms, &members);
            let feet: Vec<&crate::footprint::PathFootprint> = members.iter().map(|p| &p.foot).collect();
            let footprint = crate::footprint::case_footprint(&feet, &name);
            first.push(members[0]);
            cases.push(Case {
                condition,
                paths: members.len(),
                metrics,
                witness: BTreeMap::new(),
                footprint,
                polys,
                sigs: members.iter().flat_map(|p| p.sig.iter().copied()).collect(),
                path_atoms: members.iter().map(|p| p.atoms.clone()).collect(),
            });
        }
    }
    // Witnesses in the order of their paths' conditions: consecutive
    // queries share prefixes, which the solver keeps pushed.
    let mut order: Vec<(usize, &PathCost)> = first.into_iter().enumerate().collect();
    order.sort_by(|a, b| a.1.pc.cmp(&b.1.pc));
    for (i, p) in order {
        cases[i].witness = witness(terms, vars, solver, p, &cases[i].polys[0]);
    }
    // Cheapest first reads like an if/elif chain from the fast path.
    cases.sort_by(|a, b| a.polys[0].c.total_cmp(&b.polys[0].c).then(a.condition.cmp(&b.condition)));
    let resolutions = resolutions(paths);
    Merged { cases, resolutions }
}

fn condition_text(terms: &Terms, members: &[&PathCost]) -> String {
    let negates = |a: &Atom, b: &Atom| match (a, b) {
        (Atom::Cond(x), Atom::Cond(y)) => crate::exec::dnf::negates(terms, *x, *y),
        _ => false,
    };
    let (common, rests) = crate::exec::dnf::simplify(members.iter().map(|p| p.atoms.clone()).collect(), &negates);
    let join = |atoms: &[Atom]| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for a in atoms {
            let s = atom_text(terms, a);
            if !v.contains(&s) {
                v.push(s);
            }
        }
        v
    };
    let mut parts = join(&common);
    if !rests.iter().any(|r| r.is_empty()) {
        let mut alts: Vec<String> = rests
            .iter()
            .map(|r| {
                if let [Atom::Cond(t)] = r.as_slice() {
                    // A disjunction among disjuncts needs no parentheses.
                    return render(terms, *t);
                }
                let r = join(r);
                if r.len() == 1 {
                    r[0].clone()
                } else {
                    format!("({})", r.join(" && "))
                }
            })
            .collect();
        alts.sort();
        alts.dedup();
        const MAX_ALTS: usize = 6;
        if alts.len() > MAX_ALTS {
            let n = alts.len() - MAX_ALTS;
            alts.truncate(MAX_ALTS);
            alts.push(format!("… {n} more"));
        }
        parts.push(if alts.len() == 1 { alts[0].clone() } else { format!("({})", alts.join(" || ")) });
    }
    if parts.is_empty() {
        "always".into()
    } else {
        parts.join(" && ")
    }
}

fn witness(terms: &Terms, vars: &Vars, solver: &mut Solver, p: &PathCost, instr: &Poly) -> BTreeMap<String, serde_json::Value> {
    let mut syms = Vec::new();
    for a in &p.atoms {
        if let Atom::Cond(t) = a {
            terms.symbols(*t, &mut syms);
        }
    }
    let mut out = BTreeMap::new();
    let sym_terms: Vec<(String, TermId, u32)> = syms
        .iter()
        .filter_map(|s| {
            let info = &terms.syms[*s as usize];
            if info.kind != SymKind::Input {
                return None;
            }
            let t = terms.node_of_sym(*s)?;
            Some((info.name.clone(), t, info.width))
        })
        .collect();
    let of: Vec<TermId> = sym_terms.iter().map(|(_, t, _)| *t).collect();
    if let Some(model) = solver.model(terms, &p.pc, &of) {
        for (name, t, w) in sym_terms {
            if let Some(v) = model.get(&t) {
                let s = crate::term::to_signed(*v, w);
                let val = if s < 0 && s > -65536 { serde_json::json!(s) } else { serde_json::json!(*v as u64) };
                out.insert(name, val);
            }
        }
    }
    for v in instr.vars() {
        if let Some(info) = vars.list.get(v as usize) {
            if matches!(info.key, crate::exec::vars::VarKey::LoopClass { .. }) {
                out.insert(info.name.clone(), serde_json::json!(0));
            }
        }
    }
    out
}

/// Resolutions at which the number of cases changes.
fn resolutions(paths: &[PathCost]) -> Vec<f64> {
    let mut diffs: BTreeSet<i64> = BTreeSet::new();
    let groups = shape_groups(paths);
    for g in groups.values() {
        for i in 0..g.len() {
            for j in i + 1..g.len() {
                let d = (g[i].m[0].c - g[j].m[0].c).abs().floor() as i64;
                diffs.insert(d + 1);
            }
        }
    }
    let mut out = vec![1.0];
    let mut last = count_grouped(&groups, 1.0);
    for r in diffs.into_iter().filter(|r| *r > 1).take(64) {
        let n = count_grouped(&groups, r as f64);
        if n != last {
            out.push(r as f64);
            last = n;
        }
    }
    out
}

#[derive(Clone, Debug, Serialize)]
pub struct PcvJson {
    pub name: String,
    pub description: String,
    pub line: u32,
    pub upper_bound: Option<String>,
    pub definition: Option<String>,
}

pub fn pcv_json(v: &VarInfo) -> PcvJson {
    PcvJson { name: v.name.clone(), description: v.description.clone(), line: v.line, upper_bound: v.upper_bound.clone(), definition: v.definition.clone() }
}

