//! Translation units: a file with the quoted headers it includes, and the
//! include paths and defines of `compile_commands.json`.

use crate::env::TypeEnv;
use crate::index::{index_file, FileIndex};
use crate::source::SourceFile;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Include paths and `-D` defines for a file.
#[derive(Clone, Debug, Default)]
pub struct CompileFlags {
    pub include_paths: Vec<PathBuf>,
    pub defines: Vec<(String, String)>,
}

/// Find `compile_commands.json` walking up from `file` and read the flags
/// of its entry for that file (or the union of all entries).
pub fn compile_flags(file: &Path) -> CompileFlags {
    let mut dir = file.parent().map(|p| p.to_path_buf());
    while let Some(d) = dir {
        let db = d.join("compile_commands.json");
        if db.is_file() {
            return read_compile_db(&db, file).unwrap_or_default();
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
            (None, Some(c)) => c.as_str()?.split_whitespace().map(String::from).collect(),
            _ => continue,
        };
        let flags = parse_args(&args, &dir);
        let efile = e.get("file").and_then(|f| f.as_str()).map(|f| dir.join(f));
        if efile.and_then(|p| p.canonicalize().ok()).is_some_and(|p| Some(p) == canon) {
            mine = Some(flags.clone());
        }
        all.include_paths.extend(flags.include_paths);
        all.defines.extend(flags.defines);
    }
    Some(mine.unwrap_or(all))
}

fn parse_args(args: &[String], dir: &Path) -> CompileFlags {
    let mut f = CompileFlags::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (flag, val) = if a == "-I" || a == "-D" || a == "-iquote" || a == "-isystem" {
            i += 1;
            (a.as_str(), args.get(i).cloned().unwrap_or_default())
        } else if let Some(v) = a.strip_prefix("-I") {
            ("-I", v.to_string())
        } else if let Some(v) = a.strip_prefix("-D") {
            ("-D", v.to_string())
        } else {
            i += 1;
            continue;
        };
        match flag {
            "-D" => {
                let (n, v) = val.split_once('=').map(|(n, v)| (n.to_string(), v.to_string())).unwrap_or((val.clone(), "1".into()));
                f.defines.push((n, v));
            }
            _ => f.include_paths.push(dir.join(val)),
        }
        i += 1;
    }
    f
}

/// Loads files, caching parses by path for one run.
#[derive(Default)]
pub struct FileCache {
    files: std::collections::HashMap<PathBuf, Arc<SourceFile>>,
    /// Flags for every file of the run instead of `compile_commands.json`
    /// (the accuracy harness's third-party code, which has none).
    pub flags: Option<CompileFlags>,
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
    let flags = cache.flags.clone().unwrap_or_else(|| compile_flags(&path));
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
