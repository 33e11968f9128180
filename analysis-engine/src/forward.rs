//! Loads whose value gcc already holds in a register (the `FwdLoad`
//! feature): the IR keeps one `Load` per read the C code writes, but at
//! -O2 gcc's value numbering reuses a value stored to or loaded from the
//! same address when no store that may overlap it, call or aggregate copy
//! lies in between (store-to-load forwarding, redundant loads), and its
//! loop-invariant motion hoists a load out of a loop that never writes
//! what it reads.
//!
//! An "available addresses" forward dataflow over the function's blocks:
//! an address (an IR address expression and a size, compared
//! structurally) is available at a point when it was loaded or stored on
//! every path to it and nothing since may have changed its value or the
//! locals it is computed from. A load of an available address is
//! forwarded. A loop header meets the sets of its latches only: a load in
//! the body of a loop that writes nothing it could overlap, and whose
//! address does not change, is in a register on every iteration (gcc
//! loads it once before the loop, which the model does not count: one
//! read per entry into the loop too few).
//!
//! Aliasing is judged as gcc can without type information: a store keeps
//! an address available only when both have the same base expression and
//! their constant byte ranges do not overlap.

use crate::ir::*;
use crate::loops::successors;

/// The distinct (address, size) pairs the function loads or stores, with
/// their indices (hashed: a large function has thousands).
struct Addrs<'a>(Vec<(&'a Expr, u8)>, std::collections::HashMap<(&'a Expr, u8), usize>);

impl<'a> Addrs<'a> {
    fn index(&self, a: (&Expr, u8)) -> Option<usize> {
        self.1.get(&a).copied()
    }
    fn insert(&mut self, a: (&'a Expr, u8)) {
        if !self.1.contains_key(&a) {
            self.1.insert(a, self.0.len());
            self.0.push(a);
        }
    }
}

/// An address as (base, constant byte offset): `p + 8` → (`p`, 8).
fn split_addr(e: &Expr) -> (&Expr, i128) {
    match e {
        Expr::PtrAdd { base, offset } => match offset.as_const() {
            Some(k) => (base, k),
            None => (e, 0),
        },
        _ => (e, 0),
    }
}

/// Whether a store of `size` bytes at `stored` leaves the value at
/// `(addr, asize)` intact.
fn disjoint(stored: &Expr, size: u8, addr: &Expr, asize: u8) -> bool {
    let (b1, k1) = split_addr(stored);
    let (b2, k2) = split_addr(addr);
    b1 == b2 && (k1 + size as i128 <= k2 || k2 + asize as i128 <= k1)
}

fn mentions_local(e: &Expr, l: LocalId) -> bool {
    let mut found = false;
    e.each(&mut |x| found |= matches!(x, Expr::Local(y) | Expr::AddrLocal(y) if *y == l));
    found
}

/// The loads of an expression, as (address, size), every `Load` node once.
fn loads_of(e: &Expr) -> Vec<(&Expr, u8)> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match x {
            Expr::Load { addr, size, .. } => {
                out.push((addr.as_ref(), *size));
                stack.push(addr);
            }
            Expr::Bin { a, b, .. } => stack.extend([a.as_ref(), b.as_ref()]),
            Expr::Un { a, .. } | Expr::Cast { a, .. } => stack.push(a),
            Expr::PtrAdd { base, offset } => stack.extend([base.as_ref(), offset.as_ref()]),
            Expr::Const { .. } | Expr::Local(_) | Expr::AddrLocal(_) | Expr::AddrGlobal(_) => {}
        }
    }
    out
}

/// The expressions an instruction evaluates (loads happen there).
fn inst_exprs(i: &Inst) -> Vec<&Expr> {
    match &i.kind {
        InstKind::Set { value, .. } => vec![value],
        InstKind::Store { addr, value, .. } => vec![addr, value],
        InstKind::Copy { dst, src, .. } => vec![dst, src],
        InstKind::Call { args, target, .. } => args.iter().chain(target.as_deref()).collect(),
    }
}

fn term_expr(t: &Terminator) -> Option<&Expr> {
    match t {
        Terminator::Branch { cond, .. } => Some(cond),
        Terminator::Switch { value, .. } => Some(value),
        Terminator::Return(v) => v.as_ref(),
        Terminator::Goto(_) | Terminator::Unreachable => None,
    }
}


/// Run one block from the available set `avail` (one bool per address):
/// returns the loads found available, and leaves the set at the block's end.
fn transfer(b: &Block, addrs: &Addrs, avail: &mut [bool]) -> u32 {
    let mut n = 0;
    let mut load = |e: &Expr, avail: &mut [bool]| {
        for l in loads_of(e) {
            if let Some(k) = addrs.index(l) {
                if avail[k] {
                    n += 1;
                }
                avail[k] = true;
            }
        }
    };
    for i in &b.insts {
        for e in inst_exprs(i) {
            load(e, avail);
        }
        match &i.kind {
            InstKind::Set { local, .. } => kill(avail, addrs, |a, _| mentions_local(a, *local)),
            InstKind::Store { addr, size, .. } => {
                kill(avail, addrs, |a, s| !disjoint(addr, *size, a, s));
                if let Some(k) = addrs.index((addr, *size)) {
                    avail[k] = true;
                }
            }
            // A call may write any memory; a copy writes a range.
            InstKind::Copy { .. } | InstKind::Call { .. } => avail.iter_mut().for_each(|x| *x = false),
        }
    }
    if let Some(e) = term_expr(&b.term) {
        load(e, avail);
    }
    n
}

fn kill(avail: &mut [bool], addrs: &Addrs, hit: impl Fn(&Expr, u8) -> bool) {
    for (k, (a, s)) in addrs.0.iter().enumerate() {
        if avail[k] && hit(a, *s) {
            avail[k] = false;
        }
    }
}

/// Forwarded loads per block of `f` (see the module comment).
pub fn forwarded_loads(f: &Function) -> Vec<u32> {
    let mut addrs = Addrs(Vec::new(), Default::default());
    for b in &f.blocks {
        for i in &b.insts {
            for e in inst_exprs(i) {
                for l in loads_of(e) {
                    addrs.insert(l);
                }
            }
            if let InstKind::Store { addr, size, .. } = &i.kind {
                addrs.insert((addr, *size));
            }
        }
        if let Some(e) = term_expr(&b.term) {
            for l in loads_of(e) {
                addrs.insert(l);
            }
        }
    }
    let nb = f.blocks.len();
    let na = addrs.0.len();
    if na == 0 {
        return vec![0; nb];
    }
    let mut preds: Vec<Vec<BlockId>> = vec![vec![]; nb];
    for (bi, b) in f.blocks.iter().enumerate() {
        for s in successors(&b.term) {
            if let Some(p) = preds.get_mut(s) {
                p.push(bi);
            }
        }
    }
    // Greatest fixpoint: everything available except at the entry, then
    // intersections shrink it. Each round only removes addresses, so it
    // ends within na·nb rounds; the bound guards a bug.
    let mut out = vec![vec![true; na]; nb];
    // A loop header meets its latches only (loop-invariant motion: what
    // every iteration leaves in a register stays there for the next).
    let from = |bi: usize| -> &[BlockId] {
        match f.loop_of_header.get(bi).copied().flatten().and_then(|l| f.loops.get(l)) {
            Some(l) if !l.latches.is_empty() => &l.latches,
            _ => &preds[bi],
        }
    };
    let input = |bi: usize, out: &[Vec<bool>]| -> Vec<bool> {
        if bi == f.entry || from(bi).is_empty() {
            return vec![false; na];
        }
        let mut v = vec![true; na];
        for p in from(bi) {
            for (x, y) in v.iter_mut().zip(&out[*p]) {
                *x &= *y;
            }
        }
        v
    };
    let mut changed = true;
    let mut rounds = 0;
    while changed && rounds < 10_000 {
        changed = false;
        rounds += 1;
        for bi in 0..nb {
            let mut v = input(bi, &out);
            transfer(&f.blocks[bi], &addrs, &mut v);
            if v != out[bi] {
                out[bi] = v;
                changed = true;
            }
        }
    }
    (0..nb)
        .map(|bi| {
            let mut v = input(bi, &out);
            transfer(&f.blocks[bi], &addrs, &mut v)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The IR of the last function of `src`.
    pub(crate) fn lower(src: &str) -> Function {
        let file = crate::source::SourceFile::parse("t.c", src.as_bytes()).expect("parsed");
        let prog = crate::analysis::Program::from_sources(vec![std::sync::Arc::new(file)], &mut Default::default());
        let fa = prog.files.into_iter().next().expect("one file");
        let l = fa.functions.into_iter().last().expect("a function");
        l.ir.expect("lowered")
    }

    fn total(f: &Function) -> u32 {
        f.blocks.iter().map(|b| b.fwd_loads).sum()
    }

    #[test]
    fn a_second_read_of_a_field_is_forwarded() {
        let f = lower("struct s { int a, b; }; int g(struct s *p) { int x = p->a; return x + p->a; }");
        assert_eq!(total(&f), 1);
    }

    #[test]
    fn a_store_to_another_field_keeps_the_value() {
        let f = lower("struct s { int a, b; }; int g(struct s *p) { p->a = 3; p->b = 4; return p->a; }");
        assert_eq!(total(&f), 1);
    }

    #[test]
    fn a_store_through_another_pointer_or_a_call_kills_it() {
        let f = lower("struct s { int a, b; }; void h(void); int g(struct s *p, int *q) { int x = p->a; *q = 1; int y = p->a; h(); return x + y + p->a; }");
        assert_eq!(total(&f), 0);
    }

    #[test]
    fn a_loop_invariant_load_is_forwarded_after_the_first_iteration() {
        let f = lower("int g(int *k, int *v, int n) { int s = 0; for (int i = 0; i < n; i++) s += v[i] * *k; return s; }");
        // `*k` in the body: available around the back edge; `v[i]` is not
        // (i changes).
        assert_eq!(total(&f), 1);
    }
}
