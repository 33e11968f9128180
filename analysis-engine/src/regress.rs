//! Regression comparison of two interfaces of a function: for pairs of
//! paths (old, new) whose conditions overlap, is there an input and PCV
//! values where the new cost exceeds the old by more than the resolution?
//!
//! Conditions are checked with Z3 (the new version's arena, symbols
//! matched by name); PCVs are checked at the corners of their ranges (0
//! and the upper bound, or 16 when unbounded), where polynomials with
//! these shapes take their extreme differences.

use crate::analysis::FunctionInterface;
use crate::cancel::CancelToken;
use crate::interface::PathCost;
use crate::poly::Poly;
use crate::solver::{Sat, Solver};
use crate::term::Terms;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, Serialize)]
pub struct Regression {
    pub function: String,
    /// Condition of the new case that got slower.
    pub case: String,
    pub old_instructions: f64,
    pub new_instructions: f64,
    /// Inputs (and PCVs) where it happens.
    pub witness: BTreeMap<String, serde_json::Value>,
    pub old_formula: String,
    pub new_formula: String,
}

/// Default assumption for a PCV without a bound.
pub const UNBOUNDED_PCV: f64 = 16.0;
const MAX_QUERIES: usize = 200;
/// The comparison runs after every edit in the editor: it stops looking
/// after this long (the findings so far stand).
const MAX_TIME: std::time::Duration = std::time::Duration::from_millis(1500);
const QUERY_MS: u32 = 50;

fn corners(names: &[String], bounds: &HashMap<String, f64>) -> Vec<HashMap<String, f64>> {
    let mut out = vec![HashMap::new()];
    for n in names.iter().take(10) {
        let hi = bounds.get(n).copied().unwrap_or(UNBOUNDED_PCV);
        let mut next = Vec::new();
        for c in &out {
            for v in [0.0, hi] {
                let mut m = c.clone();
                m.insert(n.clone(), v);
                next.push(m);
            }
        }
        out = next;
    }
    out
}

pub fn compare(old: &FunctionInterface, new: &FunctionInterface, resolution: f64, cancel: &CancelToken) -> Vec<Regression> {
    let (Some(od), Some(nd)) = (&old.details, &new.details) else { return vec![] };
    let name_of = |vars: &crate::exec::vars::Vars, v: u32| vars.name(v);
    let mut bounds: HashMap<String, f64> = HashMap::new();
    for v in nd.vars.list.iter().chain(od.vars.list.iter()) {
        if let Some(b) = v.upper_bound.as_ref().and_then(|b| b.parse::<f64>().ok()) {
            bounds.insert(v.name.clone(), b.max(0.0));
        }
    }
    // Polys over names, so both versions share variables.
    let named = |p: &Poly, vars: &crate::exec::vars::Vars| -> Vec<(f64, Vec<String>)> {
        let mut v: Vec<(f64, Vec<String>)> = p.terms.iter().map(|(k, c)| (*c, k.iter().map(|x| name_of(vars, *x)).collect())).collect();
        v.push((p.c, vec![]));
        v
    };
    let eval = |t: &[(f64, Vec<String>)], at: &HashMap<String, f64>| -> f64 { t.iter().map(|(c, vs)| c * vs.iter().map(|n| at.get(n).copied().unwrap_or(0.0)).product::<f64>()).sum() };
    let mut terms: Terms = nd.terms.clone();
    let mut memo = HashMap::new();
    let mut solver = Solver::new(QUERY_MS, cancel.clone());
    let start = std::time::Instant::now();
    let out_of_time = || start.elapsed() > MAX_TIME || cancel.is_cancelled();
    let mut found: Vec<Regression> = Vec::new();
    let mut queries = 0;
    // Candidate pairs, largest increase first.
    let mut cands: Vec<(f64, &PathCost, &PathCost, HashMap<String, f64>)> = Vec::new();
    // Many paths share a cost formula: the corners of each pair of
    // distinct formulas are evaluated once.
    let old_named: Vec<_> = od.paths.iter().map(|p| named(&p.m[0], &od.vars)).collect();
    let new_named: Vec<_> = nd.paths.iter().map(|q| named(&q.m[0], &nd.vars)).collect();
    let mut worst: HashMap<(String, String), Option<(f64, HashMap<String, f64>)>> = HashMap::new();
    'pairs: for (q, qn) in nd.paths.iter().zip(&new_named) {
        for (p, pn) in od.paths.iter().zip(&old_named) {
            if out_of_time() {
                break 'pairs;
            }
            let key = (format!("{qn:?}"), format!("{pn:?}"));
            let best = worst.entry(key).or_insert_with(|| {
                let mut names: Vec<String> = qn.iter().chain(pn.iter()).flat_map(|(_, v)| v.clone()).collect();
                names.sort();
                names.dedup();
                let mut best: Option<(f64, HashMap<String, f64>)> = None;
                for c in corners(&names, &bounds) {
                    let d = eval(qn, &c) - eval(pn, &c);
                    if d > resolution && best.as_ref().is_none_or(|(b, _)| d > *b) {
                        best = Some((d, c));
                    }
                }
                best
            });
            if let Some((d, c)) = best {
                cands.push((*d, p, q, c.clone()));
            }
        }
    }
    cands.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut reported_cases: Vec<String> = Vec::new();
    for (_, p, q, at) in cands {
        if queries >= MAX_QUERIES || out_of_time() || found.len() >= 8 {
            break;
        }
        let case = new.cases.iter().find(|c| c.sigs.iter().any(|s| q.sig.contains(s))).map(|c| c.condition.clone()).unwrap_or_default();
        if reported_cases.contains(&case) {
            continue;
        }
        let mut conds: Vec<u32> = q.pc.clone();
        for &t in &p.pc {
            conds.push(terms.import(&od.terms, t, &mut memo));
        }
        queries += 1;
        if solver.check(&terms, &conds) == Sat::Unsat {
            continue;
        }
        let mut syms = Vec::new();
        for &c in &conds {
            terms.symbols(c, &mut syms);
        }
        let of: Vec<u32> = syms.iter().filter(|s| terms.syms[**s as usize].kind == crate::term::SymKind::Input).filter_map(|s| terms.node_of_sym(*s)).collect();
        let mut witness = BTreeMap::new();
        if let Some(m) = solver.model(&terms, &conds, &of) {
            for t in of {
                if let (Some(info), Some(v)) = (terms.sym_of(t), m.get(&t)) {
                    witness.insert(info.name.clone(), serde_json::json!(*v as u64));
                }
            }
        }
        for (k, v) in &at {
            witness.insert(k.clone(), serde_json::json!(*v));
        }
        let qn = named(&q.m[0], &nd.vars);
        let pn = named(&p.m[0], &od.vars);
        reported_cases.push(case.clone());
        found.push(Regression {
            function: new.name.clone(),
            case,
            old_instructions: eval(&pn, &at),
            new_instructions: eval(&qn, &at),
            witness,
            old_formula: p.m[0].render(&|v| name_of(&od.vars, v)),
            new_formula: q.m[0].render(&|v| name_of(&nd.vars, v)),
        });
    }
    found
}
