//! The cost model: what each IR construct costs, as counts of *features*
//! (ALU ops, loads, stores, branches...), and the table that turns features
//! into estimated x86-64 metrics. The table is fitted to valgrind
//! measurements of gcc -O2 code by `perfi calibrate` (see `cost_table.rs`);
//! the explorer and the concrete interpreter both go through `Features`, so
//! they agree by construction.

use crate::distribute::{LibRole, PerRoutine};
use crate::ir::*;
use serde::Serialize;

/// Features counted per IR construct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Feature {
    /// Add, sub, logic, shift, negate, byte swap.
    Alu,
    /// Integer multiply.
    Mul,
    /// Division or remainder by a non-constant.
    Div,
    /// Division or remainder by a constant (strength-reduced by gcc).
    DivConst,
    /// Memory load.
    Load,
    /// Memory store.
    Store,
    /// Assignment to a register-like local.
    Move,
    /// Width change (sign/zero extension, truncation).
    Cast,
    /// Address computation that is not folded into an addressing mode.
    Lea,
    /// Conditional branch.
    Branch,
    /// Multi-way switch dispatch.
    Switch,
    /// Call to a function in the workspace (inlined by the analysis).
    Call,
    /// Return from the analyzed function.
    Ret,
    /// 8-byte word of an aggregate copy or memset/memcpy.
    CopyWord,
    /// Call to an external function with no contract (cost(f) is a PCV).
    ExternCall,
    /// A load whose value gcc already holds in a register: on every path
    /// to it the address was stored to or loaded from, with no store that
    /// may overlap it, call or copy in between (store-to-load forwarding,
    /// redundant-load elimination, loop-invariant loads hoisted out of
    /// loops; `forward.rs`). Counted instead of `Load`.
    FwdLoad,
    /// Callee-saved registers the function's prologue pushes and its
    /// epilogue pops, estimated from register pressure (`frame::saved_regs`);
    /// counted once per call of the analyzed function, with its `Ret`.
    SavedReg,
    /// The function keeps locals in memory (arrays, structs, address-taken
    /// scalars): a stack adjustment in the prologue and epilogue; 0 or 1,
    /// counted with `Ret`.
    StackFrame,
    /// A comparison (`==`, `<`, ...). Apart from `Alu`: one feeding a
    /// branch is the `cmp`/`test` of a fused compare-and-jump, and
    /// counting it as arithmetic made the fitted ALU weight a blend of
    /// the two (0.1–0.4 instructions), far too low for arithmetic code.
    Cmp,
    /// A loop gcc replaces by a call to `memset` or `memcpy`
    /// (`distribute.rs`): the call and its arguments, counted once per
    /// entry into the loop. The routine's own work is added apart
    /// (`library_counts`): it is not in the function's symbol.
    LibLoop,
}

pub const FEATURES: [Feature; 20] = [
    Feature::Alu,
    Feature::Mul,
    Feature::Div,
    Feature::DivConst,
    Feature::Load,
    Feature::Store,
    Feature::Move,
    Feature::Cast,
    Feature::Lea,
    Feature::Branch,
    Feature::Switch,
    Feature::Call,
    Feature::Ret,
    Feature::CopyWord,
    Feature::ExternCall,
    Feature::FwdLoad,
    Feature::SavedReg,
    Feature::StackFrame,
    Feature::Cmp,
    Feature::LibLoop,
];
pub const NFEAT: usize = FEATURES.len();

pub fn feature_index(f: Feature) -> usize {
    FEATURES.iter().position(|x| *x == f).unwrap_or(0)
}

/// Feature counts (used concretely by the interpreter and as constants by
/// the explorer).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts(pub [f64; NFEAT]);

impl Counts {
    pub fn add(&mut self, f: Feature, n: f64) {
        self.0[feature_index(f)] += n;
    }
    pub fn plus(&mut self, o: &Counts) {
        for i in 0..NFEAT {
            self.0[i] += o.0[i];
        }
    }
}

/// Metrics reported per case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Metric {
    Instructions,
    MemoryReads,
    MemoryWrites,
    Branches,
    Muls,
    Divs,
    Calls,
}

pub const METRICS: [Metric; 7] = [
    Metric::Instructions,
    Metric::MemoryReads,
    Metric::MemoryWrites,
    Metric::Branches,
    Metric::Muls,
    Metric::Divs,
    Metric::Calls,
];
pub const NMET: usize = METRICS.len();

/// Slots of `Cost::extra` (metric terms added directly, not through the
/// feature table) beyond the `METRICS`: cycles of machine code (from
/// `machine::latency`), and the machine-code share of instructions,
/// multiplies and divides, which the hardware model's `cpi`/`mul`/`div`
/// must not price again (`interface::path_cost`).
pub const X_CYCLES: usize = NMET;
pub const X_MINSTR: usize = NMET + 1;
pub const X_MMULS: usize = NMET + 2;
pub const X_MDIVS: usize = NMET + 3;
pub const NEXTRA: usize = NMET + 4;

impl Metric {
    pub fn json_name(self) -> &'static str {
        match self {
            Metric::Instructions => "instructions",
            Metric::MemoryReads => "memory_reads",
            Metric::MemoryWrites => "memory_writes",
            Metric::Branches => "branches",
            Metric::Muls => "multiplies",
            Metric::Divs => "divides",
            Metric::Calls => "calls",
        }
    }
}

/// Per-feature contribution to each metric.
#[derive(Clone, Debug, PartialEq)]
pub struct CostTable {
    /// `weights[metric][feature]`.
    pub weights: [[f64; NFEAT]; NMET],
    /// Fixed cost of entering and leaving the analyzed function.
    pub entry: [f64; NMET],
}

impl CostTable {
    /// Metrics of a feature vector.
    pub fn metrics(&self, c: &Counts) -> [f64; NMET] {
        let mut m = [0.0; NMET];
        for (mi, row) in self.weights.iter().enumerate() {
            m[mi] = row.iter().zip(c.0.iter()).map(|(w, n)| w * n).sum();
        }
        m
    }
}

pub fn default_table() -> CostTable {
    crate::cost_table::table()
}

/// Features of evaluating an expression tree.
pub fn expr_counts(e: &Expr, c: &mut Counts) {
    let mut stack = vec![(e, true)];
    while let Some((e, top)) = stack.pop() {
        match e {
            Expr::Const { .. } | Expr::Local(_) => {}
            Expr::AddrLocal(_) | Expr::AddrGlobal(_) => {
                if top {
                    c.add(Feature::Lea, 1.0)
                }
            }
            Expr::Load { addr, .. } => {
                c.add(Feature::Load, 1.0);
                stack.push((addr, false));
            }
            Expr::Bin { op, a, b, .. } => {
                let f = match op {
                    BinOp::Mul => Feature::Mul,
                    BinOp::Div | BinOp::Rem if b.as_const().is_some() => Feature::DivConst,
                    BinOp::Div | BinOp::Rem => Feature::Div,
                    op if op.is_compare() => Feature::Cmp,
                    _ => Feature::Alu,
                };
                c.add(f, 1.0);
                stack.push((a, true));
                stack.push((b, true));
            }
            Expr::Un { a, .. } => {
                c.add(Feature::Alu, 1.0);
                stack.push((a, true));
            }
            Expr::Cast { a, to } => {
                if *to != Ty::Ptr {
                    c.add(Feature::Cast, 1.0);
                }
                stack.push((a, top));
            }
            Expr::PtrAdd { base, offset } => {
                // base + const or base + index*scale fold into an addressing
                // mode when used as an address; as a value it is a lea/add.
                if top || offset.as_const().is_none() {
                    if offset.as_const() != Some(0) {
                        c.add(Feature::Lea, 1.0);
                    }
                }
                if let Expr::Bin { op: BinOp::Mul, a, b, .. } = offset.as_ref() {
                    // index*scale with scale 1,2,4,8 is free in addressing.
                    if matches!(b.as_const(), Some(1 | 2 | 4 | 8)) {
                        stack.push((a, true));
                        stack.push((base, false));
                        continue;
                    }
                }
                stack.push((base, false));
                stack.push((offset, true));
            }
        }
    }
}

pub fn inst_counts(i: &Inst, c: &mut Counts) {
    match &i.kind {
        InstKind::Set { value, .. } => {
            c.add(Feature::Move, 1.0);
            expr_counts(value, c);
        }
        InstKind::Store { addr, value, .. } => {
            c.add(Feature::Store, 1.0);
            expr_counts_addr(addr, c);
            expr_counts(value, c);
        }
        InstKind::Copy { dst, src, size } => {
            c.add(Feature::CopyWord, (*size as f64 / 8.0).ceil());
            expr_counts_addr(dst, c);
            expr_counts_addr(src, c);
        }
        InstKind::Call { args, target, .. } => {
            if let Some(t) = target {
                expr_counts(t, c);
            }
            for a in args {
                expr_counts(a, c);
            }
        }
    }
}

/// An expression used as an address: a top-level `base + const` is free.
pub fn expr_counts_addr(e: &Expr, c: &mut Counts) {
    match e {
        Expr::PtrAdd { base, offset } if offset.as_const().is_some() => expr_counts_addr(base, c),
        Expr::AddrLocal(_) | Expr::AddrGlobal(_) => {}
        Expr::PtrAdd { base, offset } => {
            if let Expr::Bin { op: BinOp::Mul, a, b, .. } = offset.as_ref() {
                if matches!(b.as_const(), Some(1 | 2 | 4 | 8)) {
                    expr_counts(a, c);
                    expr_counts_addr(base, c);
                    return;
                }
            }
            expr_counts(offset, c);
            expr_counts_addr(base, c);
        }
        other => expr_counts(other, c),
    }
}

pub fn term_counts(t: &Terminator, c: &mut Counts) {
    match t {
        Terminator::Goto(_) | Terminator::Unreachable => {}
        Terminator::Branch { cond, .. } => {
            c.add(Feature::Branch, 1.0);
            expr_counts(cond, c);
        }
        Terminator::Switch { value, .. } => {
            c.add(Feature::Switch, 1.0);
            expr_counts(value, c);
        }
        Terminator::Return(v) => {
            if let Some(v) = v {
                expr_counts(v, c);
            }
        }
    }
}

/// The features of a whole basic block (instructions and terminator);
/// calls' own costs are added where the call is executed. Loads gcc keeps
/// in a register (`Block::fwd_loads`, `forward::forwarded_loads`) count as
/// `FwdLoad`, not `Load`. A block of a loop gcc replaces by a library call
/// (`Block::lib`, `distribute.rs`) costs its part of that call instead.
pub fn block_counts(b: &Block) -> Counts {
    let mut c = own_counts(b);
    c.plus(&library_counts(b.lib));
    c
}

/// The features of the code gcc emits for a block in the function itself:
/// `block_counts` without the work of a library routine that replaces a
/// loop (what a static count of the function's symbol sees).
pub fn own_counts(b: &Block) -> Counts {
    let mut c = Counts::default();
    match b.lib {
        LibRole::Iter { .. } | LibRole::Gone => return c,
        LibRole::Entry { calls } => c.add(Feature::LibLoop, (calls.memset + calls.memcpy) as f64),
        LibRole::None => {}
    }
    for i in &b.insts {
        inst_counts(i, &mut c);
    }
    term_counts(&b.term, &mut c);
    let fwd = b.fwd_loads as f64;
    c.add(Feature::Load, -fwd);
    c.add(Feature::FwdLoad, fwd);
    c
}

/// `CopyWord`s per byte of the library routines that replace loops: a
/// word copy per 8 bytes for `memcpy`; `memset` only stores, half that.
/// Measured under callgrind on glibc 2.36's AVX2 routines, 256 B – 1 KiB:
/// about 0.12 instructions per byte for `memcpy`, 0.06 for `memset`
/// (`tests/library_loops.rs`; above 2 KiB they switch to `rep movsb` /
/// `rep stosb`, which valgrind counts once per byte). An explicit call
/// keeps its contract's word per 8 bytes (`contracts::builtin_for`): its
/// size is often a constant, which gcc expands inline into word stores.
const LIBRARY_WORDS_PER_BYTE: PerRoutine<f64> = PerRoutine { memset: 1.0 / 16.0, memcpy: 1.0 / 8.0 };

/// The library routines' work for a block of a replaced loop: their fixed
/// part once per call, as an explicit call's (`contracts::builtin_for`),
/// and their per-byte part per iteration (`LIBRARY_WORDS_PER_BYTE`).
pub fn library_counts(role: LibRole) -> Counts {
    let mut c = Counts::default();
    match role {
        LibRole::Entry { calls } => {
            for (routine, n) in [("memset", calls.memset), ("memcpy", calls.memcpy)] {
                if let Some(r) = crate::contracts::builtin_for(routine, None) {
                    for _ in 0..n {
                        c.plus(&r.fixed);
                    }
                }
            }
        }
        LibRole::Iter { bytes } => {
            let words = bytes.memset as f64 * LIBRARY_WORDS_PER_BYTE.memset + bytes.memcpy as f64 * LIBRARY_WORDS_PER_BYTE.memcpy;
            c.add(Feature::CopyWord, words);
        }
        LibRole::None | LibRole::Gone => {}
    }
    c
}

/// What leaving the analyzed function costs beyond its body: its `ret`, and
/// the epilogue's (and prologue's) callee-saved registers and stack frame.
/// Counted once per call of the analyzed function, by the explorer and the
/// interpreter alike.
pub fn exit_counts(f: &Function) -> Counts {
    let mut c = Counts::default();
    c.add(Feature::Ret, 1.0);
    c.add(Feature::SavedReg, f.frame.saved_regs as f64);
    c.add(Feature::StackFrame, if f.frame.stack { 1.0 } else { 0.0 });
    c
}

