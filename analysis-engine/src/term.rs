//! Hash-consed bit-vector terms with C semantics (widths, signedness,
//! wrap-around). Booleans are width-1 terms. Construction folds constants
//! and applies a few identities, so most concrete arithmetic never reaches
//! the solver.

use std::collections::HashMap;

pub type TermId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Const(u128),
    Sym(u32),
    Add,
    Sub,
    Mul,
    UDiv,
    SDiv,
    URem,
    SRem,
    Shl,
    LShr,
    AShr,
    And,
    Or,
    Xor,
    Not,
    Neg,
    Eq,
    Ult,
    Slt,
    Ule,
    Sle,
    ZExt,
    SExt,
    /// Low bits (truncation) to the node's width.
    Trunc,
    Ite,
    Bswap,
    /// Boolean connectives on width-1 terms.
    BAnd,
    BOr,
    BNot,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub op: Op,
    pub args: Vec<TermId>,
    pub width: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymKind {
    /// A value the function reads from outside: parameter, memory cell.
    Input,
    /// A value after a loop we did not follow iteration by iteration.
    Havoc,
}

#[derive(Clone, Debug)]
pub struct SymInfo {
    pub name: String,
    pub width: u32,
    pub kind: SymKind,
    pub secret: bool,
}

#[derive(Default, Clone)]
pub struct Terms {
    nodes: Vec<Node>,
    map: HashMap<Node, TermId>,
    pub syms: Vec<SymInfo>,
    sym_names: HashMap<String, u32>,
    /// Next `#k` suffix per base name (keeps naming linear).
    suffix: HashMap<String, u32>,
    /// Readable aliases for compound terms (the local variable that holds them).
    pub aliases: HashMap<TermId, String>,
    /// Names of constants in comparisons (`Function::const_names` of the
    /// analyzed function and the functions it may call): Some(name) when
    /// every comparison with the value wrote that name, None on a clash
    /// (another name, or a number literal).
    pub const_names: HashMap<u128, Option<String>>,
}

pub fn mask(w: u32) -> u128 {
    if w >= 128 {
        u128::MAX
    } else {
        (1u128 << w) - 1
    }
}

pub fn to_signed(v: u128, w: u32) -> i128 {
    let v = v & mask(w);
    if w == 0 || w >= 128 {
        return v as i128;
    }
    if (v >> (w - 1)) & 1 == 1 {
        (v as i128) - (1i128 << w)
    } else {
        v as i128
    }
}

impl Terms {
    pub fn new() -> Terms {
        Terms::default()
    }

    pub fn node(&self, t: TermId) -> &Node {
        &self.nodes[t as usize]
    }
    pub fn width(&self, t: TermId) -> u32 {
        self.nodes[t as usize].width
    }
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn intern(&mut self, n: Node) -> TermId {
        if let Some(id) = self.map.get(&n) {
            return *id;
        }
        let id = self.nodes.len() as TermId;
        self.nodes.push(n.clone());
        self.map.insert(n, id);
        id
    }

    pub fn konst(&mut self, v: u128, width: u32) -> TermId {
        self.intern(Node { op: Op::Const(v & mask(width)), args: vec![], width })
    }
    pub fn konst_i(&mut self, v: i128, width: u32) -> TermId {
        self.konst(v as u128, width)
    }
    pub fn tru(&mut self) -> TermId {
        self.konst(1, 1)
    }
    pub fn fals(&mut self) -> TermId {
        self.konst(0, 1)
    }

    pub fn as_const(&self, t: TermId) -> Option<u128> {
        match self.nodes[t as usize].op {
            Op::Const(v) => Some(v),
            _ => None,
        }
    }

    /// A fresh symbol; a name already taken gets a `#k` suffix.
    pub fn sym(&mut self, name: &str, width: u32, kind: SymKind) -> TermId {
        let mut n = name.to_string();
        if self.sym_names.contains_key(&n) {
            let k = self.suffix.entry(name.to_string()).or_insert(1);
            loop {
                *k += 1;
                n = format!("{name}#{k}");
                if !self.sym_names.contains_key(&n) {
                    break;
                }
            }
        }
        let id = self.syms.len() as u32;
        self.syms.push(SymInfo { name: n.clone(), width, kind, secret: false });
        self.sym_names.insert(n, id);
        self.intern(Node { op: Op::Sym(id), args: vec![], width })
    }

    /// Copy a term from another arena, matching symbols by name (so the
    /// same input in two versions of a function is the same symbol).
    pub fn import(&mut self, other: &Terms, t: TermId, memo: &mut HashMap<TermId, TermId>) -> TermId {
        if let Some(x) = memo.get(&t) {
            return *x;
        }
        let n = other.node(t).clone();
        let r = match n.op {
            Op::Sym(s) => {
                let info = &other.syms[s as usize];
                match self.sym_names.get(&info.name) {
                    Some(&id) if self.syms[id as usize].width == info.width => self.intern(Node { op: Op::Sym(id), args: vec![], width: info.width }),
                    _ => self.sym(&info.name, info.width, info.kind.clone()),
                }
            }
            _ => {
                let args: Vec<TermId> = n.args.iter().map(|a| self.import(other, *a, memo)).collect();
                self.intern(Node { op: n.op, args, width: n.width })
            }
        };
        memo.insert(t, r);
        r
    }

    /// The symbol named `name`, if there is one.
    pub fn sym_named(&self, name: &str) -> Option<u32> {
        self.sym_names.get(name).copied()
    }

    /// The term of symbol number `s`, if it was interned.
    pub fn node_of_sym(&self, s: u32) -> Option<TermId> {
        let w = self.syms.get(s as usize)?.width;
        self.map.get(&Node { op: Op::Sym(s), args: vec![], width: w }).copied()
    }

    pub fn sym_of(&self, t: TermId) -> Option<&SymInfo> {
        match self.nodes[t as usize].op {
            Op::Sym(s) => self.syms.get(s as usize),
            _ => None,
        }
    }

    pub fn bin(&mut self, op: Op, a: TermId, b: TermId) -> TermId {
        let w = self.width(a);
        let rw = match op {
            Op::Eq | Op::Ult | Op::Slt | Op::Ule | Op::Sle | Op::BAnd | Op::BOr => 1,
            _ => w,
        };
        if let (Some(x), Some(y)) = (self.as_const(a), self.as_const(b)) {
            if let Some(v) = fold_bin(op, x, y, w) {
                return self.konst(v, rw);
            }
        }
        // Identities that keep terms small.
        let ca = self.as_const(a);
        let cb = self.as_const(b);
        match op {
            Op::Add | Op::Sub | Op::Or | Op::Xor | Op::Shl | Op::LShr | Op::AShr if cb == Some(0) => return a,
            Op::Add | Op::Or | Op::Xor if ca == Some(0) => return b,
            Op::Mul if cb == Some(1) => return a,
            Op::Mul if ca == Some(1) => return b,
            Op::Mul | Op::And if cb == Some(0) || ca == Some(0) => return self.konst(0, w),
            Op::And if cb == Some(mask(w)) => return a,
            Op::And if ca == Some(mask(w)) => return b,
            Op::Sub if a == b => return self.konst(0, w),
            Op::Eq | Op::Ule | Op::Sle if a == b => return self.tru(),
            Op::Ult | Op::Slt if a == b => return self.fals(),
            Op::BAnd => {
                if ca == Some(0) || cb == Some(0) {
                    return self.fals();
                }
                if ca == Some(1) || a == b {
                    return b;
                }
                if cb == Some(1) {
                    return a;
                }
            }
            Op::BOr => {
                if ca == Some(1) || cb == Some(1) {
                    return self.tru();
                }
                if ca == Some(0) || a == b {
                    return b;
                }
                if cb == Some(0) {
                    return a;
                }
            }
            _ => {}
        }
        // (x + c1) + c2 → x + (c1 + c2): keeps pointer offsets readable.
        if op == Op::Add {
            if let Some(c2) = cb {
                let n = self.node(a).clone();
                if n.op == Op::Add {
                    if let Some(c1) = self.as_const(n.args[1]) {
                        let c = self.konst(c1.wrapping_add(c2), w);
                        return self.bin(Op::Add, n.args[0], c);
                    }
                }
            }
        }
        let (a, b) = if is_commutative(op) && a > b { (b, a) } else { (a, b) };
        self.intern(Node { op, args: vec![a, b], width: rw })
    }

    pub fn un(&mut self, op: Op, a: TermId) -> TermId {
        let w = self.width(a);
        if let Some(x) = self.as_const(a) {
            let v = match op {
                Op::Not => !x,
                Op::Neg => x.wrapping_neg(),
                Op::BNot => (x == 0) as u128,
                Op::Bswap => bswap(x, w),
                _ => x,
            };
            return self.konst(v, w);
        }
        if op == Op::BNot {
            let n = self.node(a).clone();
            if n.op == Op::BNot {
                return n.args[0];
            }
        }
        self.intern(Node { op, args: vec![a], width: w })
    }

    /// Resize: zero/sign extend or truncate.
    pub fn resize(&mut self, a: TermId, to: u32, signed: bool) -> TermId {
        let w = self.width(a);
        if w == to {
            return a;
        }
        if let Some(x) = self.as_const(a) {
            let v = if to > w && signed { to_signed(x, w) as u128 } else { x };
            return self.konst(v, to);
        }
        let op = if to < w {
            Op::Trunc
        } else if signed {
            Op::SExt
        } else {
            Op::ZExt
        };
        // Extending a truncation of the same width back is not an identity; keep it.
        self.intern(Node { op, args: vec![a], width: to })
    }

    pub fn ite(&mut self, c: TermId, a: TermId, b: TermId) -> TermId {
        match self.as_const(c) {
            Some(0) => return b,
            Some(_) => return a,
            None => {}
        }
        if a == b {
            return a;
        }
        let w = self.width(a);
        self.intern(Node { op: Op::Ite, args: vec![c, a, b], width: w })
    }

    pub fn not(&mut self, c: TermId) -> TermId {
        self.un(Op::BNot, c)
    }
    pub fn and(&mut self, a: TermId, b: TermId) -> TermId {
        self.bin(Op::BAnd, a, b)
    }
    pub fn eq(&mut self, a: TermId, b: TermId) -> TermId {
        self.bin(Op::Eq, a, b)
    }

    /// `t` with the term `from` replaced by `to` (of the same width),
    /// folded as it is rebuilt.
    pub fn subst(&mut self, t: TermId, from: TermId, to: TermId, memo: &mut HashMap<TermId, TermId>) -> TermId {
        if t == from {
            return to;
        }
        if let Some(x) = memo.get(&t) {
            return *x;
        }
        let n = self.node(t).clone();
        let args: Vec<TermId> = n.args.iter().map(|a| self.subst(*a, from, to, memo)).collect();
        let r = self.rebuild(t, &n, &args);
        memo.insert(t, r);
        r
    }

    /// Term `t` (node `n`) with its arguments replaced by `args`: `t`
    /// itself when they are the same, else built again (and simplified).
    fn rebuild(&mut self, t: TermId, n: &Node, args: &[TermId]) -> TermId {
        if args == n.args.as_slice() {
            return t;
        }
        match (n.op, args) {
            (Op::ZExt | Op::Trunc, [a]) => self.resize(*a, n.width, false),
            (Op::SExt, [a]) => self.resize(*a, n.width, true),
            (Op::Ite, [c, a, b]) => self.ite(*c, *a, *b),
            (op, [a]) => self.un(op, *a),
            (op, [a, b]) => self.bin(op, *a, *b),
            _ => t,
        }
    }

    /// `t` with unsigned divisions by a power of two written as shifts
    /// (the same value; bit-blasted division makes queries slow).
    pub fn div_as_shift(&mut self, t: TermId, memo: &mut HashMap<TermId, TermId>) -> TermId {
        if let Some(x) = memo.get(&t) {
            return *x;
        }
        let n = self.node(t).clone();
        let args: Vec<TermId> = n.args.iter().map(|a| self.div_as_shift(*a, memo)).collect();
        let r = match (n.op, args.as_slice()) {
            (Op::UDiv, [a, b]) if self.as_const(*b).is_some_and(|d| d.is_power_of_two()) => {
                let k = self.as_const(*b).map(|d| d.trailing_zeros()).unwrap_or(0);
                let w = self.width(*a);
                let k = self.konst(k as u128, w);
                self.bin(Op::LShr, *a, k)
            }
            _ => self.rebuild(t, &n, &args),
        };
        memo.insert(t, r);
        r
    }

    /// Symbols a term depends on.
    pub fn symbols(&self, t: TermId, out: &mut Vec<u32>) {
        let mut stack = vec![t];
        let mut seen = std::collections::HashSet::new();
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            let n = &self.nodes[x as usize];
            if let Op::Sym(s) = n.op {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            stack.extend(n.args.iter().copied());
        }
    }

    /// Evaluate node `t` given its arguments' values.
    pub fn eval_node(&self, t: TermId, args: &[u128]) -> u128 {
        let n = &self.nodes[t as usize];
        let w = n.width;
        let arg = |i: usize| args.get(i).copied().unwrap_or(0);
        match n.op {
            Op::Const(v) => v,
            Op::Sym(_) => 0,
            Op::Not => !arg(0) & mask(w),
            Op::Neg => arg(0).wrapping_neg() & mask(w),
            Op::BNot => (arg(0) == 0) as u128,
            Op::Bswap => bswap(arg(0), w),
            Op::ZExt | Op::Trunc => arg(0) & mask(w),
            Op::SExt => (to_signed(arg(0), self.width(n.args[0])) as u128) & mask(w),
            Op::Ite => {
                if arg(0) != 0 {
                    arg(1)
                } else {
                    arg(2)
                }
            }
            op => fold_bin(op, arg(0), arg(1), self.width(n.args[0])).unwrap_or(0),
        }
    }

    /// Evaluate under an assignment of symbols (missing symbols are 0).
    pub fn eval(&self, t: TermId, env: &HashMap<u32, u128>) -> u128 {
        let n = &self.nodes[t as usize];
        let w = n.width;
        let arg = |i: usize| self.eval(n.args[i], env);
        match n.op {
            Op::Const(v) => v,
            Op::Sym(s) => env.get(&s).copied().unwrap_or(0) & mask(w),
            Op::Not | Op::Neg | Op::BNot | Op::Bswap => {
                let x = arg(0);
                match n.op {
                    Op::Not => !x & mask(w),
                    Op::Neg => x.wrapping_neg() & mask(w),
                    Op::BNot => (x == 0) as u128,
                    _ => bswap(x, w),
                }
            }
            Op::ZExt | Op::Trunc => arg(0) & mask(w),
            Op::SExt => (to_signed(arg(0), self.width(n.args[0])) as u128) & mask(w),
            Op::Ite => {
                if arg(0) != 0 {
                    arg(1)
                } else {
                    arg(2)
                }
            }
            op => {
                let aw = self.width(n.args[0]);
                fold_bin(op, arg(0), arg(1), aw).unwrap_or(0)
            }
        }
    }
}

fn is_commutative(op: Op) -> bool {
    matches!(op, Op::Add | Op::Mul | Op::And | Op::Or | Op::Xor | Op::Eq | Op::BAnd | Op::BOr)
}

pub fn bswap(x: u128, w: u32) -> u128 {
    let bytes = (w / 8) as usize;
    let mut out = 0u128;
    for i in 0..bytes {
        let b = (x >> (8 * i)) & 0xff;
        out |= b << (8 * (bytes - 1 - i));
    }
    out
}

/// C semantics on w-bit values; division by zero yields None (the path is
/// undefined behaviour; callers treat it as unknown).
pub fn fold_bin(op: Op, x: u128, y: u128, w: u32) -> Option<u128> {
    let m = mask(w);
    let (x, y) = (x & m, y & m);
    let sx = to_signed(x, w);
    let sy = to_signed(y, w);
    Some(match op {
        Op::Add => x.wrapping_add(y) & m,
        Op::Sub => x.wrapping_sub(y) & m,
        Op::Mul => x.wrapping_mul(y) & m,
        Op::UDiv => x.checked_div(y)? & m,
        Op::URem => x.checked_rem(y)? & m,
        Op::SDiv => (sx.checked_div(sy)? as u128) & m,
        Op::SRem => (sx.checked_rem(sy)? as u128) & m,
        Op::Shl => {
            if y >= w as u128 {
                0
            } else {
                (x << y) & m
            }
        }
        Op::LShr => {
            if y >= w as u128 {
                0
            } else {
                x >> y
            }
        }
        Op::AShr => {
            let s = if y >= w as u128 { w.saturating_sub(1) as u32 } else { y as u32 };
            ((sx >> s) as u128) & m
        }
        Op::And => x & y,
        Op::Or => x | y,
        Op::Xor => x ^ y,
        Op::Eq => (x == y) as u128,
        Op::Ult => (x < y) as u128,
        Op::Ule => (x <= y) as u128,
        Op::Slt => (sx < sy) as u128,
        Op::Sle => (sx <= sy) as u128,
        Op::BAnd => ((x != 0) && (y != 0)) as u128,
        Op::BOr => ((x != 0) || (y != 0)) as u128,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn hash_consing_and_folding() {
        let mut t = Terms::new();
        let x = t.sym("x", 32, SymKind::Input);
        let one = t.konst(1, 32);
        let a = t.bin(Op::Add, x, one);
        let b = t.bin(Op::Add, one, x);
        assert_eq!(a, b);
        let c = t.konst(0xffff_ffff, 32);
        let d = t.bin(Op::Add, c, one);
        assert_eq!(t.as_const(d), Some(0));
        let m = t.konst_i(-8, 32);
        let two = t.konst(2, 32);
        let q = t.bin(Op::SDiv, m, two);
        assert_eq!(to_signed(t.as_const(q).unwrap(), 32), -4);
        let s = t.bin(Op::AShr, m, one);
        assert_eq!(to_signed(t.as_const(s).unwrap(), 32), -4);
    }
}
