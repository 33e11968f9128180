//! Z3 behind a small interface: feasibility of a conjunction of terms and
//! a model for witnesses. Incremental: the solver's assertion stack follows
//! the explorer's path prefix with push/pop. Answers are cached by the
//! (sorted) set of conditions; every query has a timeout.

use crate::cancel::CancelToken;
use crate::term::{Op, TermId, Terms};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use z3::ast::{Bool, BV};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sat {
    Sat,
    Unsat,
    Unknown,
}

thread_local! {
    /// Z3 solvers of finished `Solver`s, their stacks popped: the next
    /// function analyzed on this thread reuses one (and the thread's Z3
    /// context) instead of building a solver from nothing.
    static POOL: std::cell::RefCell<Vec<(z3::Solver, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Drop for Solver {
    fn drop(&mut self) {
        let Some(s) = self.solver.take() else { return };
        if !self.stack.is_empty() {
            s.pop(self.stack.len() as u32);
        }
        // A solver left with assertions outside a scope is not reused.
        if !s.get_assertions().is_empty() {
            return;
        }
        let _ = POOL.try_with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < 4 {
                p.push((s, self.timeout_ms.max(1)));
            }
        });
    }
}

#[derive(Clone)]
enum Z {
    B(Bool),
    V(BV),
}

pub struct Solver {
    /// Recent satisfying assignments (symbol number → value): a query that
    /// one of them satisfies needs no call to Z3 (KLEE's counterexample cache).
    models: Vec<HashMap<u32, u128>>,
    ctx: z3::Context,
    /// Taken from this thread's pool on the first query (`z3`): most
    /// functions never need one, and a fresh Z3 solver's first push (its
    /// switch to incremental mode) costs milliseconds.
    solver: Option<z3::Solver>,
    timeout_ms: u32,
    stack: Vec<TermId>,
    cache: HashMap<Vec<TermId>, Sat>,
    z: HashMap<TermId, Z>,
    pub queries: u64,
    pub cache_hits: u64,
    /// Queries answered Sat by a guessed assignment (`guess_model`).
    pub guessed: u64,
    pub solver_time: Duration,
    pub timeouts: u64,
    /// Queries whose nonlinear arithmetic Z3 saw abstracted.
    pub hard: u64,
    /// Nonlinear operations translated as uninterpreted functions.
    pub abstracted: u64,
    witness_time: Duration,
    /// Models of independent groups of conditions (`model`); `None` for a
    /// group found unsatisfiable or not solved in time.
    group_models: HashMap<Vec<TermId>, Option<std::rc::Rc<HashMap<u32, u128>>>>,
    cancel: CancelToken,
}

impl Solver {
    pub fn new(timeout_ms: u32, cancel: CancelToken) -> Solver {
        let ctx = z3::Context::thread_local();
        Solver {
            models: Vec::new(),
            ctx,
            solver: None,
            timeout_ms,
            stack: vec![],
            cache: HashMap::new(),
            z: HashMap::new(),
            queries: 0,
            cache_hits: 0,
            guessed: 0,
            solver_time: Duration::ZERO,
            timeouts: 0,
            hard: 0,
            witness_time: Duration::ZERO,
            group_models: HashMap::new(),
            cancel,
            abstracted: 0,
        }
    }

    /// The Z3 solver, from this thread's pool (or new), with this solver's
    /// timeout; its assertion stack is empty when taken.
    fn z3(&mut self) -> &z3::Solver {
        let timeout = self.timeout_ms.max(1);
        self.solver.get_or_insert_with(|| {
            // Setting parameters rebuilds a Z3 solver's internals: only
            // when the timeout differs from the one it was given.
            let (s, set) = POOL.try_with(|p| p.borrow_mut().pop()).ok().flatten().unwrap_or_else(|| (z3::Solver::new(), 0));
            if set != timeout {
                let mut p = z3::Params::new();
                p.set_u32("timeout", timeout);
                s.set_params(&p);
            }
            s
        })
    }

    /// Is the conjunction satisfiable? Constant conditions never reach Z3.
    pub fn check(&mut self, terms: &Terms, conds: &[TermId]) -> Sat {
        let mut live: Vec<TermId> = Vec::with_capacity(conds.len());
        for &c in conds {
            match terms.as_const(c) {
                Some(0) => return Sat::Unsat,
                Some(_) => {}
                None => live.push(c),
            }
        }
        if live.is_empty() {
            return Sat::Sat;
        }
        // Only the constraints that share symbols (transitively) with the
        // newest one matter: the rest was satisfiable before (KLEE's
        // independence optimisation).
        let live = slice(terms, &live);
        let mut key = live.clone();
        key.sort_unstable();
        key.dedup();
        if let Some(r) = self.cache.get(&key) {
            self.cache_hits += 1;
            return *r;
        }
        for m in self.models.iter().rev() {
            let mut memo = HashMap::new();
            if live.iter().all(|c| eval_memo(terms, *c, m, &mut memo) != 0) {
                self.cache_hits += 1;
                self.cache.insert(key, Sat::Sat);
                return Sat::Sat;
            }
        }
        // Most branch conditions of a fresh path (`0 < n`, `!(0 < n)`,
        // `x > 5`) hold with every symbol at one of a few values: no solver
        // for those (a Sat found by evaluation is exact; only Unsat needs
        // Z3). The assignment joins the counterexample cache.
        if let Some(m) = self.guess_model(terms, &live) {
            self.cache_hits += 1;
            self.guessed += 1;
            self.cache.insert(key, Sat::Sat);
            self.models.push(m);
            if self.models.len() > 16 {
                self.models.remove(0);
            }
            return Sat::Sat;
        }
        if self.cancel.is_cancelled() {
            return Sat::Unknown;
        }
        // Nonlinear arithmetic reaches Z3 as uninterpreted functions (see
        // `abstracted`): an over-approximation, so Unsat stays exact and a
        // Sat may be spurious (the interface's notes count such queries).
        if is_hard(terms, &live) {
            self.hard += 1;
        }
        self.sync(terms, &live);
        self.queries += 1;
        let start = Instant::now();
        let ctx = self.ctx.clone();
        let cancel = self.cancel.clone();
        let z3 = self.z3();
        let r = cancel.during_query(&ctx, || z3.check());
        self.solver_time += start.elapsed();
        let r = match r {
            z3::SatResult::Sat => {
                self.remember_model(terms, &live);
                Sat::Sat
            }
            z3::SatResult::Unsat => Sat::Unsat,
            z3::SatResult::Unknown => {
                self.timeouts += 1;
                Sat::Unknown
            }
        };
        if r != Sat::Unknown {
            self.cache.insert(key, r);
        }
        r
    }

    /// An assignment of the symbols of `conds` to 0, 1, all ones or the
    /// largest signed value of their width that satisfies all of them.
    fn guess_model(&self, terms: &Terms, conds: &[TermId]) -> Option<HashMap<u32, u128>> {
        let mut syms = Vec::new();
        for &c in conds {
            terms.symbols(c, &mut syms);
        }
        syms.sort_unstable();
        syms.dedup();
        let widths: Vec<u32> = syms.iter().map(|s| terms.node_of_sym(*s).map(|t| terms.width(t)).unwrap_or(64)).collect();
        let ones = |w: u32| if w >= 128 { u128::MAX } else { (1u128 << w) - 1 };
        let guesses: [&dyn Fn(u32) -> u128; 4] = [&|_| 0, &|_| 1, &|w| ones(w), &|w| ones(w) >> 1];
        for g in guesses {
            let m: HashMap<u32, u128> = syms.iter().zip(&widths).map(|(s, w)| (*s, g(*w))).collect();
            let mut memo = HashMap::new();
            if conds.iter().all(|c| eval_memo(terms, *c, &m, &mut memo) != 0) {
                return Some(m);
            }
        }
        None
    }

    fn remember_model(&mut self, terms: &Terms, conds: &[TermId]) {
        let mut syms = Vec::new();
        for &c in conds {
            terms.symbols(c, &mut syms);
        }
        let Some(out) = self.model_values(terms, &syms) else { return };
        self.models.push(out);
        if self.models.len() > 16 {
            self.models.remove(0);
        }
    }

    /// A model of the conjunction: values of the given terms. Solved per
    /// independent group of conditions, each group's model kept: the cases
    /// of one function share most groups (header checks, map states).
    pub fn model(&mut self, terms: &Terms, conds: &[TermId], of: &[TermId]) -> Option<HashMap<TermId, u128>> {
        let mut live: Vec<TermId> = Vec::with_capacity(conds.len());
        for &c in conds {
            match terms.as_const(c) {
                Some(0) => return None,
                Some(_) => {}
                None => live.push(c),
            }
        }
        let mut env: HashMap<u32, u128> = HashMap::new();
        for mut group in components(terms, &live) {
            group.sort_unstable();
            group.dedup();
            let values = match self.group_models.get(&group) {
                Some(v) => v.clone(),
                None => {
                    let v = self.group_model(terms, &group);
                    if self.group_models.len() > 4096 {
                        self.group_models.clear();
                    }
                    self.group_models.insert(group, v.clone());
                    v
                }
            };
            env.extend(values?.iter().map(|(k, v)| (*k, *v)));
        }
        let mut memo = HashMap::new();
        Some(of.iter().map(|&t| (t, eval_memo(terms, t, &env, &mut memo))).collect())
    }

    /// Values of the symbols of one independent group of conditions.
    fn group_model(&mut self, terms: &Terms, group: &[TermId]) -> Option<std::rc::Rc<HashMap<u32, u128>>> {
        let mut syms = Vec::new();
        for &c in group {
            terms.symbols(c, &mut syms);
        }
        // A remembered model that satisfies the conditions will do.
        for m in self.models.iter().rev() {
            let mut memo = HashMap::new();
            if group.iter().all(|c| eval_memo(terms, *c, m, &mut memo) != 0) {
                return Some(std::rc::Rc::new(syms.iter().filter_map(|s| m.get(s).map(|v| (*s, *v))).collect()));
            }
        }
        // Most single conditions (`x != 0`, `memcmp() == 0`) hold with every
        // symbol at one of a few values: no solver call for those.
        for guess in [0u128, 1, u128::MAX] {
            let m: HashMap<u32, u128> = syms.iter().map(|s| (*s, guess)).collect();
            let mut memo = HashMap::new();
            if group.iter().all(|c| eval_memo(terms, *c, &m, &mut memo) != 0) {
                return Some(std::rc::Rc::new(m));
            }
        }
        if self.cancel.is_cancelled() || self.witness_budget_spent() {
            return None;
        }
        if self.check_uncached(terms, group) != Sat::Sat {
            return None;
        }
        self.model_values(terms, &syms).map(std::rc::Rc::new)
    }

    /// Values of the given symbols in the model of the last check.
    fn model_values(&mut self, terms: &Terms, syms: &[u32]) -> Option<HashMap<u32, u128>> {
        let m = self.solver.as_ref()?.get_model()?;
        let mut out = HashMap::new();
        for &s in syms {
            let Some(t) = terms.node_of_sym(s) else { continue };
            let v = match self.tr(terms, t) {
                Z::V(bv) => m.eval(&bv, true).and_then(|x| x.as_u64()).map(|x| x as u128),
                Z::B(b) => m.eval(&b, true).and_then(|x| x.as_bool()).map(|x| x as u128),
            };
            if let Some(v) = v {
                out.insert(s, v);
            }
        }
        Some(out)
    }

    /// Witnesses are a courtesy: stop asking for them after a second.
    fn witness_budget_spent(&self) -> bool {
        self.witness_time > Duration::from_millis(1000)
    }

    fn check_uncached(&mut self, terms: &Terms, conds: &[TermId]) -> Sat {
        let start = Instant::now();
        let r = self.check_uncached_inner(terms, conds);
        self.witness_time += start.elapsed();
        r
    }

    fn check_uncached_inner(&mut self, terms: &Terms, conds: &[TermId]) -> Sat {
        let live: Vec<TermId> = conds.iter().copied().filter(|c| terms.as_const(*c) != Some(1)).collect();
        if live.iter().any(|c| terms.as_const(*c) == Some(0)) {
            return Sat::Unsat;
        }
        self.sync(terms, &live);
        self.queries += 1;
        let ctx = self.ctx.clone();
        let cancel = self.cancel.clone();
        let z3 = self.z3();
        match cancel.during_query(&ctx, || z3.check()) {
            z3::SatResult::Sat => Sat::Sat,
            z3::SatResult::Unsat => Sat::Unsat,
            z3::SatResult::Unknown => Sat::Unknown,
        }
    }

    /// Make the solver's stack equal `conds`, reusing the common prefix.
    fn sync(&mut self, terms: &Terms, conds: &[TermId]) {
        let common = self.stack.iter().zip(conds).take_while(|(a, b)| a == b).count();
        let extra = self.stack.len() - common;
        if extra > 0 {
            self.z3().pop(extra as u32);
            self.stack.truncate(common);
        }
        for &c in &conds[common..] {
            self.z3().push();
            let b = self.as_bool(terms, c);
            self.z3().assert(&b);
            self.stack.push(c);
        }
    }

    fn as_bool(&mut self, terms: &Terms, t: TermId) -> Bool {
        match self.tr(terms, t) {
            Z::B(b) => b,
            Z::V(v) => {
                let zero = BV::from_u64(0, v.get_size());
                v.eq(&zero).not()
            }
        }
    }

    fn as_bv(&mut self, terms: &Terms, t: TermId) -> BV {
        match self.tr(terms, t) {
            Z::V(v) => v,
            Z::B(b) => b.ite(&BV::from_u64(1, 1), &BV::from_u64(0, 1)),
        }
    }

    fn tr(&mut self, terms: &Terms, t: TermId) -> Z {
        if let Some(z) = self.z.get(&t) {
            return z.clone();
        }
        // Iterative post-order so deep terms cannot overflow the stack.
        let mut stack = vec![(t, false)];
        while let Some((x, done)) = stack.pop() {
            if self.z.contains_key(&x) {
                continue;
            }
            let n = terms.node(x);
            if !done {
                stack.push((x, true));
                for &a in &n.args {
                    if !self.z.contains_key(&a) {
                        stack.push((a, false));
                    }
                }
                continue;
            }
            let z = self.build(terms, x);
            self.z.insert(x, z);
        }
        self.z[&t].clone()
    }

    fn build(&mut self, terms: &Terms, x: TermId) -> Z {
        let n = terms.node(x).clone();
        let w = n.width;
        let a = |s: &mut Self, i: usize| s.as_bv(terms, n.args[i]);
        let bl = |s: &mut Self, i: usize| s.as_bool(terms, n.args[i]);
        match n.op {
            Op::Const(v) => {
                if w == 1 {
                    Z::B(Bool::from_bool(v != 0))
                } else {
                    Z::V(BV::from_u64(v as u64, w))
                }
            }
            Op::Sym(s) => {
                let name = format!("s{s}");
                if w == 1 {
                    Z::B(Bool::new_const(name))
                } else {
                    Z::V(BV::new_const(name, w))
                }
            }
            Op::BAnd => Z::B(Bool::and(&[bl(self, 0), bl(self, 1)])),
            Op::BOr => Z::B(Bool::or(&[bl(self, 0), bl(self, 1)])),
            Op::BNot => Z::B(bl(self, 0).not()),
            Op::Eq => {
                let (p, q) = (a(self, 0), a(self, 1));
                Z::B(p.eq(&q))
            }
            Op::Ult => Z::B(a(self, 0).bvult(&a(self, 1))),
            Op::Ule => Z::B(a(self, 0).bvule(&a(self, 1))),
            Op::Slt => Z::B(a(self, 0).bvslt(&a(self, 1))),
            Op::Sle => Z::B(a(self, 0).bvsle(&a(self, 1))),
            Op::Ite => {
                let c = bl(self, 0);
                if w == 1 {
                    Z::B(c.ite(&bl(self, 1), &bl(self, 2)))
                } else {
                    Z::V(c.ite(&a(self, 1), &a(self, 2)))
                }
            }
            Op::ZExt | Op::SExt | Op::Trunc => {
                let v = a(self, 0);
                let from = v.get_size();
                Z::V(match n.op {
                    Op::ZExt => v.zero_ext(w - from),
                    Op::SExt => v.sign_ext(w - from),
                    _ => v.extract(w - 1, 0),
                })
            }
            Op::Not => Z::V(a(self, 0).bvnot()),
            Op::Neg => Z::V(a(self, 0).bvneg()),
            Op::Bswap => {
                let v = a(self, 0);
                let bytes = w / 8;
                let mut acc = v.extract(7, 0);
                for i in 1..bytes {
                    acc = acc.concat(&v.extract(8 * i + 7, 8 * i));
                }
                Z::V(acc)
            }
            op if abstracted(terms, &n) => {
                // Uninterpreted: Z3 keeps congruence (equal arguments give
                // equal results) but never bit-blasts the operation.
                self.abstracted += 1;
                let (p, q) = (a(self, 0), a(self, 1));
                let sort = z3::Sort::bitvector(w);
                let f = z3::FuncDecl::new(format!("{op:?}{w}"), &[&sort, &sort], &sort);
                match f.apply(&[&p as &dyn z3::ast::Ast, &q]).as_bv() {
                    Some(v) => Z::V(v),
                    None => Z::V(BV::fresh_const("nonlinear", w)),
                }
            }
            op => {
                let (p, q) = (a(self, 0), a(self, 1));
                Z::V(match op {
                    Op::Add => p.bvadd(&q),
                    Op::Sub => p.bvsub(&q),
                    Op::Mul => p.bvmul(&q),
                    Op::UDiv => p.bvudiv(&q),
                    Op::SDiv => p.bvsdiv(&q),
                    Op::URem => p.bvurem(&q),
                    Op::SRem => p.bvsrem(&q),
                    Op::Shl => p.bvshl(&q),
                    Op::LShr => p.bvlshr(&q),
                    Op::AShr => p.bvashr(&q),
                    Op::And => p.bvand(&q),
                    Op::Or => p.bvor(&q),
                    _ => p.bvxor(&q),
                })
            }
        }
    }
}

/// Constraints connected to the last one through shared symbols.
/// Conditions split into groups that share no symbol (transitively).
fn components(terms: &Terms, conds: &[TermId]) -> Vec<Vec<TermId>> {
    let mut groups: Vec<(std::collections::HashSet<u32>, Vec<TermId>)> = Vec::new();
    for &c in conds {
        let mut v = Vec::new();
        terms.symbols(c, &mut v);
        let mut merged: (std::collections::HashSet<u32>, Vec<TermId>) = (v.into_iter().collect(), vec![c]);
        let mut i = 0;
        while i < groups.len() {
            if groups[i].0.iter().any(|s| merged.0.contains(s)) {
                let (ss, cs) = groups.swap_remove(i);
                merged.0.extend(ss);
                merged.1.extend(cs);
            } else {
                i += 1;
            }
        }
        groups.push(merged);
    }
    groups.into_iter().map(|(_, cs)| cs).collect()
}

fn slice(terms: &Terms, conds: &[TermId]) -> Vec<TermId> {
    if conds.len() <= 1 {
        return conds.to_vec();
    }
    let syms: Vec<Vec<u32>> = conds
        .iter()
        .map(|c| {
            let mut v = Vec::new();
            terms.symbols(*c, &mut v);
            v
        })
        .collect();
    let last = conds.len() - 1;
    let mut wanted: std::collections::HashSet<u32> = syms[last].iter().copied().collect();
    let mut keep = vec![false; conds.len()];
    keep[last] = true;
    let mut changed = true;
    while changed {
        changed = false;
        for (i, ss) in syms.iter().enumerate() {
            if !keep[i] && ss.iter().any(|s| wanted.contains(s)) {
                keep[i] = true;
                wanted.extend(ss.iter().copied());
                changed = true;
            }
        }
    }
    conds.iter().zip(keep).filter(|(_, k)| *k).map(|(c, _)| *c).collect()
}

/// Evaluate with memoization (terms are DAGs).
fn eval_memo(terms: &Terms, t: TermId, env: &HashMap<u32, u128>, memo: &mut HashMap<TermId, u128>) -> u128 {
    if let Some(v) = memo.get(&t) {
        return *v;
    }
    let n = terms.node(t);
    let v = match n.op {
        crate::term::Op::Const(_) | crate::term::Op::Sym(_) => terms.eval(t, env),
        _ => {
            // Evaluate children first (memoized), then this node on constants.
            let vals: Vec<u128> = n.args.iter().map(|a| eval_memo(terms, *a, env, memo)).collect();
            terms.eval_node(t, &vals)
        }
    };
    memo.insert(t, v);
    v
}

/// Operations Z3 sees as uninterpreted functions: products of two unknowns,
/// products with a hash-like constant (many set bits: bit-blasting chains
/// of them, as in multiplicative hashes, takes Z3 seconds) and division or
/// remainder by anything but a constant power of two, at 32 bits or more.
fn abstracted(terms: &Terms, n: &crate::term::Node) -> bool {
    if n.width < 32 || n.args.len() != 2 {
        return false;
    }
    let (ca, cb) = (terms.as_const(n.args[0]), terms.as_const(n.args[1]));
    match n.op {
        Op::Mul => match (ca, cb) {
            (None, None) => true,
            (Some(k), None) | (None, Some(k)) => (k & crate::term::mask(n.width)).count_ones() > 8,
            _ => false,
        },
        Op::UDiv | Op::SDiv | Op::URem | Op::SRem => ca.is_none() && !cb.is_some_and(|c| c.is_power_of_two()),
        _ => false,
    }
}

/// Does the query multiply or divide two non-constant values of 32 bits
/// or more?
pub fn is_hard(terms: &Terms, conds: &[TermId]) -> bool {
    let mut stack: Vec<TermId> = conds.to_vec();
    let mut seen = std::collections::HashSet::new();
    while let Some(t) = stack.pop() {
        if !seen.insert(t) {
            continue;
        }
        let n = terms.node(t);
        let is_div = matches!(n.op, Op::UDiv | Op::SDiv | Op::URem | Op::SRem);
        let divisor_pow2 = terms.as_const(n.args.get(1).copied().unwrap_or(t)).is_some_and(|c| c.is_power_of_two());
        let hard_mul = n.op == Op::Mul && terms.as_const(n.args[0]).is_none() && terms.as_const(n.args[1]).is_none();
        let hard_div = is_div && terms.as_const(n.args[0]).is_none() && !divisor_pow2;
        if n.width >= 32 && (hard_mul || hard_div) {
            return true;
        }
        stack.extend(n.args.iter().copied());
    }
    false
}
