//! Disjunctions of conjunctions made readable (display only: the solver
//! keeps the exact path condition). Merged paths give conditions such as
//! `a && c || a && !c`, which the code itself would write as `a`.

use crate::term::{Op, TermId, Terms};

/// Whether one term is the other's negation (`!x` and `x`).
pub fn negates(terms: &Terms, a: TermId, b: TermId) -> bool {
    let is_not_of = |x: TermId, y: TermId| {
        let n = terms.node(x);
        n.op == Op::BNot && n.args.first() == Some(&y)
    };
    is_not_of(a, b) || is_not_of(b, a)
}

/// Simplify `alts[0] || alts[1] || ...`, each a conjunction of atoms: drop
/// repeated atoms; absorb an alternative that contains another (`a || a &&
/// b` is `a`); drop `!a` next to an alternative `a` (`a || !a && b` is `a
/// || b`); resolve two alternatives that differ in one atom and its
/// negation (`a && c || a && !c` is `a`); then factor out the atoms all
/// alternatives share. Returns the factored atoms and what remains; an
/// empty alternative among those means the disjunction is true.
pub fn simplify<A: PartialEq + Clone>(alts: Vec<Vec<A>>, negates: &dyn Fn(&A, &A) -> bool) -> (Vec<A>, Vec<Vec<A>>) {
    let mut alts: Vec<Vec<A>> = alts
        .into_iter()
        .map(|a| {
            let mut out: Vec<A> = Vec::new();
            for x in a {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            out
        })
        .collect();
    // Each step removes an atom or an alternative; the bound only keeps a
    // pathological input cheap.
    for _ in 0..256 {
        if !step(&mut alts, negates) {
            break;
        }
    }
    let factored: Vec<A> = match alts.first() {
        Some(first) => first.iter().filter(|t| alts.iter().all(|a| a.contains(t))).cloned().collect(),
        None => Vec::new(),
    };
    for a in alts.iter_mut() {
        a.retain(|t| !factored.contains(t));
    }
    (factored, alts)
}

fn step<A: PartialEq + Clone>(alts: &mut Vec<Vec<A>>, negates: &dyn Fn(&A, &A) -> bool) -> bool {
    for i in 0..alts.len() {
        for j in 0..alts.len() {
            if i == j {
                continue;
            }
            if alts[j].iter().all(|t| alts[i].contains(t)) {
                alts.remove(i);
                return true;
            }
            if let [x] = alts[j].as_slice() {
                let x = x.clone();
                if let Some(k) = alts[i].iter().position(|t| negates(t, &x)) {
                    alts[i].remove(k);
                    return true;
                }
            }
            if alts[i].len() == alts[j].len() {
                let di: Vec<&A> = alts[i].iter().filter(|t| !alts[j].contains(t)).collect();
                let dj: Vec<&A> = alts[j].iter().filter(|t| !alts[i].contains(t)).collect();
                if let ([x], [y]) = (di.as_slice(), dj.as_slice()) {
                    if negates(x, y) {
                        let x = (*x).clone();
                        alts[i].retain(|t| *t != x);
                        alts.remove(j);
                        return true;
                    }
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::simplify;

    // Atoms as integers; -x is the negation of x.
    fn neg(a: &i32, b: &i32) -> bool {
        *a == -*b
    }

    #[test]
    fn rules() {
        // a && c || a && !c  =>  a
        assert_eq!(simplify(vec![vec![1, 3], vec![1, -3]], &neg), (vec![1], vec![vec![]]));
        // a || a && b  =>  a
        assert_eq!(simplify(vec![vec![1], vec![1, 2]], &neg), (vec![1], vec![vec![]]));
        // a || !a && b  =>  a || b
        assert_eq!(simplify(vec![vec![1], vec![-1, 2]], &neg), (vec![], vec![vec![1], vec![2]]));
        // x && a || x && b  =>  x && (a || b)
        assert_eq!(simplify(vec![vec![9, 1], vec![9, 2]], &neg), (vec![9], vec![vec![1], vec![2]]));
        // nothing to do
        assert_eq!(simplify(vec![vec![1, 2], vec![3]], &neg), (vec![], vec![vec![1, 2], vec![3]]));
    }
}
