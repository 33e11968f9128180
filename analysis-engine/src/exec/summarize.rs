//! Loops as performance-critical variables.
//!
//! A loop entered from outside is not unrolled. Its locals (and the memory
//! objects it writes) become fresh symbols, one iteration of the body is
//! explored from the header, and the iteration paths are grouped into
//! classes of equal cost. Each class gets a PCV counting its iterations;
//! counted loops (`for (i = a; i < b; i++)`) get a trip-count expression in
//! the program's own variables instead. Every way out of the loop
//! (condition false, break, return) continues as its own path with cost
//! `Σ class cost × PCV + exit cost`.

use super::explore::{Bound, Explorer, Out};
use super::state::*;
use super::token;
use super::vars::VarKey;
use crate::ir::*;
use crate::poly::{Poly, VarId};
use crate::term::{Op, SymKind, TermId};
use std::collections::{BTreeMap, BTreeSet};

/// Header whose terminator decides entry: no calls or stores before the
/// test, one side leaves the loop. Returns (condition, does `then` stay in).
pub fn simple_header(f: &Function, lp: &Loop) -> Option<(Expr, bool)> {
    let h = &f.blocks[lp.header];
    if h.insts.iter().any(|i| !matches!(i.kind, InstKind::Set { .. })) {
        return None;
    }
    match &h.term {
        Terminator::Branch { cond, then_bb, else_bb } => match (lp.contains(*then_bb), lp.contains(*else_bb)) {
            (true, false) => Some((cond.clone(), true)),
            (false, true) => Some((cond.clone(), false)),
            _ => None,
        },
        _ => None,
    }
}

/// The block whose branch decides whether the loop goes round again, with
/// its condition and whether `then` stays in: the header (`while`, `for`;
/// see `simple_header`) or else the single latch when it only assigns
/// locals before its test and one side goes back to the header
/// (`do ... while (--n > 0)`).
pub fn loop_test(f: &Function, lp: &Loop) -> Option<(BlockId, Expr, bool)> {
    if let Some((c, t)) = simple_header(f, lp) {
        return Some((lp.header, c, t));
    }
    let [latch] = lp.latches[..] else { return None };
    let b = f.blocks.get(latch)?;
    if b.insts.iter().any(|i| !matches!(i.kind, InstKind::Set { .. })) {
        return None;
    }
    match &b.term {
        Terminator::Branch { cond, then_bb, else_bb } => {
            if *then_bb == lp.header && !lp.contains(*else_bb) {
                Some((latch, cond.clone(), true))
            } else if *else_bb == lp.header && !lp.contains(*then_bb) {
                Some((latch, cond.clone(), false))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Locals assigned anywhere in the loop.
pub fn modified_locals(f: &Function, lp: &Loop) -> BTreeSet<LocalId> {
    let mut out = BTreeSet::new();
    for &b in &lp.blocks {
        for i in &f.blocks[b].insts {
            match &i.kind {
                InstKind::Set { local, .. } => {
                    out.insert(*local);
                }
                InstKind::Call { dst: Some(d), .. } => {
                    out.insert(*d);
                }
                _ => {}
            }
        }
    }
    out
}

struct Class {
    cost: Cost,
    /// Cost of the cheapest member (merging compares against it).
    sigs_cost: Cost,
    lines: f64,
    /// Per-iteration lines per object (`observe::iteration_lines`).
    objs: super::observe::IterLines,
    sigs: Vec<u64>,
    atoms: Vec<String>,
    cond: String,
}

impl<'a> Explorer<'a> {
    pub fn summarize(&mut self, st: State, li: usize) -> Vec<State> {
        let f = st.frame().func.clone();
        let lp = f.loops[li].clone();
        let mut out = Vec::new();
        let mut enter = st.clone();
        if simple_header(&f, &lp).is_some() {
            // The first test runs on the state before the loop: a loop that
            // is not entered is an ordinary path (the branch token matches
            // what the concrete interpreter records).
            let succ = self.step(st.clone());
            let mut entering = None;
            for s in succ {
                if s.frames.len() == st.frames.len() && lp.contains(s.block) {
                    entering = Some(s);
                } else {
                    out.push(s);
                }
            }
            let Some(e) = entering else { return out };
            // Keep the condition learned, drop the cost and the token: the
            // first test is part of the first iteration.
            enter.pc = e.pc.clone();
            enter.display = e.display.clone();
            enter.mem = e.mem.clone();
        }
        out.extend(self.summarize_entered(enter, &f, &lp));
        out
    }

    fn havoc_state(&mut self, st: &State, f: &Function, lp: &Loop, objs: &BTreeSet<ObjId>) -> State {
        let mut h = st.clone();
        let tag = format!("L{}", lp.line);
        for l in modified_locals(f, lp) {
            let local = &f.locals[l];
            if h.frame().local_obj.get(l).copied().flatten().is_some() {
                continue; // lives in memory: havocked with the objects
            }
            let name = format!("{}@{tag}", local.name);
            let width = if local.ty == Ty::Ptr { 64 } else { local.ty.bits().max(8) };
            let key = (self.terms.konst(l as u128, 64), self.terms.konst(lp.header as u128, 64), 0u8, format!("havoc:{}:{}", h.frame().ctx, name));
            let sym = match self.lazy.get(&key) {
                Some(t) => *t,
                None => {
                    let t = self.terms.sym(&name, width, SymKind::Havoc);
                    self.lazy.insert(key, t);
                    t
                }
            };
            let v = if local.ty == Ty::Ptr {
                let base = sym;
                let mut o = super::explore::new_object(&name, base, ObjKind::Lazy, false);
                if let Some(Value::Ptr { obj, .. }) = st.frame().locals.get(l).copied().flatten() {
                    o.origin = Some(obj);
                }
                let id = h.mem.add(o);
                Value::Ptr { obj: id, off: self.terms.konst(0, 64) }
            } else {
                Value::Int(sym)
            };
            h.frame_mut().locals[l] = Some(v);
        }
        for &o in objs {
            self.havoc_object(&mut h, o, &tag);
            self.taint_havocked(&mut h, o);
        }
        h.cost = Cost::default();
        h.sig = vec![0];
        h.display.clear();
        h.lines.clear();
        h.written.clear();
        h.block = lp.header;
        h.inst = 0;
        h
    }

    fn summarize_entered(&mut self, st: State, f: &std::sync::Arc<Function>, lp: &Loop) -> Vec<State> {
        let depth = st.frames.len();
        let ctx = st.frame().ctx;
        let n0 = st.mem.objs.len();
        let bound = Bound { call: false, depth, header: lp.header, blocks: lp.blocks.clone() };
        // Phase 1: which pre-existing objects does the loop write?
        let h1 = self.havoc_state(&st, f, lp, &BTreeSet::new());
        // Inside another loop's body, class PCVs count iterations over the
        // whole call, not per run of this loop (see the exits below).
        let nested = self.summary_depth > 0;
        self.summary_depth += 1;
        let outs1 = self.run(vec![h1.clone()], Some(&bound), Some(lp.header));
        let mut written: BTreeSet<ObjId> = BTreeSet::new();
        for o in &outs1 {
            let s = match o {
                Out::Back(s) | Out::Exit(s) | Out::Done(s) => s,
            };
            written.extend(s.written.iter().copied().filter(|id| *id < n0));
        }
        // Secret-dependent values the loop stores or carries: the second
        // exploration sees them (its values are fresh symbols otherwise).
        let outs1_states: Vec<&State> = outs1.iter().map(|o| match o {
            Out::Back(s) | Out::Exit(s) | Out::Done(s) => s,
        }).collect();
        let tainted = self.loop_taint(&h1, &outs1_states, n0, f, lp);
        let (h, outs) = if written.is_empty() && !tainted {
            (h1, outs1)
        } else {
            // Phase 2: those objects hold unknown values inside the loop.
            let h2 = self.havoc_state(&st, f, lp, &written);
            let o = self.run(vec![h2.clone()], Some(&bound), Some(lp.header));
            (h2, o)
        };
        self.summary_depth -= 1;
        let mut backs = Vec::new();
        let mut exits = Vec::new();
        for o in outs {
            match o {
                Out::Back(s) => backs.push(s),
                Out::Exit(s) | Out::Done(s) => exits.push(s),
            }
        }
        self.obs.loop_tag = format!("@L{}", lp.line);
        let steps = self.induction_steps(&h, &backs);
        let classes = self.classes(&backs, n0, &steps);
        let counted = self.counted_trips(&st, &h, f, lp, &backs);
        // A bound per run of the loop: inside another loop's summary its
        // PCVs count iterations over the whole call instead.
        let halving = if nested || counted.is_some() { None } else { self.halving_bound(&st, &h, f, lp, &backs) };
        let vars = self.class_vars(ctx, f, lp, &classes, counted.is_some(), halving);
        for (k, c) in classes.iter().enumerate() {
            for s in &c.sigs {
                let e = self.iter_classes.entry((ctx, lp.header, *s)).or_default();
                if !e.contains(&vars[k]) {
                    e.push(vars[k]);
                }
            }
        }
        // Lines the iterations touch in objects that exist before the loop,
        // at constant offsets: the same lines every time.
        let mut fixed_lines = BTreeSet::new();
        let mut fixed_obs = super::observe::PathObs::default();
        for b in &backs {
            for (o, k) in &b.lines {
                if self.invariant_line(*o, k, n0) {
                    fixed_lines.insert((*o, *k));
                }
            }
            fixed_obs.spans.extend(b.obs.spans.iter().filter(|x| x.0 < n0).copied());
            fixed_obs.sym_spans.extend(b.obs.sym_spans.iter().filter(|x| self.invariant_line(x.0, &LineKey::Sym(x.1), n0)).copied());
            fixed_obs.fields.extend(b.obs.fields.iter().copied());
        }
        let mut conts = Vec::new();
        let single_exit = exits.len() == 1;
        let test_bb = loop_test(f, lp).map(|t| t.0).unwrap_or(lp.header);
        let exit_edge = |e: &State| {
            let returned = e.finished || e.frames.len() < depth;
            let (from, to) = if returned { (e.last_return.unwrap_or(usize::MAX), usize::MAX) } else { (e.prev.unwrap_or(usize::MAX), e.block) };
            (returned, from, to, !returned && from == test_bb)
        };
        // A header exit charges the last class `T - Σ others` instead of its
        // PCV. Nested in another loop, that PCV is a total over the call,
        // which runs leaving by another exit also add to: keep the PCV then.
        let exact_ok = !nested || exits.iter().all(|e| exit_edge(e).3);
        for e in exits {
            let (returned, from, to, header_exit) = exit_edge(&e);
            let mut loop_cost = Cost::default();
            let mut loop_lines = Poly::default();
            let mut loop_objs: BTreeMap<String, (Poly, f64)> = BTreeMap::new();
            let trips_exact = match (&counted, header_exit && exact_ok) {
                (Some(t), true) => Some(t.clone()),
                _ => None,
            };
            let (agg, per): (Vec<Cost>, Vec<Cost>) = classes.iter().map(|c| split_aggregate(&c.cost, &self.vars)).unzip();
            let n = classes.len();
            // Bounded-offset lines: (lines over the run when every factor is
            // a number, the most the offsets can reach).
            let mut capped: BTreeMap<String, (Option<f64>, f64)> = BTreeMap::new();
            for k in 0..n {
                let factor = match (&trips_exact, k + 1 == n) {
                    (Some(t), true) => {
                        // Last class takes what the others leave: T - Σ t_j.
                        let mut p = t.clone();
                        for v in vars.iter().take(n - 1) {
                            p.add_scaled(&Poly::var(*v), -1.0);
                        }
                        p
                    }
                    _ => Poly::var(vars[k]),
                };
                loop_cost.add(&per[k].map(&|p| p.mul(&factor)));
                loop_lines.add_scaled(&factor, classes[k].lines);
                for (name, (per_iter, streams)) in &classes[k].objs.per_obj {
                    let e = loop_objs.entry(name.clone()).or_default();
                    if factor.is_const() {
                        // Known trip count: whole lines (⌈16·4/64⌉ = 1).
                        e.0.add(&Poly::konst((factor.c * per_iter - 1e-9).ceil().max(0.0)));
                    } else {
                        e.0.add_scaled(&factor, *per_iter);
                    }
                    e.1 = e.1.max(*streams);
                }
                for (name, (per_iter, cap)) in &classes[k].objs.capped {
                    let e = capped.entry(name.clone()).or_insert((Some(0.0), 0.0));
                    e.0 = if factor.is_const() { e.0.map(|x| x + factor.c.max(0.0) * per_iter) } else { None };
                    e.1 = e.1.max(*cap);
                }
            }
            // Streams a counted loop shares with an earlier one on this
            // path: same object, same first offset, same step, same trip
            // count. Their lines are counted already.
            let mut seen_streams = Vec::new();
            if let (Some(t), 1) = (&trips_exact, n) {
                let trips = t.terms.keys().next().filter(|_| t.terms.len() == 1 && t.c == 0.0).and_then(|k| k.first().copied()).filter(|_| t.terms.values().all(|c| *c == 1.0));
                let def = trips.and_then(|v| self.vars.list.get(v as usize)).and_then(|i| i.def_term);
                if let Some(def) = def {
                    for (label, off, d) in &classes[0].objs.streams {
                        let Some(start) = self.stream_start(&st, &h, *off) else { continue };
                        let key = (label.clone(), start, *d, def);
                        if st.obs.streams.contains(&key) {
                            if let Some(e) = loop_objs.get_mut(label) {
                                e.0.add_scaled(t, -(d.unsigned_abs() as f64) / self.cfg.hardware.line.max(1) as f64);
                                e.1 = (e.1 - 1.0).max(0.0);
                            }
                        }
                        seen_streams.push(key);
                    }
                }
            }
            for (name, (total, cap)) in capped {
                match total {
                    // A known number of iterations that cannot reach them all.
                    Some(t) if t < cap => loop_objs.entry(name).or_default().0.add(&Poly::konst((t - 1e-9).ceil().max(0.0))),
                    _ => {
                        let e = loop_cost.caps.entry(name).or_insert(0.0);
                        *e = e.max(cap);
                    }
                }
            }
            let mut c = e;
            // The last, partial iteration may have run inner loops too:
            // their PCVs already count every iteration of the call.
            let (exit_agg, exit_cost) = split_aggregate(&c.cost, &self.vars);
            // Aggregated inner-loop terms: count each monomial once.
            let mut agg = agg;
            agg.push(exit_agg);
            loop_cost.add(&max_merge(&agg));
            c.cost = st.cost.clone();
            c.cost.add(&loop_cost);
            c.cost.add(&exit_cost);
            c.cost.loop_lines.add(&loop_lines);
            for (name, (p, x)) in loop_objs {
                let e = c.cost.loop_objs.entry(name).or_default();
                e.0.add(&p);
                e.1 += x;
            }
            // The path signature: before the loop, how it was left, and the
            // decisions of the last (partial) iteration.
            let tok = token::loop_exit(ctx, lp.header, from, to);
            let mut sigs = Vec::new();
            for s0 in &st.sig {
                for e_sig in &c.sig {
                    sigs.push(super::mix(super::mix(*s0, tok), *e_sig));
                }
            }
            sigs.sort_unstable();
            sigs.dedup();
            c.sig = sigs;
            let inner_display = std::mem::take(&mut c.display);
            c.display = st.display.clone();
            for a in inner_display {
                if let Atom::Cond(t) = a {
                    if !self.mentions_havoc(t) {
                        c.display.push(a);
                    }
                } else {
                    c.display.push(a);
                }
            }
            let how = if header_exit {
                "ends when its condition fails".to_string()
            } else if returned {
                format!("leaves at the `return` on line {}", return_line(f, from))
            } else if f.blocks.get(to).is_some_and(|b| matches!(b.term, Terminator::Return(_)) && b.insts.is_empty()) {
                format!("leaves at the `return` on line {}", return_line(f, to))
            } else {
                format!("leaves early at line {}", f.blocks.get(from).map(|b| b.term_span.start_line).unwrap_or(0))
            };
            if !single_exit {
                c.display.push(Atom::LoopExit { line: lp.line, func: f.name.clone(), how });
            }
            let mut lines = st.lines.clone();
            lines.extend(fixed_lines.iter().copied());
            lines.extend(c.lines.iter().copied());
            c.lines = lines;
            let mut obs = st.obs.clone();
            obs.union(&fixed_obs);
            obs.union(&c.obs);
            obs.streams.extend(seen_streams);
            c.obs = obs;
            let mut w = st.written.clone();
            w.extend(c.written.iter().copied());
            c.written = w;
            if h.incomplete.is_some() && c.incomplete.is_none() {
                c.incomplete = h.incomplete.clone();
            }
            conts.push(c);
        }
        conts
    }

    /// The first offset of a stream whose offset in the loop's symbols is
    /// `off` (an index term, or the base of the object a pointer the loop
    /// advances points to): the loop's locals at their values on entry.
    fn stream_start(&mut self, pre: &State, h: &State, off: TermId) -> Option<TermId> {
        let mut t = off;
        let mut memo = std::collections::HashMap::new();
        let depth = h.frames.len();
        for (l, v) in h.frame().locals.iter().enumerate() {
            let hv = match v {
                Some(Value::Int(x)) => *x,
                Some(Value::Ptr { obj, .. }) => h.mem.get(*obj).base,
                None => continue,
            };
            if self.terms.sym_of(hv).is_none_or(|i| i.kind != SymKind::Havoc) {
                continue;
            }
            let entry = match pre.frames.get(depth - 1).and_then(|fr| fr.locals.get(l).copied().flatten()) {
                Some(Value::Int(x)) if self.terms.width(x) == self.terms.width(hv) => x,
                // A pointer: its offset in the object it points into.
                Some(Value::Ptr { off: o, .. }) if matches!(v, Some(Value::Ptr { .. })) => o,
                _ => continue,
            };
            t = self.terms.subst(t, hv, entry, &mut memo);
            memo.clear();
        }
        (!self.mentions_havoc(t)).then_some(t)
    }

    fn mentions_havoc(&self, t: TermId) -> bool {
        let mut syms = Vec::new();
        self.terms.symbols(t, &mut syms);
        syms.iter().any(|s| self.terms.syms[*s as usize].kind == SymKind::Havoc)
    }

    fn classes(&mut self, backs: &[State], n0: usize, steps: &std::collections::HashMap<u32, i128>) -> Vec<Class> {
        let mut by_key: BTreeMap<u64, usize> = BTreeMap::new();
        let mut out: Vec<Class> = Vec::new();
        for b in backs {
            let key = b.cost.fingerprint();
            let objs = self.iteration_lines(b, n0, steps);
            let lines = objs.total();
            match by_key.get(&key) {
                Some(&i) => {
                    out[i].sigs.extend(b.sig.iter().copied());
                    out[i].objs.max_with(&objs);
                    out[i].lines = out[i].objs.total();
                }
                None => {
                    by_key.insert(key, out.len());
                    let cond: Vec<String> = b
                        .display
                        .iter()
                        .filter_map(|a| match a {
                            Atom::Cond(t) => Some(super::render::render(&self.terms, *t)),
                            _ => None,
                        })
                        .collect();
                    out.push(Class { cost: b.cost.clone(), sigs_cost: b.cost.clone(), lines, objs, sigs: b.sig.clone(), atoms: cond, cond: String::new() });
                }
            }
        }
        // Cheapest class first: names read a, b, c by cost.
        let instr = |c: &Cost, t: &crate::cost::CostTable| -> f64 { c.feat.iter().zip(t.weights[0].iter()).map(|(p, w)| p.c * w).sum::<f64>() + c.extra[0].c };
        out.sort_by(|a, b| instr(&a.cost, &self.table).total_cmp(&instr(&b.cost, &self.table)));
        // Merge classes within the resolution (same variable terms): the
        // merged class costs its most expensive member.
        let mut merged: Vec<Class> = Vec::new();
        for c in out {
            let shape = |x: &Cost| super::merge::shape_hash(x);
            match merged.last_mut() {
                Some(m) if shape(&m.cost) == shape(&c.cost) && instr(&c.cost, &self.table) - instr(&m.sigs_cost, &self.table) < self.resolution && self.resolution > 1.0 => {
                    m.sigs.extend(c.sigs);
                    m.objs.max_with(&c.objs);
                    m.lines = m.objs.total();
                    m.cost = c.cost;
                }
                _ => merged.push(Class { sigs_cost: c.cost.clone(), ..c }),
            }
        }
        // Describe each class by what sets it apart from the others.
        let all: Vec<Vec<String>> = merged.iter().map(|c| c.atoms.clone()).collect();
        for c in merged.iter_mut() {
            let own: Vec<String> = c.atoms.iter().filter(|a| !all.iter().all(|o| o.contains(a))).cloned().collect();
            c.cond = own.join(" && ");
        }
        merged
    }

    fn class_vars(&mut self, ctx: u64, f: &Function, lp: &Loop, classes: &[Class], counted: bool, halving: Option<(String, String)>) -> Vec<VarId> {
        let file_key = format!("{}:{}", std::path::Path::new(&f.file).file_name().and_then(|n| n.to_str()).unwrap_or(""), lp.line);
        let cfg = self.cfg.pcv.get(&file_key).cloned();
        let base = cfg
            .as_ref()
            .and_then(|c| c.name.clone())
            .or_else(|| lp.annotation.as_ref().map(|a| a.name.clone()))
            .unwrap_or_else(|| loop_pcv_name(f, lp));
        let desc = cfg
            .as_ref()
            .and_then(|c| c.description.clone())
            .or_else(|| lp.annotation.as_ref().map(|a| a.description.clone()).filter(|d| !d.is_empty()))
            .unwrap_or_else(|| format!("iterations of the loop at line {}", lp.line));
        let max = cfg.as_ref().and_then(|c| c.max.map(|m| m as i128)).or_else(|| lp.annotation.as_ref().and_then(|a| a.max)).or_else(|| self.static_bound(f, lp));
        let in_fn = if ctx != 0 { format!(" in {}", f.name) } else { String::new() };
        let n = classes.len();
        let mut bound = max.map(|m| m.to_string());
        let mut halves = String::new();
        if let (None, Some((b, measure))) = (&bound, halving) {
            let all = if n > 1 { "; all classes together" } else { "" };
            halves = format!(" ({measure} at least halves every time round{all}: at most {b})");
            bound = Some(b);
        }
        classes
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let (name, d) = if n == 1 {
                    (base.clone(), format!("{desc}{in_fn}"))
                } else {
                    let letter = (b'a' + (k as u8).min(25)) as char;
                    let why = if c.cond.is_empty() { String::new() } else { format!(" where {}", c.cond) };
                    (format!("{base}_{letter}"), format!("{desc}{in_fn}, iterations{why}"))
                };
                let d = if counted && n > 1 { format!("{d} (the classes sum to the trip count)") } else { d };
                let d = format!("{d}{halves}");
                self.vars.intern(
                    VarKey::LoopClass { ctx, header: lp.header, func: f.name.clone(), class: c.cost.fingerprint() },
                    &name,
                    d,
                    lp.line,
                    bound.clone(),
                    None,
                )
            })
            .collect()
    }

    /// A loop whose interval halves every time round (`lo < hi` with
    /// `mid = lo + (hi - lo) / 2` and `lo = mid + 1` or `hi = mid`;
    /// `num >>= 1`; `width /= 2`): the measure its condition keeps positive
    /// (`hi - lo`, `hi - lo + 1`, `num`) is, on every path back to the
    /// header, at most half what it was when the iteration began (the
    /// solver checks it on each iteration path). After k iterations it is
    /// at most M0 / 2^k and still at least 1, so the loop runs at most
    /// log2(M0) + 1 times for the measure's value M0 at entry. Returns the
    /// bound's text (`log2(num) + 1`) and the measure's.
    fn halving_bound(&mut self, pre: &State, h: &State, f: &Function, lp: &Loop, backs: &[State]) -> Option<(String, String)> {
        let (cond, then_stays) = simple_header(f, lp)?;
        let (op, a, b, signed) = match &cond {
            Expr::Bin { op, a, b, signed, .. } => (if then_stays { *op } else { negate(*op)? }, (**a).clone(), (**b).clone(), *signed),
            e if then_stays => (BinOp::Ne, e.clone(), Expr::konst(0, Ty::I32), false),
            _ => return None,
        };
        // Signed bounds: `hi - lo` may overflow in the bit-vector semantics,
        // so the halving cannot be proven (and the query runs into the
        // solver's timeout); such loops keep their PCVs without a bound.
        if signed {
            return None;
        }
        let depth = h.frames.len();
        let backs: Vec<&State> = backs.iter().filter(|s| s.frames.len() == depth && s.block == lp.header).collect();
        // One solver query per iteration path: loops with many are left
        // without a bound rather than slow down the analysis.
        if backs.is_empty() || backs.len() > 16 {
            return None;
        }
        let mh = self.measure(h, f, lp, op, &a, &b, signed)?;
        if !self.mentions_havoc(mh) {
            return None;
        }
        let one = self.terms.konst(1, 64);
        let half = self.terms.bin(Op::LShr, mh, one);
        // For `lo < hi`, hi is written lo + d (d fresh): the same queries,
        // which Z3 answers at once instead of timing out on 64-bit
        // differences of differences.
        let (x, y) = self.operands(h, f, lp, &a, &b)?;
        let (small, big) = if matches!(op, BinOp::Lt | BinOp::Le) { (x, y) } else { (y, x) };
        let shift = match (self.terms.sym_of(big).map(|i| i.kind.clone()), op) {
            (Some(SymKind::Havoc), BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) if self.terms.width(big) == self.terms.width(small) => {
                let d = self.terms.sym("halving interval", self.terms.width(big), SymKind::Havoc);
                Some((big, self.terms.bin(Op::Add, small, d)))
            }
            _ => None,
        };
        for s in backs {
            let ms = self.measure(s, f, lp, op, &a, &b, signed)?;
            let ok = self.terms.bin(Op::Ule, ms, half);
            let bad = self.terms.not(ok);
            let mut memo = std::collections::HashMap::new();
            let bad = self.terms.div_as_shift(bad, &mut memo);
            // Only the path's conditions on the measure's own symbols (the
            // loop's condition): fewer assumptions make the check stronger,
            // and conditions on loaded values (`v[mid] < key`) only slow
            // the solver down.
            let mut own = Vec::new();
            self.terms.symbols(bad, &mut own);
            let mut q = s.clone();
            let kept: Vec<TermId> = s
                .pc
                .iter()
                .copied()
                .filter(|c| {
                    let mut cs = Vec::new();
                    self.terms.symbols(*c, &mut cs);
                    cs.iter().all(|x| own.contains(x))
                })
                .collect();
            q.pc = kept.into_iter().map(|c| self.terms.div_as_shift(c, &mut memo)).collect();
            let mut bad = bad;
            if let Some((from, to)) = shift {
                let mut m = std::collections::HashMap::new();
                bad = self.terms.subst(bad, from, to, &mut m);
                q.pc = q.pc.iter().map(|c| self.terms.subst(*c, from, to, &mut m)).collect();
            }
            if self.feasible(&q, bad) {
                return None;
            }
        }
        let m0 = self.measure(pre, f, lp, op, &a, &b, signed)?;
        if self.mentions_havoc(m0) {
            return None;
        }
        let text = super::render::render(&self.terms, m0);
        let m = super::render::render(&self.terms, mh);
        Some((format!("log2({text}) + 1"), m))
    }

    /// The quantity the loop's condition keeps at least 1 (64 bits,
    /// unsigned), in state `s` after the header's assignments.
    #[allow(clippy::too_many_arguments)]
    fn measure(&mut self, s: &State, f: &Function, lp: &Loop, op: BinOp, a: &Expr, b: &Expr, signed: bool) -> Option<TermId> {
        let (x, y) = self.operands(s, f, lp, a, b)?;
        let x = self.terms.resize(x, 64, signed);
        let y = self.terms.resize(y, 64, signed);
        let one = self.terms.konst(1, 64);
        Some(match op {
            BinOp::Lt => self.terms.bin(Op::Sub, y, x),
            BinOp::Le => {
                let d = self.terms.bin(Op::Sub, y, x);
                self.terms.bin(Op::Add, d, one)
            }
            BinOp::Gt => self.terms.bin(Op::Sub, x, y),
            BinOp::Ge => {
                let d = self.terms.bin(Op::Sub, x, y);
                self.terms.bin(Op::Add, d, one)
            }
            BinOp::Ne if self.terms.as_const(y) == Some(0) => x,
            BinOp::Ne if self.terms.as_const(x) == Some(0) => y,
            _ => return None,
        })
    }

    /// The values of the condition's operands in state `s` after the
    /// header's assignments.
    fn operands(&mut self, s: &State, f: &Function, lp: &Loop, a: &Expr, b: &Expr) -> Option<(TermId, TermId)> {
        let mut s = s.clone();
        for inst in &f.blocks[lp.header].insts {
            self.exec_inst(&mut s, inst);
        }
        let Value::Int(x) = self.eval(&mut s, a) else { return None };
        let Value::Int(y) = self.eval(&mut s, b) else { return None };
        Some((x, y))
    }

    /// A term under its width changes, and whether there were any.
    fn peel_width(&self, mut t: TermId) -> (TermId, bool) {
        let mut peeled = false;
        for _ in 0..8 {
            let n = self.terms.node(t);
            match n.op {
                Op::ZExt | Op::SExt | Op::Trunc => {
                    t = n.args[0];
                    peeled = true;
                }
                _ => break,
            }
        }
        (t, peeled)
    }

    /// `i < N` with constant N and i starting at a constant: t ≤ N - i0.
    fn static_bound(&self, f: &Function, lp: &Loop) -> Option<i128> {
        let (cond, _) = simple_header(f, lp)?;
        let Expr::Bin { op, b, .. } = &cond else { return None };
        let k = strip_cast(b).as_const()?;
        if !matches!(strip_cast(&cond_lhs(&cond)), Expr::Local(_)) || k <= 0 {
            return None;
        }
        match op {
            BinOp::Lt => Some(k),
            BinOp::Le => Some(k + 1),
            _ => None,
        }
    }

    /// Trip count of a counted loop as a polynomial (a constant, or a
    /// variable defined by an expression in the inputs): the number of
    /// times the loop goes back, which is how the concrete interpreter
    /// counts trips.
    fn counted_trips(&mut self, pre: &State, h: &State, f: &Function, lp: &Loop, backs: &[State]) -> Option<Poly> {
        let (test_bb, cond, then_stays) = loop_test(f, lp)?;
        let Expr::Bin { op, a, b, signed, .. } = &cond else { return None };
        let (tl, other, op) = match (strip_cast(a), strip_cast(b)) {
            (Expr::Local(i), _) => (*i, b.as_ref(), *op),
            (_, Expr::Local(i)) => (*i, a.as_ref(), flip(*op)),
            _ => return None,
        };
        let op = if then_stays { op } else { negate(op)? };
        let depth = h.frames.len();
        let local_at = |s: &State, l: LocalId| match s.frames.get(depth.wrapping_sub(1)).and_then(|fr| fr.locals.get(l).copied().flatten()) {
            Some(Value::Int(t)) => Some(t),
            _ => None,
        };
        // The value the test compares, in the symbols the loop starts an
        // iteration with: after the header's assignments (`while (n--)`
        // tests a copy made before the decrement, `while (--n)` the
        // decremented counter) or, for a test after the body
        // (`do ... while (--n > 0)`), as the latch left it.
        let tested = if test_bb == lp.header {
            let mut s = h.clone();
            for inst in &f.blocks[lp.header].insts {
                self.exec_inst(&mut s, inst);
            }
            local_at(&s, tl)?
        } else {
            let mut t = None;
            for s in backs.iter().filter(|s| s.frames.len() == depth) {
                let v = local_at(s, tl)?;
                if t.is_some_and(|x| x != v) {
                    return None;
                }
                t = Some(v);
            }
            t?
        };
        // It must be `x + c`: x the counter's value as the iteration starts.
        let (core, _) = self.peel_width(tested);
        let n = self.terms.node(core).clone();
        let x = match (n.op, n.args.as_slice()) {
            (Op::Add | Op::Sub, [p, q]) if self.terms.as_const(*q).is_some() => self.peel_width(*p).0,
            (Op::Add, [p, q]) if self.terms.as_const(*p).is_some() => self.peel_width(*q).0,
            _ => core,
        };
        if self.terms.sym_of(x).is_none_or(|i| i.kind != SymKind::Havoc) {
            return None;
        }
        let i = (0..f.locals.len()).find(|l| local_at(h, *l) == Some(x))?;
        let ih = x;
        let Some(Value::Int(i0)) = pre.frame().locals.get(i).copied().flatten() else { return None };
        if self.terms.width(i0) != self.terms.width(ih) {
            return None;
        }
        // The first value tested: the test's expression at the entry value.
        let v0 = self.terms.subst(tested, ih, i0, &mut std::collections::HashMap::new());
        // Every iteration must move i by the same constant step.
        let mut step: Option<i128> = None;
        let mut narrow = false;
        for s in backs {
            let v = match s.frames.get(depth - 1).and_then(|fr| fr.locals.get(i).copied().flatten()) {
                Some(Value::Int(t)) => t,
                _ => return None,
            };
            // A counter narrower than int (`uint8_t i; ++i`) steps as
            // `(u8)((int)i + 1)`: look through the width changes.
            let (v, was_narrow) = self.peel_width(v);
            narrow |= was_narrow;
            let n = self.terms.node(v).clone();
            let (a0, a1) = (n.args.first().map(|a| self.peel_width(*a).0), n.args.get(1).map(|a| self.peel_width(*a).0));
            let d = match n.op {
                Op::Add if a0 == Some(ih) => self.terms.as_const(n.args[1]).map(|c| crate::term::to_signed(c, n.width)),
                Op::Add if a1 == Some(ih) => self.terms.as_const(n.args[0]).map(|c| crate::term::to_signed(c, n.width)),
                Op::Sub if a0 == Some(ih) => self.terms.as_const(n.args[1]).map(|c| -crate::term::to_signed(c, n.width)),
                _ => None,
            }?;
            if step.is_some_and(|s| s != d) || d == 0 {
                return None;
            }
            step = Some(d);
        }
        let step = step?;
        // The bound must not change inside the loop.
        let mut scratch = h.clone();
        let bt = self.eval(&mut scratch, other);
        let Value::Int(bt) = bt else { return None };
        if self.mentions_havoc(bt) {
            return None;
        }
        // A narrow counter could wrap before reaching a wide bound: only a
        // constant bound that fits in the counter's width.
        if narrow {
            let w = self.terms.width(ih);
            match self.terms.as_const(bt) {
                Some(k) if w < 64 && k < (1u128 << w) => {}
                _ => return None,
            }
        }
        let wide = |s: &mut Self, t: TermId| s.terms.resize(t, 64, *signed);
        let (i0w, bw) = (wide(self, v0), wide(self, bt));
        // `!=` counts modulo the compared width (`while (--n)` with n = 0
        // wraps around, as the C code does).
        let (vw, bnw) = (self.terms.width(v0), self.terms.width(bt));
        let modular = |s: &mut Self, x: TermId, y: TermId| {
            let d = s.terms.bin(Op::Sub, x, y);
            s.terms.resize(d, 64, false)
        };
        let (diff, extra) = match (op, step > 0) {
            (BinOp::Ne, true) if vw == bnw && step == 1 => (modular(self, bt, v0), 0),
            (BinOp::Ne, false) if vw == bnw && step == -1 => (modular(self, v0, bt), 0),
            (BinOp::Lt, true) | (BinOp::Ne, true) => (self.terms.bin(Op::Sub, bw, i0w), 0),
            (BinOp::Le, true) => (self.terms.bin(Op::Sub, bw, i0w), 1),
            (BinOp::Gt, false) | (BinOp::Ne, false) => (self.terms.bin(Op::Sub, i0w, bw), 0),
            (BinOp::Ge, false) => (self.terms.bin(Op::Sub, i0w, bw), 1),
            _ => return None,
        };
        let s = step.unsigned_abs() as u128;
        let mut t = diff;
        if extra != 0 {
            let one = self.terms.konst(1, 64);
            t = self.terms.bin(Op::Add, t, one);
        }
        if s != 1 {
            if op == BinOp::Ne {
                let st = self.terms.konst(s, 64);
                t = self.terms.bin(Op::UDiv, t, st);
            } else {
                let adj = self.terms.konst(s - 1, 64);
                let st = self.terms.konst(s, 64);
                let num = self.terms.bin(Op::Add, t, adj);
                t = self.terms.bin(Op::UDiv, num, st);
            }
        }
        if test_bb != lp.header {
            // Tested after the body: the loop may go back zero times when
            // the first test already fails. The count must then be 0 too.
            let first = match op {
                BinOp::Lt => Some(self.terms.bin(if *signed { Op::Slt } else { Op::Ult }, i0w, bw)),
                BinOp::Le => Some(self.terms.bin(if *signed { Op::Sle } else { Op::Ule }, i0w, bw)),
                BinOp::Gt => Some(self.terms.bin(if *signed { Op::Slt } else { Op::Ult }, bw, i0w)),
                BinOp::Ge => Some(self.terms.bin(if *signed { Op::Sle } else { Op::Ule }, bw, i0w)),
                BinOp::Ne => {
                    let e = self.terms.eq(i0w, bw);
                    Some(self.terms.not(e))
                }
                _ => None,
            }?;
            let fails = self.terms.not(first);
            let zero = self.terms.konst(0, 64);
            let is_zero = self.terms.eq(t, zero);
            let nonzero = self.terms.not(is_zero);
            let wrong = self.terms.and(fails, nonzero);
            if self.feasible(pre, wrong) {
                return None;
            }
        }
        if let Some(k) = self.terms.as_const(t) {
            return Some(Poly::konst(crate::term::to_signed(k, 64) as f64));
        }
        let text = super::render::render(&self.terms, t);
        // Named after the expression (`n`, `len / 4`), in parentheses when it
        // has operators so that `16*(n - 1)` reads right in a formula.
        let name = if text.len() <= 24 && text.chars().all(|c| c.is_ascii_alphanumeric() || "_ ->.+-*/()[]".contains(c)) {
            if text.contains(' ') && !(text.starts_with('(') && text.ends_with(')')) { format!("({text})") } else { text.clone() }
        } else {
            format!("{}_trips", loop_pcv_name(f, lp))
        };
        let ctx = pre.frame().ctx;
        let v = self.vars.intern(
            VarKey::Counted { ctx, header: lp.header, func: f.name.clone(), def: text.clone() },
            &name,
            format!("trip count of the loop at line {}{}: {text}", lp.line, if ctx != 0 { format!(" in {}", f.name) } else { String::new() }),
            lp.line,
            None,
            Some(text),
        );
        self.vars.set_def_term(v, t);
        self.counted.insert((ctx, lp.header), v);
        Some(Poly::var(v))
    }
}

/// A loop's PCV name without a line number: `iters_VAR` after the first
/// variable of its condition that the loop changes (`iters_lo` for
/// `while (lo < hi)`, `iters_e` for `while (e)`), else `iters`. Names stay
/// the same when lines move; `Vars::intern` keeps them unique.
fn loop_pcv_name(f: &Function, lp: &Loop) -> String {
    let modified = modified_locals(f, lp);
    let mut found: Option<String> = None;
    if let Some((_, cond, _)) = loop_test(f, lp) {
        let mut todo = vec![&cond];
        while let Some(e) = todo.pop() {
            match e {
                Expr::Local(l) => {
                    let name = &f.locals[*l].name;
                    let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !name.starts_with("tmp");
                    if found.is_none() && plain && modified.contains(l) {
                        found = Some(name.clone());
                    }
                }
                Expr::Bin { a, b, .. } => {
                    todo.push(b);
                    todo.push(a);
                }
                Expr::Un { a, .. } | Expr::Cast { a, .. } => todo.push(a),
                Expr::Load { addr, .. } => todo.push(addr),
                Expr::PtrAdd { base, offset } => {
                    todo.push(offset);
                    todo.push(base);
                }
                _ => {}
            }
        }
    }
    match found {
        Some(v) => format!("iters_{v}"),
        None => "iters".to_string(),
    }
}

fn cond_lhs(e: &Expr) -> Expr {
    match e {
        Expr::Bin { a, .. } => (**a).clone(),
        other => other.clone(),
    }
}

fn return_line(f: &Function, b: BlockId) -> u32 {
    f.blocks.get(b).map(|bl| bl.term_span.start_line).unwrap_or(0)
}

fn strip_cast(e: &Expr) -> &Expr {
    match e {
        Expr::Cast { a, .. } => strip_cast(a),
        other => other,
    }
}

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        o => o,
    }
}

fn negate(op: BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::Lt => BinOp::Ge,
        BinOp::Le => BinOp::Gt,
        BinOp::Gt => BinOp::Le,
        BinOp::Ge => BinOp::Lt,
        BinOp::Eq => BinOp::Ne,
        BinOp::Ne => BinOp::Eq,
        _ => return None,
    })
}

/// Split a cost into terms that involve inner loops' per-iteration PCVs
/// (already totals over the whole call: not multiplied again) and the rest.
fn split_aggregate(c: &Cost, vars: &super::vars::Vars) -> (Cost, Cost) {
    let is_agg = |k: &Vec<VarId>| k.iter().any(|v| matches!(vars.list.get(*v as usize).map(|i| &i.key), Some(VarKey::LoopClass { .. })));
    let split = |p: &Poly| -> (Poly, Poly) {
        let mut a = Poly::default();
        let mut r = Poly::konst(p.c);
        for (k, v) in &p.terms {
            if is_agg(k) {
                a.terms.insert(k.clone(), *v);
            } else {
                r.terms.insert(k.clone(), *v);
            }
        }
        (a, r)
    };
    let mut agg = Cost::default();
    let mut per = Cost::default();
    for i in 0..c.feat.len() {
        let (a, r) = split(&c.feat[i]);
        agg.feat[i] = a;
        per.feat[i] = r;
    }
    for i in 0..c.extra.len() {
        let (a, r) = split(&c.extra[i]);
        agg.extra[i] = a;
        per.extra[i] = r;
    }
    let (a, r) = split(&c.loop_lines);
    agg.loop_lines = a;
    per.loop_lines = r;
    for (k, (p, x)) in &c.loop_objs {
        let (a, r) = split(p);
        agg.loop_objs.insert(k.clone(), (a, 0.0));
        per.loop_objs.insert(k.clone(), (r, *x));
    }
    per.caps = c.caps.clone();
    (agg, per)
}

fn max_merge(costs: &[Cost]) -> Cost {
    let mut out = Cost::default();
    let merge = |dst: &mut Poly, src: &Poly| {
        for (k, v) in &src.terms {
            let e = dst.terms.entry(k.clone()).or_insert(0.0);
            if v.abs() > e.abs() {
                *e = *v;
            }
        }
    };
    for c in costs {
        for i in 0..c.feat.len() {
            merge(&mut out.feat[i], &c.feat[i]);
        }
        for i in 0..c.extra.len() {
            merge(&mut out.extra[i], &c.extra[i]);
        }
        merge(&mut out.loop_lines, &c.loop_lines);
        for (k, (p, x)) in &c.loop_objs {
            let e = out.loop_objs.entry(k.clone()).or_default();
            merge(&mut e.0, p);
            e.1 = e.1.max(*x);
        }
        for (k, x) in &c.caps {
            let e = out.caps.entry(k.clone()).or_insert(0.0);
            *e = e.max(*x);
        }
    }
    out
}
