//! Loops gcc replaces by a call to `memset` or `memcpy` (issue 14).
//!
//! At -O2, gcc's loop distribution (`-ftree-loop-distribute-patterns`)
//! recognizes an innermost loop whose only work is storing one
//! loop-invariant value, or copying one element, into consecutive
//! elements, and emits a single library call in its place (`for (i = 0; i
//! < n; i++) a[i] = 0;` becomes `memset(a, 0, n * 4)`; the call is
//! expanded inline when the size is a constant). Counted as written, such
//! a loop costs a store, an increment, a compare and a branch per element;
//! compiled, it costs the call once and the library routine's work per
//! byte, several bytes per instruction.
//!
//! What is recognized follows gcc's conditions
//! (`tree-loop-distribution.cc`, `classify_builtin_st`/`_ldst`), only as
//! far as the IR shows them without type-based aliasing:
//! - the loop contains no other loop, no call, no aggregate copy, one
//!   store, and no load except a `memcpy`'s source element;
//! - every block runs once per iteration: the loop's only conditional
//!   branch is its exit test;
//! - every local the loop assigns is an induction variable stepped by a
//!   constant once per iteration, or a copy of one (the `p` of `*p++`);
//!   the exit test reads only those and loop-invariant values, so the
//!   iteration count is computable before the loop;
//! - the stored element advances by exactly its own size per iteration
//!   (`a[i]` with `i++`, `*p++`), upwards;
//! - `memset`: the value is loop-invariant, and either one byte wide or a
//!   constant whose bytes are all equal (0, -1);
//! - `memcpy`: the value is a load of the same size advancing the same way,
//!   and the two are different named objects (gcc must prove that they do
//!   not overlap; through two pointers it cannot without `restrict`, which
//!   the IR does not keep, and it keeps the loop).
//!
//! The block before the loop (its only entry, falling into it) is marked
//! [`LibRole::Entry`]: it pays one call per store once per entry
//! (`Feature::LibLoop`) and the routines' fixed parts. The block with the
//! (first) store is marked [`LibRole::Iter`]: per iteration, the routines'
//! work on the stored bytes (`cost::library_counts`). The loop's other
//! blocks cost nothing ([`LibRole::Gone`]). Loop counts, footprints and values are unchanged:
//! only the costs of the blocks are.

use crate::ir::*;
use serde::Serialize;

/// Calls, bytes or a rate per library routine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PerRoutine<T = u16> {
    pub memset: T,
    pub memcpy: T,
}

/// A block's part in a loop replaced by library calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum LibRole {
    /// An ordinary block.
    #[default]
    None,
    /// The block falling into the loop: the calls, once per entry.
    Entry { calls: PerRoutine },
    /// The block charged with the loop's stores: the routines' work on the
    /// bytes each stores per iteration.
    Iter { bytes: PerRoutine },
    /// Another block of the loop: nothing left of it.
    Gone,
}

/// The roles of the function's blocks (all `None` when no loop qualifies).
pub fn library_loops(f: &Function) -> Vec<LibRole> {
    let mut roles = vec![LibRole::None; f.blocks.len()];
    for (li, l) in f.loops.iter().enumerate() {
        let inner = f.loops.iter().enumerate().any(|(j, o)| j != li && o.parent == Some(li));
        if inner {
            continue;
        }
        if let Some((entry, store_block, calls, bytes)) = classify(f, l) {
            for &b in &l.blocks {
                roles[b] = LibRole::Gone;
            }
            roles[store_block] = LibRole::Iter { bytes };
            roles[entry] = LibRole::Entry { calls };
        }
    }
    roles
}

/// How a local changes per iteration of the loop.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Step {
    /// Not assigned in the loop.
    Invariant,
    /// Stepped by a constant (bytes for pointers, units for integers).
    By(i128),
    /// Assigned otherwise.
    Other,
}

/// The entry block, the block of the (first) store, the calls and the
/// bytes per iteration, when gcc replaces loop `l` by library calls: one
/// per store (it distributes a loop of several qualifying stores into one
/// call each, behind a runtime check that they do not overlap).
fn classify(f: &Function, l: &Loop) -> Option<(BlockId, BlockId, PerRoutine, PerRoutine)> {
    let entry = single_entry(f, l)?;
    // Straight-line body: one conditional branch, and it leaves the loop;
    // so every block (the header included) runs once per iteration, apart
    // from a final exit test.
    let mut branches = 0;
    for &b in &l.blocks {
        match &f.blocks[b].term {
            Terminator::Goto(_) => {}
            Terminator::Branch { then_bb, else_bb, .. } => {
                branches += 1;
                if l.contains(*then_bb) == l.contains(*else_bb) {
                    return None;
                }
            }
            _ => return None,
        }
    }
    if branches != 1 {
        return None;
    }
    let steps = steps(f, l)?;
    let step_of = |x: LocalId| steps.get(x).copied().unwrap_or(Step::Invariant);
    let mut calls = PerRoutine::default();
    let mut bytes = PerRoutine::default();
    let mut store_block = None;
    for &b in &l.blocks {
        for i in &f.blocks[b].insts {
            match &i.kind {
                InstKind::Set { value, .. } if !has_load(value) => {}
                InstKind::Store { addr, value, size, .. } => {
                    let (n, per) = match store_routine(addr, value, *size, &step_of)? {
                        Routine::Memset => (&mut calls.memset, &mut bytes.memset),
                        Routine::Memcpy => (&mut calls.memcpy, &mut bytes.memcpy),
                    };
                    *n += 1;
                    *per += *size as u16;
                    store_block.get_or_insert(b);
                }
                _ => return None,
            }
        }
        if let Terminator::Branch { cond, .. } = &f.blocks[b].term {
            let mut ok = !has_load(cond);
            cond.each(&mut |e| ok &= !matches!(e, Expr::Local(x) if step_of(*x) == Step::Other));
            if !ok {
                return None;
            }
        }
    }
    Some((entry, store_block?, calls, bytes))
}

enum Routine {
    Memset,
    Memcpy,
}

/// The routine a store in a qualifying loop becomes, if any.
fn store_routine(addr: &Expr, value: &Expr, size: u8, step_of: &dyn Fn(LocalId) -> Step) -> Option<Routine> {
    if stride(addr, step_of)? != size as i128 {
        return None;
    }
    if invariant(value, step_of) {
        let byte_wide = size == 1 || value.as_const().is_some_and(|v| same_bytes(v, size));
        return byte_wide.then_some(Routine::Memset);
    }
    match value {
        Expr::Load { addr: src, size: s, .. } if *s == size && !has_load(src) && stride(src, step_of)? == size as i128 => {
            let distinct = matches!((root(addr), root(src)), (Some(a), Some(b)) if a != b);
            distinct.then_some(Routine::Memcpy)
        }
        _ => None,
    }
}

/// The only block outside the loop that enters it, when it falls into the
/// header unconditionally (so it runs once per entry into the loop).
fn single_entry(f: &Function, l: &Loop) -> Option<BlockId> {
    let entry = crate::loops::sole_entry(f, l)?;
    matches!(f.blocks[entry].term, Terminator::Goto(h) if h == l.header).then_some(entry)
}

/// Per local, how the loop changes it; `None` when a local is assigned in
/// a way gcc could not compute an iteration count through.
fn steps(f: &Function, l: &Loop) -> Option<Vec<Step>> {
    let mut assigned: Vec<Vec<&Expr>> = vec![Vec::new(); f.locals.len()];
    for &b in &l.blocks {
        for i in &f.blocks[b].insts {
            if let InstKind::Set { local, value } = &i.kind {
                assigned.get_mut(*local)?.push(value);
            }
        }
    }
    let mut steps: Vec<Step> = assigned
        .iter()
        .enumerate()
        .map(|(x, vals)| match vals.as_slice() {
            [] => Step::Invariant,
            [v] => self_step(x, v).map(Step::By).unwrap_or(Step::Other),
            _ => Step::Other,
        })
        .collect();
    // Copies of an induction variable (`t = p` before `p = p + 1`) step as
    // it does; a copy of a copy is not followed.
    for (x, vals) in assigned.iter().enumerate() {
        if let [Expr::Local(y)] = vals.as_slice() {
            if let Some(Step::By(k)) = steps.get(*y).copied() {
                if *y != x {
                    steps[x] = Step::By(k);
                }
            }
        }
    }
    Some(steps)
}

/// `x = x + k`, `x = x - k` or `x = x + k` on a pointer: the step `k`.
fn self_step(x: LocalId, v: &Expr) -> Option<i128> {
    let own = |e: &Expr| matches!(strip_casts(e), Expr::Local(y) if *y == x);
    match v {
        Expr::Bin { op: BinOp::Add, a, b, .. } if own(a) => b.as_const(),
        Expr::Bin { op: BinOp::Sub, a, b, .. } if own(a) => b.as_const().map(|k| -k),
        Expr::PtrAdd { base, offset } if own(base) => offset.as_const(),
        _ => None,
    }
}

fn strip_casts(e: &Expr) -> &Expr {
    match e {
        Expr::Cast { a, .. } => strip_casts(a),
        other => other,
    }
}

fn has_load(e: &Expr) -> bool {
    let mut found = false;
    e.each(&mut |x| found |= matches!(x, Expr::Load { .. }));
    found
}

/// No load and no local the loop changes.
fn invariant(e: &Expr, step_of: &dyn Fn(LocalId) -> Step) -> bool {
    let mut ok = true;
    e.each(&mut |x| match x {
        Expr::Load { .. } => ok = false,
        Expr::Local(l) if step_of(*l) != Step::Invariant => ok = false,
        _ => {}
    });
    ok
}

/// Bytes an address advances per iteration, when it is a loop-invariant
/// base plus an affine index (`a + i * 4`, `p`, `p + 8`).
fn stride(addr: &Expr, step_of: &dyn Fn(LocalId) -> Step) -> Option<i128> {
    match addr {
        Expr::PtrAdd { base, offset } => {
            if invariant(base, step_of) {
                index_step(offset, step_of)
            } else if offset.as_const().is_some() {
                stride(base, step_of)
            } else {
                None
            }
        }
        other => index_step(other, step_of),
    }
}

/// How much an integer or pointer expression changes per iteration.
fn index_step(e: &Expr, step_of: &dyn Fn(LocalId) -> Step) -> Option<i128> {
    match strip_casts(e) {
        Expr::Local(x) => match step_of(*x) {
            Step::By(k) => Some(k),
            _ => None,
        },
        Expr::Bin { op: BinOp::Mul, a, b, .. } => Some(index_step(a, step_of)? * b.as_const()?),
        Expr::Bin { op: BinOp::Add, a, b, .. } if b.as_const().is_some() => index_step(a, step_of),
        _ => None,
    }
}

/// The named object an address lies in, if it names one.
fn root(addr: &Expr) -> Option<&Expr> {
    match addr {
        Expr::AddrLocal(_) | Expr::AddrGlobal(_) => Some(addr),
        Expr::PtrAdd { base, .. } => root(base),
        _ => None,
    }
}

/// Whether the low `size` bytes of `v` are all the same byte.
fn same_bytes(v: i128, size: u8) -> bool {
    let bytes = (v as u128).to_le_bytes();
    let n = (size as usize).min(16);
    bytes[..n].iter().all(|b| *b == bytes[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Program;

    /// Per function of `src`: the bytes per iteration of its replaced loop
    /// as (memset, memcpy), if one is.
    fn replaced(src: &str) -> Vec<(String, Option<(u16, u16)>)> {
        let dir = std::env::temp_dir().join(format!("perfi-distribute-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("loops.c");
        std::fs::write(&path, src).expect("write");
        let prog = Program::load(&[path]).expect("loads");
        let _ = std::fs::remove_dir_all(&dir);
        let mut out = Vec::new();
        for fa in &prog.files {
            for l in &fa.functions {
                let f = l.ir.as_ref().expect("lowered");
                let iter = f.blocks.iter().find_map(|b| match b.lib {
                    LibRole::Iter { bytes } => Some((bytes.memset, bytes.memcpy)),
                    _ => None,
                });
                out.push((l.info.name.clone(), iter));
            }
        }
        out
    }

    /// Checked against gcc 12 -O2 on this file (`gcc -O2 -S`): the
    /// functions with bytes compile to calls of memset/memcpy (or, for a
    /// constant size, an inline `rep stos`/`rep movs`), one per store; the
    /// others keep their loop.
    #[test]
    fn loops_gcc_distributes_are_recognized_and_others_are_not() {
        let src = r#"
long src_tab[64], dst_tab[64];
void zero_ints(int *a, int n) { for (int i = 0; i < n; i++) a[i] = 0; }
void fill_bytes(unsigned char *a, int n, unsigned char v) { for (int i = 0; i < n; i++) a[i] = v; }
void ones(int *a, int n) { for (int i = 0; i < n; i++) a[i] = -1; }
void walk(char *p, char *e) { while (p < e) *p++ = 0; }
void count_down(long *p, unsigned long n) { while (n--) *p++ = 0; }
void do_zero(int *a, int n) { int i = 0; do { a[i] = 0; i++; } while (i < n); }
void copy_tabs(void) { for (int i = 0; i < 64; i++) dst_tab[i] = src_tab[i]; }
void copy_n(int n) { for (int i = 0; i < n; i++) dst_tab[i] = src_tab[i]; }
void three(int *a, short *b, char *c, int n) { for (int i = 0; i < n; i++) { a[i] = 0; b[i] = 0; c[i] = 0; } }
void fill_one(int *a, int n) { for (int i = 0; i < n; i++) a[i] = 1; }
void copy_ptrs(int *a, const int *b, int n) { for (int i = 0; i < n; i++) a[i] = b[i]; }
void stride_two(int *a, int n) { for (int i = 0; i < n; i++) a[2 * i] = 0; }
void guarded(int *a, int n) { for (int i = 0; i < n; i++) if (i & 1) a[i] = 0; }
void bound_in_memory(int *a, int *n) { for (int i = 0; i < *n; i++) a[i] = 0; }
void fill_index(int *a, int n) { for (int i = 0; i < n; i++) a[i] = i; }
void zero_and_count(int *a, int n, int *k) { for (int i = 0; i < n; i++) { a[i] = 0; *k += 1; } }
"#;
        let expect: Vec<(&str, Option<(u16, u16)>)> = vec![
            ("zero_ints", Some((4, 0))),
            ("fill_bytes", Some((1, 0))),
            ("ones", Some((4, 0))),
            ("walk", Some((1, 0))),
            ("count_down", Some((8, 0))),
            ("do_zero", Some((4, 0))),
            ("copy_tabs", Some((0, 8))),
            ("copy_n", Some((0, 8))),
            ("three", Some((7, 0))),
            ("fill_one", None),
            ("copy_ptrs", None),
            ("stride_two", None),
            ("guarded", None),
            ("bound_in_memory", None),
            ("fill_index", None),
            ("zero_and_count", None),
        ];
        let got = replaced(src);
        let got: Vec<(&str, Option<(u16, u16)>)> = got.iter().map(|(n, k)| (n.as_str(), *k)).collect();
        assert_eq!(got, expect);
    }
}
