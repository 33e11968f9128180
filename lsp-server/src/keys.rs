//! Cache keys for function interfaces, shared by the language server and
//! `perfi check`.
//!
//! A function's interface depends on its body, on what its file and headers
//! declare (types, defines, globals), on the functions it calls (summaries
//! are instantiated at call sites, transitively) and on the configuration.
//! The *semantic* key covers exactly that. The *exact* key adds the start
//! lines of the function and its callees, which appear in the rendered
//! interface (PCV lines, `loop@57`, `x@L88`): a function that only moved
//! keeps its semantic key, so its previous interface (and regression
//! findings) stay valid while the exact one is recomputed.

use perfi_engine::analysis::{FileAnalysis, FuncTable, Program};
use perfi_engine::ir::{Function, InstKind};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FnKeys {
    pub sem: u64,
    pub exact: u64,
}

#[derive(Clone, Debug)]
struct Def {
    file: String,
    body_hash: u64,
    start_line: u32,
}

/// Everything needed to key the functions of one file of a program.
pub struct KeyContext {
    defs: HashMap<String, Def>,
    ctx_hash: HashMap<String, u64>,
    table: FuncTable,
    config: u64,
}

fn h<T: Hash>(x: T) -> u64 {
    let mut s = DefaultHasher::new();
    x.hash(&mut s);
    s.finish()
}

/// Hash of what a file contributes besides its function bodies: the text
/// outside function definitions (whitespace ignored, so blank lines between
/// functions do not count) and the full text of the headers of its unit.
pub fn context_hash(fa: &FileAnalysis) -> u64 {
    let mut s = DefaultHasher::new();
    let files = &fa.unit.files;
    for f in files.iter().take(files.len().saturating_sub(1)) {
        f.path.hash(&mut s);
        f.text.hash(&mut s);
    }
    let main = fa.unit.main();
    let mut ranges: Vec<(usize, usize)> = fa.functions.iter().map(|l| (l.info.range.start_byte as usize, l.info.range.end_byte as usize)).collect();
    ranges.sort();
    let mut pos = 0usize;
    let text = &main.text;
    let feed = |a: usize, b: usize, s: &mut DefaultHasher| {
        for &byte in text.get(a..b).unwrap_or(&[]) {
            if !byte.is_ascii_whitespace() {
                s.write_u8(byte);
            }
        }
    };
    for (a, b) in ranges {
        if a > pos {
            feed(pos, a, &mut s);
        }
        // Mark where a function was, so moving text across it counts.
        s.write_u8(0);
        pos = pos.max(b);
    }
    feed(pos, text.len(), &mut s);
    s.finish()
}

/// Functions called by `f`, directly or not, that the table resolves.
pub fn callee_closure(f: &Function, table: &FuncTable) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<&Function> = VecDeque::from([f]);
    while let Some(g) = queue.pop_front() {
        for b in &g.blocks {
            for i in &b.insts {
                if let InstKind::Call { callee, .. } = &i.kind {
                    if callee != &f.name && seen.insert(callee.clone()) {
                        if let Some(c) = table.get(callee) {
                            queue.push_back(c);
                        }
                    }
                }
            }
        }
    }
    seen
}

impl KeyContext {
    /// For the functions of `path` in `prog`; `config` is the configuration
    /// fingerprint (budgets and resolution included).
    pub fn new(prog: &Program, path: &str, config: u64) -> KeyContext {
        let dir = std::path::Path::new(path).parent().map(|d| d.to_path_buf());
        let mut defs: HashMap<String, Def> = HashMap::new();
        let mut ctx_hash = HashMap::new();
        // Same precedence as `Program::table_for`: the folder's files, then
        // the file's headers, then the file itself.
        for fa in &prog.files {
            if std::path::Path::new(&fa.path).parent().map(|d| d.to_path_buf()) != dir {
                continue;
            }
            ctx_hash.insert(fa.path.clone(), context_hash(fa));
            if fa.path == path {
                continue;
            }
            for l in &fa.functions {
                defs.entry(l.info.name.clone()).or_insert(Def { file: fa.path.clone(), body_hash: l.info.body_hash, start_line: l.info.range.start_line });
            }
        }
        for fa in prog.files.iter().filter(|fa| fa.path == path) {
            for l in &fa.header_functions {
                // The file's context hash covers its headers' full text.
                defs.insert(l.info.name.clone(), Def { file: fa.path.clone(), body_hash: l.info.body_hash, start_line: l.info.range.start_line });
            }
            for l in &fa.functions {
                defs.insert(l.info.name.clone(), Def { file: fa.path.clone(), body_hash: l.info.body_hash, start_line: l.info.range.start_line });
            }
        }
        KeyContext { defs, ctx_hash, table: prog.table_for(path), config }
    }

    pub fn table(&self) -> &FuncTable {
        &self.table
    }

    pub fn keys(&self, f: &Function, name: &str) -> FnKeys {
        let mut sem = DefaultHasher::new();
        let mut exact = DefaultHasher::new();
        self.config.hash(&mut sem);
        name.hash(&mut sem);
        if let Some(d) = self.defs.get(name) {
            d.body_hash.hash(&mut sem);
            self.ctx_hash.get(&d.file).hash(&mut sem);
            d.start_line.hash(&mut exact);
        }
        for c in callee_closure(f, &self.table) {
            c.hash(&mut sem);
            if let Some(d) = self.defs.get(&c) {
                d.body_hash.hash(&mut sem);
                d.file.hash(&mut sem);
                self.ctx_hash.get(&d.file).hash(&mut sem);
                d.start_line.hash(&mut exact);
            }
        }
        let sem = sem.finish();
        sem.hash(&mut exact);
        FnKeys { sem, exact: exact.finish() }
    }
}

/// A fingerprint of a configuration together with the budgets and
/// resolution an analysis used.
pub fn config_key(cfg: &perfi_engine::config::Config) -> u64 {
    h((cfg.fingerprint(), format!("{:?}", cfg.budgets), cfg.resolution.to_bits()))
}
