//! Which initializer cells of globals still hold when a function runs.
//!
//! A function is analyzed for any state of the program, so a global's
//! initializer says nothing about a field some code assigns (a map's
//! `n_used`). A field that no function of the program writes keeps its
//! initializer forever (a map's `type` and `max_entries`): those cells are
//! constants. "Writes" are the stores the IR records: to the global itself,
//! to a field of the same name in a record of the same type through any
//! pointer, mem* and unknown calls that receive its address or a pointer to
//! its record type. Writes through casts to unrelated types (`(char *)&m`)
//! are not seen; the interface notes which initializer values it used.

use crate::analysis::FuncTable;
use crate::ir::{Expr, GlobalInit, InstKind};
use crate::initializers::InitCell;
use std::collections::HashSet;

/// The writes of a whole program, as far as they matter for initializers.
#[derive(Debug, Default)]
pub struct Writes {
    /// Globals written as a whole (or at an offset not tied to a field).
    whole: HashSet<String>,
    /// (record, top-level field) written through any object.
    fields: HashSet<(String, String)>,
    /// Records written as a whole through a pointer (`memset(p, 0, ...)`).
    records: HashSet<String>,
}

impl Writes {
    pub fn of(funcs: &FuncTable) -> Writes {
        let mut w = Writes::default();
        let mut names: Vec<&String> = funcs.keys().collect();
        names.sort();
        for name in names {
            let f = &funcs[name];
            for inst in f.blocks.iter().flat_map(|b| b.insts.iter()) {
                match &inst.kind {
                    // A local's own fields are no global's.
                    InstKind::Store { addr, .. } if root_local(addr) => {}
                    InstKind::Store { addr, access, .. } => match (&access.field, root_global(addr)) {
                        (Some((rec, path)), _) => {
                            w.fields.insert((rec.clone(), top_field(path).to_string()));
                        }
                        (None, Some(g)) => {
                            w.whole.insert(g.to_string());
                        }
                        (None, None) => {}
                    },
                    InstKind::Copy { dst, .. } => w.whole_target(f, dst),
                    InstKind::Call { callee, args, .. } => {
                        if funcs.contains_key(callee) {
                            // Its own stores are seen when it is walked.
                            continue;
                        }
                        let written: Vec<&Expr> = match crate::contracts::written_args(callee) {
                            Some(idx) => idx.iter().filter_map(|i| args.get(*i)).collect(),
                            None => args.iter().collect(),
                        };
                        for a in written {
                            w.whole_target(f, a);
                        }
                    }
                    InstKind::Set { .. } => {}
                }
            }
        }
        w
    }

    fn whole_target(&mut self, f: &crate::ir::Function, e: &Expr) {
        if let Some(g) = root_global(e) {
            self.whole.insert(g.to_string());
        } else if let Some(rec) = pointee_record(f, e) {
            self.records.insert(rec);
        }
    }

    /// Whether some code may change the cell of global `name`.
    pub fn touches(&self, name: &str, cell: &InitCell) -> bool {
        self.whole.contains(name)
            || cell.members.iter().any(|(rec, field)| self.records.contains(rec) || self.fields.contains(&(rec.clone(), field.clone())))
    }

    /// The cells of `init` no code writes.
    pub fn constant_cells<'g>(&self, name: &str, init: &'g GlobalInit) -> Vec<&'g InitCell> {
        init.cells.iter().filter(|c| !self.touches(name, c)).collect()
    }
}

/// The initializer of global `name`: from `preferred` (the function that
/// names it) or any function of the program that knows it.
pub fn find_init<'f>(funcs: &'f FuncTable, preferred: &'f crate::ir::Function, name: &str) -> Option<&'f GlobalInit> {
    if let Some(g) = preferred.globals.get(name) {
        return Some(g);
    }
    let mut holders: Vec<&String> = funcs.iter().filter(|(_, f)| f.globals.contains_key(name)).map(|(n, _)| n).collect();
    holders.sort();
    holders.first().and_then(|n| funcs[*n].globals.get(name))
}

/// `a.b[2].c` → `a`.
fn top_field(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// The global an address expression points into, if it is one.
fn root_global(e: &Expr) -> Option<&str> {
    match e {
        Expr::AddrGlobal(g) => Some(g),
        Expr::PtrAdd { base, .. } => root_global(base),
        Expr::Cast { a, .. } => root_global(a),
        _ => None,
    }
}

fn root_local(e: &Expr) -> bool {
    match e {
        Expr::AddrLocal(_) => true,
        Expr::PtrAdd { base, .. } => root_local(base),
        Expr::Cast { a, .. } => root_local(a),
        _ => false,
    }
}

/// The record a pointer expression points to, when the IR knows it, named
/// as field accesses name it (`bpf_map`; `<anonymous>` for a typedef'd
/// anonymous record).
fn pointee_record(f: &crate::ir::Function, e: &Expr) -> Option<String> {
    match e {
        Expr::Local(l) => {
            let shown = f.locals.get(*l)?.record.as_deref()?;
            let tag = shown.strip_prefix("struct ").or_else(|| shown.strip_prefix("union "));
            Some(match tag {
                Some(t) if !t.starts_with('<') => t.to_string(),
                _ => "<anonymous>".to_string(),
            })
        }
        Expr::Cast { a, .. } => pointee_record(f, a),
        _ => None,
    }
}
