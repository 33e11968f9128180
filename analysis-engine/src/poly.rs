//! Polynomials over PCVs and input variables: the latency formulas.

use serde::Serialize;
use std::collections::BTreeMap;

pub type VarId = u32;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Poly {
    pub c: f64,
    /// Monomial (sorted variable list, repeats for powers) → coefficient.
    pub terms: BTreeMap<Vec<VarId>, f64>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct PolyJson {
    #[serde(rename = "const")]
    pub c: f64,
    pub terms: Vec<TermJson>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct TermJson {
    pub coeff: f64,
    pub vars: Vec<String>,
}

const EPS: f64 = 1e-9;

impl Poly {
    pub fn konst(c: f64) -> Poly {
        Poly { c, terms: BTreeMap::new() }
    }
    pub fn var(v: VarId) -> Poly {
        let mut p = Poly::default();
        p.terms.insert(vec![v], 1.0);
        p
    }
    pub fn is_const(&self) -> bool {
        self.terms.is_empty()
    }
    pub fn add(&mut self, o: &Poly) {
        self.c += o.c;
        for (k, v) in &o.terms {
            *self.terms.entry(k.clone()).or_insert(0.0) += v;
        }
        self.clean();
    }
    pub fn add_scaled(&mut self, o: &Poly, s: f64) {
        let mut t = o.clone();
        t.scale(s);
        self.add(&t);
    }
    pub fn scale(&mut self, s: f64) {
        self.c *= s;
        for v in self.terms.values_mut() {
            *v *= s;
        }
        self.clean();
    }
    pub fn mul(&self, o: &Poly) -> Poly {
        let mut r = Poly::konst(self.c * o.c);
        for (k, v) in &self.terms {
            *r.terms.entry(k.clone()).or_insert(0.0) += v * o.c;
        }
        for (k, v) in &o.terms {
            *r.terms.entry(k.clone()).or_insert(0.0) += v * self.c;
        }
        for (k1, v1) in &self.terms {
            for (k2, v2) in &o.terms {
                let mut k = k1.clone();
                k.extend(k2);
                k.sort_unstable();
                *r.terms.entry(k).or_insert(0.0) += v1 * v2;
            }
        }
        r.clean();
        r
    }
    fn clean(&mut self) {
        self.terms.retain(|_, v| v.abs() > EPS);
        if self.c.abs() < EPS {
            self.c = 0.0;
        }
    }
    pub fn vars(&self) -> Vec<VarId> {
        let mut v: Vec<VarId> = self.terms.keys().flatten().copied().collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    pub fn eval(&self, val: &dyn Fn(VarId) -> f64) -> f64 {
        let mut s = self.c;
        for (k, c) in &self.terms {
            s += c * k.iter().map(|v| val(*v)).product::<f64>();
        }
        s
    }
    /// Same monomials (ignoring coefficients' values)?
    pub fn same_shape(&self, o: &Poly) -> bool {
        self.terms.len() == o.terms.len() && self.terms.keys().zip(o.terms.keys()).all(|(a, b)| a == b)
    }
    pub fn approx_eq(&self, o: &Poly) -> bool {
        (self.c - o.c).abs() < 1e-6 && self.same_shape(o) && self.terms.values().zip(o.terms.values()).all(|(a, b)| (a - b).abs() < 1e-6)
    }

    pub fn render(&self, name: &dyn Fn(VarId) -> String) -> String {
        let mut parts = Vec::new();
        // Highest degree first, then by name: `18*t + 30*c + 395`.
        let mut terms: Vec<(&Vec<VarId>, &f64)> = self.terms.iter().collect();
        terms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        for (k, c) in terms {
            let vars: Vec<String> = k.iter().map(|v| name(*v)).collect();
            let coeff = fmt_num(*c);
            parts.push(if coeff == "1" { vars.join("*") } else { format!("{coeff}*{}", vars.join("*")) });
        }
        if self.c != 0.0 || parts.is_empty() {
            parts.push(fmt_num(self.c));
        }
        let s = parts.join(" + ");
        s.replace("+ -", "- ")
    }

    pub fn to_json(&self, name: &dyn Fn(VarId) -> String) -> PolyJson {
        PolyJson {
            c: round6(self.c),
            terms: self.terms.iter().map(|(k, c)| TermJson { coeff: round6(*c), vars: k.iter().map(|v| name(*v)).collect() }).collect(),
        }
    }
}

pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

pub fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        format!("{}", x.round() as i64)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn arithmetic_and_rendering() {
        let mut p = Poly::konst(395.0);
        p.add_scaled(&Poly::var(0), 18.0);
        let q = p.mul(&Poly::var(1));
        let names = |v: VarId| ["t", "n"][v as usize].to_string();
        assert_eq!(p.render(&names), "18*t + 395");
        assert_eq!(q.render(&names), "18*t*n + 395*n");
        assert_eq!(q.eval(&|v| [2.0, 3.0][v as usize]), 18.0 * 6.0 + 395.0 * 3.0);
    }
}
