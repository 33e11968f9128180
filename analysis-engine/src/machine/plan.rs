//! Machine metrics mapped onto a function's IR blocks.
//!
//! Which machine code stands for a function `f` explored while analyzing
//! `root` (docs/machine-code.md, ARCHITECTURE.md "Decisions"):
//! 1. `f` inlined into `root`'s symbol (`root` ≠ `f`): the code of `root`'s
//!    symbol at `f`'s lines, divided by the number of inlined instances of
//!    `f` there; no entry cost (no call, prologue or return);
//! 2. else `f`'s own symbol (and its `.cold`/`.part` pieces);
//! 3. else the average of `f`'s inlined instances over the whole object;
//! 4. else none: `f` keeps the model's costs.
//!
//! Within the chosen code, per source line: a line's metrics are shared
//! among the IR pieces (instructions and terminators) on that line in
//! proportion to the model's instruction estimate for each piece (equal
//! shares when the model gives 0 to all); IR pieces on lines without
//! machine code cost 0; machine code on lines without IR pieces, on the
//! function's opening and closing lines (prologue, epilogue), or before
//! any line, is the function's fixed entry cost. Code at the lines of
//! another function the explorer inlines itself is left to that function
//! (its blocks are costed when it is explored); other code at foreign
//! lines (a system header's inline function) goes to the entry cost.
//! The closing line's code counts one epilogue copy per call; loop code
//! is matched to IR loops by depth, hoisted code goes to the block
//! entering its inner loop, vectorized loops are divided by their vector
//! factor, and blocks that never run get nothing (`distribute`).

use super::attribute::{base_name, MachineCosts, SymbolLines};
use super::Metrics;
use crate::analysis::FuncTable;
use crate::cost::{self, CostTable, Counts};
use crate::distribute::LibRole;
use crate::ir::Function;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

/// How a function's machine code was found.
#[derive(Clone, Debug, PartialEq)]
pub enum How {
    /// Its own symbol.
    Symbol,
    /// Inlined into the analyzed function's symbol (n instances).
    InlinedInRoot(u32),
    /// The average of n inlined instances in the object.
    InlinedAverage(u32),
}

/// A function's machine metrics per IR block, and its entry cost.
#[derive(Clone, Debug)]
pub struct FnPlan {
    pub blocks: Vec<Metrics>,
    pub entry: Metrics,
    pub how: How,
    /// The line metrics the blocks were built from (for listings).
    pub lines: BTreeMap<u32, Metrics>,
    /// Their part inside machine-code loops.
    pub looped: BTreeMap<u32, Metrics>,
    /// Their split by machine-loop depth (`SymbolLines::depths`).
    pub depths: BTreeMap<u32, Vec<Metrics>>,
    /// Their part in vectorized machine loops, with the vector bytes.
    pub vector: BTreeMap<u32, (u32, Metrics)>,
}

impl FnPlan {
    /// Whether the machine code has a call instruction on `line`: a call
    /// to an external function (`memcpy`, `strlen`) on a line without one
    /// was expanded by the compiler, and its code is already in the line's
    /// metrics (its contract's cost must not be added again).
    pub fn calls_on(&self, line: u32) -> bool {
        self.lines.get(&line).is_some_and(|m| m.0[super::I_CALLS] > 0.0)
    }
}

/// Per analysis: the machine costs, the analyzed function, and a cache of
/// plans per function (the explorer and the interpreter each own one; both
/// compute the same plans from the same inputs).
pub struct Plan {
    costs: Arc<MachineCosts>,
    root: String,
    table: CostTable,
    /// (file index, first line, last line) of functions the explorer can
    /// inline (their code belongs to them, not to their caller).
    explored: Vec<(u32, u32, u32)>,
    files: RefCell<HashMap<String, Option<u32>>>,
    cache: RefCell<HashMap<String, Option<Rc<FnPlan>>>>,
}

impl Plan {
    pub fn new(costs: Arc<MachineCosts>, root: &str, funcs: &FuncTable, table: &CostTable) -> Plan {
        let mut p = Plan { costs, root: root.to_string(), table: table.clone(), explored: Vec::new(), files: RefCell::new(HashMap::new()), cache: RefCell::new(HashMap::new()) };
        let mut ex = Vec::new();
        for f in funcs.values() {
            if let Some(fi) = p.file_of(&f.file) {
                ex.push((fi, f.span.start_line, f.span.end_line));
            }
        }
        ex.sort();
        ex.dedup();
        p.explored = ex;
        p
    }

    pub fn costs(&self) -> &MachineCosts {
        &self.costs
    }

    fn file_of(&self, file: &str) -> Option<u32> {
        if let Some(x) = self.files.borrow().get(file) {
            return *x;
        }
        let x = self.costs.file_index(&PathBuf::from(file));
        self.files.borrow_mut().insert(file.to_string(), x);
        x
    }

    fn is_explored(&self, file: u32, line: u32) -> bool {
        self.explored.iter().any(|(f, a, b)| *f == file && *a <= line && line <= *b)
    }

    /// The plan of `f`, or `None` when no machine code stands for it.
    pub fn get(&self, f: &Function) -> Option<Rc<FnPlan>> {
        if let Some(p) = self.cache.borrow().get(&f.name) {
            return p.clone();
        }
        let p = self.build(f).map(Rc::new);
        self.cache.borrow_mut().insert(f.name.clone(), p.clone());
        p
    }

    fn build(&self, f: &Function) -> Option<FnPlan> {
        let file = self.file_of(&f.file)?;
        let (a, b) = (f.span.start_line, f.span.end_line);
        let mut lines: BTreeMap<u32, Metrics> = BTreeMap::new();
        let mut looped: BTreeMap<u32, Metrics> = BTreeMap::new();
        let mut depths: BTreeMap<u32, Vec<Metrics>> = BTreeMap::new();
        let mut vector: BTreeMap<u32, (u32, Metrics)> = BTreeMap::new();
        let mut entry = Metrics::default();
        let mut own = |sym: &SymbolLines, scale: f64, foreign: bool, entry: &mut Metrics| {
            for ((fi, l), m) in &sym.lines {
                if *fi == file && a <= *l && *l <= b {
                    if *l == b && *l != a {
                        // The epilogue: gcc copies it to each exit and a
                        // call runs one copy.
                        let copies = sym.returns.get(&(*fi, *l)).copied().unwrap_or(1).max(1);
                        entry.add_scaled(m, scale / copies as f64);
                    } else if *l == a {
                        entry.add_scaled(m, scale);
                    } else {
                        lines.entry(*l).or_default().add_scaled(m, scale);
                        if let Some(lm) = sym.looped.get(&(*fi, *l)) {
                            looped.entry(*l).or_default().add_scaled(lm, scale);
                        }
                        if let Some(ds) = sym.depths.get(&(*fi, *l)) {
                            let d = depths.entry(*l).or_default();
                            if d.len() < ds.len() {
                                d.resize(ds.len(), Metrics::default());
                            }
                            for (x, y) in d.iter_mut().zip(ds) {
                                x.add_scaled(y, scale);
                            }
                        }
                        if let Some((bytes, vm)) = sym.vector.get(&(*fi, *l)) {
                            let v = vector.entry(*l).or_default();
                            v.0 = v.0.max(*bytes);
                            v.1.add_scaled(vm, scale);
                        }
                    }
                } else if foreign && !self.is_explored(*fi, *l) {
                    entry.add_scaled(m, scale);
                }
            }
        };
        let how;
        let root_inl = self.costs.symbols.get(&self.root).and_then(|s| s.inlined.get(&f.name).copied().map(|n| (s, n)));
        if let (true, Some((sym, n))) = (f.name != self.root, root_inl.filter(|(_, n)| *n > 0)) {
            own(sym, 1.0 / n as f64, false, &mut entry);
            how = How::InlinedInRoot(n);
        } else if let Some(sym) = self.costs.symbols.get(&f.name) {
            own(sym, 1.0, true, &mut entry);
            entry.add(&sym.unlined);
            how = How::Symbol;
        } else {
            let n = self.costs.inlined_total.get(&f.name).copied().filter(|n| *n > 0)?;
            for (name, sym) in &self.costs.symbols {
                if base_name(name) != f.name {
                    own(sym, 1.0 / n as f64, false, &mut entry);
                }
            }
            how = How::InlinedAverage(n);
        }
        if lines.is_empty() && entry.is_zero() {
            return None;
        }
        Some(distribute(f, &self.table, Lines { lines, looped, depths, vector }, entry, how))
    }
}

/// A function's machine metrics by source line (see `FnPlan`).
pub struct Lines {
    pub lines: BTreeMap<u32, Metrics>,
    pub looped: BTreeMap<u32, Metrics>,
    pub depths: BTreeMap<u32, Vec<Metrics>>,
    pub vector: BTreeMap<u32, (u32, Metrics)>,
}

/// Bytes of every memory access of an instruction (loads in its
/// expressions, its store or copy).
fn access_bytes(i: &crate::ir::Inst, out: &mut Vec<u32>) {
    use crate::ir::{Expr, InstKind};
    let mut load = |e: &Expr| {
        if let Expr::Load { size, .. } = e {
            out.push(*size as u32);
        }
    };
    match &i.kind {
        InstKind::Set { value, .. } => value.each(&mut load),
        InstKind::Store { addr, value, size, .. } => {
            addr.each(&mut load);
            value.each(&mut load);
            out.push(*size as u32);
        }
        InstKind::Copy { dst, src, size } => {
            dst.each(&mut load);
            src.each(&mut load);
            out.push((*size).min(u32::MAX as u64) as u32);
        }
        InstKind::Call { args, .. } => args.iter().for_each(|a| a.each(&mut load)),
    }
}

/// The smallest memory access in each IR loop, in bytes (`None`: the loop
/// touches no memory): a vectorizer packs as many iterations into a vector
/// as its narrowest element allows (gcc's vectorization factor is set by
/// the smallest scalar type in the loop).
fn loop_elements(f: &Function) -> Vec<Option<u32>> {
    f.loops
        .iter()
        .map(|lp| {
            let mut sizes = Vec::new();
            for b in &lp.blocks {
                if let Some(blk) = f.blocks.get(*b) {
                    blk.insts.iter().for_each(|i| access_bytes(i, &mut sizes));
                    if let crate::ir::Terminator::Branch { cond: e, .. } | crate::ir::Terminator::Switch { value: e, .. } = &blk.term {
                        e.each(&mut |x| {
                            if let crate::ir::Expr::Load { size, .. } = x {
                                sizes.push(*size as u32);
                            }
                        });
                    }
                }
            }
            sizes.into_iter().filter(|s| *s > 0).min()
        })
        .collect()
}

/// The block that enters the loop around `bi` nested `depth` deep (1: an
/// outermost loop), when exactly one block outside that loop jumps to its
/// header: it runs once per entry into the loop.
fn entering_block(f: &Function, bi: usize, depth: usize) -> Option<usize> {
    let nesting = |b: usize| f.loops.iter().filter(|lp| lp.contains(b)).count();
    let lp = f.loops.iter().find(|lp| lp.contains(bi) && nesting(lp.header) == depth)?;
    crate::loops::sole_entry(f, lp)
}

/// Blocks reachable from the entry when a branch on a constant follows
/// only its taken edge. The others never run and the compiler emitted no
/// code for them: the untaken arm of `__builtin_constant_p(x) ?
/// constant_swap(x) : asm_swap(x)` for a non-constant `x`, the implicit
/// return after a body that always returns. Their pieces must not take a
/// share of a line's machine code from pieces that run (the implicit
/// return's piece sits on the line of the opening brace and took the
/// prologue).
fn live_blocks(f: &Function) -> Vec<bool> {
    let mut live = vec![false; f.blocks.len()];
    let mut todo = vec![f.entry];
    while let Some(b) = todo.pop() {
        if b >= live.len() || live[b] {
            continue;
        }
        live[b] = true;
        let Some(blk) = f.blocks.get(b) else { continue };
        match &blk.term {
            crate::ir::Terminator::Branch { cond, then_bb, else_bb } if const_truth(cond).is_some() => {
                todo.push(if const_truth(cond) == Some(true) { *then_bb } else { *else_bb });
            }
            t => todo.extend(crate::loops::successors(t)),
        }
    }
    live
}

/// The truth of a condition lowering left unfolded: a constant, or an
/// equality test of two constants (`0 != 0` from `__builtin_constant_p`).
fn const_truth(e: &crate::ir::Expr) -> Option<bool> {
    use crate::ir::{BinOp, Expr};
    match e {
        Expr::Const { value, .. } => Some(*value != 0),
        Expr::Bin { op: op @ (BinOp::Eq | BinOp::Ne), a, b, .. } => {
            let (x, y) = (a.as_const()?, b.as_const()?);
            Some((x == y) == (*op == BinOp::Eq))
        }
        _ => None,
    }
}

/// Share each line's metrics among the IR pieces on it.
///
/// - Machine code outside machine loops goes to the line's pieces outside
///   IR loops; when all its pieces are inside loops, it is what the
///   compiler hoisted or placed before the loop (invariants, a rotated
///   loop's entry test, a vectorized loop's setup) and goes to the entry
///   cost: it runs once per call, not per iteration.
/// - Code inside machine loops goes to the pieces inside IR loops, by
///   depth: when a line has pieces at several IR loop depths (an inner
///   loop's `j = 0` and `j < n` on one line), the deepest machine-loop code
///   goes to the deepest pieces, the next to the next, and what is left
///   (shallower code) to the shallowest.
/// - Code of a vectorized machine loop (its innermost loop holds a load or
///   store of `V` ≥ 16 bytes) is divided by the vector factor `V / e`,
///   `e` the narrowest memory access of the IR loop the line's deepest
///   pieces are in: one machine iteration does `V / e` source iterations,
///   and the IR charges the line per source iteration.
/// - Pieces in blocks only a constant branch condition leads to, the
///   other way, get nothing (`live_blocks`).
/// - Code in a machine loop shallower than every IR piece of its line
///   (gcc hoisted it out of an inner loop into the loop around it) goes
///   to the block entering the inner loop, when there is one.
pub fn distribute(f: &Function, table: &CostTable, code: Lines, mut entry: Metrics, how: How) -> FnPlan {
    let Lines { lines, looped, depths, vector } = code;
    let est = |c: &Counts| -> f64 { table.weights[0].iter().zip(c.0.iter()).map(|(w, n)| w * n).sum::<f64>() };
    let depth: Vec<usize> = (0..f.blocks.len()).map(|bi| f.loops.iter().filter(|lp| lp.contains(bi)).count()).collect();
    let elements = loop_elements(f);
    let live = live_blocks(f);
    // (block, estimate, IR loop depth) per piece, by line.
    let mut pieces: BTreeMap<u32, Vec<(usize, f64, usize)>> = BTreeMap::new();
    for (bi, blk) in f.blocks.iter().enumerate() {
        if !live.get(bi).copied().unwrap_or(true) {
            continue;
        }
        for i in &blk.insts {
            let mut c = Counts::default();
            cost::inst_counts(i, &mut c);
            pieces.entry(i.span.start_line).or_default().push((bi, est(&c), depth[bi]));
        }
        let mut c = Counts::default();
        cost::term_counts(&blk.term, &mut c);
        pieces.entry(blk.term_span.start_line).or_default().push((bi, est(&c), depth[bi]));
    }
    let mut blocks = vec![Metrics::default(); f.blocks.len()];
    let share = |ps: &[&(usize, f64, usize)], m: &Metrics, blocks: &mut Vec<Metrics>| {
        let total: f64 = ps.iter().map(|p| p.1).sum();
        for (bi, e, _) in ps.iter().copied() {
            let k = if total > 0.0 { e / total } else { 1.0 / ps.len() as f64 };
            if let Some(b) = blocks.get_mut(*bi) {
                b.add_scaled(m, k);
            }
        }
    };
    for (l, m) in &lines {
        let Some(ps) = pieces.get(l).filter(|ps| !ps.is_empty()) else {
            entry.add(m);
            continue;
        };
        let inside: Vec<&(usize, f64, usize)> = ps.iter().filter(|p| p.2 > 0).collect();
        let outside: Vec<&(usize, f64, usize)> = ps.iter().filter(|p| p.2 == 0).collect();
        if inside.is_empty() {
            share(&outside, m, &mut blocks);
            continue;
        }
        // Machine code by loop depth (index 0: outside machine loops).
        let mut md: Vec<Metrics> = match depths.get(l) {
            Some(d) if !d.is_empty() => d.clone(),
            _ => {
                let lm = looped.get(l).copied().unwrap_or_default();
                let mut rest = *m;
                rest.add_scaled(&lm, -1.0);
                vec![rest, lm]
            }
        };
        let deepest_piece = inside.iter().max_by_key(|p| p.2).map(|p| p.0);
        if let (Some((bytes, vm)), Some(bi)) = (vector.get(l), deepest_piece) {
            let elem = f.innermost_loop(bi).and_then(|li| elements.get(li).copied().flatten());
            if let Some(e) = elem.filter(|e| *e > 0 && *e < *bytes) {
                let factor = (*bytes / e) as f64;
                // The vector loop is the innermost machine loop on the line.
                if let Some(last) = md.iter_mut().skip(1).rev().find(|x| !x.is_zero()) {
                    last.add_scaled(vm, -(1.0 - 1.0 / factor));
                    for x in last.0.iter_mut() {
                        *x = x.max(0.0);
                    }
                }
            }
        }
        if outside.is_empty() {
            entry.add(&md[0]);
        } else {
            share(&outside, &md[0], &mut blocks);
        }
        // IR depths present on the line, shallowest first, and the machine
        // depths with code, deepest first.
        let mut ir_depths: Vec<usize> = inside.iter().map(|p| p.2).collect();
        ir_depths.sort_unstable();
        ir_depths.dedup();
        let machine: Vec<usize> = (1..md.len()).rev().filter(|d| !md[*d].is_zero()).collect();
        for (r, d) in machine.iter().enumerate() {
            // Code in a shallower machine loop than any IR piece of the
            // line: hoisted out of the inner loop into the one around it
            // (`key[j]` loaded once per `j`, not per set bit). It runs once
            // per entry into the inner loop: the block entering it.
            if r >= ir_depths.len() && *d < ir_depths[0] {
                if let Some(pre) = deepest_piece.and_then(|bi| entering_block(f, bi, *d + 1)) {
                    if let Some(b) = blocks.get_mut(pre) {
                        b.add(&md[*d]);
                        continue;
                    }
                }
            }
            let target = ir_depths.len().checked_sub(1 + r).map(|k| ir_depths[k]).unwrap_or(ir_depths[0]);
            let group: Vec<&(usize, f64, usize)> = inside.iter().copied().filter(|p| p.2 == target).collect();
            share(&group, &md[*d], &mut blocks);
        }
    }
    library_work(f, table, (&lines, &looped), &mut blocks);
    FnPlan { blocks, entry, how, lines, looped, depths, vector }
}

/// The work of the library routines the object calls in place of loops
/// (`crate::distribute`): it is not in the function's machine code, so the
/// cost model estimates it, as for an explicit call (`cost::library_counts`:
/// the routine's fixed part on the block entering the loop, its per-byte
/// part on the block with the stores). Only when the object has code on
/// the loop's lines and none of it in a machine loop: gcc replaced the loop
/// (a `call`, a tail `jmp`, or for a constant size an inline `rep stos`,
/// whose repetitions a static count also misses). For a small constant
/// size expanded into plain stores this counts their bytes twice.
fn library_work(f: &Function, table: &CostTable, code: (&BTreeMap<u32, Metrics>, &BTreeMap<u32, Metrics>), blocks: &mut [Metrics]) {
    let (lines, looped) = code;
    for (bi, blk) in f.blocks.iter().enumerate() {
        let lp = match blk.lib {
            LibRole::Entry { .. } => match &blk.term {
                crate::ir::Terminator::Goto(h) => f.loop_of_header.get(*h).copied().flatten(),
                _ => None,
            },
            LibRole::Iter { .. } => f.innermost_loop(bi),
            LibRole::None | LibRole::Gone => None,
        };
        let Some(lp) = lp.and_then(|i| f.loops.get(i)) else { continue };
        let mut span = (u32::MAX, 0);
        for b in lp.blocks.iter().filter_map(|b| f.blocks.get(*b)) {
            for l in b.insts.iter().map(|i| i.span.start_line).chain([b.term_span.start_line]) {
                span = (span.0.min(l), span.1.max(l));
            }
        }
        let range = span.0..=span.1.max(span.0);
        let replaced = lines.range(range.clone()).any(|(_, m)| !m.is_zero()) && looped.range(range).all(|(_, m)| m.is_zero());
        if !replaced {
            continue;
        }
        let m = table.metrics(&cost::library_counts(blk.lib));
        if let Some(b) = blocks.get_mut(bi) {
            for (k, v) in m.iter().enumerate() {
                b.0[k] += v;
            }
        }
    }
}
