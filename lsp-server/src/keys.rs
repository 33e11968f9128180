//! Cache keys for function interfaces, shared by the language server and
//! `perfi check`.
//!
//! A function's interface depends on its tokens, on what its file and
//! headers declare (types, defines, globals), on the functions it calls
//! (summaries are instantiated at call sites, transitively) and on the
//! configuration. The *semantic* key covers exactly that, from the token
//! sequence of the syntax tree: whitespace and ordinary comments do not
//! count (`@perf` annotations do). The *exact* key adds the lines: the
//! start line of the function and its callees and the line of every token
//! relative to it, since lines appear in rendered interfaces (PCV lines,
//! `loop@57`, `x@L88`). A function that only moved keeps its semantic key,
//! so its previous interface (and regression findings) stay valid while
//! the exact one is recomputed; typing spaces changes neither key.

use perfi_engine::analysis::{FileAnalysis, FuncTable, Program};
use perfi_engine::ir::{Function, InstKind};
use perfi_engine::source::SourceFile;
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
    tokens: u64,
    lines: u64,
    start_line: u32,
}

/// Token hashes of a file: one per function (by index in
/// `FileAnalysis::functions`) and one for everything outside them.
pub struct FileTokens {
    /// (token hash, relative-line hash) per function.
    pub functions: Vec<(u64, u64)>,
    pub context: u64,
}

pub(crate) fn h<T: Hash>(x: T) -> u64 {
    let mut s = DefaultHasher::new();
    x.hash(&mut s);
    s.finish()
}

/// Walk the leaves of the tree once; each goes to the function whose
/// range holds it, or to the context.
pub fn file_tokens(file: &SourceFile, ranges: &[(usize, usize)], start_rows: &[usize]) -> FileTokens {
    let src = &file.text;
    let n = ranges.len();
    let mut fun: Vec<(DefaultHasher, DefaultHasher)> = (0..n).map(|_| (DefaultHasher::new(), DefaultHasher::new())).collect();
    let mut ctx = DefaultHasher::new();
    // Functions in document order, to find the owner of a leaf quickly.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| ranges[i].0);
    let mut next = 0usize;
    let mut c = file.tree.root_node().walk();
    'walk: loop {
        let node = c.node();
        if node.child_count() == 0 {
            let (s, e) = (node.start_byte(), node.end_byte());
            let text = src.get(s..e).unwrap_or(&[]);
            let skip = node.kind() == "comment" && !text.windows(5).any(|w| w == b"@perf");
            if !skip {
                while next < n && ranges[order[next]].1 <= s {
                    next += 1;
                }
                let owner = order.get(next).copied().filter(|&i| ranges[i].0 <= s && e <= ranges[i].1);
                match owner {
                    Some(i) => {
                        let (t, l) = &mut fun[i];
                        node.kind().hash(t);
                        text.hash(t);
                        (node.start_position().row.saturating_sub(start_rows[i])).hash(l);
                    }
                    None => {
                        node.kind().hash(&mut ctx);
                        text.hash(&mut ctx);
                    }
                }
            }
        }
        if c.goto_first_child() {
            continue;
        }
        loop {
            if c.goto_next_sibling() {
                continue 'walk;
            }
            if !c.goto_parent() {
                break 'walk;
            }
        }
    }
    FileTokens { functions: fun.into_iter().map(|(t, l)| (t.finish(), l.finish())).collect(), context: ctx.finish() }
}

fn tokens_of(fa: &FileAnalysis) -> FileTokens {
    let ranges: Vec<(usize, usize)> = fa.functions.iter().map(|l| (l.info.range.start_byte as usize, l.info.range.end_byte as usize)).collect();
    let rows: Vec<usize> = fa.functions.iter().map(|l| l.info.range.start_line.saturating_sub(1) as usize).collect();
    file_tokens(fa.unit.main(), &ranges, &rows)
}

/// Hash of what a file contributes besides its functions: its tokens
/// outside function definitions and the full text of its headers.
fn context_hash(fa: &FileAnalysis, tokens: &FileTokens) -> u64 {
    let mut s = DefaultHasher::new();
    let files = &fa.unit.files;
    for f in files.iter().take(files.len().saturating_sub(1)) {
        f.path.hash(&mut s);
        f.text.hash(&mut s);
    }
    tokens.context.hash(&mut s);
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

/// Everything needed to key the functions of one file of a program.
pub struct KeyContext {
    defs: HashMap<String, Def>,
    ctx_hash: HashMap<String, u64>,
    table: FuncTable,
    config: u64,
    facts: std::cell::OnceCell<perfi_engine::analysis::TableFacts>,
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
        let mut own: Option<(&FileAnalysis, FileTokens)> = None;
        for fa in &prog.files {
            if std::path::Path::new(&fa.path).parent().map(|d| d.to_path_buf()) != dir {
                continue;
            }
            let toks = tokens_of(fa);
            ctx_hash.insert(fa.path.clone(), context_hash(fa, &toks));
            if fa.path == path {
                own = Some((fa, toks));
                continue;
            }
            for (l, (t, ln)) in fa.functions.iter().zip(&toks.functions) {
                defs.entry(l.info.name.clone()).or_insert(Def { file: fa.path.clone(), tokens: *t, lines: *ln, start_line: l.info.range.start_line });
            }
        }
        if let Some((fa, toks)) = own {
            for l in &fa.header_functions {
                // The file's context hash covers its headers' full text.
                defs.insert(l.info.name.clone(), Def { file: fa.path.clone(), tokens: l.info.body_hash, lines: 0, start_line: l.info.range.start_line });
            }
            for (l, (t, ln)) in fa.functions.iter().zip(&toks.functions) {
                defs.insert(l.info.name.clone(), Def { file: fa.path.clone(), tokens: *t, lines: *ln, start_line: l.info.range.start_line });
            }
        }
        KeyContext { defs, ctx_hash, table: prog.table_for(path), config, facts: std::cell::OnceCell::new() }
    }

    pub fn table(&self) -> &FuncTable {
        &self.table
    }

    /// What every analysis with this table needs from the whole table
    /// (object sizes, constant names), computed once: with kernel headers
    /// a table holds thousands of functions.
    pub fn facts(&self) -> &perfi_engine::analysis::TableFacts {
        self.facts.get_or_init(|| perfi_engine::analysis::table_facts(&self.table))
    }

    pub fn keys(&self, f: &Function, name: &str) -> FnKeys {
        let mut sem = DefaultHasher::new();
        let mut exact = DefaultHasher::new();
        self.config.hash(&mut sem);
        name.hash(&mut sem);
        let add = |n: &str, sem: &mut DefaultHasher, exact: &mut DefaultHasher| {
            n.hash(sem);
            if let Some(d) = self.defs.get(n) {
                d.tokens.hash(sem);
                d.file.hash(sem);
                self.ctx_hash.get(&d.file).hash(sem);
                d.start_line.hash(exact);
                d.lines.hash(exact);
            }
        };
        add(name, &mut sem, &mut exact);
        for c in callee_closure(f, &self.table) {
            add(&c, &mut sem, &mut exact);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<FnKeys> {
        let f = std::sync::Arc::new(SourceFile::parse("/nonexistent/k.c", text.as_bytes()).unwrap());
        let mut cache = perfi_engine::workspace::FileCache::default();
        let prog = Program::from_sources(vec![f], &mut cache);
        let kc = KeyContext::new(&prog, "/nonexistent/k.c", 1);
        prog.files[0].functions.iter().map(|l| kc.keys(l.ir.as_ref().unwrap(), &l.info.name)).collect()
    }

    #[test]
    fn whitespace_comments_lines_and_callees() {
        let base = keys("int g(int x) { return x; }\nint f(int x) {\n  return g(x) + 1;\n}\n");
        // Spaces and comments: nothing changes.
        let same = keys("int g(int x) { return x; }\nint f(int x) {\n  return   g(x) /* hi */ + 1;\n}\n");
        assert_eq!(base, same);
        // A line inserted above f: same meaning, other lines.
        let moved = keys("int g(int x) { return x; }\n\nint f(int x) {\n  return g(x) + 1;\n}\n");
        assert_eq!(base[1].sem, moved[1].sem);
        assert_ne!(base[1].exact, moved[1].exact);
        assert_eq!(base[0], moved[0]);
        // A newline inside f: lines of its tokens change.
        let split = keys("int g(int x) { return x; }\nint f(int x) {\n  return g(x)\n + 1;\n}\n");
        assert_eq!(base[1].sem, split[1].sem);
        assert_ne!(base[1].exact, split[1].exact);
        // A callee's body changes the caller's key.
        let callee = keys("int g(int x) { return x * 2; }\nint f(int x) {\n  return g(x) + 1;\n}\n");
        assert_ne!(base[1].sem, callee[1].sem);
        // Tokens that would merge without whitespace do not collide.
        let a = keys("int f(int a, int returna) { return a; }\n");
        let b = keys("int f(int a, int returna) { returna; }\n");
        assert_ne!(a[0].sem, b[0].sem);
    }
}
