//! What the explorer records on every memory access and branch for the
//! cache projections: constant byte spans and struct fields per path
//! (`footprint.rs`, `hotfields.rs`), strides of loop accesses, and
//! secret-dependent addresses and branches (`secret.rs`).
//!
//! Kept apart from `explore.rs` so that the executor only calls hooks.

use super::explore::Explorer;
use super::state::*;
use crate::ir::{Access, Function, Loop};
use crate::term::{SymKind, TermId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Per-path observations (cloned with the path, unioned when paths merge).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathObs {
    /// Constant-offset accesses: (object, byte offset, size in bytes).
    pub spans: BTreeSet<(ObjId, i64, u64)>,
    /// Struct fields accessed: (interned `struct.field`, is a write).
    pub fields: BTreeSet<(u32, bool)>,
    /// Symbolic-offset accesses split as `base + k`: (object, base term,
    /// constant k, size). Accesses with the same base (fields of one
    /// `flows[idx]`) share lines.
    pub sym_spans: BTreeSet<(ObjId, TermId, i64, u64)>,
}

impl PathObs {
    pub fn union(&mut self, o: &PathObs) {
        self.spans.extend(o.spans.iter().copied());
        self.fields.extend(o.fields.iter().copied());
        self.sym_spans.extend(o.sym_spans.iter().copied());
    }
}

/// A branch condition or memory address that depends on a secret.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretFinding {
    pub kind: String,
    pub line: u32,
    /// The function whose code holds the access (a callee when inlined).
    pub function: String,
    pub expr: String,
    pub secret: String,
    /// From the secret to the access: names of the values it flowed through.
    pub chain: Vec<String>,
}

/// Explorer-wide state of the observations (not per path).
#[derive(Default, Debug, Clone)]
pub struct Observer {
    /// Source line of the instruction or terminator being executed.
    pub line: u32,
    pub field_names: Vec<(String, String)>,
    field_ids: HashMap<(String, String), u32>,
    pub findings: BTreeSet<SecretFinding>,
    /// Secret symbol → how the secret reached it.
    pub chains: HashMap<u32, Vec<String>>,
    /// Secret object (by base term) → how the secret reached it.
    pub obj_chains: HashMap<TermId, Vec<String>>,
    /// Whether any secret exists: the taint checks are skipped otherwise.
    pub active: bool,
    /// Objects a summarized loop filled with secret-dependent values, to be
    /// marked secret when the loop havocs them.
    pub pending: BTreeMap<ObjId, Vec<String>>,
    /// Suffix of the symbols the loop being summarized makes (`@L57`):
    /// values of earlier loops are fixed inside this one.
    pub loop_tag: String,
}

impl Observer {
    pub fn field_id(&mut self, s: &str, f: &str) -> u32 {
        let key = (s.to_string(), f.to_string());
        if let Some(i) = self.field_ids.get(&key) {
            return *i;
        }
        let i = self.field_names.len() as u32;
        self.field_names.push(key.clone());
        self.field_ids.insert(key, i);
        i
    }
}

/// Per-iteration lines of one loop-body path, per object name, and the
/// number of strided streams (each may straddle one more line when the
/// object is not line-aligned).
#[derive(Clone, Debug, Default)]
pub struct IterLines {
    pub per_obj: BTreeMap<String, (f64, f64)>,
}

impl IterLines {
    pub fn total(&self) -> f64 {
        self.per_obj.values().map(|v| v.0).sum()
    }
    pub fn max_with(&mut self, o: &IterLines) {
        for (k, v) in &o.per_obj {
            let e = self.per_obj.entry(k.clone()).or_insert((0.0, 0.0));
            e.0 = e.0.max(v.0);
            e.1 = e.1.max(v.1);
        }
    }
}

/// How objects are shown in footprints.
/// The label of object `o` of a state's memory. A merged path may have
/// recorded accesses to an object only one of its members created: it is
/// named by its number then.
/// An object a loop reached through a pointer it advances is named after
/// the object the pointer pointed into when the loop began.
pub fn label_in(mem: &Memory, o: ObjId) -> String {
    let mut id = o;
    for _ in 0..16 {
        match mem.objs.get(id).and_then(|x| x.origin) {
            Some(up) if up != id => id = up,
            _ => break,
        }
    }
    mem.objs.get(id).map(|x| object_label(x)).unwrap_or_else(|| format!("object #{o}"))
}

pub fn object_label(o: &Object) -> String {
    // Values a summarized loop made (`p@L17`: p as an iteration of the loop
    // at line 17 begins) read as the variable and the loop.
    let (name, lp) = super::render::split_loop_tag(&o.name);
    let at = lp.map(|l| format!(" (in the loop at line {l})")).unwrap_or_default();
    match o.kind {
        ObjKind::Param | ObjKind::Lazy | ObjKind::External => format!("*{name}{at}"),
        ObjKind::Global | ObjKind::FromInt => format!("{name}{at}"),
        ObjKind::Local => format!("{name} (stack){at}"),
    }
}

impl<'a> Explorer<'a> {
    /// Record a load or store through `access` at (obj, off): its field,
    /// and a finding when the address depends on a secret.
    pub fn observe_access(&mut self, st: &mut State, obj: ObjId, off: TermId, access: &Access, write: bool) {
        if let Some((s, f)) = &access.field {
            let id = self.obs.field_id(s, f);
            st.obs.fields.insert((id, write));
        }
        if !self.obs.active {
            return;
        }
        let base = st.mem.get(obj).base;
        let chain = self.taint_of(off).or_else(|| self.taint_of(base));
        if let Some(mut chain) = chain {
            chain.push(access.text.clone());
            let func = st.frame().func.name.clone();
            self.add_finding("address", func, access.text.clone(), chain);
        }
    }

    /// A branch on `cond` (already evaluated to a term).
    pub fn observe_branch(&mut self, st: &State, cond: TermId) {
        if !self.obs.active || self.terms.as_const(cond).is_some() {
            return;
        }
        if let Some(mut chain) = self.taint_of(cond) {
            let expr = super::render::render(&self.terms, cond);
            chain.push(format!("if ({expr})"));
            let func = st.frame().func.name.clone();
            self.add_finding("branch", func, expr, chain);
        }
    }

    fn add_finding(&mut self, kind: &str, function: String, expr: String, chain: Vec<String>) {
        let line = self.obs.line;
        // One finding per access site: the first chain found explains it.
        if self.obs.findings.iter().any(|f| f.kind == kind && f.line == line && f.expr == expr && f.function == function) {
            return;
        }
        let secret = chain.first().cloned().unwrap_or_default();
        self.obs.findings.insert(SecretFinding { kind: kind.to_string(), line, function, expr, secret, chain });
    }

    /// The chain of the first secret symbol `t` depends on, if any.
    pub fn taint_of(&self, t: TermId) -> Option<Vec<String>> {
        let mut syms = Vec::new();
        self.terms.symbols(t, &mut syms);
        syms.sort_unstable();
        let s = syms.into_iter().find(|s| self.terms.syms.get(*s as usize).is_some_and(|i| i.secret))?;
        Some(self.obs.chains.get(&s).cloned().unwrap_or_else(|| vec![self.terms.syms[s as usize].name.clone()]))
    }

    /// Mark symbol `t` secret, reached through `chain`.
    pub fn mark_secret_via(&mut self, t: TermId, chain: Vec<String>) {
        if let crate::term::Op::Sym(s) = self.terms.node(t).op {
            if let Some(info) = self.terms.syms.get_mut(s as usize) {
                info.secret = true;
                self.obs.active = true;
                self.obs.chains.entry(s).or_insert(chain);
            }
        }
    }

    /// Chain of a secret object, extended by the access that reads it.
    pub fn object_chain(&self, o: &Object, hint: &str) -> Vec<String> {
        let mut c = self.obs.obj_chains.get(&o.base).cloned().unwrap_or_else(|| vec![o.name.clone()]);
        if c.last().map(|l| l.as_str()) != Some(hint) {
            c.push(hint.to_string());
        }
        c
    }

    pub fn mark_object_secret(&mut self, o: &Object, chain: Vec<String>) {
        self.obs.active = true;
        self.obs.obj_chains.entry(o.base).or_insert(chain);
    }

    /// After the first exploration of a loop body: objects the loop fills
    /// with secret-dependent values and loop-carried locals that become
    /// secret-dependent. They are remembered (objects) or marked (the
    /// locals' havoc symbols) so that the next exploration sees the taint,
    /// even though the loop's values are fresh symbols. Returns whether
    /// anything new was found.
    pub fn loop_taint(&mut self, h: &State, outs: &[&State], n0: usize, f: &Function, lp: &Loop) -> bool {
        if !self.obs.active {
            return false;
        }
        let depth = h.frames.len();
        let mut new = false;
        for s in outs {
            for &id in s.written.iter().filter(|id| **id < n0) {
                if h.mem.get(id).secret || self.obs.pending.contains_key(&id) {
                    continue;
                }
                let o = s.mem.get(id);
                let tainted = o.cells.iter().find_map(|c| match c.val {
                    Value::Int(t) => self.taint_of(t),
                    Value::Ptr { .. } => None,
                });
                if let Some(mut chain) = tainted {
                    chain.push(format!("{} (written in the loop at line {})", o.name, lp.line));
                    self.obs.pending.insert(id, chain);
                    new = true;
                }
            }
            if s.frames.len() != depth || s.block != lp.header {
                continue;
            }
            for l in super::summarize::modified_locals(f, lp) {
                let (Some(Some(Value::Int(hv))), Some(Some(Value::Int(bv)))) = (h.frame().locals.get(l), s.frames[depth - 1].locals.get(l)) else { continue };
                let (hv, bv) = (*hv, *bv);
                if self.terms.sym_of(hv).is_none_or(|i| i.secret) {
                    continue;
                }
                if let Some(mut chain) = self.taint_of(bv) {
                    let (name, at) = super::render::split_loop_tag(&self.terms.sym_of(hv).map(|i| i.name.clone()).unwrap_or_default());
                    chain.push(match at {
                        Some(l) => format!("{name} (in the loop at line {l})"),
                        None => name,
                    });
                    self.mark_secret_via(hv, chain);
                    new = true;
                }
            }
        }
        new
    }

    /// Called when a loop havocs object `id`: a pending taint applies.
    pub fn taint_havocked(&mut self, st: &mut State, id: ObjId) {
        if let Some(chain) = self.obs.pending.get(&id).cloned() {
            let o = st.mem.get_mut(id);
            o.secret = true;
            let base = o.base;
            self.obs.obj_chains.entry(base).or_insert(chain);
        }
    }

    /// Per-iteration steps of the loop's induction variables: havoc symbol
    /// → constant added per iteration, when every back edge agrees.
    pub fn induction_steps(&self, h: &State, backs: &[State]) -> HashMap<u32, i128> {
        let depth = h.frames.len();
        let mut out: HashMap<u32, Option<i128>> = HashMap::new();
        for (l, v) in h.frame().locals.iter().enumerate() {
            // An integer counter, or a pointer's offset (`*p++`, `p += 8`).
            // A havocked pointer is offset 0 of an object whose base is the
            // havoc symbol: its step is the offset at the back edge.
            let (hv, hobj) = match v {
                Some(Value::Int(hv)) => (*hv, None),
                Some(Value::Ptr { obj, off }) if self.terms.as_const(*off) == Some(0) => (h.mem.get(*obj).base, Some(*obj)),
                _ => continue,
            };
            let crate::term::Op::Sym(s) = self.terms.node(hv).op else { continue };
            if self.terms.syms[s as usize].kind != SymKind::Havoc {
                continue;
            }
            for b in backs.iter().filter(|b| b.frames.len() == depth) {
                let bv = match (b.frames[depth - 1].locals.get(l), hobj) {
                    (Some(Some(Value::Int(bv))), None) => bv,
                    (Some(Some(Value::Ptr { obj, off })), Some(ho)) if *obj == ho => {
                        let step = self.terms.as_const(*off).map(|d| crate::term::to_signed(d, 64)).filter(|d| *d != 0 && d.abs() < 1 << 20);
                        let e = out.entry(s).or_insert(step);
                        if *e != step {
                            *e = None;
                        }
                        continue;
                    }
                    _ => {
                        out.insert(s, None);
                        continue;
                    }
                };
                let w = self.terms.width(*bv);
                let at = |x: u128| -> i128 {
                    let mut env = HashMap::new();
                    env.insert(s, x);
                    crate::term::to_signed(self.terms.eval(*bv, &env), w) - x as i128
                };
                // Points inside the narrowest counters' range (`uint8_t i`).
                let (d1, d2) = (at(10), at(100));
                let step = if d1 == d2 && d1 != 0 && d1.abs() < 1 << 20 { Some(d1) } else { None };
                let e = out.entry(s).or_insert(step);
                if *e != step {
                    *e = None;
                }
            }
        }
        out.into_iter().filter_map(|(s, v)| v.map(|v| (s, v))).collect()
    }

    /// Lines one iteration path touches, per object, for the loop summary:
    /// constant lines of objects made in the iteration (pointer chasing:
    /// one node per iteration) count fully; symbolic offsets that move by a
    /// constant stride below a line per iteration count `stride/64` (an
    /// array of 16-byte entries: a quarter line per iteration), accesses in
    /// the same stream counted once; other symbolic offsets one line each.
    /// Constant lines and loop-invariant offsets of older objects are the
    /// same every iteration and are counted once, outside (see
    /// `invariant_line`).
    pub fn iteration_lines(&self, b: &State, n0: usize, steps: &HashMap<u32, i128>) -> IterLines {
        let line = self.cfg.hardware.line.max(1) as i64;
        let mut out = IterLines::default();
        let mut streams: std::collections::BTreeSet<ObjId> = Default::default();
        for (o, k) in &b.lines {
            if let LineKey::Const(_) = k {
                if *o >= n0 {
                    // `*p++`, `p += 8`: the object made from the pointer's
                    // value this iteration is the previous one moved by the
                    // pointer's step: a stream of step/64 lines per iteration.
                    let obj = b.mem.get(*o);
                    let step = match self.terms.node(obj.base).op {
                        crate::term::Op::Sym(s) if matches!(obj.kind, ObjKind::FromInt | ObjKind::Lazy) => steps.get(&s).copied().filter(|d| (d.abs() as i64) < line),
                        _ => None,
                    };
                    let e = out.per_obj.entry(label_in(&b.mem, *o)).or_insert((0.0, 0.0));
                    match step {
                        Some(d) => {
                            if streams.insert(*o) {
                                e.0 += d.abs() as f64 / line as f64;
                                e.1 += 1.0;
                            }
                        }
                        None => e.0 += 1.0,
                    }
                }
            }
        }
        // Symbolic offsets grouped by their non-constant part.
        let mut groups: BTreeMap<(ObjId, TermId), Vec<(i64, u64)>> = BTreeMap::new();
        for (o, base, k, size) in &b.obs.sym_spans {
            if *o < n0 && !self.mentions_havoc_sym(*base) {
                continue;
            }
            groups.entry((*o, *base)).or_default().push((*k, *size));
        }
        for ((o, base), spans) in groups {
            let e = out.per_obj.entry(label_in(&b.mem, o)).or_insert((0.0, 0.0));
            match self.stride(base, steps) {
                Some(d) if (d.abs() as i64) < line => {
                    // A stream: each iteration moves on by the stride, so
                    // it brings in stride/64 new lines (16-byte entries: a
                    // quarter each), however many fields of the entry it reads.
                    e.0 += d.abs() as f64 / line as f64;
                    e.1 += 1.0;
                }
                _ => e.0 += crate::footprint::span_lines(&spans, 0, line) as f64,
            }
        }
        out.per_obj.retain(|_, v| v.0 > 0.0);
        out
    }

    fn mentions_havoc_sym(&self, t: TermId) -> bool {
        let mut syms = Vec::new();
        self.terms.symbols(t, &mut syms);
        syms.iter().any(|s| self.varies_in_loop(*s))
    }

    /// Whether symbol `s` is made afresh by the loop being summarized.
    fn varies_in_loop(&self, s: u32) -> bool {
        let i = &self.terms.syms[s as usize];
        i.kind == SymKind::Havoc && (self.obs.loop_tag.is_empty() || i.name.contains(self.obs.loop_tag.as_str()))
    }

    /// `off` as `base + k` with a constant `k`.
    pub fn split_const(&self, off: TermId) -> (TermId, i64) {
        let mut t = off;
        let mut k: i64 = 0;
        for _ in 0..16 {
            let n = self.terms.node(t);
            if n.op != crate::term::Op::Add || n.args.len() != 2 {
                break;
            }
            let w = self.terms.width(t);
            if let Some(c) = self.terms.as_const(n.args[1]) {
                k = k.wrapping_add(crate::term::to_signed(c, w) as i64);
                t = n.args[0];
            } else if let Some(c) = self.terms.as_const(n.args[0]) {
                k = k.wrapping_add(crate::term::to_signed(c, w) as i64);
                t = n.args[1];
            } else {
                break;
            }
        }
        (t, k)
    }

    /// Lines that are the same in every iteration: constant lines of
    /// objects that exist before the loop, and symbolic offsets that do not
    /// change inside it.
    pub fn invariant_line(&self, o: ObjId, k: &LineKey, n0: usize) -> bool {
        if o >= n0 {
            return false;
        }
        match k {
            LineKey::Const(_) => true,
            LineKey::Sym(t) => !self.mentions_havoc_sym(*t),
        }
    }

    /// Change of `off` per iteration when it depends on induction variables
    /// only linearly (checked at two points).
    fn stride(&self, off: TermId, steps: &HashMap<u32, i128>) -> Option<i128> {
        let mut syms = Vec::new();
        self.terms.symbols(off, &mut syms);
        let havoc: Vec<u32> = syms.into_iter().filter(|s| self.varies_in_loop(*s)).collect();
        if havoc.is_empty() || havoc.iter().any(|s| !steps.contains_key(s)) {
            return None;
        }
        let w = self.terms.width(off);
        let at = |base: u128, k: i128| -> i128 {
            let env: HashMap<u32, u128> = havoc.iter().map(|s| (*s, (base as i128 + k * steps[s]) as u128)).collect();
            crate::term::to_signed(self.terms.eval(off, &env), w)
        };
        let d1 = at(10, 1) - at(10, 0);
        let d2 = at(100, 1) - at(100, 0);
        (d1 == d2 && d1 != 0).then_some(d1)
    }
}
