//! Variables of the latency formulas: PCVs of loops, trip counts, argument
//! values of contract calls, costs of unknown functions.

use crate::poly::VarId;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum VarKey {
    /// Iterations of a summarized loop whose body took a path of class
    /// `class` (the class's cost fingerprint).
    LoopClass { ctx: u64, header: usize, func: String, class: u64 },
    /// Trip count of a counted loop, an expression in the inputs.
    Counted { ctx: u64, header: usize, func: String, def: String },
    /// Value of argument `arg` at a contract call site.
    CallArg { ctx: u64, site: u32, arg: usize },
    /// Cost of a function we know nothing about.
    UnknownCost { callee: String },
    /// Cost of a call through a function pointer whose target is not known
    /// on the path (`cmp`, `ops->lookup`).
    IndirectCost { expr: String },
}

#[derive(Clone, Debug, Serialize)]
pub struct VarInfo {
    pub name: String,
    pub description: String,
    pub line: u32,
    pub upper_bound: Option<String>,
    pub key: VarKey,
    /// For counted trip counts and call arguments: the defining expression
    /// in the function's inputs (C-like text), used by the Python output.
    pub definition: Option<String>,
    /// The defining term, for evaluating the definition (Python output).
    #[serde(skip)]
    pub def_term: Option<crate::term::TermId>,
}

#[derive(Clone, Debug, Default)]
pub struct Vars {
    pub list: Vec<VarInfo>,
    by_key: HashMap<VarKey, VarId>,
    names: HashMap<String, VarId>,
}

impl Vars {
    pub fn get(&self, k: &VarKey) -> Option<VarId> {
        self.by_key.get(k).copied()
    }

    pub fn intern(&mut self, key: VarKey, name: &str, description: String, line: u32, upper_bound: Option<String>, definition: Option<String>) -> VarId {
        if let Some(v) = self.by_key.get(&key) {
            return *v;
        }
        let mut n = name.to_string();
        let mut k = 2;
        while self.names.contains_key(&n) {
            n = format!("{name}_{k}");
            k += 1;
        }
        let id = self.list.len() as VarId;
        self.list.push(VarInfo { name: n.clone(), description, line, upper_bound, key: key.clone(), definition, def_term: None });
        self.by_key.insert(key, id);
        self.names.insert(n, id);
        id
    }

    pub fn set_def_term(&mut self, v: VarId, t: crate::term::TermId) {
        if let Some(i) = self.list.get_mut(v as usize) {
            i.def_term.get_or_insert(t);
        }
    }

    pub fn name(&self, v: VarId) -> String {
        self.list.get(v as usize).map(|i| i.name.clone()).unwrap_or_else(|| format!("v{v}"))
    }
}
