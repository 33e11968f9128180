//! Translation units: a file with the quoted headers it includes, and the
//! include paths and defines of `compile_commands.json`.

use crate::env::TypeEnv;
use crate::index::{index_file, FileIndex};
use crate::source::SourceFile;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the compile command of a file says about reading it: include
/// search, macros, forced includes, language standard and target. Only
/// these flags are read; nothing in the command is ever run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompileFlags {
    /// `-I` folders, in order.
    pub include_paths: Vec<PathBuf>,
    /// `-iquote` folders (for `#include "..."` only).
    pub quote_dirs: Vec<PathBuf>,
    /// `-isystem` folders.
    pub system_dirs: Vec<PathBuf>,
    /// `-idirafter` folders.
    pub after_dirs: Vec<PathBuf>,
    /// `-D NAME[=VALUE]` as (name, value); `-DX` means value `1`.
    pub defines: Vec<(String, String)>,
    /// `-D` and `-U` in command-line order (`-U` undoes an earlier `-D`).
    pub macros: Vec<MacroFlag>,
    /// `-include FILE`.
    pub forced_includes: Vec<PathBuf>,
    /// `-std=...`.
    pub std: Option<String>,
    /// `-target T`, `--target=T`, `-target=T`.
    pub target: Option<String>,
    /// Where the flags came from (`compile_commands.json`, `compile_flags.txt`), if anywhere.
    pub origin: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MacroFlag {
    Define(String, String),
    Undef(String),
}

impl CompileFlags {
    /// The compile command targets BPF (`-target bpf`, `bpfel`, `bpfeb`).
    pub fn targets_bpf(&self) -> bool {
        self.target.as_deref().is_some_and(|t| t.starts_with("bpf"))
    }
}

/// Flags for `file`, as clangd finds them: `compile_commands.json` in the
/// file's folder or a `build/` folder beside it, walking up; else
/// `compile_flags.txt` walking up; else none (the defaults). An entry for
/// the file itself wins; without one, the union of the database's entries.
pub fn compile_flags(file: &Path) -> CompileFlags {
    let mut dir = file.parent().map(|p| p.to_path_buf());
    while let Some(d) = dir {
        for db in [d.join("compile_commands.json"), d.join("build").join("compile_commands.json")] {
            if db.is_file() {
                if let Some(mut f) = read_compile_db(&db, file) {
                    f.origin = Some(db);
                    return f;
                }
            }
        }
        dir = d.parent().map(|p| p.to_path_buf());
    }
    let mut dir = file.parent().map(|p| p.to_path_buf());
    while let Some(d) = dir {
        let txt = d.join("compile_flags.txt");
        if txt.is_file() {
            if let Ok(text) = std::fs::read_to_string(&txt) {
                let args: Vec<String> = text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
                let mut f = parse_args(&args, &d);
                f.origin = Some(txt);
                return f;
            }
        }
        dir = d.parent().map(|p| p.to_path_buf());
    }
    CompileFlags::default()
}

fn read_compile_db(db: &Path, file: &Path) -> Option<CompileFlags> {
    let text = std::fs::read_to_string(db).ok()?;
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).ok()?;
    let canon = file.canonicalize().ok();
    let mut all = CompileFlags::default();
    let mut mine = None;
    for e in &entries {
        let dir = PathBuf::from(e.get("directory").and_then(|d| d.as_str()).unwrap_or("."));
        let args: Vec<String> = match (e.get("arguments"), e.get("command")) {
            (Some(a), _) => a.as_array()?.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
            (None, Some(c)) => shell_words(c.as_str()?),
            _ => continue,
        };
        let flags = parse_args(&args, &dir);
        let efile = e.get("file").and_then(|f| f.as_str()).map(|f| dir.join(f));
        if efile.and_then(|p| p.canonicalize().ok()).is_some_and(|p| Some(p) == canon) {
            mine = Some(flags.clone());
        }
        all.include_paths.extend(flags.include_paths);
        all.quote_dirs.extend(flags.quote_dirs);
        all.system_dirs.extend(flags.system_dirs);
        all.after_dirs.extend(flags.after_dirs);
        all.defines.extend(flags.defines);
        all.macros.extend(flags.macros);
        all.std = all.std.or(flags.std);
        all.target = all.target.or(flags.target);
    }
    Some(mine.unwrap_or(all))
}

/// Split a `command` string as a POSIX shell would split words: single
/// and double quotes and backslash escapes (no expansion of any kind).
pub fn shell_words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => cur.push(e),
                            Some(e) => {
                                cur.push('\\');
                                cur.push(e);
                            }
                            None => cur.push('\\'),
                        },
                        _ => cur.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(e) = chars.next() {
                    cur.push(e);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Read the flags that matter for reading the file; every other argument
/// (the compiler itself, `-o`, `-c`, warnings, plugins) is ignored.
pub fn parse_args(args: &[String], dir: &Path) -> CompileFlags {
    // Flags that take a value, joined (`-Ifoo`, `-std=c11`) or separate.
    const WITH_VALUE: [&str; 9] = ["-I", "-D", "-U", "-iquote", "-isystem", "-idirafter", "-include", "-target", "--target"];
    let mut f = CompileFlags::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        if let Some(v) = a.strip_prefix("-std=") {
            f.std = Some(v.to_string());
            continue;
        }
        let mut found = None;
        for flag in WITH_VALUE {
            if a == flag {
                found = Some((flag, args.get(i).cloned().unwrap_or_default()));
                i += 1;
                break;
            }
            if let Some(v) = a.strip_prefix(flag) {
                // `-target=bpf`, `--target=bpf`; `-include` must not read as `-I nclude`.
                // `-target-feature` is another flag; `-Ifoo`, `-isystemfoo` are joined forms.
                let joined = matches!(flag, "-I" | "-D" | "-U") || flag.starts_with("-i") || v.starts_with('=');
                let v = v.strip_prefix('=').unwrap_or(v);
                if joined {
                    found = Some((flag, v.to_string()));
                    break;
                }
            }
        }
        let Some((flag, val)) = found else { continue };
        let path = || dir.join(&val);
        match flag {
            "-D" => {
                let (n, v) = val.split_once('=').map(|(n, v)| (n.to_string(), v.to_string())).unwrap_or((val.clone(), "1".into()));
                f.defines.push((n.clone(), v.clone()));
                f.macros.push(MacroFlag::Define(n, v));
            }
            "-U" => {
                f.defines.retain(|(n, _)| *n != val);
                f.macros.push(MacroFlag::Undef(val.clone()));
            }
            "-I" => f.include_paths.push(path()),
            "-iquote" => f.quote_dirs.push(path()),
            "-isystem" => f.system_dirs.push(path()),
            "-idirafter" => f.after_dirs.push(path()),
            "-include" => f.forced_includes.push(path()),
            _ => f.target = Some(val.clone()),
        }
    }
    f
}

#[cfg(test)]
mod flag_tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        shell_words(s)
    }

    #[test]
    fn every_search_flag_and_macro_is_read_in_order() {
        let f = parse_args(
            &args("clang -O2 -Iinc -I other -iquote q -isystem sys -idirafter late -DA -DB=2 -UA -include pre.h -std=gnu11 -target bpf -c x.c -o x.o -fplugin=evil.so"),
            Path::new("/w"),
        );
        assert_eq!(f.include_paths, vec![PathBuf::from("/w/inc"), PathBuf::from("/w/other")]);
        assert_eq!(f.quote_dirs, vec![PathBuf::from("/w/q")]);
        assert_eq!(f.system_dirs, vec![PathBuf::from("/w/sys")]);
        assert_eq!(f.after_dirs, vec![PathBuf::from("/w/late")]);
        assert_eq!(f.forced_includes, vec![PathBuf::from("/w/pre.h")]);
        assert_eq!(f.defines, vec![("B".to_string(), "2".to_string())]);
        assert_eq!(
            f.macros,
            vec![MacroFlag::Define("A".into(), "1".into()), MacroFlag::Define("B".into(), "2".into()), MacroFlag::Undef("A".into())]
        );
        assert_eq!(f.std.as_deref(), Some("gnu11"));
        assert!(f.targets_bpf());
        assert!(parse_args(&args("cc --target=bpfel x.c"), Path::new("/")).targets_bpf());
        assert!(!parse_args(&args("cc -O2 x.c"), Path::new("/")).targets_bpf());
    }

    #[test]
    fn commands_split_like_a_shell() {
        assert_eq!(shell_words(r#"cc -DNAME="a b" '-DX=1 2' -I\ dir"#), vec!["cc", "-DNAME=a b", "-DX=1 2", "-I dir"]);
    }
}

/// Loads files, caching parses by path for one run.
#[derive(Default)]
pub struct FileCache {
    files: std::collections::HashMap<PathBuf, Arc<SourceFile>>,
}

impl FileCache {
    pub fn get(&mut self, path: &Path) -> Option<Arc<SourceFile>> {
        if let Some(f) = self.files.get(path) {
            return Some(f.clone());
        }
        let bytes = std::fs::read(path).ok()?;
        let f = Arc::new(SourceFile::parse(path.to_string_lossy(), &bytes).ok()?);
        self.files.insert(path.to_path_buf(), f.clone());
        Some(f)
    }
    pub fn insert(&mut self, path: &Path, f: Arc<SourceFile>) {
        self.files.insert(path.to_path_buf(), f);
    }
}

/// A translation unit: headers first (in include order), the file last.
pub struct Unit {
    pub files: Vec<Arc<SourceFile>>,
    pub index: FileIndex,
    pub flags: CompileFlags,
}

impl Unit {
    pub fn main(&self) -> &Arc<SourceFile> {
        // Invariant: `build_unit` always pushes the main file last.
        &self.files[self.files.len() - 1]
    }

    pub fn type_env(&self) -> TypeEnv {
        let mut env = TypeEnv::new();
        for (n, v) in &self.flags.defines {
            env.add_define(n, v);
        }
        for f in &self.files {
            env.add_file(f);
        }
        env
    }
}

pub const MAX_INCLUDE_DEPTH: usize = 32;

pub fn build_unit(main: Arc<SourceFile>, cache: &mut FileCache) -> Unit {
    let path = PathBuf::from(&main.path);
    let flags = compile_flags(&path);
    let index = index_file(&main, &flags.include_paths);
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    seen.insert(path.canonicalize().unwrap_or(path.clone()));
    collect_includes(&index, &flags, cache, &mut seen, &mut files, 0);
    files.push(main);
    Unit { files, index, flags }
}

fn collect_includes(
    index: &FileIndex,
    flags: &CompileFlags,
    cache: &mut FileCache,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<Arc<SourceFile>>,
    depth: usize,
) {
    if depth > MAX_INCLUDE_DEPTH {
        return;
    }
    for inc in &index.includes {
        let Some(p) = &inc.resolved else { continue };
        let canon = p.canonicalize().unwrap_or(p.clone());
        if !seen.insert(canon) {
            continue;
        }
        let Some(f) = cache.get(p) else { continue };
        let sub = index_file(&f, &flags.include_paths);
        collect_includes(&sub, flags, cache, seen, out, depth + 1);
        out.push(f);
    }
}

/// Expand paths (files and directories) into the `.c` and `.h` files below
/// them, sorted.
pub fn collect_sources(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("{}: no such file or directory", p.display())));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else if name.ends_with(".c") || name.ends_with(".h") {
            out.push(p);
        }
    }
    Ok(())
}
