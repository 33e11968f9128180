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
    /// Strided streams of counted loops already counted on this path:
    /// (object label, first offset, step, trip count term). A later loop
    /// over the same lines (`for (i = 0; i < n; i++)` twice over `a`)
    /// adds none.
    pub streams: BTreeSet<(String, TermId, i128, TermId)>,
}

impl PathObs {
    pub fn union(&mut self, o: &PathObs) {
        self.spans.extend(o.spans.iter().copied());
        self.fields.extend(o.fields.iter().copied());
        self.sym_spans.extend(o.sym_spans.iter().copied());
        self.streams.extend(o.streams.iter().cloned());
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
    /// Lines at bounded symbolic offsets, per object: (lines per
    /// iteration, the most lines the offsets can reach in all).
    pub capped: BTreeMap<String, (f64, f64)>,
    /// Strided streams: (object label, the offset term in the loop's
    /// symbols, per-iteration step in bytes).
    pub streams: Vec<(String, TermId, i128)>,
}

/// A loop's lines of one object at bounded offsets are replaced by the
/// lines those offsets can reach when these are at most this many (1 KiB:
/// tables indexed by a byte or a few bits, such as S-boxes, CRC and base64
/// tables): a loop that runs more than a few times touches most of them.
/// A formula cannot say `min(t, lines)`; for bigger objects (hash tables
/// probed a few times) `t` stays the better bound. With 4 KiB, the test
/// workspaces' NAT and Maglev tables, probed once or twice, were predicted
/// 30 to 250 lines too many.
pub const SMALL_OBJECT_LINES: f64 = 16.0;

impl IterLines {
    pub fn total(&self) -> f64 {
        self.per_obj.values().map(|v| v.0).sum::<f64>() + self.capped.values().map(|v| v.0).sum::<f64>()
    }
    pub fn max_with(&mut self, o: &IterLines) {
        for (k, v) in &o.per_obj {
            let e = self.per_obj.entry(k.clone()).or_insert((0.0, 0.0));
            e.0 = e.0.max(v.0);
            e.1 = e.1.max(v.1);
        }
        for (k, v) in &o.capped {
            let e = self.capped.entry(k.clone()).or_insert((0.0, 0.0));
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
                    // Lines merged in from a path that had made more
                    // objects than this one (`merge.rs` unites line sets):
                    // the object is not in this memory, no stream to see.
                    let Some(obj) = b.mem.objs.get(*o) else {
                        out.per_obj.entry(label_in(&b.mem, *o)).or_insert((0.0, 0.0)).0 += 1.0;
                        continue;
                    };
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
                                out.streams.push((label_in(&b.mem, *o), obj.base, d));
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
            let label = label_in(&b.mem, o);
            match self.stride(base, steps) {
                Some(d) if (d.abs() as i64) < line => {
                    // A stream: each iteration moves on by the stride, so
                    // it brings in stride/64 new lines (16-byte entries: a
                    // quarter each), however many fields of the entry it reads.
                    out.streams.push((label.clone(), base, d));
                    let e = out.per_obj.entry(label).or_insert((0.0, 0.0));
                    e.0 += d.abs() as f64 / line as f64;
                    e.1 += 1.0;
                }
                _ => {
                    let per = crate::footprint::span_lines(&spans, 0, line) as f64;
                    match self.reach_lines(b, &label, base, &spans, line) {
                        Some(cap) if cap <= SMALL_OBJECT_LINES => {
                            let e = out.capped.entry(label).or_insert((0.0, 0.0));
                            e.0 += per;
                            e.1 += cap;
                        }
                        _ => out.per_obj.entry(label).or_insert((0.0, 0.0)).0 += per,
                    }
                }
            }
        }
        // Several bounded groups of one object reach at most all its lines.
        for (label, e) in out.capped.iter_mut() {
            if let Some(n) = self.object_lines(b, label, line) {
                e.1 = e.1.min(n);
            }
        }
        out.per_obj.retain(|_, v| v.0 > 0.0);
        out
    }

    /// Lines of a global or stack object of known size (named by its label).
    fn object_lines(&self, b: &State, label: &str, line: i64) -> Option<f64> {
        let size = b.frames.iter().find_map(|fr| fr.func.obj_sizes.get(label).copied())?;
        Some(size.div_ceil(line.max(1) as u64).max(1) as f64)
    }

    /// The most lines accesses at `base + k` can touch in all: the lines
    /// of the byte range their offsets can reach when `base` is bounded
    /// (`h & 63`, `x % 16`, a byte), else the object's lines when its size
    /// is known (an index computed by a call stays inside the object).
    fn reach_lines(&self, b: &State, label: &str, base: TermId, spans: &[(i64, u64)], line: i64) -> Option<f64> {
        let whole = self.object_lines(b, label, line);
        let kmin = spans.iter().map(|s| s.0).min()?;
        let kend = spans.iter().map(|s| s.0.saturating_add(s.1.max(1) as i64)).max()?;
        let range = max_value(&self.terms, base, 0)
            .filter(|u| *u < 1 << 40)
            .map(|u| {
                let (lo, hi) = (kmin, (u as i64).saturating_add(kend).saturating_sub(1));
                (hi.div_euclid(line) as f64 - lo.div_euclid(line) as f64 + 1.0).max(1.0)
            });
        match (range, whole) {
            (Some(r), Some(w)) => Some(r.min(w)),
            (r, w) => r.or(w),
        }
    }

    fn mentions_havoc_sym(&self, t: TermId) -> bool {
        let mut syms = Vec::new();
        self.terms.symbols(t, &mut syms);
        syms.iter().any(|s| self.varies_in_loop(*s) || self.read_in_loop(*s, 0))
    }

    /// Whether symbol `s` is made afresh by the loop being summarized.
    fn varies_in_loop(&self, s: u32) -> bool {
        let i = &self.terms.syms[s as usize];
        i.kind == SymKind::Havoc && (self.obs.loop_tag.is_empty() || i.name.contains(self.obs.loop_tag.as_str()))
    }

    /// Whether symbol `s` is memory read at an offset that changes in the
    /// loop (`keys[i]`): another value every iteration.
    fn read_in_loop(&self, s: u32, depth: u32) -> bool {
        let Some((base, off)) = self.read_at.get(&s) else { return false };
        if depth > 4 {
            return false;
        }
        let mut syms = Vec::new();
        self.terms.symbols(*off, &mut syms);
        self.terms.symbols(*base, &mut syms);
        syms.iter().any(|x| *x != s && (self.varies_in_loop(*x) || self.read_in_loop(*x, depth + 1)))
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

/// An upper bound on the unsigned value of `t`, from its operations: a
/// mask (`& 63`), a remainder (`% 16`), a narrow value widened (a byte),
/// shifts, sums and products of bounded values.
pub fn max_value(terms: &crate::term::Terms, t: TermId, depth: u32) -> Option<u128> {
    max_value_in(terms, t, depth, &std::cell::Cell::new(0))
}

/// `max_value` visiting at most 512 nodes (terms share subterms: a walk
/// without a budget could take exponential time).
fn max_value_in(terms: &crate::term::Terms, t: TermId, depth: u32, visited: &std::cell::Cell<u32>) -> Option<u128> {
    use crate::term::Op;
    let n = terms.node(t);
    let w = n.width;
    let all = crate::term::mask(w);
    visited.set(visited.get() + 1);
    if depth > 24 || visited.get() > 512 {
        return Some(all);
    }
    let arg = |i: usize| n.args.get(i).and_then(|a| max_value_in(terms, *a, depth + 1, visited));
    let konst = |i: usize| n.args.get(i).and_then(|a| terms.as_const(*a));
    let fit = |v: Option<u128>| v.filter(|x| *x <= all).unwrap_or(all);
    let v = match n.op {
        Op::Const(c) => c,
        Op::And => arg(0).unwrap_or(all).min(arg(1).unwrap_or(all)),
        Op::URem => match konst(1) {
            Some(d) if d > 0 => (d - 1).min(arg(0).unwrap_or(all)),
            _ => arg(0).unwrap_or(all),
        },
        Op::UDiv => match konst(1) {
            Some(d) if d > 0 => arg(0).unwrap_or(all) / d,
            _ => arg(0).unwrap_or(all),
        },
        Op::LShr => match konst(1) {
            Some(k) if k < 128 => arg(0).unwrap_or(all) >> k,
            _ => arg(0).unwrap_or(all),
        },
        Op::Shl => match (arg(0), konst(1)) {
            (Some(a), Some(k)) if k < 64 => fit(a.checked_shl(k as u32).filter(|x| x >> k == a)),
            _ => all,
        },
        Op::Mul => match (arg(0), arg(1)) {
            (Some(a), Some(b)) => fit(a.checked_mul(b)),
            _ => all,
        },
        Op::Add => match (arg(0), arg(1)) {
            (Some(a), Some(b)) => fit(a.checked_add(b)),
            _ => all,
        },
        Op::Or | Op::Xor => match (arg(0), arg(1)) {
            (Some(a), Some(b)) => {
                let m = a.max(b);
                if m == 0 { 0 } else { fit(Some(u128::MAX >> m.leading_zeros())) }
            }
            _ => all,
        },
        Op::ZExt => n.args.first().map(|a| max_value_in(terms, *a, depth + 1, visited).unwrap_or(crate::term::mask(terms.width(*a)))).unwrap_or(all),
        Op::SExt => {
            let a = n.args.first().copied();
            match a.and_then(|a| max_value_in(terms, a, depth + 1, visited).map(|m| (m, terms.width(a)))) {
                Some((m, aw)) if aw > 0 && m < 1u128 << (aw - 1) => m,
                _ => all,
            }
        }
        Op::Trunc => arg(0).unwrap_or(all).min(all),
        Op::Ite => match (arg(1), arg(2)) {
            (Some(a), Some(b)) => a.max(b),
            _ => all,
        },
        Op::Eq | Op::Ult | Op::Slt | Op::Ule | Op::Sle | Op::BAnd | Op::BOr | Op::BNot => 1,
        _ => all,
    };
    Some(v.min(all))
}

#[cfg(test)]
mod tests {
    use super::max_value;
    use crate::term::{Op, SymKind, Terms};

    #[test]
    fn bounds_of_masked_and_remaindered_indices() {
        let mut t = Terms::new();
        let h = t.sym("h", 32, SymKind::Input);
        let m = t.konst(63, 32);
        let masked = t.bin(Op::And, h, m);
        let wide = t.resize(masked, 64, false);
        let four = t.konst(4, 64);
        let off = t.bin(Op::Mul, wide, four);
        // (h & 63) * 4: entries 0..63 of 4 bytes.
        assert_eq!(max_value(&t, off, 0), Some(252));
        let sixteen = t.konst(16, 32);
        let rem = t.bin(Op::URem, h, sixteen);
        assert_eq!(max_value(&t, rem, 0), Some(15));
        // A byte widened: 0..255.
        let b = t.sym("b", 8, SymKind::Input);
        let bw = t.resize(b, 64, false);
        assert_eq!(max_value(&t, bw, 0), Some(255));
        // An unbounded 64-bit value: only its width bounds it.
        let x = t.sym("x", 64, SymKind::Input);
        assert_eq!(max_value(&t, x, 0), Some(u64::MAX as u128));
    }

    #[test]
    fn shared_subterms_do_not_blow_up() {
        let mut t = Terms::new();
        let mut x = t.sym("x", 8, SymKind::Input);
        x = t.resize(x, 64, false);
        for _ in 0..200 {
            x = t.bin(Op::Add, x, x);
        }
        // Any answer is fine; it must come back at once.
        assert!(max_value(&t, x, 0).is_some());
    }
}
