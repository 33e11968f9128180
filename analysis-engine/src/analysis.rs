//! Top-level analysis of files: index, types, lowering, and (per function)
//! whatever later stages compute. Protocol-free; the CLI and the language
//! server both call this.

use crate::index::FunctionInfo;
use crate::ir::Function;
use crate::layout::RecordLayout;
use crate::lower::lower_function;
use crate::source::SourceFile;
use crate::workspace::{build_unit, FileCache, Unit};
use serde::Serialize;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Lowered,
    Complete,
    Partial,
    Unsupported,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineRange {
    pub start_line: u32,
    pub end_line: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct IrFigures {
    pub blocks: usize,
    pub loops: usize,
    pub calls: usize,
}

/// A function as lowered: its IR, or why it could not be.
pub struct Lowered {
    pub info: FunctionInfo,
    pub ir: Result<Function, String>,
}

pub struct FileAnalysis {
    pub path: String,
    pub unit: Unit,
    pub functions: Vec<Lowered>,
    pub layouts: Vec<Rc<RecordLayout>>,
}

/// Lower every function defined in `file` (headers supply the types).
pub fn lower_file(file: Arc<SourceFile>, cache: &mut FileCache) -> FileAnalysis {
    let unit = build_unit(file, cache);
    let mut env = unit.type_env();
    let main = unit.main().clone();
    let root = main.tree.root_node();
    let mut functions = Vec::new();
    for info in unit.index.functions.clone() {
        let node = root.descendant_for_byte_range(info.range.start_byte as usize, info.range.end_byte as usize);
        let node = node.and_then(|n| {
            let mut n = n;
            while n.kind() != "function_definition" {
                n = n.parent()?;
            }
            Some(n)
        });
        let ir = match node {
            Some(def) => lower_guarded(&mut env, &main, def),
            None => Err("unsupported: function not found in tree".to_string()),
        };
        let ir = ir.and_then(|f| match crate::loops::irreducible_edge(&f) {
            Some(b) => {
                let s = f.blocks[b].insts.first().map(|i| i.span).unwrap_or(f.blocks[b].term_span);
                Err(format!("unsupported: irreducible control flow (jump into a loop) at {}:{}", s.start_line, s.start_col))
            }
            None => Ok(f),
        });
        functions.push(Lowered { info, ir });
    }
    let main_path = main.path.clone();
    let layouts = env.all_layouts().into_iter().filter(|l| l.file == main_path).collect();
    FileAnalysis { path: main_path, unit, functions, layouts }
}

fn lower_guarded(env: &mut crate::env::TypeEnv, file: &SourceFile, def: tree_sitter::Node) -> Result<Function, String> {
    // The lowering returns errors for what it does not handle; a panic
    // would be a bug, and must not take the rest of the file with it.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lower_function(env, file, def)));
    match r {
        Ok(Ok(f)) => Ok(f),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => {
            let (l, c) = crate::syntax::line_col(def.start_position());
            Err(format!("unsupported: internal error while lowering (please report) at {l}:{c}"))
        }
    }
}

pub fn load(path: &Path, cache: &mut FileCache) -> Result<Arc<SourceFile>, crate::EngineError> {
    let bytes = std::fs::read(path).map_err(|e| crate::EngineError::Io { path: path.display().to_string(), source: e })?;
    let f = Arc::new(SourceFile::parse(path.to_string_lossy(), &bytes)?);
    cache.insert(path, f.clone());
    Ok(f)
}

impl Lowered {
    pub fn figures(&self) -> Option<IrFigures> {
        self.ir.as_ref().ok().map(|f| IrFigures { blocks: f.blocks.len(), loops: f.loops.len(), calls: f.calls })
    }
}
