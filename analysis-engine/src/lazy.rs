//! Reading only what an analysis needs (`Program::load`): the requested
//! files are lowered; a sibling `.c` file of their folder is lowered only
//! when a lowered function calls a function it defines, found through an
//! index of the folder's function names built by a byte scan (no parsing,
//! no lowering). A large generated file next to the one analyzed costs a
//! read and a scan unless something calls into it.
//!
//! `lower_file` and `build_unit` are used as they are: this module only
//! decides which files get lowered, and when.

use crate::analysis::{load, lower_file, FileAnalysis, Program};
use crate::ir::InstKind;
use crate::source::SourceFile;
use crate::workspace::FileCache;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Names of the functions a C text appears to define: at brace depth 0,
/// the first identifier followed by `(` in the text before a `{` that
/// holds no `=` (so initializers and records are not taken). Comments,
/// strings, character constants and preprocessor lines are skipped. A
/// superset or subset in odd cases (macros that define functions): a
/// name missing here is a call the analysis treats as unknown, an extra
/// name costs the lowering of a file.
pub fn scan_function_names(text: &[u8]) -> Vec<String> {
    scan_definitions(text).into_iter().map(|d| d.name).collect()
}

/// A function definition found by `scan_definitions`.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    /// Bytes from the end of the previous top-level item to the closing
    /// brace (inclusive).
    pub start: usize,
    pub end: usize,
    /// Identifiers followed by `(` in the body (calls, macros).
    pub calls: Vec<String>,
    /// Hashes of every identifier of the body (sorted, deduplicated).
    pub words: Vec<u64>,
}

fn word_hash(w: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    w.hash(&mut h);
    h.finish()
}

/// Function definitions of a C text (see `scan_function_names`).
pub fn scan_definitions(text: &[u8]) -> Vec<Def> {
    let mut names: Vec<Def> = Vec::new();
    let mut chunk_start = 0;
    let mut body: Option<Def> = None;
    let n = text.len();
    let mut i = 0;
    let mut depth: usize = 0;
    let mut at_line_start = true;
    // Within the current top-level declaration (since the last `;` or `}`
    // at depth 0): the first identifier followed by `(`, and whether an
    // `=` came first.
    let mut candidate: Option<(usize, usize)> = None;
    let mut saw_eq = false;
    let mut last_ident: Option<(usize, usize)> = None;
    while i < n {
        let c = text[i];
        match c {
            b'\n' => {
                at_line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\x0c' | b'\x0b' => {
                i += 1;
                continue;
            }
            b'#' if at_line_start => {
                // A preprocessor line, with its continuations.
                while i < n && text[i] != b'\n' {
                    if text[i] == b'\\' && i + 1 < n && text[i + 1] == b'\n' {
                        i += 1;
                    } else if text[i] == b'/' && i + 1 < n && text[i + 1] == b'*' {
                        i = skip_block_comment(text, i);
                        continue;
                    }
                    i += 1;
                }
                if depth == 0 {
                    chunk_start = i;
                }
                continue;
            }
            _ => {}
        }
        at_line_start = false;
        match c {
            b'/' if i + 1 < n && text[i + 1] == b'/' => {
                while i < n && text[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if i + 1 < n && text[i + 1] == b'*' => {
                i = skip_block_comment(text, i);
            }
            b'"' | b'\'' => {
                i += 1;
                while i < n && text[i] != c && text[i] != b'\n' {
                    if text[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                last_ident = None;
            }
            b'{' => {
                if depth == 0 && !saw_eq {
                    if let Some((s, e)) = candidate {
                        if let Ok(name) = std::str::from_utf8(&text[s..e]) {
                            body = Some(Def { name: name.to_string(), start: chunk_start, end: 0, calls: vec![], words: vec![] });
                        }
                    }
                }
                depth += 1;
                i += 1;
                last_ident = None;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    candidate = None;
                    saw_eq = false;
                    chunk_start = i + 1;
                    if let Some(mut d) = body.take() {
                        d.end = i + 1;
                        d.words.sort_unstable();
                        d.words.dedup();
                        names.push(d);
                    }
                }
                i += 1;
                last_ident = None;
            }
            b';' if depth == 0 => {
                candidate = None;
                saw_eq = false;
                chunk_start = i + 1;
                i += 1;
                last_ident = None;
            }
            b'=' if depth == 0 => {
                if candidate.is_none() {
                    saw_eq = true;
                }
                i += 1;
                last_ident = None;
            }
            b'(' => {
                if let (Some(d), Some((s, e))) = (body.as_mut(), last_ident) {
                    if !is_attribute_word(&text[s..e]) {
                        if let Ok(w) = std::str::from_utf8(&text[s..e]) {
                            if !d.calls.iter().any(|c| c == w) {
                                d.calls.push(w.to_string());
                            }
                        }
                    }
                }
                if depth == 0 && candidate.is_none() {
                    if let Some((s, e)) = last_ident {
                        if !is_attribute_word(&text[s..e]) {
                            candidate = Some((s, e));
                        }
                    }
                }
                i += 1;
                last_ident = None;
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let s = i;
                while i < n && (text[i] == b'_' || text[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                last_ident = Some((s, i));
                if let Some(d) = body.as_mut() {
                    d.words.push(word_hash(&text[s..i]));
                }
            }
            _ => {
                i += 1;
                last_ident = None;
            }
        }
    }
    names
}

fn skip_block_comment(text: &[u8], start: usize) -> usize {
    let mut i = start + 2;
    while i + 1 < text.len() && !(text[i] == b'*' && text[i + 1] == b'/') {
        i += 1;
    }
    (i + 2).min(text.len())
}

fn is_attribute_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"__attribute__" | b"__attribute" | b"__declspec" | b"__typeof__" | b"__typeof" | b"typeof" | b"__aligned" | b"__section" | b"__printf" | b"__scanf" | b"__malloc" | b"__must_hold" | b"__acquires" | b"__releases" | b"sizeof" | b"_Alignas" | b"__alignof__" | b"if" | b"while" | b"for" | b"switch" | b"return"
            | b"void" | b"char" | b"short" | b"int" | b"long" | b"float" | b"double" | b"signed" | b"unsigned" | b"const" | b"volatile" | b"static" | b"inline"
            | b"extern" | b"struct" | b"union" | b"enum" | b"_Bool" | b"bool" | b"restrict" | b"register" | b"auto" | b"__inline" | b"__inline__"
    )
}

/// The function definitions of the `.c` files of one folder (by scan).
#[derive(Default)]
struct FolderIndex {
    files: Vec<(PathBuf, Vec<Def>)>,
    by_name: HashMap<String, Vec<(usize, usize)>>,
}

impl FolderIndex {
    fn build(dir: &Path) -> FolderIndex {
        // `tcp_cong.c` named alone has the empty folder: its siblings are
        // named as it is (`x.c`, not `./x.c`), so that they share its
        // function table (`Program::table_for`).
        let files = crate::workspace::c_files(dir);
        FolderIndex::from_files(files.into_iter().filter_map(|f| std::fs::read(&f).ok().map(|bytes| (f, scan_definitions(&bytes)))).collect())
    }

    /// The index of files already scanned (the server's open documents
    /// and disk files).
    fn from_files(files: Vec<(PathBuf, Vec<Def>)>) -> FolderIndex {
        let mut idx = FolderIndex::default();
        for (f, defs) in files {
            let fi = idx.files.len();
            for (di, d) in defs.iter().enumerate() {
                idx.by_name.entry(d.name.clone()).or_default().push((fi, di));
            }
            idx.files.push((f, defs));
        }
        idx
    }

    /// Per file (of those `open` allows), the definitions to lower: the
    /// ones `names` call, transitively by the scan's calls, and those that
    /// name a global in `globs` (so that `globals.rs` still sees the
    /// stores that keep an initializer from being constant).
    fn reached(&self, names: &[String], globs: &HashSet<u64>, open: &[bool]) -> HashMap<usize, HashSet<usize>> {
        let mut keep: HashMap<usize, HashSet<usize>> = HashMap::new();
        let mut queue: Vec<(usize, usize)> = Vec::new();
        if !globs.is_empty() {
            for (fi, (_, defs)) in self.files.iter().enumerate() {
                if !open[fi] {
                    continue;
                }
                for (di, d) in defs.iter().enumerate() {
                    if d.words.iter().any(|w| globs.contains(w)) {
                        queue.push((fi, di));
                    }
                }
            }
        }
        let mut seen_names: HashSet<String> = HashSet::new();
        let push_name = |name: &str, queue: &mut Vec<(usize, usize)>, seen: &mut HashSet<String>| {
            if let Some(defs) = self.by_name.get(name) {
                if seen.insert(name.to_string()) {
                    queue.extend(defs.iter().copied().filter(|&(fi, _)| open[fi]));
                }
            }
        };
        for n in names {
            push_name(n, &mut queue, &mut seen_names);
        }
        while let Some((fi, di)) = queue.pop() {
            if !keep.entry(fi).or_default().insert(di) {
                continue;
            }
            for c in &self.files[fi].1[di].calls {
                push_name(c, &mut queue, &mut seen_names);
            }
        }
        keep
    }
}

/// How many files `load_lazily` lowered whole, how many in part (only the
/// functions reached), how many it only scanned, and how many functions
/// of those files it lowered (`PERFI_DEBUG_STATS` prints them).
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadStats {
    pub lowered: usize,
    pub partial: usize,
    pub scanned: usize,
    pub partial_functions: usize,
}

/// `text` with every function definition but `keep` replaced by blanks
/// (line breaks kept): same length and lines, so spans still point into
/// the file; declarations, types and macros stay.
fn keep_only(text: &[u8], defs: &[Def], keep: &HashSet<usize>) -> Vec<u8> {
    let mut out = text.to_vec();
    for (di, d) in defs.iter().enumerate() {
        if keep.contains(&di) {
            continue;
        }
        for b in &mut out[d.start.min(text.len())..d.end.min(text.len())] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    out
}

/// `text` with only the function definitions named in `names` kept (see
/// `keep_only`): `perfi check` gives a sibling's text at the baseline the
/// same cut as the current one had, so that their keys compare.
pub fn keep_named(text: &[u8], names: &HashSet<String>) -> Vec<u8> {
    let defs = scan_definitions(text);
    let keep: HashSet<usize> = defs.iter().enumerate().filter(|(_, d)| names.contains(&d.name)).map(|(i, _)| i).collect();
    if keep.len() == defs.len() {
        return text.to_vec();
    }
    keep_only(text, &defs, &keep)
}

fn folder_of(p: &Path) -> PathBuf {
    p.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The files asked for, in the order the eager loader listed them: each
/// path, then the requested files of its folder in name order.
fn request_order(paths: &[PathBuf]) -> Vec<PathBuf> {
    let requested: HashSet<&PathBuf> = paths.iter().collect();
    let mut by_dir: HashMap<PathBuf, Vec<&PathBuf>> = HashMap::new();
    for p in paths {
        by_dir.entry(folder_of(p)).or_default().push(p);
    }
    for v in by_dir.values_mut() {
        v.sort();
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        if seen.insert(p.clone()) {
            out.push(p.clone());
        }
        if p.extension().is_some_and(|e| e == "c") {
            for q in by_dir.get(&folder_of(p)).into_iter().flatten() {
                if requested.contains(q) && q.extension().is_some_and(|e| e == "c") && seen.insert((*q).clone()) {
                    out.push((*q).clone());
                }
            }
        }
    }
    out
}

/// Names called by the functions (and header functions) of a lowered file
/// that the file does not define itself.
fn outside_callees(fa: &FileAnalysis) -> Vec<String> {
    let own: HashSet<&str> = fa.functions.iter().chain(fa.header_functions.iter()).map(|l| l.info.name.as_str()).collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for l in fa.functions.iter().chain(fa.header_functions.iter()) {
        let Ok(f) = &l.ir else { continue };
        for inst in f.blocks.iter().flat_map(|b| b.insts.iter()) {
            if let InstKind::Call { callee, .. } = &inst.kind {
                if !own.contains(callee.as_str()) && seen.insert(callee.as_str()) {
                    out.push(callee.clone());
                }
            }
        }
    }
    out
}

/// Lower `paths` whole; then, from the sibling `.c` files of their
/// folders, only the functions their calls reach (transitively, by the
/// scan's calls) and those that name a global the lowered units declare
/// (so that `globals.rs` still sees the stores that keep an initializer
/// from being constant).
pub fn load_lazily(paths: &[PathBuf]) -> Result<(Program, LoadStats), crate::EngineError> {
    let mut cache = FileCache::default();
    let mut prog = Program::default();
    let mut stats = LoadStats::default();
    let mut loaded: HashSet<PathBuf> = HashSet::new();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    for p in request_order(paths) {
        if !loaded.insert(canon(&p)) {
            continue;
        }
        let f = load(&p, &mut cache)?;
        prog.files.push(lower_file(f, &mut cache));
        stats.lowered += 1;
    }
    let requested = prog.files.len();
    // Per folder: names called from outside their file, and globals the
    // lowered units know.
    let mut calls: HashMap<PathBuf, Vec<String>> = HashMap::new();
    let mut globals: HashMap<PathBuf, HashSet<u64>> = HashMap::new();
    for fa in &prog.files {
        let path = PathBuf::from(&fa.path);
        if path.extension().is_none_or(|e| e != "c") {
            continue;
        }
        let dir = folder_of(&path);
        calls.entry(dir.clone()).or_default().extend(outside_callees(fa));
        globals.entry(dir).or_default().extend(fa.unit.index.globals.iter().map(|(g, _)| word_hash(g.as_bytes())));
    }
    let mut dirs: Vec<PathBuf> = calls.keys().cloned().collect();
    dirs.sort();
    for dir in dirs {
        let names = calls.remove(&dir).unwrap_or_default();
        let globs = globals.remove(&dir).unwrap_or_default();
        if names.is_empty() && globs.is_empty() {
            continue;
        }
        let idx = FolderIndex::build(&dir);
        stats.scanned += idx.files.len();
        let open: Vec<bool> = idx.files.iter().map(|(p, _)| !loaded.contains(&canon(p))).collect();
        let keep = idx.reached(&names, &globs, &open);
        let mut files: Vec<usize> = keep.keys().copied().collect();
        files.sort_unstable();
        for fi in files {
            let (p, defs) = &idx.files[fi];
            let Some(k) = keep.get(&fi) else { continue };
            if !loaded.insert(canon(p)) {
                continue;
            }
            let bytes = std::fs::read(p).map_err(|e| crate::EngineError::Io { path: p.display().to_string(), source: e })?;
            let text = if k.len() == defs.len() { bytes } else { keep_only(&bytes, defs, k) };
            let f = std::sync::Arc::new(crate::source::SourceFile::unparsed(p.to_string_lossy(), &text)?);
            prog.files.push(lower_file(f, &mut cache));
            if k.len() == defs.len() {
                stats.lowered += 1;
            } else {
                stats.partial += 1;
                stats.partial_functions += k.len();
            }
        }
    }
    // Siblings in name order, as the eager loader had them (the first
    // definition of a name in a folder wins in `table_for`).
    prog.files[requested..].sort_by(|a, b| a.path.cmp(&b.path));
    if std::env::var_os("PERFI_DEBUG_STATS").is_some() {
        eprintln!(
            "perfi load: {} file(s) lowered whole, {} in part ({} function(s)), {} file(s) scanned for names",
            stats.lowered, stats.partial, stats.partial_functions, stats.scanned
        );
    }
    Ok((prog, stats))
}

/// As `Program::from_sources` (the first source is the file analyzed, the
/// others its folder's files — the language server's open documents and
/// disk files), with the siblings cut as `load_lazily` cuts them (see
/// `Siblings::add_reached`).
pub fn from_sources_reached(sources: Vec<Arc<SourceFile>>, cache: &mut FileCache) -> Program {
    let mut it = sources.into_iter();
    let mut prog = Program::default();
    let Some(main) = it.next() else { return prog };
    let siblings = Siblings::scan(it.collect());
    prog.files.push(lower_file(main, cache));
    siblings.add_reached(&mut prog, cache);
    prog
}

/// The bytes a source was read from (its text when it has none).
fn bytes_of(f: &SourceFile) -> Arc<[u8]> {
    f.user.clone().unwrap_or_else(|| Arc::from(f.text.as_slice()))
}

/// A file's folder's other `.c` files, already read (the language
/// server's open documents and disk files), scanned once for their
/// function definitions: what `add_reached` lowers and what
/// `independent` checks against.
pub struct Siblings {
    files: Vec<Arc<SourceFile>>,
    idx: FolderIndex,
}

impl Siblings {
    pub fn scan(files: Vec<Arc<SourceFile>>) -> Siblings {
        let idx = FolderIndex::from_files(files.iter().map(|f| (PathBuf::from(&f.path), scan_definitions(&bytes_of(f)))).collect());
        Siblings { files, idx }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Add to `prog` (its first file lowered) the sibling functions that
    /// the first file's calls reach, transitively by the scan's calls, and
    /// those naming a global its unit declares; the rest of a sibling is
    /// blanked, and a sibling nothing reaches is only scanned. The same
    /// sources give the same cut, so the server's keys and the indexing
    /// pool's agree.
    pub fn add_reached(&self, prog: &mut Program, cache: &mut FileCache) {
        let Some(first) = prog.files.first() else { return };
        let globs: HashSet<u64> = first.unit.index.globals.iter().map(|(g, _)| word_hash(g.as_bytes())).collect();
        let keep = self.idx.reached(&outside_callees(first), &globs, &vec![true; self.files.len()]);
        let start = prog.files.len();
        for (fi, f) in self.files.iter().enumerate() {
            let Some(k) = keep.get(&fi) else { continue };
            let defs = &self.idx.files[fi].1;
            let file = if k.len() == defs.len() {
                f.clone()
            } else {
                match SourceFile::unparsed(f.path.clone(), &keep_only(&bytes_of(f), defs, k)) {
                    Ok(cut) => Arc::new(cut),
                    Err(_) => f.clone(),
                }
            };
            prog.files.push(lower_file(file, cache));
        }
        prog.files[start..].sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// Per function of `prog`'s first file (lowered alone), whether its
    /// interface can be computed without the siblings: no function it
    /// calls, directly or through the file's and its headers' functions,
    /// is defined in a sibling (by the scan), and neither it nor a
    /// function of the file it calls names a global of the unit that a
    /// sibling also names (a sibling's store could keep the global's
    /// initializer from being constant, `globals.rs`). The language server
    /// shows these first when a file is opened in a large folder; the
    /// others wait for `add_reached`.
    pub fn independent(&self, prog: &Program) -> Vec<bool> {
        let Some(fa) = prog.files.first() else { return Vec::new() };
        let words: HashSet<u64> = self.idx.files.iter().flat_map(|(_, defs)| defs.iter().flat_map(|d| d.words.iter().copied())).collect();
        let shared_globals: HashSet<u64> = fa.unit.index.globals.iter().map(|(g, _)| word_hash(g.as_bytes())).filter(|h| words.contains(h)).collect();
        let own_words: HashMap<String, Vec<u64>> = scan_definitions(&bytes_of(fa.unit.main())).into_iter().map(|d| (d.name, d.words)).collect();
        let table = prog.table_for(&fa.path);
        let names_shared = |n: &str| own_words.get(n).is_some_and(|w| w.iter().any(|h| shared_globals.contains(h)));
        fa.functions
            .iter()
            .map(|l| {
                let Ok(f) = &l.ir else { return false };
                if names_shared(&f.name) {
                    return false;
                }
                let mut seen: HashSet<&str> = HashSet::new();
                let mut queue: Vec<&crate::ir::Function> = vec![f];
                while let Some(g) = queue.pop() {
                    for inst in g.blocks.iter().flat_map(|b| b.insts.iter()) {
                        let InstKind::Call { callee, .. } = &inst.kind else { continue };
                        if !seen.insert(callee.as_str()) {
                            continue;
                        }
                        if self.idx.by_name.contains_key(callee.as_str()) || names_shared(callee) {
                            return false;
                        }
                        if let Some(c) = table.get(callee.as_str()) {
                            queue.push(c);
                        }
                    }
                }
                true
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::scan_function_names;

    #[test]
    fn scan_finds_definitions_only() {
        let src = br#"
#include "x.h"
#define F(a) \
    { a }
static int table[] = { f(1), 2 };
struct s { int (*fn)(int); };
int decl(int);
/* int commented(void) { } */
// int line_comment(void) { }
static inline int __attribute__((unused)) helper(int x) { return x; }
const char *s = "int in_string(void) {";
void (*signal_like(int sig, void (*h)(int)))(int) { return 0; }
int
two_lines(int a,
          int b)
{
    if (a) { return b; }
    return f(a);
}
"#;
        assert_eq!(scan_function_names(src), vec!["helper", "signal_like", "two_lines"]);
        let defs = super::scan_definitions(src);
        assert_eq!(defs[2].calls, vec!["f"]);
        let keep: std::collections::HashSet<usize> = [2].into_iter().collect();
        let kept = super::keep_only(src, &defs, &keep);
        assert_eq!(kept.len(), src.len());
        assert_eq!(scan_function_names(&kept), vec!["two_lines"]);
        assert_eq!(kept.iter().filter(|b| **b == b'\n').count(), src.iter().filter(|b| **b == b'\n').count());
    }

    /// The server's loader (sources already read) cuts siblings as
    /// `load_lazily` does: the called function and what it calls are
    /// lowered, the rest of that file is blanked, and a file nothing calls
    /// is not lowered at all.
    #[test]
    fn sources_reached_lowers_only_the_functions_called() {
        use crate::source::SourceFile;
        use std::sync::Arc;
        let f = |p: &str, t: &str| Arc::new(SourceFile::unparsed(p, t.as_bytes()).expect("file"));
        let main = f("/nonexistent/lz/main.c", "int helper_a(int x);\nint run(int x)\n{\n    return helper_a(x) + 1;\n}\n");
        let a = f("/nonexistent/lz/a.c", "static int inner(int x)\n{\n    return x * 3;\n}\nint helper_a(int x)\n{\n    return inner(x) - 2;\n}\nint unused_a(int y)\n{\n    while (y > 1) y /= 2;\n    return y;\n}\n");
        let b = f("/nonexistent/lz/b.c", "int unused_b(int z)\n{\n    return z;\n}\n");
        let prog = super::from_sources_reached(vec![main, a, b], &mut super::FileCache::default());
        let lowered: Vec<(String, Vec<String>)> = prog.files.iter().map(|fa| (fa.path.clone(), fa.functions.iter().map(|l| l.info.name.clone()).collect())).collect();
        assert_eq!(
            lowered,
            vec![
                ("/nonexistent/lz/main.c".to_string(), vec!["run".to_string()]),
                ("/nonexistent/lz/a.c".to_string(), vec!["inner".to_string(), "helper_a".to_string()]),
            ]
        );
        // Blanked text keeps the spans: `helper_a` is still on line 5.
        let h = prog.files[1].functions.iter().find(|l| l.info.name == "helper_a").expect("helper_a");
        assert_eq!(h.info.range.start_line, 5);
    }

    /// A function of the opened file is independent of its siblings when
    /// nothing it calls (through the file's own functions too) is defined
    /// in one and it names no global a sibling also names.
    #[test]
    fn independence_from_siblings_follows_calls_and_shared_globals() {
        use crate::source::SourceFile;
        use std::sync::Arc;
        let f = |p: &str, t: &str| Arc::new(SourceFile::unparsed(p, t.as_bytes()).expect("file"));
        let main = f(
            "/nonexistent/ind/main.c",
            "int shared_count;\nint own_only;\nint far(int x);\nstatic int near(int x) { return x + 1; }\nint calls_near(int x) { return near(x) * 2; }\nint calls_far(int x) { return far(x); }\nstatic int wraps_far(int x) { return far(x) + 1; }\nint through_wrapper(int x) { return wraps_far(x); }\nint reads_shared(void) { return shared_count; }\nint reads_own(void) { return own_only; }\n",
        );
        let sib = f("/nonexistent/ind/sib.c", "extern int shared_count;\nint far(int x)\n{\n    shared_count++;\n    return x;\n}\n");
        let mut cache = super::FileCache::default();
        let prog = super::from_sources_reached(vec![main], &mut cache);
        let ind = super::Siblings::scan(vec![sib]).independent(&prog);
        let by_name: Vec<(String, bool)> = prog.files[0].functions.iter().map(|l| l.info.name.clone()).zip(ind).collect();
        let expect = [("near", true), ("calls_near", true), ("calls_far", false), ("wraps_far", false), ("through_wrapper", false), ("reads_shared", false), ("reads_own", true)];
        assert_eq!(by_name, expect.iter().map(|(n, b)| (n.to_string(), *b)).collect::<Vec<_>>());
    }
}
