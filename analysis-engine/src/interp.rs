//! A concrete interpreter over the same IR and cost model as the symbolic
//! executor. It runs a function on concrete (random or driver-built)
//! inputs and records what the interface needs to be checked: the path
//! signature it followed, the values of the formula variables (iterations
//! per loop class, trip counts, contract arguments) and the exact metrics.
//! Memory is lazily materialized: a never-written byte reads as a random
//! value (then stays), a never-written pointer as NULL or a fresh object.

use crate::analysis::{FuncTable, FunctionInterface};
use crate::cost::{self, Counts, CostTable, Feature, NEXTRA};
use crate::exec::{mix, token, vars::VarKey};
use crate::ir::*;
use crate::term::{bswap, fold_bin, mask, to_signed, Op};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CVal {
    Int(u128),
    Ptr { obj: usize, off: i64 },
}

const OBJ_SPAN: u64 = 1 << 24;

#[derive(Default, Clone)]
struct CObj {
    bytes: HashMap<i64, u8>,
    ptrs: HashMap<i64, (usize, i64)>,
}

/// Deterministic xorshift generator.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Values that make branches interesting: small numbers, all-ones,
    /// and sometimes anything.
    pub fn value(&mut self, bits: u32) -> u128 {
        let v = match self.next() % 8 {
            0 => 0,
            1 => 1,
            2 | 3 => self.next() % 8,
            4 => self.next() % 64,
            5 => u64::MAX,
            6 => self.next() % 2048,
            _ => self.next(),
        };
        (v as u128) & mask(bits)
    }
}

struct Frame {
    func: Arc<Function>,
    locals: Vec<Option<CVal>>,
    local_obj: Vec<Option<usize>>,
    ret_to: Option<(BlockId, usize, Option<LocalId>)>,
    ctx: u64,
}

struct LoopRun {
    start_counts: Counts,
    frame: usize,
    header: BlockId,
    blocks: Vec<BlockId>,
    iter_sig: u64,
    iterations: u64,
    ctx: u64,
}

#[derive(Debug, Clone)]
pub struct RunResult {
    pub sig: u64,
    pub counts: Counts,
    pub extra: [f64; NEXTRA],
    /// Values of formula variables by key.
    pub iter_counts: HashMap<(u64, usize, u64), u64>,
    pub trips: HashMap<(u64, usize), u64>,
    pub call_args: HashMap<(u64, u32, usize), u128>,
    /// Indirect calls whose target the analysis of the measured function
    /// cannot know (it came from the caller): by the call's expression
    /// text, (instructions spent in the targets, calls). The targets' own
    /// counts are not in `counts`; the instructions are in `extra[0]`, as
    /// the interface's `cost(EXPR)` puts them.
    pub indirect: HashMap<String, (f64, u64)>,
    /// Per completed iteration: (loop context, header, signature, features).
    pub iterations: Vec<(u64, usize, u64, Counts)>,
    /// Calls of functions with neither a body in the table nor a contract
    /// (`strchr` in a workspace without libc's source), by name: the
    /// interface charges each `cost(name)`. Calls inside an opaque callee
    /// are that callee's (`indirect`).
    pub unknown_calls: HashMap<String, u64>,
    /// Instructions of one call of such a function, when the caller knows
    /// them (`price_unknown`: the accuracy harness measures the library
    /// callees); the value of the interface's `cost(name)`. Empty from the
    /// interpreter, which cannot run code it does not have.
    pub unknown_cost: HashMap<String, f64>,
}

impl RunResult {
    /// Give `cost(name)` the instructions of one call of `name`
    /// (`per_call`, e.g. measured): the run's instructions grow by calls ×
    /// price, as the interface's `cost(name)` terms do when evaluated at
    /// `unknown_cost`, so `check_run` and `predict` stay in agreement.
    /// Names without a price keep the value 0 on both sides.
    pub fn price_unknown(&mut self, per_call: &HashMap<String, f64>) {
        for (name, calls) in &self.unknown_calls {
            if let Some(p) = per_call.get(name) {
                self.unknown_cost.insert(name.clone(), *p);
                self.extra[0] += *calls as f64 * p;
            }
        }
    }
}

#[derive(Debug)]
pub enum Abort {
    Steps,
    DivByZero,
    Unsupported(String),
}

/// A call, inside the measured function, through a pointer the analysis
/// cannot resolve: the callee runs (its result is real) but its costs are
/// set apart, as the interface's `cost(EXPR)` PCV sets them apart.
struct OpaqueCall {
    /// `frames.len()` while the callee's frame is the innermost.
    depth: usize,
    expr: String,
    counts: Counts,
    extra: [f64; NEXTRA],
}

pub struct Interp<'a> {
    funcs: &'a FuncTable,
    pub rng: Rng,
    objs: Vec<CObj>,
    globals: HashMap<String, usize>,
    frames: Vec<Frame>,
    loops: Vec<LoopRun>,
    sig: u64,
    counts: Counts,
    extra: [f64; NEXTRA],
    iter_counts: HashMap<(u64, usize, u64), u64>,
    trips: HashMap<(u64, usize), u64>,
    call_args: HashMap<(u64, u32, usize), u128>,
    iterations: Vec<(u64, usize, u64, Counts)>,
    steps: u64,
    pub max_steps: u64,
    pub null_prob: u64,
    last_return: Option<BlockId>,
    /// Measure mode: the function whose single call is measured, and the
    /// result captured when it returns.
    measured: Option<String>,
    measured_depth: usize,
    captured: Option<RunResult>,
    saved_loops: Vec<LoopRun>,
    /// Functions whose address the measured function's code (or a global
    /// initializer it reads) names: the analysis can resolve calls to them.
    known_targets: Option<std::collections::HashSet<String>>,
    /// The call in progress through an unknown pointer (see `indirect`).
    opaque: Option<OpaqueCall>,
    indirect: HashMap<String, (f64, u64)>,
    unknown_calls: HashMap<String, u64>,
    /// Converts an opaque callee's counts into instructions.
    table: crate::cost::CostTable,
    /// Never-written memory reads as zero (C static storage), not random.
    pub zero_memory: bool,
    writes: Option<std::rc::Rc<crate::globals::Writes>>,
    /// Machine-code costs (the same plan the explorer consults).
    pub machine: Option<crate::machine::Plan>,
}

impl<'a> Interp<'a> {
    /// Run `driver` (e.g. a scenario function with no parameters), which
    /// calls `measured` once; returns the measurement of that call alone,
    /// with its signature and variables as if it were analyzed on its own.
    pub fn run_measured(&mut self, driver: &Arc<Function>, measured: &str) -> Result<RunResult, Abort> {
        self.measured = Some(measured.to_string());
        self.zero_memory = true;
        self.max_steps = 50_000_000;
        let _ = self.run(driver, vec![])?;
        self.captured.take().ok_or_else(|| Abort::Unsupported(format!("the driver did not call `{measured}`")))
    }

    pub fn new(funcs: &'a FuncTable, seed: u64) -> Interp<'a> {
        Interp {
            funcs,
            rng: Rng(seed | 1),
            objs: vec![],
            globals: HashMap::new(),
            frames: vec![],
            loops: vec![],
            sig: 0,
            counts: Counts::default(),
            extra: [0.0; NEXTRA],
            iter_counts: HashMap::new(),
            trips: HashMap::new(),
            call_args: HashMap::new(),
            iterations: Vec::new(),
            steps: 0,
            max_steps: 200_000,
            null_prob: 35,
            last_return: None,
            measured: None,
            measured_depth: 0,
            captured: None,
            saved_loops: vec![],
            known_targets: None,
            opaque: None,
            indirect: HashMap::new(),
            unknown_calls: HashMap::new(),
            table: cost::default_table(),
            zero_memory: false,
            writes: None,
            machine: None,
        }
    }

    fn plan(&self, f: &Function) -> Option<std::rc::Rc<crate::machine::FnPlan>> {
        self.machine.as_ref()?.get(f)
    }

    fn add_machine(&mut self, m: &crate::machine::Metrics) {
        for (x, v) in self.extra.iter_mut().zip(m.0.iter()) {
            *x += v;
        }
    }

    /// As `Explorer::extern_call_counts`.
    fn extern_call(&mut self) {
        let f = self.frames[self.frames.len() - 1].func.clone();
        if self.plan(&f).is_none() {
            self.counts.add(Feature::ExternCall, 1.0);
        }
    }

    fn new_obj(&mut self) -> usize {
        self.objs.push(CObj::default());
        self.objs.len() - 1
    }

    fn addr(&self, v: CVal) -> u128 {
        match v {
            CVal::Int(x) => x,
            CVal::Ptr { obj, off } => ((obj as u64 + 1) * OBJ_SPAN) as u128 + off as i128 as u128 & mask(64),
        }
    }

    fn as_ptr(&mut self, v: CVal) -> (usize, i64) {
        match v {
            CVal::Ptr { obj, off } => (obj, off),
            CVal::Int(a) => {
                let a = a as u64;
                let idx = (a / OBJ_SPAN) as usize;
                if idx >= 1 && idx <= self.objs.len() {
                    (idx - 1, (a % OBJ_SPAN) as i64)
                } else {
                    let o = self.new_obj();
                    (o, 0)
                }
            }
        }
    }

    /// Run `f` with random inputs.
    pub fn run_random(&mut self, f: &Arc<Function>) -> Result<RunResult, Abort> {
        let mut args = Vec::new();
        for &p in &f.params {
            let l = &f.locals[p];
            args.push(if l.ty == Ty::Ptr && !l.in_memory {
                let o = self.new_obj();
                CVal::Ptr { obj: o, off: 0 }
            } else {
                CVal::Int(self.rng.value(l.ty.bits().max(8)))
            });
        }
        self.run(f, args)
    }

    pub fn run(&mut self, f: &Arc<Function>, args: Vec<CVal>) -> Result<RunResult, Abort> {
        self.enter(f.clone(), args, None, 0);
        if let Some(p) = self.plan(f) {
            self.add_machine(&p.entry);
        }
        let mut block = f.entry;
        let mut inst = 0usize;
        let mut prev: Option<BlockId> = None;
        loop {
            self.steps += 1;
            if self.steps > self.max_steps {
                return Err(Abort::Steps);
            }
            let func = self.frames[self.frames.len() - 1].func.clone();
            if inst == 0 {
                // Loop bookkeeping at block entry, as the explorer does.
                self.loop_events(&func, block, prev)?;
                match self.plan(&func) {
                    Some(p) => self.add_machine(&p.blocks[block]),
                    None => self.counts.plus(&cost::block_counts(&func.blocks[block])),
                }
            }
            let b = &func.blocks[block];
            let mut called = false;
            while inst < b.insts.len() {
                let i = &b.insts[inst];
                inst += 1;
                if let InstKind::Call { dst, callee, args, target } = &i.kind {
                    let mut callee: &String = callee;
                    let resolved: String;
                    let mut opaque = false;
                    if let Some(t) = target {
                        let tv = self.eval(t)?;
                        match self.function_of(tv) {
                            Some(name) => {
                                opaque = self.opaque.is_none() && self.measuring() && self.known_targets.as_ref().is_some_and(|k| !k.contains(&name));
                                resolved = name;
                                callee = &resolved;
                            }
                            None => {
                                for a in args {
                                    self.eval(a)?;
                                }
                                // Unknown target: cost(EXPR), a PCV (0 here).
                                self.extern_call();
                                if let Some(d) = dst {
                                    let v = CVal::Int(self.rng.value(64));
                                    self.set_local(*d, v);
                                }
                                continue;
                            }
                        }
                    }
                    let vals: Vec<CVal> = args.iter().map(|a| self.eval(a)).collect::<Result<_, _>>()?;
                    if callee == "__builtin_unreachable" {
                        return Err(Abort::Unsupported("reached __builtin_unreachable (undefined behaviour)".into()));
                    }
                    if let Some(cf) = self.inlinable(callee) {
                        let mut ctx = token::call_ctx(self.frames[self.frames.len() - 1].ctx, &cf.name, i.span.start_byte);
                        if self.measured.as_deref() == Some(callee.as_str()) && self.captured.is_none() && self.measured_depth == 0 {
                            // Start measuring: a fresh path as if `callee` were the analyzed function.
                            self.measured_depth = self.frames.len() + 1;
                            self.sig = 0;
                            self.counts = Counts::default();
                            self.extra = [0.0; NEXTRA];
                            self.iter_counts.clear();
                            self.trips.clear();
                            self.call_args.clear();
                            ctx = 0;
                            self.saved_loops = std::mem::take(&mut self.loops);
                            self.indirect.clear();
                            self.unknown_calls.clear();
                            self.known_targets = Some(self.targets_named_by(&cf));
                            if let Some(p) = self.plan(&cf) {
                                self.add_machine(&p.entry);
                            }
                        } else if opaque {
                            // The explorer's `unknown_indirect`: an extern call.
                            self.extern_call();
                            let expr = match &i.kind {
                                InstKind::Call { callee, .. } => callee.clone(),
                                _ => String::new(),
                            };
                            self.opaque = Some(OpaqueCall { depth: self.frames.len() + 1, expr, counts: self.counts, extra: self.extra });
                        } else if let Some(p) = self.plan(&cf) {
                            self.add_machine(&p.entry);
                        } else {
                            self.counts.add(Feature::Call, 1.0);
                        }
                        self.enter(cf.clone(), vals, Some((block, inst, *dst)), ctx);
                        block = cf.entry;
                        inst = 0;
                        prev = None;
                        called = true;
                        break;
                    }
                    // As the explorer: a call the compiler expanded in place
                    // costs what the line's machine code says.
                    let expanded = crate::contracts::builtin_for(callee, None).is_some() && self.plan(&func).is_some_and(|p| !p.calls_on(i.span.start_line));
                    let before = expanded.then(|| (self.counts, self.extra));
                    let r = match bit_builtin(callee, &vals, args.first().map(|a| a.ty(&func.locals).bits())) {
                        // Its cost is the contract's; its value is computed
                        // (a bit search's result bounds loops: `int_sqrt`'s
                        // `1UL << (__fls(x) & ~1)`), never a random number.
                        Some(v) => {
                            let _ = self.external(callee, &vals, i.span.start_byte)?;
                            Some(v)
                        }
                        None => self.external(callee, &vals, i.span.start_byte)?,
                    };
                    if let Some((c, x)) = before {
                        self.counts = c;
                        self.extra = x;
                    }
                    if let (Some(d), Some(v)) = (dst, r) {
                        self.set_local(*d, v);
                    }
                    continue;
                }
                self.exec(i)?;
            }
            if called {
                continue;
            }
            let ctx = self.frames[self.frames.len() - 1].ctx;
            match &b.term {
                Terminator::Goto(t) => {
                    prev = Some(block);
                    block = *t;
                    inst = 0;
                }
                Terminator::Unreachable => return Err(Abort::Unsupported("unreachable block".into())),
                Terminator::Branch { cond, then_bb, else_bb } => {
                    let c = self.eval_cond(cond)?;
                    let (taken, target) = if c { (1, *then_bb) } else { (0, *else_bb) };
                    self.token(token::branch(ctx, block, taken), &func, block, target);
                    prev = Some(block);
                    block = target;
                    inst = 0;
                }
                Terminator::Switch { value, cases, default } => {
                    let v = self.eval(value)?;
                    let w = value.ty(&func.locals).bits().max(8);
                    let x = self.addr(v) & mask(w);
                    let mut target = *default;
                    let mut tok = 1u64;
                    for (k, (val, t)) in cases.iter().enumerate() {
                        if (*val as u128) & mask(w) == x {
                            target = *t;
                            tok = k as u64 + 2;
                            break;
                        }
                    }
                    self.token(token::branch(ctx, block, tok), &func, block, target);
                    prev = Some(block);
                    block = target;
                    inst = 0;
                }
                Terminator::Return(v) => {
                    let val = match v {
                        Some(e) => Some(self.eval(e)?),
                        None => None,
                    };
                    self.last_return = Some(block);
                    let depth = self.frames.len() - 1;
                    // A return inside summarized loops of this frame ends them.
                    while self.loops.last().is_some_and(|l| l.frame == depth) {
                        let l = self.loops.pop().unwrap_or_else(|| unreachable!());
                        self.end_loop(l, block, usize::MAX);
                    }
                    if self.opaque.as_ref().is_some_and(|o| o.depth == self.frames.len()) {
                        self.end_opaque();
                    }
                    if self.measured_depth != 0 && self.frames.len() == self.measured_depth {
                        self.measured_depth = usize::MAX;
                        let mut counts = self.counts;
                        if self.plan(&func).is_none() {
                            counts.plus(&cost::exit_counts(&func));
                        }
                        self.captured = Some(RunResult {
                            sig: self.sig,
                            counts,
                            extra: self.extra,
                            iter_counts: std::mem::take(&mut self.iter_counts),
                            trips: std::mem::take(&mut self.trips),
                            call_args: std::mem::take(&mut self.call_args),
                            indirect: std::mem::take(&mut self.indirect),
                            iterations: std::mem::take(&mut self.iterations),
                            unknown_calls: std::mem::take(&mut self.unknown_calls),
                            unknown_cost: HashMap::new(),
                        });
                        self.loops = std::mem::take(&mut self.saved_loops);
                    }
                    let fr = self.frames.pop().unwrap_or_else(|| unreachable!());
                    match fr.ret_to {
                        None => {
                            if self.plan(&fr.func).is_none() {
                                self.counts.plus(&cost::exit_counts(&fr.func));
                            }
                            return Ok(RunResult {
                                sig: self.sig,
                                counts: self.counts,
                                extra: self.extra,
                                iter_counts: std::mem::take(&mut self.iter_counts),
                                trips: std::mem::take(&mut self.trips),
                                call_args: std::mem::take(&mut self.call_args),
                                indirect: std::mem::take(&mut self.indirect),
                                iterations: std::mem::take(&mut self.iterations),
                                unknown_calls: std::mem::take(&mut self.unknown_calls),
                                unknown_cost: HashMap::new(),
                            });
                        }
                        Some((b2, i2, dst)) => {
                            if let (Some(d), Some(v)) = (dst, val) {
                                let v = match (v, self.frames[self.frames.len() - 1].func.locals.get(d).map(|l| l.ty)) {
                                    (CVal::Int(x), Some(Ty::Int { bits, signed })) => CVal::Int(resize(x, ret_width(&fr.func), bits as u32, signed)),
                                    (v, _) => v,
                                };
                                self.set_local(d, v);
                            }
                            block = b2;
                            inst = i2;
                            prev = None;
                        }
                    }
                }
            }
        }
    }

    /// The function a pointer value designates, as the explorer decides it
    /// (`Explorer::function_of`): a global object at offset 0, or an eBPF
    /// helper number.
    fn function_of(&self, v: CVal) -> Option<String> {
        match v {
            CVal::Ptr { obj, off: 0 } => self.globals.iter().find(|(_, o)| **o == obj).map(|(n, _)| n.clone()),
            CVal::Int(k) => crate::contracts::bpf_helper(k as u64).map(str::to_string),
            _ => None,
        }
    }

    fn map_of(&self, v: Option<&CVal>) -> Option<crate::ir::MapInfo> {
        let Some(CVal::Ptr { obj, .. }) = v else { return None };
        let name = self.globals.iter().find(|(_, o)| **o == *obj).map(|(n, _)| n.clone())?;
        self.frames.iter().rev().find_map(|fr| fr.func.maps.get(&name).cloned())
    }

    fn inlinable(&self, callee: &str) -> Option<Arc<Function>> {
        let f = self.funcs.get(callee)?;
        if self.frames.len() >= 24 || self.frames.iter().any(|fr| fr.func.name == callee) {
            return None;
        }
        Some(f.clone())
    }

    fn enter(&mut self, f: Arc<Function>, args: Vec<CVal>, ret_to: Option<(BlockId, usize, Option<LocalId>)>, ctx: u64) {
        let n = f.locals.len();
        let mut fr = Frame { func: f.clone(), locals: vec![None; n], local_obj: vec![None; n], ret_to, ctx };
        let mut to_store = Vec::new();
        for (k, &p) in f.params.iter().enumerate() {
            let v = args.get(k).copied().unwrap_or(CVal::Int(0));
            fr.locals[p] = Some(v);
            if f.locals[p].in_memory {
                to_store.push((p, v, f.locals[p].size.min(8) as u8));
            }
        }
        self.frames.push(fr);
        for (p, v, size) in to_store {
            let o = self.new_obj();
            let d = self.frames.len() - 1;
            self.frames[d].local_obj[p] = Some(o);
            self.write(o, 0, size, v);
        }
    }

    /// Inside the measured call (not before it, not after it returned).
    fn measuring(&self) -> bool {
        self.measured_depth != 0 && self.measured_depth != usize::MAX && self.frames.len() >= self.measured_depth
    }

    /// Functions whose address appears in `f` or in the functions it calls
    /// directly (transitively), or in the initializers of the globals they
    /// read: the targets the analysis of `f` can resolve
    /// (`Explorer::function_of` sees only addresses its own path made).
    fn targets_named_by(&self, f: &Arc<Function>) -> std::collections::HashSet<String> {
        let mut named = std::collections::HashSet::new();
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![f.clone()];
        while let Some(g) = todo.pop() {
            if !seen.insert(g.name.clone()) {
                continue;
            }
            g.each_expr(&mut |e| {
                if let Expr::AddrGlobal(n) = e {
                    named.insert(n.clone());
                }
            });
            for init in g.globals.values() {
                for c in &init.cells {
                    if let crate::initializers::InitValue::Addr { global, .. } = &c.value {
                        named.insert(global.clone());
                    }
                }
            }
            for b in &g.blocks {
                for i in &b.insts {
                    if let InstKind::Call { callee, target: None, .. } = &i.kind {
                        if let Some(h) = self.funcs.get(callee) {
                            todo.push(h.clone());
                        }
                    }
                }
            }
        }
        named
    }

    /// The opaque callee returned: its costs become instructions of
    /// `cost(EXPR)`, its counts leave the measured function's.
    fn end_opaque(&mut self) {
        let Some(o) = self.opaque.take() else { return };
        let mut delta = self.counts;
        for (x, y) in delta.0.iter_mut().zip(o.counts.0.iter()) {
            *x -= y;
        }
        // A function of its own: its body, its entry and return, what its
        // extern calls cost.
        let instr = self.table.metrics(&delta)[0] + self.table.entry[0] + (self.extra[0] - o.extra[0]);
        self.counts = o.counts;
        self.extra = o.extra;
        self.extra[0] += instr;
        let e = self.indirect.entry(o.expr).or_insert((0.0, 0));
        e.0 += instr;
        e.1 += 1;
    }

    /// Mix a decision into the innermost running loop's iteration, or the path.
    fn token(&mut self, tok: u64, _f: &Function, _from: BlockId, _to: BlockId) {
        if self.opaque.is_some() {
            // Decisions inside a callee the analysis cannot see.
            return;
        }
        match self.loops.last_mut() {
            Some(l) => l.iter_sig = mix(l.iter_sig, tok),
            None => self.sig = mix(self.sig, tok),
        }
    }

    fn loop_events(&mut self, f: &Arc<Function>, block: BlockId, prev: Option<BlockId>) -> Result<(), Abort> {
        if self.opaque.as_ref().is_some_and(|o| self.frames.len() >= o.depth) {
            // Loops of a callee the analysis cannot see are not its PCVs.
            return Ok(());
        }
        let depth = self.frames.len() - 1;
        // Leaving or looping in the loops of this frame.
        while let Some(l) = self.loops.last() {
            if l.frame != depth {
                break;
            }
            if block == l.header && prev.is_some_and(|p| l.blocks.binary_search(&p).is_ok()) {
                let ctx = l.ctx;
                let key = (ctx, l.header, l.iter_sig);
                *self.iter_counts.entry(key).or_insert(0) += 1;
                let mut c = self.counts;
                for (x, y) in c.0.iter_mut().zip(l.start_counts.0.iter()) {
                    *x -= y;
                }
                self.iterations.push((ctx, l.header, l.iter_sig, c));
                let now = self.counts;
                if let Some(l) = self.loops.last_mut() {
                    l.iterations += 1;
                    l.iter_sig = 0;
                    l.start_counts = now;
                }
                return Ok(());
            }
            if l.blocks.binary_search(&block).is_err() {
                let l = self.loops.pop().unwrap_or_else(|| unreachable!());
                self.end_loop(l, prev.unwrap_or(usize::MAX), block);
                continue;
            }
            break;
        }
        // Entering a loop from outside.
        let Some(li) = f.loop_of_header.get(block).copied().flatten() else { return Ok(()) };
        let lp = &f.loops[li];
        if prev.is_some_and(|p| lp.contains(p)) {
            return Ok(());
        }
        let ctx = self.frames[depth].ctx;
        if let Some((cond, then_stays)) = crate::exec::summarize::simple_header(f, lp) {
            // First test on the state before the loop: evaluate the header
            // (it has only assignments), and if the loop is skipped, the
            // ordinary branch handling records it.
            let saved: Vec<Option<CVal>> = self.frames[depth].locals.clone();
            for i in &f.blocks[block].insts {
                self.exec(i)?;
            }
            let c = self.eval_cond(&cond)?;
            self.frames[depth].locals = saved;
            let enters = c == then_stays;
            if !enters {
                return Ok(());
            }
            let taken = if then_stays { 1 } else { 0 };
            self.loops.push(LoopRun { start_counts: self.counts, frame: depth, header: block, blocks: lp.blocks.clone(), iter_sig: 0, iterations: 0, ctx });
            // The header's own branch token belongs to the first iteration;
            // it is mixed when the terminator runs (loop is now innermost).
            let _ = taken;
        } else {
            self.loops.push(LoopRun { start_counts: self.counts, frame: depth, header: block, blocks: lp.blocks.clone(), iter_sig: 0, iterations: 0, ctx });
        }
        Ok(())
    }

    fn end_loop(&mut self, l: LoopRun, from: BlockId, to: BlockId) {
        let tok = token::loop_exit(l.ctx, l.header, from, to);
        self.trips.insert((l.ctx, l.header), l.iterations);
        match self.loops.last_mut() {
            Some(outer) => outer.iter_sig = mix(mix(outer.iter_sig, tok), l.iter_sig),
            None => self.sig = mix(mix(self.sig, tok), l.iter_sig),
        }
    }

    fn frame(&self) -> &Frame {
        &self.frames[self.frames.len() - 1]
    }

    fn set_local(&mut self, l: LocalId, v: CVal) {
        let d = self.frames.len() - 1;
        if let Some(o) = self.frames[d].local_obj.get(l).copied().flatten() {
            let size = self.frames[d].func.locals[l].size.min(8) as u8;
            self.write(o, 0, size, v);
        }
        if let Some(s) = self.frames[d].locals.get_mut(l) {
            *s = Some(v);
        }
    }

    fn local_value(&mut self, l: LocalId) -> CVal {
        let fr = self.frame();
        if let Some(o) = fr.local_obj.get(l).copied().flatten() {
            let local = &fr.func.locals[l];
            if local.size <= 8 && local.ty != Ty::Void {
                let (size, ty) = (local.size as u8, local.ty);
                return self.read(o, 0, size.max(1), ty);
            }
            return CVal::Ptr { obj: o, off: 0 };
        }
        if let Some(Some(v)) = fr.locals.get(l) {
            return *v;
        }
        let bits = fr.func.locals[l].ty.bits().max(8);
        CVal::Int(self.rng.value(bits))
    }

    fn local_object(&mut self, l: LocalId) -> usize {
        let d = self.frames.len() - 1;
        if let Some(o) = self.frames[d].local_obj.get(l).copied().flatten() {
            return o;
        }
        let o = self.new_obj();
        let cur = self.frames[d].locals.get(l).copied().flatten();
        let size = self.frames[d].func.locals[l].size.min(8) as u8;
        self.frames[d].local_obj[l] = Some(o);
        if let Some(v) = cur {
            self.write(o, 0, size, v);
        }
        o
    }

    fn read(&mut self, obj: usize, off: i64, size: u8, ty: Ty) -> CVal {
        if ty == Ty::Ptr && size == 8 {
            if let Some((o, f)) = self.objs[obj].ptrs.get(&off).copied() {
                return CVal::Ptr { obj: o, off: f };
            }
            let known = (0..8).any(|k| self.objs[obj].bytes.contains_key(&(off + k)));
            if !known {
                // A never-written pointer: NULL or a fresh object.
                let v = if self.zero_memory || self.rng.next() % 100 < self.null_prob || self.objs.len() > 400 {
                    CVal::Int(0)
                } else {
                    let o = self.new_obj();
                    CVal::Ptr { obj: o, off: 0 }
                };
                self.write(obj, off, 8, v);
                return v;
            }
        }
        let mut v: u128 = 0;
        let mut fresh = None;
        for k in (0..size as i64).rev() {
            let b = match self.objs[obj].bytes.get(&(off + k)) {
                Some(b) => *b,
                None => {
                    let zero = self.zero_memory;
                    let whole = *fresh.get_or_insert_with(|| if zero { 0 } else { self.rng.value(size as u32 * 8) });
                    let b = ((whole >> (8 * k)) & 0xff) as u8;
                    self.objs[obj].bytes.insert(off + k, b);
                    b
                }
            };
            v = (v << 8) | b as u128;
        }
        match ty {
            Ty::Int { bits, signed } => CVal::Int(resize(v, size as u32 * 8, bits as u32, signed)),
            _ => CVal::Int(v),
        }
    }

    /// The object of global `name`, created on first use from its
    /// initializer: every cell when running a whole program from its start
    /// (`zero_memory`), else the cells no code writes, as the executor does.
    fn global(&mut self, name: &str) -> usize {
        if let Some(o) = self.globals.get(name) {
            return *o;
        }
        let o = self.new_obj();
        self.globals.insert(name.to_string(), o);
        let func = self.frames[self.frames.len() - 1].func.clone();
        let Some(init) = crate::globals::find_init(self.funcs, &func, name) else { return o };
        let cells: Vec<crate::initializers::InitCell> = if self.zero_memory {
            init.cells.clone()
        } else {
            let writes = self.writes.get_or_insert_with(|| std::rc::Rc::new(crate::globals::Writes::of(self.funcs))).clone();
            writes.constant_cells(name, init).into_iter().cloned().collect()
        };
        for c in cells {
            let v = match &c.value {
                crate::initializers::InitValue::Int(v) => CVal::Int(*v as u128 & mask(c.size as u32 * 8)),
                crate::initializers::InitValue::Addr { global, off } => CVal::Ptr { obj: self.global(global), off: *off },
            };
            self.write(o, c.off as i64, c.size, v);
        }
        o
    }

    fn write(&mut self, obj: usize, off: i64, size: u8, v: CVal) {
        for k in 0..size as i64 {
            self.objs[obj].ptrs.remove(&(off + k));
        }
        // A pointer overlapping the written bytes is gone.
        let stale: Vec<i64> = self.objs[obj].ptrs.keys().copied().filter(|p| *p < off + size as i64 && off < p + 8).collect();
        for p in stale {
            self.objs[obj].ptrs.remove(&p);
        }
        let x = match v {
            CVal::Ptr { obj: o, off: f } if size == 8 => {
                self.objs[obj].ptrs.insert(off, (o, f));
                self.addr(v)
            }
            other => self.addr(other),
        };
        for k in 0..size as i64 {
            self.objs[obj].bytes.insert(off + k, ((x >> (8 * k)) & 0xff) as u8);
        }
    }

    fn exec(&mut self, i: &Inst) -> Result<(), Abort> {
        match &i.kind {
            InstKind::Set { local, value } => {
                let v = self.eval(value)?;
                self.set_local(*local, v);
            }
            InstKind::Store { addr, value, size, .. } => {
                let a = self.eval(addr)?;
                let v = self.eval(value)?;
                let (o, off) = self.as_ptr(a);
                self.write(o, off, *size, v);
            }
            InstKind::Copy { dst, src, size } => {
                let d = self.eval(dst)?;
                let s = self.eval(src)?;
                let (dobj, doff) = self.as_ptr(d);
                let (sobj, soff) = self.as_ptr(s);
                self.copy(dobj, doff, sobj, soff, *size);
            }
            InstKind::Call { .. } => {}
        }
        Ok(())
    }

    fn copy(&mut self, dobj: usize, doff: i64, sobj: usize, soff: i64, len: u64) {
        let mut k = 0i64;
        while (k as u64) < len {
            if let Some((o, f)) = self.objs[sobj].ptrs.get(&(soff + k)).copied() {
                self.write(dobj, doff + k, 8, CVal::Ptr { obj: o, off: f });
                k += 8;
                continue;
            }
            let b = match self.read(sobj, soff + k, 1, Ty::Int { bits: 8, signed: false }) {
                CVal::Int(x) => x,
                _ => 0,
            };
            self.write(dobj, doff + k, 1, CVal::Int(b));
            k += 1;
        }
    }

    fn external(&mut self, name: &str, args: &[CVal], site: u32) -> Result<Option<CVal>, Abort> {
        let ctx = self.frame().ctx;
        let map = if name.starts_with("bpf_") { self.map_of(args.first()) } else { None };
        match crate::contracts::builtin_for(name, map.as_ref()) {
            Some(c) => {
                self.counts.plus(&c.fixed);
                if let Some((_, crate::contracts::CallbackTimes::Arg(a))) = c.callback {
                    let n = args.get(a).map(|v| self.addr(*v)).unwrap_or(0);
                    self.call_args.insert((ctx, site, a), n);
                }
                for (argi, feats) in c.per_unit {
                    let n = args.get(argi).map(|v| self.addr(*v)).unwrap_or(0);
                    self.call_args.insert((ctx, site, argi), n);
                    for (f, per) in feats {
                        self.counts.add(*f, per * (n as u64) as f64);
                    }
                }
                let arg = |i: usize| args.get(i).copied().unwrap_or(CVal::Int(0));
                Ok(match name {
                    "memset" | "__builtin_memset" => {
                        let (o, off) = self.as_ptr(arg(0));
                        let byte = self.addr(arg(1)) & 0xff;
                        let n = self.addr(arg(2)) as u64;
                        for k in 0..n.min(1 << 20) as i64 {
                            self.write(o, off + k, 1, CVal::Int(byte));
                        }
                        Some(arg(0))
                    }
                    "memcpy" | "memmove" | "__builtin_memcpy" => {
                        let (d, doff) = self.as_ptr(arg(0));
                        let (s, soff) = self.as_ptr(arg(1));
                        let n = self.addr(arg(2)) as u64;
                        self.copy(d, doff, s, soff, n.min(1 << 20));
                        Some(arg(0))
                    }
                    "memcmp" | "__builtin_memcmp" => {
                        let (a, aoff) = self.as_ptr(arg(0));
                        let (b, boff) = self.as_ptr(arg(1));
                        let n = self.addr(arg(2)) as i64;
                        let mut eq = true;
                        for k in 0..n.min(1 << 20) {
                            let x = self.read(a, aoff + k, 1, Ty::Int { bits: 8, signed: false });
                            let y = self.read(b, boff + k, 1, Ty::Int { bits: 8, signed: false });
                            if x != y {
                                eq = false;
                            }
                        }
                        Some(CVal::Int(if eq { 0 } else { 1 }))
                    }
                    "bpf_map_lookup_elem" if map.as_ref().is_some_and(|m| matches!(m.map_type, 2 | 6) && m.max_entries > 0 && matches!(m.key_size, 4 | 8)) => {
                        // Array maps: NULL exactly for a key out of range (as the explorer).
                        let m = map.clone().unwrap_or_default();
                        let (ko, koff) = self.as_ptr(arg(1));
                        let k = self.read(ko, koff, m.key_size as u8, Ty::Int { bits: m.key_size as u16 * 8, signed: false });
                        Some(if (self.addr(k) as u64) >= m.max_entries {
                            CVal::Int(0)
                        } else {
                            let o = self.new_obj();
                            CVal::Ptr { obj: o, off: 0 }
                        })
                    }
                    "bpf_map_lookup_elem" => Some(if self.rng.next() % 2 == 0 {
                        CVal::Int(0)
                    } else {
                        let o = self.new_obj();
                        CVal::Ptr { obj: o, off: 0 }
                    }),
                    _ => Some(CVal::Int(self.rng.value(64))),
                })
            }
            None => {
                self.extern_call();
                if self.opaque.is_none() {
                    *self.unknown_calls.entry(name.to_string()).or_default() += 1;
                }
                // Its cost is the interface's `cost(name)`; its value, for the
                // C library's string functions, what the library returns, so
                // the run follows the path the compiled code follows.
                match self.libc_value(name, args) {
                    Some(v) => Ok(Some(v)),
                    None => Ok(Some(CVal::Int(self.rng.value(64)))),
                }
            }
        }
    }

    fn byte_at(&mut self, obj: usize, off: i64) -> u8 {
        let v = self.read(obj, off, 1, Ty::Int { bits: 8, signed: false });
        (self.addr(v) & 0xff) as u8
    }

    /// The result of a C library string function (ISO C semantics), or
    /// `None` for other functions. Scans stop at 1 MiB.
    fn libc_value(&mut self, name: &str, args: &[CVal]) -> Option<CVal> {
        const LIMIT: i64 = 1 << 20;
        let arg = |i: usize| args.get(i).copied().unwrap_or(CVal::Int(0));
        let int = |x: i64| CVal::Int(x as u64 as u128);
        match name {
            "strlen" | "strnlen" => {
                let (o, off) = self.as_ptr(arg(0));
                let max = if name == "strnlen" { (self.addr(arg(1)) as u64).min(LIMIT as u64) as i64 } else { LIMIT };
                let n = (0..max).find(|k| self.byte_at(o, off + k) == 0).unwrap_or(max);
                Some(int(n))
            }
            "strchr" | "strrchr" => {
                let (o, off) = self.as_ptr(arg(0));
                let c = (self.addr(arg(1)) & 0xff) as u8;
                let mut found = None;
                for k in 0..LIMIT {
                    let b = self.byte_at(o, off + k);
                    if b == c {
                        found = Some(k);
                        if name == "strchr" {
                            break;
                        }
                    }
                    if b == 0 {
                        break;
                    }
                }
                Some(match found {
                    Some(k) => CVal::Ptr { obj: o, off: off + k },
                    None => CVal::Int(0),
                })
            }
            "memchr" => {
                let (o, off) = self.as_ptr(arg(0));
                let c = (self.addr(arg(1)) & 0xff) as u8;
                let n = (self.addr(arg(2)) as u64).min(LIMIT as u64) as i64;
                Some(match (0..n).find(|k| self.byte_at(o, off + k) == c) {
                    Some(k) => CVal::Ptr { obj: o, off: off + k },
                    None => CVal::Int(0),
                })
            }
            "strcmp" | "strncmp" => {
                let (a, aoff) = self.as_ptr(arg(0));
                let (b, boff) = self.as_ptr(arg(1));
                let n = if name == "strncmp" { (self.addr(arg(2)) as u64).min(LIMIT as u64) as i64 } else { LIMIT };
                let mut r = 0i64;
                for k in 0..n {
                    let (x, y) = (self.byte_at(a, aoff + k), self.byte_at(b, boff + k));
                    if x != y || x == 0 {
                        r = x as i64 - y as i64;
                        break;
                    }
                }
                Some(CVal::Int((r as i32 as u32) as u128))
            }
            _ => None,
        }
    }

    fn eval_cond(&mut self, e: &Expr) -> Result<bool, Abort> {
        match e {
            Expr::Bin { op, a, b, signed, .. } if op.is_compare() => {
                let va = self.eval(a)?;
                let vb = self.eval(b)?;
                let (x, y, w) = match (va, vb) {
                    (CVal::Ptr { obj: o1, off: f1 }, CVal::Ptr { obj: o2, off: f2 }) if o1 == o2 => (f1 as u128 & mask(64), f2 as u128 & mask(64), 64),
                    _ => {
                        let wa = self.width_of(a);
                        let wb = self.width_of(b);
                        let w = wa.max(wb);
                        (resize(self.addr(va), wa, w, *signed), resize(self.addr(vb), wb, w, *signed), w)
                    }
                };
                let r = |op: Op, p: u128, q: u128| fold_bin(op, p, q, w).unwrap_or(0) != 0;
                let (lt, le) = if *signed { (Op::Slt, Op::Sle) } else { (Op::Ult, Op::Ule) };
                Ok(match op {
                    BinOp::Eq => x == y,
                    BinOp::Ne => x != y,
                    BinOp::Lt => r(lt, x, y),
                    BinOp::Le => r(le, x, y),
                    BinOp::Gt => r(lt, y, x),
                    _ => r(le, y, x),
                })
            }
            Expr::Un { op: UnOp::LNot, a, .. } => Ok(!self.eval_cond(a)?),
            _ => {
                let v = self.eval(e)?;
                Ok(self.addr(v) & mask(self.width_of(e)) != 0)
            }
        }
    }

    fn width_of(&self, e: &Expr) -> u32 {
        match e {
            Expr::Load { ty, size, .. } => match ty {
                Ty::Int { bits, .. } => *bits as u32,
                _ => (*size as u32 * 8).max(8),
            },
            Expr::Local(l) => self.frame().func.locals.get(*l).map(|x| x.ty.bits().max(8)).unwrap_or(64),
            Expr::Const { ty, .. } => ty.bits().max(8),
            other => other.ty(&self.frame().func.locals).bits().max(8),
        }
    }

    pub fn eval(&mut self, e: &Expr) -> Result<CVal, Abort> {
        Ok(match e {
            Expr::Const { value, ty } => CVal::Int((*value as u128) & mask(ty.bits().max(8))),
            Expr::Local(l) => self.local_value(*l),
            Expr::AddrLocal(l) => CVal::Ptr { obj: self.local_object(*l), off: 0 },
            Expr::AddrGlobal(name) => CVal::Ptr { obj: self.global(name), off: 0 },
            Expr::Load { addr, ty, size, .. } => {
                let a = self.eval(addr)?;
                let (o, off) = self.as_ptr(a);
                self.read(o, off, *size, *ty)
            }
            Expr::PtrAdd { base, offset } => {
                let b = self.eval(base)?;
                let ow = self.width_of(offset);
                let o = self.eval(offset)?;
                let d = to_signed(resize(self.addr(o), ow, 64, true), 64) as i64;
                let (obj, off) = self.as_ptr(b);
                CVal::Ptr { obj, off: off.wrapping_add(d) }
            }
            Expr::Cast { a, to } => {
                let from = a.ty(&self.frame().func.locals);
                let fw = self.width_of(a);
                let v = self.eval(a)?;
                match to {
                    Ty::Int { bits, .. } => CVal::Int(resize(self.addr(v), if matches!(v, CVal::Ptr { .. }) { 64 } else { fw }, *bits as u32, from.signed())),
                    _ => v,
                }
            }
            Expr::Un { op, a, ty } => {
                let w = ty.bits().max(8);
                match op {
                    UnOp::LNot => CVal::Int(!self.eval_cond(a)? as u128),
                    _ => {
                        let aw = self.width_of(a);
                        let v = self.eval(a)?;
                        let x = resize(self.addr(v), aw, w, ty.signed());
                        CVal::Int(match op {
                            UnOp::Neg => x.wrapping_neg() & mask(w),
                            UnOp::Not => !x & mask(w),
                            _ => bswap(x, w),
                        })
                    }
                }
            }
            Expr::Bin { op, .. } if op.is_compare() => CVal::Int(self.eval_cond(e)? as u128),
            Expr::Bin { op, a, b, ty, signed } => {
                let w = ty.bits().max(8);
                let (aw, bw) = (self.width_of(a), self.width_of(b));
                let va = self.eval(a)?;
                let vb = self.eval(b)?;
                let aw = if matches!(va, CVal::Ptr { .. }) { 64 } else { aw };
                let bw = if matches!(vb, CVal::Ptr { .. }) { 64 } else { bw };
                let x = resize(self.addr(va), aw, w, *signed);
                let y = resize(self.addr(vb), bw, w, *signed);
                let zop = match op {
                    BinOp::Add => Op::Add,
                    BinOp::Sub => Op::Sub,
                    BinOp::Mul => Op::Mul,
                    BinOp::Div => if *signed { Op::SDiv } else { Op::UDiv },
                    BinOp::Rem => if *signed { Op::SRem } else { Op::URem },
                    BinOp::Shl => Op::Shl,
                    BinOp::Shr => if *signed { Op::AShr } else { Op::LShr },
                    BinOp::And => Op::And,
                    BinOp::Or => Op::Or,
                    _ => Op::Xor,
                };
                CVal::Int(fold_bin(zop, x, y, w).ok_or(Abort::DivByZero)?)
            }
        })
    }
}

fn ret_width(f: &Function) -> u32 {
    f.ret.bits().max(8)
}

/// Resize like `Terms::resize`: extend (signed or not) or truncate.
pub fn resize(x: u128, from: u32, to: u32, signed: bool) -> u128 {
    let x = x & mask(from);
    if to > from && signed {
        (to_signed(x, from) as u128) & mask(to)
    } else {
        x & mask(to)
    }
}

/// The value of `__builtin_popcount`/`ctz`/`clz` (lowering folds the `l`
/// and `ll` variants into these with the argument converted to 64 bits,
/// so the width comes from the argument's type). Zero, for which gcc
/// leaves ctz and clz undefined, gives the width (what `tzcnt`/`lzcnt`
/// return). `None` for other functions.
fn bit_builtin(name: &str, args: &[CVal], bits: Option<u32>) -> Option<CVal> {
    let bits = bits.filter(|b| *b == 32 || *b == 64)?;
    let x = match args.first()? {
        CVal::Int(x) => *x & mask(bits),
        CVal::Ptr { .. } => return None,
    };
    let r = match name {
        "__builtin_popcount" => x.count_ones(),
        "__builtin_ctz" if x == 0 => bits,
        "__builtin_ctz" => x.trailing_zeros(),
        "__builtin_clz" if x == 0 => bits,
        "__builtin_clz" => x.leading_zeros() - (128 - bits),
        _ => return None,
    };
    Some(CVal::Int(r as u128))
}

/// The interface's prediction for a run: (case condition, metrics in
/// `METRICS` order), or why there is none.
pub fn predict(iface: &FunctionInterface, run: &RunResult) -> Result<(String, Vec<f64>), String> {
    let Some(d) = &iface.details else { return Err("interface has no details".into()) };
    let Some(case) = iface.cases.iter().find(|c| c.sigs.contains(&run.sig)) else {
        return Err("the run followed a path not in the interface".into());
    };
    let vals = var_values(d, run, &case.polys)?;
    Ok((case.condition.clone(), case.polys.iter().map(|p| p.eval(&|v| vals.get(&v).copied().unwrap_or(0.0))).collect()))
}

fn var_values(d: &crate::analysis::Details, run: &RunResult, polys: &[crate::poly::Poly]) -> Result<HashMap<u32, f64>, String> {
    let used: std::collections::HashSet<u32> = polys.iter().flat_map(|p| p.vars()).collect();
    let mut vals: HashMap<u32, f64> = HashMap::new();
    for (k, n) in &run.iter_counts {
        // The same iteration path may belong to classes of several loop
        // summaries (one per way the loop was reached): use the one this
        // case's formulas mention.
        match d.iter_classes.get(k) {
            Some(vs) if !vs.is_empty() => {
                let v = vs.iter().copied().find(|v| used.contains(v)).unwrap_or(vs[0]);
                *vals.entry(v).or_insert(0.0) += *n as f64;
            }
            _ => return Err(format!("an iteration took a body path not in the interface (loop at block {})", k.1)),
        }
    }
    for (id, info) in d.vars.list.iter().enumerate() {
        match &info.key {
            VarKey::Counted { ctx, header, .. } => {
                if let Some(t) = run.trips.get(&(*ctx, *header)) {
                    vals.insert(id as u32, *t as f64);
                }
            }
            VarKey::CallArg { ctx, site, arg } => {
                if let Some(x) = run.call_args.get(&(*ctx, *site, *arg)) {
                    vals.insert(id as u32, *x as u64 as f64);
                }
            }
            VarKey::IndirectCost { expr } => {
                // The mean instructions of one call (the formula multiplies
                // by the calls on the path).
                if let Some((instr, calls)) = run.indirect.get(expr).filter(|(_, n)| *n > 0) {
                    vals.insert(id as u32, instr / *calls as f64);
                }
            }
            VarKey::UnknownCost { callee } => {
                // Priced by the caller (`RunResult::price_unknown`), else 0.
                if let Some(p) = run.unknown_cost.get(callee) {
                    vals.insert(id as u32, *p);
                }
            }
            _ => {}
        }
    }
    Ok(vals)
}

/// Check a concrete run against an interface: find the case whose paths
/// include the run's signature, evaluate its formulas at the run's
/// variable values, and compare with the measured metrics.
pub fn check_run(iface: &FunctionInterface, run: &RunResult, table: &CostTable) -> Result<(), String> {
    let Some(d) = &iface.details else { return Err("interface has no details".into()) };
    let Some(case) = iface.cases.iter().find(|c| c.sigs.contains(&run.sig)) else {
        return Err(format!("the run followed a path not in the interface (signature {:x})", run.sig));
    };
    let vals = var_values(d, run, &case.polys)?;
    let metrics = table.metrics(&run.counts);
    // Machine code brings the analyzed function's own entry cost.
    let entry = if iface.cost_source == crate::machine::CostSource::MachineCode { [0.0; crate::cost::NMET] } else { table.entry };
    for (mi, m) in metrics.iter().enumerate() {
        let actual = m + entry[mi] + run.extra[mi];
        let predicted = case.polys[mi].eval(&|v| vals.get(&v).copied().unwrap_or(0.0));
        if (actual - predicted).abs() > 1e-6 {
            return Err(format!(
                "metric {} differs: concrete {actual}, interface {predicted} (case `{}`, formula {})",
                crate::cost::METRICS[mi].json_name(),
                case.condition,
                case.polys[mi].render(&|v| d.vars.name(v))
            ));
        }
    }
    Ok(())
}
