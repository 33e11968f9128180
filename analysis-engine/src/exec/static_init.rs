//! Globals start from the cells of their initializer that no code writes
//! (`crate::globals`): a map's type and size become constants.

use super::explore::Explorer;
use super::state::{Cell, ObjId, State, Value};
use crate::globals::{find_init, Writes};
use crate::initializers::{InitCell, InitValue};
use std::rc::Rc;

impl Explorer<'_> {
    /// The constant cells of global `name` (computed once per analysis).
    fn constant_cells(&mut self, st: &State, name: &str) -> Rc<Vec<InitCell>> {
        if let Some(c) = self.global_consts.get(name) {
            return c.clone();
        }
        let writes = self.writes.get_or_insert_with(|| Rc::new(Writes::of(self.funcs))).clone();
        let func = st.frame().func.clone();
        let cells: Vec<InitCell> = match find_init(self.funcs, &func, name) {
            Some(init) => {
                let cells: Vec<InitCell> = writes.constant_cells(name, init).into_iter().cloned().collect();
                // String literals and the read-only copies of local
                // initializers are constant by nature: no note for them.
                if !cells.is_empty() && !name.starts_with('"') && !name.contains(" initializer (line ") {
                    let file = std::path::Path::new(&init.file).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
                    self.notes.push(format!(
                        "{name} starts from its initializer ({file}:{}) in {} of {} cells that no function in the program writes",
                        init.line,
                        cells.len(),
                        init.cells.len()
                    ));
                }
                cells
            }
            None => Vec::new(),
        };
        let cells = Rc::new(cells);
        self.global_consts.insert(name.to_string(), cells.clone());
        cells
    }

    /// Put the constant cells of global `name` into its object (on creation
    /// and after a havoc, which cannot have changed them).
    pub(super) fn apply_constant_cells(&mut self, st: &mut State, obj: ObjId, name: &str) {
        let cells = self.constant_cells(st, name);
        for c in cells.iter() {
            let val = match &c.value {
                InitValue::Int(v) => Value::Int(self.terms.konst_i(*v, c.size as u32 * 8)),
                InitValue::Addr { global, off } => {
                    let target = self.global_object(st, global);
                    Value::Ptr { obj: target, off: self.terms.konst_i(*off as i128, 64) }
                }
            };
            let off = self.terms.konst(c.off as u128, 64);
            let o = st.mem.get_mut(obj);
            o.cells.retain(|x| !(x.off == off && x.size == c.size));
            o.cells.push(Cell { off, size: c.size, val });
        }
    }
}
