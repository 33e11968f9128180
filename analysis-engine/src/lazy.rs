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
use crate::workspace::FileCache;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Names of the functions a C text appears to define: at brace depth 0,
/// the first identifier followed by `(` in the text before a `{` that
/// holds no `=` (so initializers and records are not taken). Comments,
/// strings, character constants and preprocessor lines are skipped. A
/// superset or subset in odd cases (macros that define functions): a
/// name missing here is a call the analysis treats as unknown, an extra
/// name costs the lowering of a file.
pub fn scan_function_names(text: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
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
                            names.push(name.to_string());
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
                }
                i += 1;
                last_ident = None;
            }
            b';' if depth == 0 => {
                candidate = None;
                saw_eq = false;
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

/// Function names defined by the `.c` files of one folder (by scan).
#[derive(Default)]
struct FolderIndex {
    by_name: HashMap<String, Vec<PathBuf>>,
}

impl FolderIndex {
    fn build(dir: &Path) -> FolderIndex {
        let mut idx = FolderIndex::default();
        let Ok(rd) = std::fs::read_dir(dir) else { return idx };
        let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|x| x.extension().is_some_and(|e| e == "c")).collect();
        files.sort();
        for f in files {
            let Ok(bytes) = std::fs::read(&f) else { continue };
            for name in scan_function_names(&bytes) {
                let v = idx.by_name.entry(name).or_default();
                if v.last() != Some(&f) {
                    v.push(f.clone());
                }
            }
        }
        idx
    }
}

/// How many files `load_lazily` lowered, and how many it only scanned
/// (`PERFI_DEBUG_STATS` prints them).
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadStats {
    pub lowered: usize,
    pub scanned: usize,
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

/// Lower `paths`, then, transitively, the sibling `.c` files that define
/// a function some lowered function calls.
pub fn load_lazily(paths: &[PathBuf]) -> Result<(Program, LoadStats), crate::EngineError> {
    let mut cache = FileCache::default();
    let mut prog = Program::default();
    let mut stats = LoadStats::default();
    let mut loaded: HashSet<PathBuf> = HashSet::new();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    // Files lowered whose calls are still to follow.
    let mut pending: Vec<usize> = Vec::new();
    for p in request_order(paths) {
        if !loaded.insert(canon(&p)) {
            continue;
        }
        let f = load(&p, &mut cache)?;
        prog.files.push(lower_file(f, &mut cache));
        stats.lowered += 1;
        pending.push(prog.files.len() - 1);
    }
    let requested = prog.files.len();
    let mut folders: HashMap<PathBuf, FolderIndex> = HashMap::new();
    let mut wanted: HashSet<(PathBuf, String)> = HashSet::new();
    while let Some(fi) = pending.pop() {
        let fa = &prog.files[fi];
        let path = PathBuf::from(&fa.path);
        if path.extension().is_none_or(|e| e != "c") {
            continue;
        }
        let dir = folder_of(&path);
        let callees = outside_callees(fa);
        if callees.is_empty() {
            continue;
        }
        let idx = folders.entry(dir.clone()).or_insert_with(|| {
            let i = FolderIndex::build(&dir);
            stats.scanned += i.by_name.values().flatten().collect::<HashSet<_>>().len();
            i
        });
        let mut to_load: Vec<PathBuf> = Vec::new();
        for name in callees {
            if !wanted.insert((dir.clone(), name.clone())) {
                continue;
            }
            for f in idx.by_name.get(&name).into_iter().flatten() {
                if !loaded.contains(&canon(f)) && !to_load.contains(f) {
                    to_load.push(f.clone());
                }
            }
        }
        to_load.sort();
        for p in to_load {
            if !loaded.insert(canon(&p)) {
                continue;
            }
            let f = load(&p, &mut cache)?;
            prog.files.push(lower_file(f, &mut cache));
            stats.lowered += 1;
            pending.push(prog.files.len() - 1);
        }
    }
    // Siblings in name order, as the eager loader had them (the first
    // definition of a name in a folder wins in `table_for`).
    prog.files[requested..].sort_by(|a, b| a.path.cmp(&b.path));
    if std::env::var_os("PERFI_DEBUG_STATS").is_some() {
        eprintln!("perfi load: {} file(s) lowered, {} sibling file(s) scanned for names", stats.lowered, stats.scanned);
    }
    Ok((prog, stats))
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
    }
}
