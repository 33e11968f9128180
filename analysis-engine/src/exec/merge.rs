//! Merging the returns of an inlined call (state merging, as in KLEE):
//! paths that come back to the same place with the same caller-visible
//! values and costs within the resolution continue as one path whose
//! condition is the disjunction of theirs. Memory cells they disagree on
//! become unknown. At resolution 1 only paths of identical cost merge, so
//! formulas stay exact.

use super::explore::Explorer;
use super::state::*;
use crate::term::TermId;
use std::rc::Rc;

impl<'a> Explorer<'a> {
    pub fn merge_returns(&mut self, mut rets: Vec<State>) -> Vec<State> {
        if rets.len() < 2 {
            return rets;
        }
        let instr = |s: &State, t: &crate::cost::CostTable| -> f64 { s.cost.feat.iter().zip(t.weights[0].iter()).map(|(p, w)| p.c * w).sum::<f64>() + s.cost.extra[0].c };
        let table = self.table.clone();
        rets.sort_by(|a, b| instr(a, &table).total_cmp(&instr(b, &table)));
        let mut groups: Vec<Vec<State>> = Vec::new();
        'outer: for s in rets {
            for g in groups.iter_mut() {
                if self.mergeable(&g[0], &s) {
                    g.push(s);
                    continue 'outer;
                }
            }
            groups.push(vec![s]);
        }
        groups.into_iter().map(|g| self.merge_group(g)).collect()
    }

    pub fn merge_group_pub(&mut self, g: Vec<State>) -> State {
        self.merge_group(g)
    }

    pub fn mergeable(&self, a: &State, b: &State) -> bool {
        if a.finished || b.finished || a.block != b.block || a.inst != b.inst || a.frames.len() != b.frames.len() {
            return false;
        }
        // Locals may differ only as integers (they become if-then-else).
        let locals_ok = |x: &Frame, y: &Frame| {
            x.local_obj == y.local_obj
                && x.ctx == y.ctx
                && x.locals.len() == y.locals.len()
                && x.locals.iter().zip(&y.locals).all(|(p, q)| p == q || matches!((p, q), (Some(Value::Int(_)), Some(Value::Int(_)))))
        };
        if a.frames.iter().zip(&b.frames).any(|(x, y)| !locals_ok(x, y)) {
            return false;
        }
        let shape = |s: &State| shape_hash(&s.cost);
        if self.resolution <= 1.0 {
            return a.cost == b.cost;
        }
        if shape(a) != shape(b) {
            return false;
        }
        let ia: f64 = a.cost.feat.iter().zip(self.table.weights[0].iter()).map(|(p, w)| p.c * w).sum::<f64>() + a.cost.extra[0].c;
        let ib: f64 = b.cost.feat.iter().zip(self.table.weights[0].iter()).map(|(p, w)| p.c * w).sum::<f64>() + b.cost.extra[0].c;
        (ib - ia).abs() < self.resolution
    }

    fn merge_group(&mut self, mut g: Vec<State>) -> State {
        if g.len() == 1 {
            return g.remove(0);
        }
        // The most expensive member's cost: an upper bound within r.
        let mut base = g.pop().unwrap_or_else(|| unreachable!("group has at least two members"));
        // Path condition: common prefix, then the disjunction of the rests.
        let mut prefix = 0;
        while g.iter().all(|s| s.pc.get(prefix).is_some() && s.pc.get(prefix) == base.pc.get(prefix)) {
            prefix += 1;
        }
        let mut disj = self.terms.fals();
        for s in g.iter().chain(std::iter::once(&base)) {
            let mut conj = self.terms.tru();
            for &c in &s.pc[prefix..] {
                conj = self.terms.and(conj, c);
            }
            disj = self.terms.bin(crate::term::Op::BOr, disj, conj);
        }
        // Locals that differ become if-then-else on each member's condition.
        for fi in 0..base.frames.len() {
            for li in 0..base.frames[fi].locals.len() {
                let bv = base.frames[fi].locals[li];
                if g.iter().all(|s| s.frames[fi].locals[li] == bv) {
                    continue;
                }
                let Some(Value::Int(mut v)) = bv else { continue };
                let w = self.terms.width(v);
                for s in &g {
                    if let Some(Value::Int(x)) = s.frames[fi].locals[li] {
                        let mut conj = self.terms.tru();
                        for &c in &s.pc[prefix..] {
                            conj = self.terms.and(conj, c);
                        }
                        let x = self.terms.resize(x, w, false);
                        v = self.terms.ite(conj, x, v);
                    }
                }
                base.frames[fi].locals[li] = Some(Value::Int(v));
            }
        }
        base.pc.truncate(prefix);
        if self.terms.as_const(disj) != Some(1) {
            base.pc.push(disj);
        }
        // Display: the common atoms, then the disjunction of what differs,
        // simplified so that it reads like the code's own conditions.
        let mut common: Vec<Atom> = base.display.iter().filter(|a| g.iter().all(|s| s.display.contains(a))).cloned().collect();
        let rests: Vec<Vec<TermId>> = g
            .iter()
            .chain(std::iter::once(&base))
            .map(|s| {
                s.display
                    .iter()
                    .filter(|a| !common.contains(a))
                    .filter_map(|a| match a {
                        Atom::Cond(t) => Some(*t),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let (factored, rests) = super::dnf::simplify(rests, &|a: &TermId, b: &TermId| super::dnf::negates(&self.terms, *a, *b));
        common.extend(factored.into_iter().map(Atom::Cond));
        base.display = common;
        if !rests.is_empty() && rests.iter().all(|r| !r.is_empty()) {
            let mut alts = self.terms.fals();
            for r in &rests {
                let mut conj = self.terms.tru();
                for &c in r {
                    conj = self.terms.and(conj, c);
                }
                alts = self.terms.bin(crate::term::Op::BOr, alts, conj);
            }
            if self.terms.as_const(alts).is_none() {
                base.display.push(Atom::Cond(alts));
            }
        }
        for s in &g {
            if self.track_sigs {
                base.sig.extend(s.sig.iter().copied());
            }
            base.lines.extend(s.lines.iter().copied());
            base.obs.union(&s.obs);
            base.written.extend(s.written.iter().copied());
            if base.incomplete.is_none() {
                base.incomplete = s.incomplete.clone();
            }
        }
        base.sig.sort_unstable();
        base.sig.dedup();
        // Memory: objects all members share unchanged stay; cells the
        // members disagree on become unknown.
        let n = g.iter().map(|s| s.mem.objs.len()).min().unwrap_or(0).min(base.mem.objs.len());
        for id in 0..n {
            if g.iter().all(|s| Rc::ptr_eq(&s.mem.objs[id], &base.mem.objs[id])) {
                continue;
            }
            let others: Vec<&Object> = g.iter().map(|s| s.mem.get(id)).collect();
            let o = base.mem.get(id).clone();
            let same_fills = others.iter().all(|x| x.fills == o.fills && x.generation == o.generation);
            let mut keep: Vec<Cell> = Vec::new();
            let mut poison: Vec<(TermId, u8)> = o.poison.clone();
            for c in &o.cells {
                let agree = others.iter().all(|x| x.cells.iter().rev().find(|y| y.off == c.off && y.size == c.size).is_some_and(|y| y.val == c.val));
                if agree {
                    keep.push(c.clone());
                } else {
                    poison.push((c.off, c.size));
                }
            }
            for x in &others {
                for c in &x.cells {
                    if !o.cells.iter().any(|y| y.off == c.off && y.size == c.size) && x.written_cell(c) {
                        poison.push((c.off, c.size));
                    }
                }
                poison.extend(x.poison.iter().copied());
            }
            poison.sort_unstable();
            poison.dedup();
            let m = base.mem.get_mut(id);
            m.cells = keep;
            m.poison = poison;
            if !same_fills {
                m.fills.clear();
                m.copies.clear();
                m.generation += 1;
                m.havoc_tag = "@merge".into();
            }
        }
        base
    }
}

impl Object {
    /// Conservatively, any cell may have been written.
    fn written_cell(&self, _c: &Cell) -> bool {
        true
    }
}

/// Hash of the variable terms of a cost (monomials and coefficients).
pub fn shape_hash(c: &Cost) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in c.feat.iter().chain(c.extra.iter()).chain(std::iter::once(&c.loop_lines)) {
        for (k, v) in &p.terms {
            for x in k {
                h = super::mix(h, *x as u64);
            }
            h = super::mix(h, v.to_bits());
        }
        h = super::mix(h, 0xff);
    }
    h
}
