//! The stack frame gcc builds for a function, estimated from its IR: how
//! many callee-saved registers (`rbx`, `rbp`, `r12`–`r15`) the prologue
//! pushes and the epilogue pops, and whether locals live in memory.
//!
//! A value that must survive a call cannot stay in one of the nine
//! caller-saved registers (`rax`, `rcx`, `rdx`, `rsi`, `rdi`, `r8`–`r11`):
//! gcc puts it in a callee-saved one, which the function must save first.
//! Without calls, callee-saved registers are used only when more values
//! are live at once than the caller-saved registers hold. So the estimate
//! is the larger of the register-like locals live across a call and the
//! simultaneously live ones beyond nine, capped at six. It ignores the
//! temporaries of expression trees and the calls gcc inlines (it cannot
//! know which); the fitted weight of `SavedReg` absorbs the average error.

use crate::ir::*;
use crate::loops::successors;

/// Caller-saved general-purpose registers on x86-64 SysV.
const CALLER_SAVED: usize = 9;
/// Callee-saved general-purpose registers on x86-64 SysV.
const CALLEE_SAVED: usize = 6;

/// A set of locals as bits.
#[derive(Clone, PartialEq)]
struct Set(Vec<u64>);

impl Set {
    fn new(n: usize) -> Set {
        Set(vec![0; n.div_ceil(64)])
    }
    fn insert(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    fn remove(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }
    fn union(&mut self, o: &Set) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
    fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

pub fn frame_info(f: &Function) -> FrameInfo {
    let stack = f.locals.iter().any(|l| l.in_memory);
    FrameInfo { saved_regs: saved_regs(f) as u8, stack }
}

/// Register-like locals an expression reads.
fn uses(e: &Expr, regs: &[bool], live: &mut Set) {
    e.each(&mut |x| {
        if let Expr::Local(l) = x {
            if regs.get(*l).copied().unwrap_or(false) {
                live.insert(*l);
            }
        }
    });
}

fn term_uses(t: &Terminator, regs: &[bool], live: &mut Set) {
    match t {
        Terminator::Branch { cond, .. } => uses(cond, regs, live),
        Terminator::Switch { value, .. } => uses(value, regs, live),
        Terminator::Return(Some(v)) => uses(v, regs, live),
        Terminator::Return(None) | Terminator::Goto(_) | Terminator::Unreachable => {}
    }
}


/// A call gcc emits as a call (builtins are expanded in place).
fn is_real_call(i: &Inst) -> bool {
    matches!(&i.kind, InstKind::Call { callee, .. } if !callee.starts_with("__builtin"))
}

/// Walk a block backwards from `live` (its live-out set), calling `at`
/// with the live set after each instruction; returns the live-in set.
fn walk_back(b: &Block, regs: &[bool], mut live: Set, at: &mut impl FnMut(&Inst, &Set)) -> Set {
    term_uses(&b.term, regs, &mut live);
    for i in b.insts.iter().rev() {
        at(i, &live);
        match &i.kind {
            InstKind::Set { local, value } => {
                live.remove(*local);
                uses(value, regs, &mut live);
            }
            InstKind::Store { addr, value, .. } => {
                uses(addr, regs, &mut live);
                uses(value, regs, &mut live);
            }
            InstKind::Copy { dst, src, .. } => {
                uses(dst, regs, &mut live);
                uses(src, regs, &mut live);
            }
            InstKind::Call { dst, args, target, .. } => {
                if let Some(d) = dst {
                    live.remove(*d);
                }
                for a in args.iter().chain(target.as_deref()) {
                    uses(a, regs, &mut live);
                }
            }
        }
    }
    live
}

/// Live-out sets of every block (iterative backward dataflow).
fn live_out(f: &Function, regs: &[bool]) -> Vec<Set> {
    let n = f.locals.len();
    let mut out = vec![Set::new(n); f.blocks.len()];
    let mut inn = vec![Set::new(n); f.blocks.len()];
    let mut changed = true;
    // Each round can only grow the sets; the bound guards a bug, not a case.
    let mut rounds = 0;
    while changed && rounds < 1000 {
        changed = false;
        rounds += 1;
        for bi in (0..f.blocks.len()).rev() {
            let mut o = Set::new(n);
            for s in successors(&f.blocks[bi].term) {
                if let Some(x) = inn.get(s) {
                    o.union(x);
                }
            }
            let i = walk_back(&f.blocks[bi], regs, o.clone(), &mut |_, _| {});
            if o != out[bi] || i != inn[bi] {
                out[bi] = o;
                inn[bi] = i;
                changed = true;
            }
        }
    }
    out
}

/// Estimated callee-saved registers (0 to 6), see the module comment.
pub fn saved_regs(f: &Function) -> usize {
    let regs: Vec<bool> = f.locals.iter().map(|l| !l.in_memory).collect();
    let outs = live_out(f, &regs);
    let mut across = 0usize;
    let mut most = 0usize;
    for (b, o) in f.blocks.iter().zip(outs) {
        walk_back(b, &regs, o, &mut |i, live| {
            let mut n = live.len();
            most = most.max(n);
            if is_real_call(i) {
                if let InstKind::Call { dst: Some(d), .. } = &i.kind {
                    if regs.get(*d).copied().unwrap_or(false) && live.0.get(d / 64).is_some_and(|w| w >> (d % 64) & 1 == 1) {
                        n -= 1;
                    }
                }
                across = across.max(n);
            }
        });
    }
    across.max(most.saturating_sub(CALLER_SAVED)).min(CALLEE_SAVED)
}

#[cfg(test)]
mod tests {
    use crate::forward::tests::lower;

    #[test]
    fn a_leaf_with_few_values_saves_nothing() {
        let f = lower("int g(int a, int b) { return a * b + 1; }");
        assert_eq!(f.frame.saved_regs, 0);
        assert!(!f.frame.stack);
    }

    #[test]
    fn values_live_across_a_call_need_callee_saved_registers() {
        let f = lower("int h(int); int g(int a, int b, int c) { int x = h(a); return x + a + b + c; }");
        // a, b and c survive the call to h.
        assert_eq!(f.frame.saved_regs, 3);
    }

    #[test]
    fn an_array_local_needs_a_stack_frame() {
        let f = lower("int g(int i) { int a[8]; a[i & 7] = i; return a[0]; }");
        assert!(f.frame.stack);
    }
}
