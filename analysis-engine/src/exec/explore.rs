//! The executor: runs IR blocks on symbolic states, forks at branches whose
//! both sides are feasible, inlines workspace callees, applies contracts,
//! and hands loops to `summarize.rs`. A depth-first searcher with budgets.

use super::state::*;
use super::token;
use super::vars::{VarKey, Vars};
use crate::cancel::CancelToken;
use crate::config::{Budgets, Config};
use crate::cost::{self, Counts, CostTable, Feature};
use crate::ir::*;
use crate::poly::{Poly, VarId};
use crate::solver::{Sat, Solver};
use crate::term::{Op, SymKind, TermId, Terms};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

pub enum Out {
    /// The analyzed function returned.
    Done(State),
    /// Back at the header of the loop being summarized.
    Back(State),
    /// Left the loop being summarized.
    Exit(State),
}

pub struct Bound {
    /// A call being explored to its returns (no loop checks).
    pub call: bool,
    pub depth: usize,
    pub header: BlockId,
    pub blocks: Vec<BlockId>,
}

impl Bound {
    pub fn contains(&self, b: BlockId) -> bool {
        self.blocks.binary_search(&b).is_ok()
    }
}

pub struct Explorer<'a> {
    pub terms: Terms,
    pub solver: Solver,
    pub vars: Vars,
    pub funcs: &'a HashMap<String, Arc<Function>>,
    /// `table_const_names(funcs)` when the caller computed it once for the
    /// table (else each analysis walks the whole table: quadratic in the
    /// number of functions of a large file).
    pub table_names: Option<&'a ConstNames>,
    pub cfg: &'a Config,
    pub table: CostTable,
    pub budgets: Budgets,
    pub start: Instant,
    pub paths_done: usize,
    pub cancel: CancelToken,
    /// Why exploration stopped early, if it did.
    pub exhausted: Option<String>,
    /// (context, loop header, iteration signature) → PCV, for the
    /// concrete interpreter to classify iterations.
    pub iter_classes: HashMap<(u64, usize, u64), Vec<VarId>>,
    pub notes: Vec<String>,
    /// Loop headers summarized as counted loops, per context.
    pub counted: HashMap<(u64, usize), VarId>,
    pub max_call_depth: usize,
    pub secret_names: Vec<String>,
    /// Cache and secret observations (`observe.rs`).
    pub obs: super::observe::Observer,
    /// Symbols of lazily read cells, shared by every path that reads the
    /// same cell (same object base, offset, size, generation).
    pub lazy: HashMap<(TermId, TermId, u8, String), TermId>,
    /// Symbols of memory read at a symbolic offset: (object base, offset).
    /// `keys[i]` read in a loop is a new value every iteration when `i` is.
    pub read_at: HashMap<u32, (TermId, TermId)>,
    rpo_cache: HashMap<usize, Arc<Vec<usize>>>,
    /// Iteration classes whose per-iteration instruction counts differ by
    /// less than this are merged (their maximum is used).
    pub resolution: f64,
    /// Keep the set of path signatures a merged state stands for. Only the
    /// concrete interpreter needs them (to find a run's case); the set can
    /// grow exponentially with merges, so editors and the CLI go without.
    pub track_sigs: bool,
    /// Writes of the whole program (for initializers), computed on the
    /// first global with an initializer.
    pub(super) writes: Option<std::rc::Rc<crate::globals::Writes>>,
    /// Constant initializer cells per global (`static_init.rs`).
    pub(super) global_consts: HashMap<String, std::rc::Rc<Vec<crate::initializers::InitCell>>>,
    /// Loop summaries whose body is being explored (`summarize.rs`).
    pub(super) summary_depth: usize,
    /// The address symbol of each global, shared by all paths.
    global_bases: HashMap<String, TermId>,
    /// Machine-code costs per function and block (`machine::plan`), when
    /// the file was compiled; functions without a plan keep the model's.
    pub machine: Option<crate::machine::Plan>,
}

const MAX_CALL_DEPTH: usize = 24;

/// Names of constants in comparisons, by value (`Terms::const_names`).
pub type ConstNames = HashMap<u128, Option<String>>;

fn add_const_names<'f>(out: &mut ConstNames, fs: impl Iterator<Item = &'f Function>) {
    for (v, name) in fs.flat_map(|g| g.const_names.iter()) {
        if *v < 0 {
            continue;
        }
        let e = out.entry(*v as u128).or_insert_with(|| name.clone());
        if e != name {
            *e = None;
        }
    }
}

/// The constant names of a whole table, computed once (see
/// `Explorer::table_names`).
pub fn table_const_names(funcs: &HashMap<String, Arc<Function>>) -> ConstNames {
    let mut out = ConstNames::new();
    add_const_names(&mut out, funcs.values().map(|g| g.as_ref()));
    out
}

impl<'a> Explorer<'a> {
    pub fn new(funcs: &'a HashMap<String, Arc<Function>>, cfg: &'a Config, budgets: Budgets, cancel: CancelToken) -> Explorer<'a> {
        Explorer {
            terms: Terms::new(),
            solver: Solver::new(budgets.query_ms, cancel.clone()),
            vars: Vars::default(),
            funcs,
            table_names: None,
            cfg,
            table: cost::default_table(),
            budgets,
            start: Instant::now(),
            paths_done: 0,
            cancel,
            exhausted: None,
            iter_classes: HashMap::new(),
            notes: vec![],
            counted: HashMap::new(),
            max_call_depth: MAX_CALL_DEPTH,
            secret_names: vec![],
            obs: Default::default(),
            resolution: 1.0,
            lazy: HashMap::new(),
            read_at: HashMap::new(),
            rpo_cache: HashMap::new(),
            track_sigs: false,
            writes: None,
            global_consts: HashMap::new(),
            summary_depth: 0,
            global_bases: HashMap::new(),
            machine: None,
        }
    }

    pub fn out_of_budget(&mut self) -> bool {
        if self.exhausted.is_some() {
            return true;
        }
        let why = if self.cancel.is_cancelled() {
            Some("cancelled".to_string())
        } else if self.paths_done >= self.budgets.paths {
            Some(format!("path budget of {} exhausted", self.budgets.paths))
        } else if self.start.elapsed().as_millis() as u64 > self.budgets.wall_ms {
            Some(format!("wall-time budget of {} ms exhausted", self.budgets.wall_ms))
        } else if self.solver.solver_time.as_millis() as u64 > self.budgets.solver_ms {
            Some(format!("solver budget of {} ms exhausted", self.budgets.solver_ms))
        } else {
            None
        };
        if why.is_some() {
            self.exhausted = why;
        }
        self.exhausted.is_some()
    }

    /// Half the wall-time or solver budget is gone.
    fn half_spent(&self) -> bool {
        self.start.elapsed().as_millis() as u64 > self.budgets.wall_ms / 2 || self.solver.solver_time.as_millis() as u64 > self.budgets.solver_ms / 2
    }

    /// The initial state of `f` with symbolic parameters.
    /// The names constants were written with in `f` and in the functions
    /// of its table: a value gets a name only when it was always written so.
    fn collect_const_names(&mut self, f: &Function) {
        // A value keeps its name when every comparison with it (in any
        // order) used that name: the table's names, then the function's.
        match self.table_names {
            Some(t) => {
                self.terms.const_names = t.clone();
                add_const_names(&mut self.terms.const_names, std::iter::once(f));
            }
            None => {
                let all = std::iter::once(f).chain(self.funcs.values().map(|g| g.as_ref()));
                add_const_names(&mut self.terms.const_names, all);
            }
        }
    }

    fn plan(&self, f: &Function) -> Option<std::rc::Rc<crate::machine::FnPlan>> {
        self.machine.as_ref()?.get(f)
    }

    /// An external call's own instructions (call, return): the model's
    /// feature, or nothing when the caller is costed from its machine code
    /// (the call instruction is in it; the callee's work is its contract).
    fn extern_call_counts(&self, st: &State) -> Counts {
        let mut c = Counts::default();
        if self.plan(&st.frame().func).is_none() {
            c.add(Feature::ExternCall, 1.0);
        }
        c
    }

    pub fn initial_state(&mut self, f: &Arc<Function>) -> State {
        self.collect_const_names(f);
        let mut st = State {
            frames: vec![],
            block: f.entry,
            inst: 0,
            prev: None,
            pc: vec![],
            display: vec![],
            cost: Cost::default(),
            mem: Memory::default(),
            sig: vec![0],
            lines: Default::default(),
            obs: Default::default(),
            finished: false,
            ret: None,
            incomplete: None,
            written: Default::default(),
            last_return: None,
        };
        let mut frame = Frame { func: f.clone(), locals: vec![None; f.locals.len()], local_obj: vec![None; f.locals.len()], ret_to: None, ctx: 0 };
        for &p in &f.params {
            let l = &f.locals[p];
            let secret = l.secret || self.cfg.secret.params.iter().any(|s| s == &l.name);
            let v = if l.in_memory {
                let base = self.terms.sym(&format!("&{}", l.name), 64, SymKind::Input);
                let id = st.mem.add(new_object(&l.name, base, ObjKind::Param, secret));
                if secret {
                    self.mark_object_secret(st.mem.get(id), vec![l.name.clone()]);
                }
                frame.local_obj[p] = Some(id);
                Value::Ptr { obj: id, off: self.terms.konst(0, 64) }
            } else if l.ty == Ty::Ptr {
                let base = self.terms.sym(&l.name, 64, SymKind::Input);
                let id = st.mem.add(new_object(&l.name, base, ObjKind::Param, secret));
                if secret {
                    self.mark_object_secret(st.mem.get(id), vec![l.name.clone()]);
                }
                Value::Ptr { obj: id, off: self.terms.konst(0, 64) }
            } else {
                let t = self.terms.sym(&l.name, l.ty.bits().max(8), SymKind::Input);
                if secret {
                    self.mark_secret_via(t, vec![l.name.clone()]);
                }
                Value::Int(t)
            };
            frame.locals[p] = Some(v);
        }
        st.frames.push(frame);
        // Machine code: the analyzed function's prologue and epilogue.
        if let Some(p) = self.plan(f) {
            st.cost.add_machine(&p.entry);
        }
        st
    }

    /// Explore from the given states until they finish or hit the bound.
    pub fn run(&mut self, init: Vec<State>, bound: Option<&Bound>, fresh_header: Option<BlockId>) -> Vec<Out> {
        let mut work = Work::default();
        for s in init {
            let k = self.sched_key(&s);
            work.push(s, fresh_header.is_some(), k);
        }
        let mut outs = Vec::new();
        loop {
            // Topological scheduling: the state earliest in reverse
            // post-order goes first, so that paths meeting at a join point
            // are there together and can merge.
            if self.half_spent() {
                work.depth_first();
            }
            let Some((st, fresh, key)) = work.pop() else { break };
            if self.out_of_budget() {
                break;
            }
            if st.finished {
                self.paths_done += 1;
                outs.push(if bound.is_some() { Out::Exit(st) } else { Out::Done(st) });
                continue;
            }
            if let Some(b) = bound {
                if st.frames.len() < b.depth {
                    outs.push(Out::Exit(st));
                    continue;
                }
                if !b.call && st.frames.len() == b.depth && st.inst == 0 && !fresh {
                    if st.block == b.header {
                        self.paths_done += 1;
                        outs.push(Out::Back(st));
                        continue;
                    }
                    if !b.contains(st.block) {
                        outs.push(Out::Exit(st));
                        continue;
                    }
                }
            }
            if st.inst == 0 && !fresh && !st.finished {
                let mut peers = Vec::new();
                while work.peek_key() == Some(key) {
                    if let Some((o, f, _)) = work.pop() {
                        if f {
                            work.push(o, f, key);
                            break;
                        }
                        peers.push(o);
                    }
                }
                // Every state waiting here is merged or goes on now: pushing
                // the unmerged ones back made this quadratic in their number.
                for s in self.merge_at_join(st, peers) {
                    self.advance(s, false, &mut work);
                }
                continue;
            }
            self.advance(st, fresh, &mut work);
        }
        outs
    }

    /// Summarize the loop `st` enters, or execute its block.
    fn advance(&mut self, st: State, fresh: bool, work: &mut Work) {
        if st.inst == 0 && !fresh {
            let f = st.frame().func.clone();
            if let Some(li) = f.loop_of_header.get(st.block).copied().flatten() {
                let from_inside = st.prev.is_some_and(|p| f.loops[li].contains(p));
                if !from_inside {
                    for s in self.summarize(st, li) {
                        let k = self.sched_key(&s);
                        work.push(s, false, k);
                    }
                    return;
                }
            }
        }
        for s in self.step(st) {
            let k = self.sched_key(&s);
            work.push(s, false, k);
        }
    }

    fn sched_key(&mut self, s: &State) -> (usize, usize, usize) {
        if s.finished || s.frames.is_empty() {
            return (0, 0, 0);
        }
        let f = s.frame().func.clone();
        let rpo = self.rpo_index(&f);
        (usize::MAX - s.frames.len(), rpo.get(s.block).copied().unwrap_or(usize::MAX), s.inst)
    }

    fn rpo_index(&mut self, f: &Arc<Function>) -> Arc<Vec<usize>> {
        let key = Arc::as_ptr(f) as usize;
        if let Some(v) = self.rpo_cache.get(&key) {
            return v.clone();
        }
        let order = crate::loops::reverse_postorder(f);
        let mut idx = vec![usize::MAX; f.blocks.len()];
        for (i, b) in order.iter().enumerate() {
            idx[*b] = i;
        }
        let v = Arc::new(idx);
        self.rpo_cache.insert(key, v.clone());
        v
    }

    /// Merge the states waiting at the same join block: states whose costs
    /// are within the resolution (equal at resolution 1) and whose memory
    /// and frames allow it become one. Returns every state to go on with.
    fn merge_at_join(&mut self, st: State, peers: Vec<State>) -> Vec<State> {
        if peers.is_empty() {
            return vec![st];
        }
        let f = st.frame().func.clone();
        // At a loop header only states arriving from outside the loop merge
        // (before the loop is summarized once for all of them).
        let outside = |s: &State| match f.loop_of_header.get(s.block).copied().flatten() {
            Some(li) => !s.prev.is_some_and(|p| f.loops[li].contains(p)),
            None => true,
        };
        let table = self.table.clone();
        let instr = |s: &State| -> f64 { s.cost.feat.iter().zip(table.weights[0].iter()).map(|(p, w)| p.c * w).sum::<f64>() + s.cost.extra[0].c };
        let r = self.resolution;
        let close = |lo: f64, c: f64| if r > 1.0 { c - lo < r } else { c == lo };
        let mut all = vec![st];
        all.extend(peers);
        let (cands, mut out): (Vec<State>, Vec<State>) = all.into_iter().partition(|s| outside(s));
        let mut cands: Vec<(f64, State)> = cands.into_iter().map(|s| (instr(&s), s)).collect();
        cands.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Cheapest first: a group is open while the next cost is within the
        // resolution of its cheapest member.
        let mut groups: Vec<(f64, Vec<State>)> = Vec::new();
        let mut open = 0usize;
        for (c, s) in cands {
            while open < groups.len() && !close(groups[open].0, c) {
                open += 1;
            }
            let slot = (open..groups.len()).find(|&g| groups[g].1[0].block == s.block && self.mergeable(&groups[g].1[0], &s));
            match slot {
                Some(g) => groups[g].1.push(s),
                None => groups.push((c, vec![s])),
            }
        }
        for (_, mut g) in groups {
            out.push(if g.len() == 1 { g.remove(0) } else { self.merge_group_pub(g) });
        }
        out
    }

    /// Execute the rest of the current block; returns successor states.
    pub fn step(&mut self, mut st: State) -> Vec<State> {
        let f = st.frame().func.clone();
        let block = &f.blocks[st.block];
        if st.inst == 0 {
            match self.plan(&f) {
                Some(p) => st.cost.add_machine(&p.blocks[st.block]),
                None => st.cost.add_counts(&cost::block_counts(block)),
            }
        }
        while st.inst < block.insts.len() {
            let i = &block.insts[st.inst];
            st.inst += 1;
            self.obs.line = i.span.start_line;
            if let InstKind::Call { dst, callee, args, target } = &i.kind {
                let mut callee: &str = callee;
                let resolved: String;
                if let Some(t) = target {
                    let tv = self.eval(&mut st, t);
                    match self.function_of(&st, tv) {
                        Some(name) => {
                            resolved = name;
                            callee = &resolved;
                        }
                        None => {
                            for a in args {
                                let _ = self.eval(&mut st, a);
                            }
                            let r = self.unknown_indirect(&mut st, callee, i.span.start_line);
                            if let Some(d) = dst {
                                self.set_local(&mut st, *d, r);
                            }
                            continue;
                        }
                    }
                }
                if callee == "__builtin_unreachable" {
                    // The program promises this point is never reached.
                    return vec![];
                }
                if let Some(callee_f) = self.inlinable(&st, callee) {
                    let vals: Vec<Value> = args.iter().map(|a| self.eval(&mut st, a)).collect();
                    self.push_frame(&mut st, callee_f, vals, *dst, i.span.start_byte);
                    // Explore the callee to its returns, then merge returns
                    // that left the caller in the same state at costs within
                    // the resolution: callee branches that do not matter to
                    // the caller do not multiply the caller's paths.
                    let depth = st.frames.len();
                    let bound = Bound { call: true, depth, header: usize::MAX, blocks: vec![] };
                    let outs = self.run(vec![st], Some(&bound), None);
                    let rets: Vec<State> = outs.into_iter().map(|o| match o {
                        Out::Done(s) | Out::Exit(s) | Out::Back(s) => s,
                    }).collect();
                    return self.merge_returns(rets);
                }
                let vals: Vec<Value> = args.iter().map(|a| self.eval(&mut st, a)).collect();
                // Machine code: a call the compiler expanded in place costs
                // what the line's machine code says, not its contract.
                // (Library functions with a contract only: a cut recursion or
                // an unknown callee keeps its `cost(f)`.)
                let expanded = crate::contracts::builtin_for(callee, None).is_some() && self.plan(&f).is_some_and(|p| !p.calls_on(i.span.start_line));
                let before = expanded.then(|| st.cost.clone());
                let r = self.external_call(&mut st, callee, &vals, i.span.start_byte, i.span.start_line);
                if let Some(c) = before {
                    st.cost = c;
                }
                if let (Some(d), Some(v)) = (dst, r) {
                    self.set_local(&mut st, *d, v);
                }
                continue;
            }
            self.exec_inst(&mut st, i);
        }
        let prev = st.block;
        match &block.term {
            Terminator::Goto(b) => {
                st.prev = Some(prev);
                st.block = *b;
                st.inst = 0;
                vec![st]
            }
            Terminator::Unreachable => {
                st.incomplete = Some("reached the end of a block with no successor".into());
                st.finished = true;
                vec![st]
            }
            Terminator::Return(v) => {
                let val = v.as_ref().map(|e| self.eval(&mut st, e));
                st.last_return = Some(prev);
                self.pop_frame(&mut st, val);
                vec![st]
            }
            Terminator::Branch { cond, then_bb, else_bb } => {
                self.obs.line = block.term_span.start_line;
                let c = self.eval_cond(&mut st, cond);
                self.observe_branch(&st, c);
                let ctx = st.frame().ctx;
                let nc = self.terms.not(c);
                let mut out = Vec::new();
                for (taken, cterm, target) in [(1u64, c, *then_bb), (0u64, nc, *else_bb)] {
                    if !self.feasible(&st, cterm) {
                        continue;
                    }
                    let mut s = st.clone();
                    self.assume(&mut s, cterm);
                    s.mix_sig(token::branch(ctx, prev, taken));
                    s.prev = Some(prev);
                    s.block = target;
                    s.inst = 0;
                    out.push(s);
                }
                out
            }
            Terminator::Switch { value, cases, default } => {
                self.obs.line = block.term_span.start_line;
                let v = self.eval(&mut st, value);
                let v = self.as_int(&mut st, v);
                self.observe_branch(&st, v);
                let w = self.terms.width(v);
                let ctx = st.frame().ctx;
                let mut out = Vec::new();
                let mut none = self.terms.tru();
                for (k, (val, target)) in cases.iter().enumerate() {
                    let kt = self.terms.konst_i(*val, w);
                    let eq = self.terms.eq(v, kt);
                    let neq = self.terms.not(eq);
                    none = self.terms.and(none, neq);
                    if !self.feasible(&st, eq) {
                        continue;
                    }
                    let mut s = st.clone();
                    self.assume(&mut s, eq);
                    s.mix_sig(token::branch(ctx, prev, k as u64 + 2));
                    s.prev = Some(prev);
                    s.block = *target;
                    s.inst = 0;
                    out.push(s);
                }
                if self.feasible(&st, none) {
                    let mut s = st;
                    self.assume(&mut s, none);
                    s.mix_sig(token::branch(ctx, prev, 1));
                    s.prev = Some(prev);
                    s.block = *default;
                    s.inst = 0;
                    out.push(s);
                }
                out
            }
        }
    }

    pub fn feasible(&mut self, st: &State, c: TermId) -> bool {
        match self.terms.as_const(c) {
            Some(0) => return false,
            Some(_) => return true,
            None => {}
        }
        let mut q = st.pc.clone();
        q.push(c);
        // Unknown (timeout) counts as feasible: we keep the path rather
        // than drop behaviour that may exist.
        self.solver.check(&self.terms, &q) != Sat::Unsat
    }

    pub fn assume(&mut self, st: &mut State, c: TermId) {
        if self.terms.as_const(c).is_none() {
            st.pc.push(c);
            st.display.push(Atom::Cond(c));
        }
    }

    fn inlinable(&self, st: &State, callee: &str) -> Option<Arc<Function>> {
        let f = self.funcs.get(callee)?;
        if st.frames.len() >= self.max_call_depth || st.frames.iter().any(|fr| fr.func.name == callee) {
            return None;
        }
        Some(f.clone())
    }

    fn push_frame(&mut self, st: &mut State, f: Arc<Function>, args: Vec<Value>, dst: Option<LocalId>, site: u32) {
        let ctx = token::call_ctx(st.frame().ctx, &f.name, site);
        let mut frame = Frame { func: f.clone(), locals: vec![None; f.locals.len()], local_obj: vec![None; f.locals.len()], ret_to: Some((st.block, st.inst, dst)), ctx };
        let mut extra_objs = Vec::new();
        for (k, &p) in f.params.iter().enumerate() {
            let l = &f.locals[p];
            let v = match args.get(k) {
                Some(v) => *v,
                None => Value::Int(self.terms.sym(&format!("{}.{}", f.name, l.name), l.ty.bits().max(8), SymKind::Input)),
            };
            if l.in_memory {
                // Address-taken scalar or by-value struct parameter.
                let base = self.terms.sym(&format!("&{}", l.name), 64, SymKind::Input);
                let id = st.mem.add(new_object(&l.name, base, ObjKind::Local, false));
                extra_objs.push((id, v, l.size.min(8) as u8));
                frame.local_obj[p] = Some(id);
            }
            frame.locals[p] = Some(v);
        }
        match self.plan(&f) {
            Some(p) => st.cost.add_machine(&p.entry),
            None => st.cost.add_counts(&{
                let mut c = Counts::default();
                c.add(Feature::Call, 1.0);
                c
            }),
        }
        st.frames.push(frame);
        for (id, v, size) in extra_objs {
            let zero = self.terms.konst(0, 64);
            st.mem.get_mut(id).cells.push(Cell { off: zero, size, val: v });
        }
        st.block = f.entry;
        st.inst = 0;
        st.prev = None;
    }

    fn pop_frame(&mut self, st: &mut State, val: Option<Value>) {
        let Some(fr) = st.frames.pop() else { return };
        match fr.ret_to {
            None => {
                if self.plan(&fr.func).is_none() {
                    st.cost.add_counts(&cost::exit_counts(&fr.func));
                }
                st.finished = true;
                st.ret = val;
            }
            Some((b, i, dst)) => {
                st.block = b;
                st.inst = i;
                st.prev = None;
                if let (Some(d), Some(v)) = (dst, val) {
                    let d_ty = st.frame().func.locals.get(d).map(|l| l.ty);
                    let v = match (v, d_ty) {
                        (Value::Int(t), Some(Ty::Int { bits, signed })) => Value::Int(self.terms.resize(t, bits as u32, signed)),
                        (v, _) => v,
                    };
                    self.set_local(st, d, v);
                }
            }
        }
    }

    pub fn exec_inst(&mut self, st: &mut State, i: &Inst) {
        match &i.kind {
            InstKind::Set { local, value } => {
                let v = self.eval(st, value);
                self.set_local(st, *local, v);
                let name = st.frame().func.locals[*local].name.clone();
                if let Value::Int(t) = v {
                    // `n = n - 1` must not make `n - 1` read as the input `n`.
                    // (A bounded look: a term too big to look through is
                    // not aliased; long functions must stay linear.)
                    let shadows = self.terms.sym_named(&name).is_some_and(|s| {
                        let target = self.terms.node_of_sym(s);
                        let mut stack = vec![t];
                        let mut seen = 0;
                        let mut found = false;
                        while let Some(x) = stack.pop() {
                            seen += 1;
                            if Some(x) == target || seen > 64 {
                                found = true;
                                break;
                            }
                            stack.extend(self.terms.node(x).args.iter().copied());
                        }
                        found
                    });
                    if self.terms.sym_of(t).is_none() && self.terms.as_const(t).is_none() && !name.starts_with("tmp") && !shadows {
                        self.terms.aliases.entry(t).or_insert(name);
                    }
                }
            }
            InstKind::Store { addr, value, size, access } => {
                let a = self.eval(st, addr);
                let v = self.eval(st, value);
                let (obj, off) = self.deref(st, a);
                self.obs.line = i.span.start_line;
                self.observe_access(st, obj, off, access, true);
                self.write(st, obj, off, *size, v);
            }
            InstKind::Copy { dst, src, size } => {
                let d = self.eval(st, dst);
                let s = self.eval(st, src);
                let (dobj, doff) = self.deref(st, d);
                let (sobj, soff) = self.deref(st, s);
                self.copy(st, dobj, doff, sobj, soff, *size);
            }
            InstKind::Call { .. } => {}
        }
    }

    pub fn set_local(&mut self, st: &mut State, l: LocalId, v: Value) {
        if let Some(obj) = st.frame().local_obj.get(l).copied().flatten() {
            let size = st.frame().func.locals[l].size.min(8) as u8;
            let zero = self.terms.konst(0, 64);
            self.write(st, obj, zero, size, v);
        }
        if let Some(slot) = st.frame_mut().locals.get_mut(l) {
            *slot = Some(v);
        }
    }

    pub fn local_value(&mut self, st: &mut State, l: LocalId) -> Value {
        let fr = st.frame();
        if let Some(obj) = fr.local_obj.get(l).copied().flatten() {
            let local = &fr.func.locals[l];
            if !matches!(local.ty, Ty::Void) && local.size <= 8 {
                let (size, ty, name) = (local.size as u8, local.ty, local.name.clone());
                let zero = self.terms.konst(0, 64);
                return self.read(st, obj, zero, size.max(1), ty, &name);
            }
            let zero = self.terms.konst(0, 64);
            return Value::Ptr { obj, off: zero };
        }
        if let Some(Some(v)) = fr.locals.get(l) {
            return *v;
        }
        // Uninitialized: a fresh symbol, like the garbage it would be.
        let local = &fr.func.locals[l];
        let (name, ty) = (local.name.clone(), local.ty);
        let t = self.terms.sym(&format!("uninit({name})"), ty.bits().max(8), SymKind::Input);
        Value::Int(t)
    }

    fn local_object(&mut self, st: &mut State, l: LocalId) -> ObjId {
        if let Some(o) = st.frame().local_obj.get(l).copied().flatten() {
            return o;
        }
        let local = st.frame().func.locals[l].clone();
        let base = self.terms.sym(&format!("&{}", local.name), 64, SymKind::Input);
        let id = st.mem.add(new_object(&local.name, base, ObjKind::Local, false));
        let cur = st.frame().locals.get(l).copied().flatten();
        st.frame_mut().local_obj[l] = Some(id);
        if let Some(v) = cur {
            let zero = self.terms.konst(0, 64);
            st.mem.get_mut(id).cells.push(Cell { off: zero, size: local.size.min(8) as u8, val: v });
        }
        id
    }

    pub(super) fn global_object(&mut self, st: &mut State, name: &str) -> ObjId {
        if let Some(i) = st.mem.objs.iter().position(|o| o.kind == ObjKind::Global && o.name == name) {
            return i;
        }
        // One address per global for every path (a symbol made per path
        // would read `&g#625` in conditions).
        let base = match self.global_bases.get(name) {
            Some(b) => *b,
            None => {
                let b = self.terms.sym(&format!("&{name}"), 64, SymKind::Input);
                self.global_bases.insert(name.to_string(), b);
                b
            }
        };
        let secret = self.cfg.secret.params.iter().any(|s| s == name);
        let id = st.mem.add(new_object(name, base, ObjKind::Global, secret));
        if secret {
            self.mark_object_secret(st.mem.get(id), vec![name.to_string()]);
        }
        // Globals and locals are never at address 0.
        let zero = self.terms.konst(0, 64);
        let nz = self.terms.eq(base, zero);
        let nz = self.terms.not(nz);
        st.pc.push(nz);
        self.apply_constant_cells(st, id, name);
        id
    }

    /// Object and offset a pointer value designates.
    pub fn deref(&mut self, st: &mut State, v: Value) -> (ObjId, TermId) {
        match v {
            Value::Ptr { obj, off } => (obj, off),
            Value::Int(t) => {
                let t = self.terms.resize(t, 64, false);
                // base + constant: reuse the object made from `base`.
                let (root, k) = match self.terms.node(t).op {
                    Op::Add => {
                        let n = self.terms.node(t).clone();
                        match self.terms.as_const(n.args[1]) {
                            Some(_) => (n.args[0], n.args[1]),
                            None => (t, self.terms.konst(0, 64)),
                        }
                    }
                    _ => (t, self.terms.konst(0, 64)),
                };
                if let Some(i) = st.mem.objs.iter().position(|o| o.kind == ObjKind::FromInt && o.base == root) {
                    return (i, k);
                }
                let name = super::render::render(&self.terms, root);
                let id = st.mem.add(new_object(&format!("*({name})"), root, ObjKind::FromInt, false));
                (id, k)
            }
        }
    }

    pub fn addr_term(&mut self, st: &State, v: Value) -> TermId {
        match v {
            Value::Int(t) => self.terms.resize(t, 64, false),
            Value::Ptr { obj, off } => {
                let base = st.mem.get(obj).base;
                self.terms.bin(Op::Add, base, off)
            }
        }
    }

    pub fn as_int(&mut self, st: &mut State, v: Value) -> TermId {
        match v {
            Value::Int(t) => t,
            p => self.addr_term(st, p),
        }
    }

    fn touch(&mut self, st: &mut State, obj: ObjId, off: TermId, size: u64) {
        let line = self.cfg.hardware.line.max(1) as i64;
        match self.terms.as_const(off) {
            Some(k) => {
                // Every line of the access counts, also one that straddles.
                let k = k as u64 as i64;
                let size = size.clamp(1, 1 << 20) as i64;
                for l in k.div_euclid(line)..=(k + size - 1).div_euclid(line) {
                    st.lines.insert((obj, LineKey::Const(l)));
                }
                st.obs.spans.insert((obj, k, size as u64));
            }
            None => {
                st.lines.insert((obj, LineKey::Sym(off)));
                let (base, k) = self.split_const(off);
                st.obs.sym_spans.insert((obj, base, k, size.clamp(1, 1 << 20)));
            }
        }
    }

    pub fn read(&mut self, st: &mut State, obj: ObjId, off: TermId, size: u8, ty: Ty, hint: &str) -> Value {
        self.touch(st, obj, off, size as u64);
        if let Some(v) = self.lookup_cell(st, obj, off, size, 0) {
            return self.fit(v, ty);
        }
        // Lazy initialization: a symbol named after the access.
        let o = st.mem.get(obj);
        if o.poison.iter().any(|(po, ps)| *po == off && *ps == size) || (self.terms.as_const(off).is_none() && !o.poison.is_empty()) {
            let t = self.terms.sym(&format!("{hint}@merge"), (size as u32 * 8).max(8), SymKind::Havoc);
            let v = if ty == Ty::Ptr {
                let id = st.mem.add(new_object(&format!("{hint}@merge"), t, ObjKind::Lazy, false));
                Value::Ptr { obj: id, off: self.terms.konst(0, 64) }
            } else {
                Value::Int(t)
            };
            st.mem.get_mut(obj).cells.push(Cell { off, size, val: v });
            return self.fit(v, ty);
        }
        let secret = o.secret || self.cfg.secret.fields.iter().any(|f| f.split('.').last().is_some_and(|fl| hint.contains(&format!(".{fl}")) || hint.contains(&format!("->{fl}"))));
        let secret_chain = if secret { Some(self.object_chain(o, hint)) } else { None };
        let name = if o.generation > 0 { format!("{hint}{}", o.havoc_tag) } else { hint.to_string() };
        let kind = if o.generation > 0 { SymKind::Havoc } else { SymKind::Input };
        let key = (o.base, off, size, format!("{}#{}", o.havoc_tag, o.generation));
        let width = if ty == Ty::Ptr { 64 } else { (size as u32 * 8).max(8) };
        let sym = match self.lazy.get(&key) {
            Some(t) if self.terms.width(*t) == width => *t,
            _ => {
                let t = self.terms.sym(&name, width, kind);
                self.lazy.insert(key, t);
                if let (Op::Sym(id), None) = (self.terms.node(t).op, self.terms.as_const(off)) {
                    self.read_at.insert(id, (o.base, off));
                }
                t
            }
        };
        let v = if ty == Ty::Ptr {
            let base = sym;
            let id = st.mem.add(new_object(&name, base, ObjKind::Lazy, false));
            Value::Ptr { obj: id, off: self.terms.konst(0, 64) }
        } else {
            let t = sym;
            if let Some(chain) = secret_chain {
                self.mark_secret_via(t, chain);
            }
            Value::Int(t)
        };
        st.mem.get_mut(obj).cells.push(Cell { off, size, val: v });
        self.fit(v, ty)
    }

    fn fit(&mut self, v: Value, ty: Ty) -> Value {
        match (v, ty) {
            (Value::Int(t), Ty::Int { bits, signed }) => Value::Int(self.terms.resize(t, bits as u32, signed)),
            (v, _) => v,
        }
    }

    fn lookup_cell(&mut self, st: &State, obj: ObjId, off: TermId, size: u8, depth: usize) -> Option<Value> {
        let o = st.mem.get(obj);
        for c in o.cells.iter().rev() {
            if c.off == off && c.size == size {
                return Some(c.val);
            }
        }
        let k = self.terms.as_const(off)? as u64;
        // A read inside a wider constant-offset cell: extract the bytes.
        for c in o.cells.iter().rev() {
            let Some(ck) = self.terms.as_const(c.off).map(|x| x as u64) else { continue };
            if ck <= k && k + size as u64 <= ck + c.size as u64 {
                let cv = c.val;
                let t = match cv {
                    Value::Int(t) => t,
                    Value::Ptr { .. } => return None,
                };
                let t = self.terms.resize(t, c.size as u32 * 8, false);
                let sh = self.terms.konst(((k - ck) * 8) as u128, c.size as u32 * 8);
                let shifted = self.terms.bin(Op::LShr, t, sh);
                return Some(Value::Int(self.terms.resize(shifted, size as u32 * 8, false)));
            }
            if ck < k + size as u64 && k < ck + c.size as u64 {
                return None; // partial overlap: treat as unknown
            }
        }
        for &(s, e, byte) in o.fills.iter().rev() {
            if s <= k && k + size as u64 <= e {
                let mut v: u128 = 0;
                for _ in 0..size {
                    v = (v << 8) | byte as u128;
                }
                return Some(Value::Int(self.terms.konst(v, size as u32 * 8)));
            }
        }
        if depth < 8 {
            for cp in o.copies.clone().iter().rev() {
                if cp.dst <= k && k + size as u64 <= cp.dst + cp.len {
                    let soff = self.terms.konst((cp.src_off + (k - cp.dst)) as u128, 64);
                    return self.lookup_cell(st, cp.src, soff, size, depth + 1);
                }
            }
        }
        None
    }

    pub fn write(&mut self, st: &mut State, obj: ObjId, off: TermId, size: u8, v: Value) {
        self.touch(st, obj, off, size as u64);
        st.written.insert(obj);
        let k = self.terms.as_const(off).map(|x| x as u64);
        let terms = &self.terms;
        let o = st.mem.get_mut(obj);
        if let Some(k) = k {
            clear_range(terms, o, k, k + size as u64);
        } else {
            o.cells.retain(|c| !(c.off == off && c.size == size));
        }
        o.cells.push(Cell { off, size, val: v });
    }

    fn copy(&mut self, st: &mut State, dobj: ObjId, doff: TermId, sobj: ObjId, soff: TermId, len: u64) {
        self.touch(st, dobj, doff, len);
        st.written.insert(dobj);
        self.touch(st, sobj, soff, len);
        let (Some(dk), Some(sk)) = (self.terms.as_const(doff), self.terms.as_const(soff)) else {
            self.havoc_object(st, dobj, "copy");
            return;
        };
        let (dk, sk) = (dk as u64, sk as u64);
        let terms = &self.terms;
        let o = st.mem.get_mut(dobj);
        clear_range(terms, o, dk, dk + len);
        o.copies.push(CopyRec { dst: dk, len, src: sobj, src_off: sk });
    }

    pub fn havoc_object(&mut self, st: &mut State, obj: ObjId, tag: &str) {
        st.written.insert(obj);
        let o = st.mem.get_mut(obj);
        o.cells.clear();
        o.fills.clear();
        o.copies.clear();
        o.generation += 1;
        o.havoc_tag = format!("@{tag}");
        if o.kind == ObjKind::Global {
            let name = o.name.clone();
            self.apply_constant_cells(st, obj, &name);
        }
    }

    /// Evaluate an expression to a value.
    pub fn eval(&mut self, st: &mut State, e: &Expr) -> Value {
        match e {
            Expr::Const { value, ty } => Value::Int(self.terms.konst_i(*value, ty.bits().max(8))),
            Expr::Local(l) => self.local_value(st, *l),
            Expr::AddrLocal(l) => {
                let obj = self.local_object(st, *l);
                Value::Ptr { obj, off: self.terms.konst(0, 64) }
            }
            Expr::AddrGlobal(name) => {
                let obj = self.global_object(st, name);
                Value::Ptr { obj, off: self.terms.konst(0, 64) }
            }
            Expr::Load { addr, ty, size, access } => {
                let a = self.eval(st, addr);
                let (obj, off) = self.deref(st, a);
                self.note_deref(st, obj);
                self.observe_access(st, obj, off, access, false);
                self.read(st, obj, off, *size, *ty, &access.text)
            }
            Expr::PtrAdd { base, offset } => {
                let b = self.eval(st, base);
                let o = self.eval(st, offset);
                let o = self.as_int(st, o);
                let o = self.terms.resize(o, 64, true);
                let (obj, off) = self.deref(st, b);
                Value::Ptr { obj, off: self.terms.bin(Op::Add, off, o) }
            }
            Expr::Cast { a, to } => {
                let from = a.ty(&st.frame().func.locals);
                let v = self.eval(st, a);
                match to {
                    Ty::Ptr => v,
                    Ty::Int { bits, .. } => {
                        let t = self.as_int(st, v);
                        Value::Int(self.terms.resize(t, *bits as u32, from.signed()))
                    }
                    Ty::Void => v,
                }
            }
            Expr::Un { op, a, ty } => {
                let w = ty.bits().max(8);
                match op {
                    UnOp::LNot => {
                        let c = self.eval_cond(st, a);
                        let n = self.terms.not(c);
                        Value::Int(self.terms.resize(n, w, false))
                    }
                    _ => {
                        let v = self.eval(st, a);
                        let t = self.as_int(st, v);
                        let t = self.terms.resize(t, w, ty.signed());
                        Value::Int(self.terms.un(
                            match op {
                                UnOp::Neg => Op::Neg,
                                UnOp::Not => Op::Not,
                                _ => Op::Bswap,
                            },
                            t,
                        ))
                    }
                }
            }
            Expr::Bin { op, ty, .. } if op.is_compare() => {
                let c = self.eval_cond(st, e);
                Value::Int(self.terms.resize(c, ty.bits().max(8), false))
            }
            Expr::Bin { op, a, b, ty, signed } => {
                let va = self.eval(st, a);
                let vb = self.eval(st, b);
                let w = ty.bits().max(8);
                let ta = self.as_int(st, va);
                let tb = self.as_int(st, vb);
                let ta = self.terms.resize(ta, w, *signed);
                let tb = self.terms.resize(tb, w, *signed);
                let zop = match op {
                    BinOp::Add => Op::Add,
                    BinOp::Sub => Op::Sub,
                    BinOp::Mul => Op::Mul,
                    BinOp::Div => {
                        if *signed {
                            Op::SDiv
                        } else {
                            Op::UDiv
                        }
                    }
                    BinOp::Rem => {
                        if *signed {
                            Op::SRem
                        } else {
                            Op::URem
                        }
                    }
                    BinOp::Shl => Op::Shl,
                    BinOp::Shr => {
                        if *signed {
                            Op::AShr
                        } else {
                            Op::LShr
                        }
                    }
                    BinOp::And => Op::And,
                    BinOp::Or => Op::Or,
                    _ => Op::Xor,
                };
                Value::Int(self.terms.bin(zop, ta, tb))
            }
        }
    }

    /// What a null test of a pointer into `obj` compares with 0: a global
    /// or a stack object is never at address 0, so the test is decided.
    fn null_test_base(&mut self, st: &State, obj: ObjId) -> TermId {
        let o = st.mem.get(obj);
        match o.kind {
            ObjKind::Global | ObjKind::Local => self.terms.konst(1, 64),
            _ => o.base,
        }
    }

    fn note_deref(&mut self, st: &mut State, obj: ObjId) {
        let o = st.mem.get(obj);
        if matches!(o.kind, ObjKind::Lazy | ObjKind::Param | ObjKind::External) {
            // Dereferenced, hence not NULL on this path.
            let zero = self.terms.konst(0, 64);
            let is_null = self.terms.eq(o.base, zero);
            let nn = self.terms.not(is_null);
            if !st.pc.contains(&nn) {
                st.pc.push(nn);
            }
        }
    }

    /// A condition as a width-1 term.
    pub fn eval_cond(&mut self, st: &mut State, e: &Expr) -> TermId {
        match e {
            Expr::Bin { op, a, b, signed, .. } if op.is_compare() => {
                let va = self.eval(st, a);
                let vb = self.eval(st, b);
                // Pointers compare by address.
                let (ta, tb) = match (va, vb) {
                    (Value::Ptr { obj: o1, off: f1 }, Value::Ptr { obj: o2, off: f2 }) if o1 == o2 => (f1, f2),
                    // A null test of `&obj[off]` is a null test of the
                    // object: no object straddles address 0. This keeps
                    // hashed indices (`&tbl[hash(k)]`) out of the query.
                    (Value::Ptr { obj, .. }, Value::Int(z)) | (Value::Int(z), Value::Ptr { obj, .. }) if self.terms.as_const(z) == Some(0) => {
                        let base = self.null_test_base(st, obj);
                        (base, self.terms.konst(0, 64))
                    }
                    _ => {
                        let ta = self.as_int(st, va);
                        let tb = self.as_int(st, vb);
                        let w = self.terms.width(ta).max(self.terms.width(tb));
                        (self.terms.resize(ta, w, *signed), self.terms.resize(tb, w, *signed))
                    }
                };
                let (lt, le) = if *signed { (Op::Slt, Op::Sle) } else { (Op::Ult, Op::Ule) };
                match op {
                    BinOp::Eq => self.terms.eq(ta, tb),
                    BinOp::Ne => {
                        let x = self.terms.eq(ta, tb);
                        self.terms.not(x)
                    }
                    BinOp::Lt => self.terms.bin(lt, ta, tb),
                    BinOp::Le => self.terms.bin(le, ta, tb),
                    BinOp::Gt => self.terms.bin(lt, tb, ta),
                    _ => self.terms.bin(le, tb, ta),
                }
            }
            Expr::Un { op: UnOp::LNot, a, .. } => {
                let c = self.eval_cond(st, a);
                self.terms.not(c)
            }
            _ => {
                let v = self.eval(st, e);
                let t = match v {
                    Value::Ptr { obj, .. } => self.null_test_base(st, obj),
                    v => self.as_int(st, v),
                };
                let w = self.terms.width(t);
                let z = self.terms.konst(0, w);
                let eq = self.terms.eq(t, z);
                self.terms.not(eq)
            }
        }
    }

    /// The function a pointer value designates on this path: the address
    /// of a function (an object named after it, offset 0), or an eBPF
    /// helper number.
    pub fn function_of(&mut self, st: &State, v: Value) -> Option<String> {
        match v {
            Value::Ptr { obj, off } if self.terms.as_const(off) == Some(0) => {
                let o = st.mem.get(obj);
                (o.kind == ObjKind::Global).then(|| o.name.clone())
            }
            Value::Int(t) => self.terms.as_const(t).and_then(|k| crate::contracts::bpf_helper(k as u64)).map(str::to_string),
            _ => None,
        }
    }

    /// A call through a pointer whose target is not known on the path:
    /// it costs `cost(EXPR)`, a PCV, and returns an unknown value.
    fn unknown_indirect(&mut self, st: &mut State, expr: &str, line: u32) -> Value {
        let v = self.vars.intern(
            VarKey::IndirectCost { expr: expr.to_string() },
            &format!("cost({expr})"),
            format!("instructions spent in the function `{expr}` points to (indirect call at line {line}; its target is not known in this function)"),
            line,
            None,
            None,
        );
        st.cost.extra[0].add(&Poly::var(v));
        let note = format!("indirect call through `{expr}` at line {line} costs cost({expr})");
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
        let counts = self.extern_call_counts(st);
        st.cost.add_counts(&counts);
        Value::Int(self.terms.sym(&format!("{expr}()"), 64, SymKind::Input))
    }

    /// The map definition a pointer argument names (`&flow_map`), from the
    /// functions on the call stack.
    fn map_of(&self, st: &State, v: Option<&Value>) -> Option<crate::ir::MapInfo> {
        let Some(Value::Ptr { obj, .. }) = v else { return None };
        let o = st.mem.get(*obj);
        if o.kind != ObjKind::Global {
            return None;
        }
        st.frames.iter().rev().find_map(|fr| fr.func.maps.get(&o.name).cloned())
    }

    /// Calls to functions we do not inline: contracts or unknown cost.
    fn external_call(&mut self, st: &mut State, name: &str, args: &[Value], site: u32, line: u32) -> Option<Value> {
        let ctx = st.frame().ctx;
        let const_arg = |s: &Self, i: usize| -> Option<u64> {
            match args.get(i) {
                Some(Value::Int(t)) => s.terms.as_const(*t).map(|v| v as u64),
                _ => None,
            }
        };
        let mut counts = Counts::default();
        let result: Option<Value>;
        let map = if name.starts_with("bpf_") { self.map_of(st, args.first()) } else { None };
        match crate::contracts::builtin_for(name, map.as_ref()) {
            Some(c) => {
                counts.plus(&c.fixed);
                if let Some((cbi, times)) = c.callback {
                    let cb = args.get(cbi).and_then(|v| self.function_of(st, *v)).unwrap_or_else(|| "callback".to_string());
                    let cv = self.vars.intern(
                        VarKey::UnknownCost { callee: cb.clone() },
                        &format!("cost({cb})"),
                        format!("instructions of one call of the callback `{cb}` (`{name}` at line {line} calls it once per iteration)"),
                        line,
                        None,
                        None,
                    );
                    let n = match times {
                        crate::contracts::CallbackTimes::Arg(a) => match const_arg(self, a) {
                            Some(k) => Poly::konst(k as f64),
                            None => Poly::var(self.call_arg_var(st, name, args, a, ctx, site, line)),
                        },
                        crate::contracts::CallbackTimes::MapEntries => match &map {
                            Some(m) if m.max_entries > 0 => Poly::konst(m.max_entries as f64),
                            _ => {
                                let e = self.vars.intern(
                                    VarKey::UnknownCost { callee: format!("{name}@{line}") },
                                    "entries",
                                    format!("elements `{name}` at line {line} visits (the map's definition is not in view)"),
                                    line,
                                    None,
                                    None,
                                );
                                Poly::var(e)
                            }
                        },
                    };
                    st.cost.extra[0].add(&Poly::var(cv).mul(&n));
                }
                for (argi, feats) in c.per_unit {
                    match const_arg(self, argi) {
                        Some(n) => {
                            for (f, per) in feats {
                                counts.add(*f, per * n as f64);
                            }
                        }
                        None => {
                            let v = self.call_arg_var(st, name, args, argi, ctx, site, line);
                            for (f, per) in feats {
                                st.cost.feat[cost::feature_index(*f)].add_scaled(&Poly::var(v), *per);
                            }
                        }
                    }
                }
                result = self.contract_effect(st, name, args);
            }
            None => {
                if let Some(uc) = self.cfg.contracts.get(name).cloned() {
                    self.user_contract(st, name, &uc, args, ctx, site, line);
                } else {
                    let description = match name.strip_prefix("asm@") {
                        Some(l) => format!("instructions of the inline asm at line {l} (its template is not analyzed)"),
                        None => format!("instructions spent in `{name}`, which is not in the workspace and has no contract"),
                    };
                    let v = self.vars.intern(
                        VarKey::UnknownCost { callee: name.to_string() },
                        &format!("cost({name})"),
                        description,
                        line,
                        None,
                        None,
                    );
                    st.cost.extra[0].add(&Poly::var(v));
                    let note = match name.strip_prefix("asm@") {
                        Some(l) => format!("inline asm at line {l} costs cost({name})"),
                        None => format!("unknown callee `{name}` costs cost({name})"),
                    };
                    if !self.notes.contains(&note) {
                        self.notes.push(note);
                    }
                }
                counts.plus(&self.extern_call_counts(st));
                let t = self.terms.sym(&format!("{name}()"), 64, SymKind::Input);
                result = Some(Value::Int(t));
            }
        }
        st.cost.add_counts(&counts);
        result
    }

    fn call_arg_var(&mut self, st: &mut State, name: &str, args: &[Value], argi: usize, ctx: u64, site: u32, line: u32) -> VarId {
        let t = match args.get(argi) {
            Some(v) => self.as_int(st, *v),
            None => self.terms.konst(0, 64),
        };
        let text = super::render::render(&self.terms, t);
        let short = if text.len() <= 24 && !text.contains('@') { text.clone() } else { format!("n{line}") };
        let v = self.vars.intern(
            VarKey::CallArg { ctx, site, arg: argi },
            &short,
            format!("argument {} of `{name}` at line {line}: {text}", argi + 1),
            line,
            None,
            Some(text),
        );
        self.vars.set_def_term(v, t);
        v
    }

    fn user_contract(&mut self, st: &mut State, name: &str, c: &crate::config::Contract, args: &[Value], ctx: u64, site: u32, line: u32) {
        let formulas = [(0usize, &c.instructions), (1, &c.memory_reads), (2, &c.memory_writes)];
        for (metric, f) in formulas {
            let Some(text) = f else { continue };
            match crate::contracts::parse_formula(text, &c.args) {
                Ok(lin) => {
                    let mut p = Poly::konst(lin.constant);
                    for (argi, coeff) in lin.per_arg {
                        let cst = match args.get(argi) {
                            Some(Value::Int(t)) => self.terms.as_const(*t),
                            _ => None,
                        };
                        match cst {
                            Some(k) => p.c += coeff * k as f64,
                            None => {
                                let v = self.call_arg_var(st, name, args, argi, ctx, site, line);
                                p.add_scaled(&Poly::var(v), coeff);
                            }
                        }
                    }
                    st.cost.extra[metric].add(&p);
                }
                Err(e) => {
                    let note = format!("contract for `{name}` ignored: {e}");
                    if !self.notes.contains(&note) {
                        self.notes.push(note);
                    }
                }
            }
        }
    }

    fn contract_effect(&mut self, st: &mut State, name: &str, args: &[Value]) -> Option<Value> {
        let arg = |i: usize| args.get(i).copied();
        match name {
            "memset" | "__builtin_memset" => {
                let (d, c, n) = (arg(0)?, arg(1)?, arg(2)?);
                let (obj, off) = self.deref(st, d);
                let cv = match c {
                    Value::Int(t) => self.terms.as_const(t),
                    _ => None,
                };
                let nv = match n {
                    Value::Int(t) => self.terms.as_const(t),
                    _ => None,
                };
                match (self.terms.as_const(off), cv, nv) {
                    (Some(k), Some(byte), Some(len)) => {
                        let (k, len) = (k as u64, len as u64);
                        let terms = &self.terms;
                        let o = st.mem.get_mut(obj);
                        clear_range(terms, o, k, k + len);
                        o.fills.push((k, k + len, byte as u8));
                        self.touch(st, obj, off, len);
                        st.written.insert(obj);
                    }
                    _ => self.havoc_object(st, obj, "memset"),
                }
                Some(d)
            }
            "memcpy" | "memmove" | "__builtin_memcpy" => {
                let (d, s, n) = (arg(0)?, arg(1)?, arg(2)?);
                let (dobj, doff) = self.deref(st, d);
                let (sobj, soff) = self.deref(st, s);
                match n {
                    Value::Int(t) if self.terms.as_const(t).is_some() => {
                        let len = self.terms.as_const(t).unwrap_or(0) as u64;
                        self.copy(st, dobj, doff, sobj, soff, len);
                    }
                    _ => self.havoc_object(st, dobj, "memcpy"),
                }
                Some(d)
            }
            "memcmp" | "__builtin_memcmp" => {
                let (a, b, n) = (arg(0)?, arg(1)?, arg(2)?);
                let len = match n {
                    Value::Int(t) => self.terms.as_const(t).map(|x| x as u64),
                    _ => None,
                };
                let one = self.terms.konst(1, 32);
                let zero = self.terms.konst(0, 32);
                match len {
                    Some(len) if len <= 64 => {
                        let (ao, aoff) = self.deref(st, a);
                        let (bo, boff) = self.deref(st, b);
                        let mut all = self.terms.tru();
                        let mut k = 0u64;
                        while k < len {
                            let sz = [8u64, 4, 2, 1].into_iter().find(|s| k + s <= len).unwrap_or(1) as u8;
                            let kt = self.terms.konst(k as u128, 64);
                            let ao2 = self.terms.bin(Op::Add, aoff, kt);
                            let bo2 = self.terms.bin(Op::Add, boff, kt);
                            let an = format!("{}[{k}..{}]", st.mem.get(ao).name, k + sz as u64);
                            let bn = format!("{}[{k}..{}]", st.mem.get(bo).name, k + sz as u64);
                            let ty = Ty::Int { bits: sz as u16 * 8, signed: false };
                            let va = self.read(st, ao, ao2, sz, ty, &an);
                            let vb = self.read(st, bo, bo2, sz, ty, &bn);
                            let ta = self.as_int(st, va);
                            let tb = self.as_int(st, vb);
                            let e = self.terms.eq(ta, tb);
                            all = self.terms.and(all, e);
                            k += sz as u64;
                        }
                        Some(Value::Int(self.terms.ite(all, zero, one)))
                    }
                    _ => Some(Value::Int(self.terms.sym("memcmp()", 32, SymKind::Input))),
                }
            }
            "bpf_map_lookup_elem" => {
                let map = arg(0).map(|m| match m {
                    Value::Ptr { obj, .. } => st.mem.get(obj).name.clone(),
                    _ => "map".into(),
                });
                let n = format!("lookup({})", map.unwrap_or_default());
                let base = self.terms.sym(&n, 64, SymKind::Input);
                let id = st.mem.add(new_object(&n, base, ObjKind::External, false));
                // An array map has every key below max_entries: the lookup
                // fails exactly when the key is out of range.
                if let (Some(m), Some(key)) = (self.map_of(st, args.first()), arg(1)) {
                    if matches!(m.map_type, 2 | 6) && m.max_entries > 0 && matches!(m.key_size, 4 | 8) {
                        let (ko, koff) = self.deref(st, key);
                        let bits = m.key_size as u16 * 8;
                        let kv = self.read(st, ko, koff, m.key_size as u8, Ty::Int { bits, signed: false }, "key");
                        let kt = self.as_int(st, kv);
                        let max = self.terms.konst(m.max_entries as u128, bits as u32);
                        let out = self.terms.bin(Op::Ule, max, kt);
                        let zero = self.terms.konst(0, 64);
                        let null = self.terms.eq(base, zero);
                        let same = self.terms.eq(null, out);
                        st.pc.push(same);
                    }
                }
                Some(Value::Ptr { obj: id, off: self.terms.konst(0, 64) })
            }
            _ => Some(Value::Int(self.terms.sym(&format!("{name}()"), 64, SymKind::Input))),
        }
    }
}

/// A write of constant bytes [lo, hi): drop the constant-offset cells it
/// overlaps and cut it out of the fill and copy ranges.
fn clear_range(terms: &Terms, o: &mut Object, lo: u64, hi: u64) {
    o.cells.retain(|c| terms.as_const(c.off).is_none_or(|ck| {
        let ck = ck as u64;
        !(ck < hi && lo < ck + c.size as u64)
    }));
    trim_ranges(o, lo, hi);
}

/// Remove [lo, hi) from an object's fill and copy ranges, keeping the
/// parts outside it (a later write wins over them).
fn trim_ranges(o: &mut Object, lo: u64, hi: u64) {
    let mut fills = Vec::new();
    for &(s, e, b) in &o.fills {
        if e <= lo || s >= hi {
            fills.push((s, e, b));
            continue;
        }
        if s < lo {
            fills.push((s, lo, b));
        }
        if e > hi {
            fills.push((hi, e, b));
        }
    }
    o.fills = fills;
    let mut copies = Vec::new();
    for c in &o.copies {
        let (s, e) = (c.dst, c.dst + c.len);
        if e <= lo || s >= hi {
            copies.push(c.clone());
            continue;
        }
        if s < lo {
            copies.push(CopyRec { dst: s, len: lo - s, src: c.src, src_off: c.src_off });
        }
        if e > hi {
            copies.push(CopyRec { dst: hi, len: e - hi, src: c.src, src_off: c.src_off + (hi - s) });
        }
    }
    o.copies = copies;
}

/// The worklist: a priority queue on (call depth, reverse post-order
/// index, instruction), smallest first, so that paths meet at join points
/// and merge. Once half a budget is spent it turns into a stack (depth
/// first), so that paths reach the end and a partial interface has cases.
#[derive(Default)]
struct Work {
    heap: std::collections::BinaryHeap<std::cmp::Reverse<((usize, usize, usize), u64)>>,
    items: HashMap<u64, (State, bool)>,
    next: u64,
    stack: Option<Vec<(State, bool, (usize, usize, usize))>>,
}

impl Work {
    fn push(&mut self, s: State, fresh: bool, key: (usize, usize, usize)) {
        if let Some(st) = &mut self.stack {
            st.push((s, fresh, key));
            return;
        }
        let id = self.next;
        self.next += 1;
        self.items.insert(id, (s, fresh));
        self.heap.push(std::cmp::Reverse((key, id)));
    }
    fn pop(&mut self) -> Option<(State, bool, (usize, usize, usize))> {
        if let Some(st) = &mut self.stack {
            return st.pop();
        }
        let std::cmp::Reverse((key, id)) = self.heap.pop()?;
        let (s, f) = self.items.remove(&id)?;
        Some((s, f, key))
    }
    fn peek_key(&self) -> Option<(usize, usize, usize)> {
        match &self.stack {
            Some(st) => st.last().map(|x| x.2),
            None => self.heap.peek().map(|r| r.0 .0),
        }
    }
    /// Switch to depth-first order: the states furthest along go first.
    fn depth_first(&mut self) {
        if self.stack.is_some() {
            return;
        }
        let mut all = Vec::new();
        while let Some(x) = self.pop() {
            all.push(x);
        }
        all.reverse();
        self.stack = Some(all);
    }
}

pub fn new_object(name: &str, base: TermId, kind: ObjKind, secret: bool) -> Object {
    Object { name: name.to_string(), base, kind, cells: vec![], fills: vec![], copies: vec![], generation: 0, poison: vec![], havoc_tag: String::new(), secret, origin: None }
}
