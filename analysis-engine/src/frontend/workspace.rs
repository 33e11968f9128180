//! Translation units: a file with the quoted headers it includes, and the
//! include paths and defines of `compile_commands.json`.

use crate::env::TypeEnv;
use crate::frontend::preprocess as pp;
use crate::index::{index_file, FileIndex};
use crate::source::SourceFile;
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

/// A compile database named explicitly (`perfi analyze --compile-commands`),
/// used for every file instead of the search: set once per process.
static COMPILE_DB: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Use `db` for every file of this process instead of searching upward
/// (for code one must not write a database beside, e.g. /usr/include).
/// Returns false when a database was already set.
pub fn set_compile_db(db: PathBuf) -> bool {
    COMPILE_DB.set(db).is_ok()
}

/// Flags for `file` from the given `compile_commands.json`: its entry for
/// the file, else the union of its entries; the defaults when it cannot be
/// read.
pub fn compile_flags_from_db(db: &Path, file: &Path) -> CompileFlags {
    match read_compile_db(db, file) {
        Some(mut f) => {
            f.origin = Some(db.to_path_buf());
            f
        }
        None => CompileFlags::default(),
    }
}

/// Flags for `file`, as clangd finds them: `compile_commands.json` in the
/// file's folder or a `build/` folder beside it, walking up; else
/// `compile_flags.txt` walking up; else none (the defaults). An entry for
/// the file itself wins; without one, the union of the database's entries.
/// A database set with `set_compile_db` replaces the search.
pub fn compile_flags(file: &Path) -> CompileFlags {
    if let Some(db) = COMPILE_DB.get() {
        return compile_flags_from_db(db, file);
    }
    // A relative name (`perfi analyze tcp_cong.c`) has the empty path as
    // its parent, which has no parent: walk up from the absolute path.
    let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let file = abs.as_path();
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
    fn a_database_named_explicitly_gives_the_file_its_entry() {
        let d = std::env::temp_dir().join(format!("perfi-explicit-db-{}", std::process::id()));
        let (src, cache) = (d.join("src"), d.join("cache"));
        std::fs::create_dir_all(&src).unwrap();
        std::fs::create_dir_all(&cache).unwrap();
        let file = src.join("a.h");
        std::fs::write(&file, "static inline int f(int x) { return x; }\n").unwrap();
        let db = cache.join("compile_commands.json");
        let entries = serde_json::json!([
            {"directory": src, "file": "other.c", "arguments": ["cc", "-DOTHER", "-c", "other.c"]},
            {"directory": src, "file": file, "arguments": ["cc", "-I", "inc", "-DX=2", "-target", "bpf", "-c", file]},
        ]);
        std::fs::write(&db, entries.to_string()).unwrap();
        let f = compile_flags_from_db(&db, &file);
        assert_eq!(f.include_paths, vec![src.join("inc")]);
        assert_eq!(f.defines, vec![("X".to_string(), "2".to_string())]);
        assert!(f.targets_bpf());
        assert_eq!(f.origin.as_deref(), Some(db.as_path()));
        assert_eq!(compile_flags_from_db(&cache.join("missing.json"), &file), CompileFlags::default());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn commands_split_like_a_shell() {
        assert_eq!(shell_words(r#"cc -DNAME="a b" '-DX=1 2' -I\ dir"#), vec!["cc", "-DNAME=a b", "-DX=1 2", "-I dir"]);
    }
}

/// The files of one run: documents the caller holds (open in the editor)
/// take precedence over the disk, for the preprocessor too.
#[derive(Default)]
pub struct FileCache {
    files: std::collections::HashMap<PathBuf, Arc<SourceFile>>,
    /// Flags for every file of the run instead of `compile_commands.json`
    /// (the accuracy harness's third-party code, which has none).
    pub flags: Option<CompileFlags>,
}

impl FileCache {
    pub fn insert(&mut self, path: &Path, f: Arc<SourceFile>) {
        self.files.insert(path.to_path_buf(), f);
    }
}

/// What the preprocessor reads: the caller's documents first, then regular
/// files on disk (size-capped; directories, FIFOs and devices refused).
struct Overlay<'a> {
    docs: &'a FileCache,
    disk: pp::DiskFiles,
}

impl pp::FileSource for Overlay<'_> {
    fn read(&self, path: &Path) -> Result<Arc<[u8]>, pp::ReadError> {
        if let Some(user) = self.docs.files.get(path).and_then(|f| f.user.clone()) {
            return Ok(user);
        }
        self.disk.read(path)
    }

    /// Open documents have no stamp (their text is compared); files on
    /// disk are known by size, modification time and inode.
    fn stamp(&self, path: &Path) -> Option<u64> {
        if self.docs.files.get(path).is_some_and(|f| f.user.is_some()) {
            return None;
        }
        pp::disk_stamp(path)
    }
}

/// A translation unit: the pieces of the headers it includes (in the
/// order their inclusions finish), the file itself last; what the
/// preprocessor reported; the files it read.
pub struct Unit {
    pub files: Vec<Arc<SourceFile>>,
    pub index: FileIndex,
    pub flags: CompileFlags,
    pub diagnostics: Vec<pp::Diagnostic>,
    pub files_read: Vec<PathBuf>,
}

impl Unit {
    pub fn main(&self) -> &Arc<SourceFile> {
        // Invariant: `build_unit` always pushes the main file last.
        &self.files[self.files.len() - 1]
    }

    /// The unit's type environment. The headers' part is built once per
    /// (flags, header pieces) and cloned (a preamble, as clangd keeps one):
    /// a keystroke in the file adds only the file's own declarations.
    pub fn type_env(&self) -> TypeEnv {
        use std::hash::{Hash, Hasher};
        thread_local! {
            static PREAMBLE: std::cell::RefCell<Option<(u64, TypeEnv)>> = const { std::cell::RefCell::new(None) };
        }
        let headers = &self.files[..self.files.len().saturating_sub(1)];
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.flags.defines.hash(&mut h);
        for f in headers {
            f.path.hash(&mut h);
            match &f.piece {
                Some(p) => p.fingerprint.hash(&mut h),
                None => f.text.hash(&mut h),
            }
        }
        let key = h.finish();
        let cached = PREAMBLE.with(|c| c.borrow().as_ref().filter(|(k, _)| *k == key).map(|(_, e)| e.clone()));
        let mut env = match cached {
            Some(e) => e,
            None => {
                let mut env = TypeEnv::new();
                for (n, v) in &self.flags.defines {
                    env.add_define(n, v);
                }
                for f in headers {
                    env.add_file(f);
                }
                PREAMBLE.with(|c| *c.borrow_mut() = Some((key, env.clone())));
                env
            }
        };
        if let Some(main) = self.files.last() {
            env.add_file(main);
        }
        env
    }

    /// Headers named in `#include` lines that were not found.
    pub fn missing_headers(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .diagnostics
            .iter()
            .filter_map(|d| match &d.kind {
                pp::DiagKind::MissingInclude { name } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        v.dedup();
        v
    }
}

/// Macros the engine models better than their expansion, left as written
/// (as if not defined) when a header defines them: kernel iteration
/// macros become loop PCVs, `container_of` pointer arithmetic, byte swaps
/// one operation (their expansions test `__builtin_constant_p` and pick
/// between shift cascades), `likely`/`READ_ONCE` the value itself; and
/// conditions read as the code reads (`eth->h_proto == bpf_htons(ETH_P_IP)`).
pub const MODELLED_MACROS: &[&str] = &[
    "likely", "unlikely", "READ_ONCE", "WRITE_ONCE", "min", "max", "min_t", "max_t", "MIN", "MAX",
    "container_of", "list_entry", "hlist_entry", "list_first_entry", "list_last_entry", "list_next_entry",
    "hlist_entry_safe", "list_first_entry_or_null",
    "list_for_each", "list_for_each_safe", "list_for_each_entry", "list_for_each_entry_safe", "list_for_each_entry_rcu",
    "list_for_each_entry_continue", "list_for_each_entry_reverse",
    "hlist_for_each", "hlist_for_each_safe", "hlist_for_each_entry", "hlist_for_each_entry_safe", "hlist_for_each_entry_rcu",
    "ntohs", "htons", "ntohl", "htonl", "bpf_ntohs", "bpf_htons", "bpf_ntohl", "bpf_htonl",
    "be16_to_cpu", "cpu_to_be16", "be32_to_cpu", "cpu_to_be32", "be64_to_cpu", "cpu_to_be64",
];

/// Preprocessor options for `file` from its compile flags: the flags'
/// search folders, then the system's (found on the file system, never by
/// running a compiler); the BPF target when the command targets bpf or
/// the file is a BPF program by the conventions of `pp::is_bpf_program`.
pub fn pp_options(flags: &CompileFlags, file: &Path, text: &[u8]) -> pp::Options {
    let target = if flags.targets_bpf() || (flags.target.is_none() && pp::is_bpf_program(file, text)) { pp::Target::Bpf } else { pp::Target::X86_64 };
    let mut system_dirs = flags.system_dirs.clone();
    system_dirs.extend(pp::default_system_dirs(target));
    pp::Options {
        quote_dirs: flags.quote_dirs.clone(),
        include_dirs: flags.include_paths.clone(),
        system_dirs,
        after_dirs: flags.after_dirs.clone(),
        macros: flags
            .macros
            .iter()
            .map(|m| match m {
                MacroFlag::Define(n, v) => pp::CmdMacro::Define(n.clone(), v.clone()),
                MacroFlag::Undef(n) => pp::CmdMacro::Undef(n.clone()),
            })
            .collect(),
        forced_includes: flags.forced_includes.clone(),
        target,
        std: flags.std.clone(),
        opaque_macros: MODELLED_MACROS.iter().map(|s| s.to_string()).collect(),
        ..pp::Options::default()
    }
}

/// Headers preprocessed once per (file, content, incoming macro state),
/// shared by every unit and keystroke of the process.
pub fn header_cache() -> &'static pp::HeaderCache {
    static CACHE: std::sync::OnceLock<pp::HeaderCache> = std::sync::OnceLock::new();
    CACHE.get_or_init(pp::HeaderCache::default)
}

/// Parses of pieces by (path, fingerprint), shared like the header cache:
/// a header's tree is built once. Bounded: emptied past `MAX_PARSED_BYTES`.
type Parsed = std::collections::HashMap<(PathBuf, u64), Arc<SourceFile>>;

fn parsed_pieces() -> &'static std::sync::Mutex<(Parsed, usize)> {
    static PARSED: std::sync::OnceLock<std::sync::Mutex<(Parsed, usize)>> = std::sync::OnceLock::new();
    PARSED.get_or_init(Default::default)
}

/// The parse of `piece` if it is cached.
fn cached_piece(piece: &Arc<pp::Piece>) -> Option<Arc<SourceFile>> {
    let g = parsed_pieces().lock().ok()?;
    let f = g.0.get(&(piece.path.clone(), piece.fingerprint))?;
    f.piece.as_ref().is_some_and(|p| p.text == piece.text).then(|| f.clone())
}

fn parsed_piece(piece: &Arc<pp::Piece>) -> Option<Arc<SourceFile>> {
    const MAX_PARSED_BYTES: usize = 512 << 20;
    if let Some(f) = cached_piece(piece) {
        return Some(f);
    }
    let f = Arc::new(SourceFile::from_piece(piece.clone()).ok()?);
    let m = parsed_pieces();
    let key = (piece.path.clone(), piece.fingerprint);
    let mut g = m.lock().ok()?;
    if g.1 + piece.text.len() > MAX_PARSED_BYTES {
        g.0.clear();
        g.1 = 0;
    }
    g.1 += piece.text.len();
    g.0.insert(key, f.clone());
    Some(f)
}

/// The parses of header pieces (`parsed_piece`), in order. Those not parsed
/// yet are parsed on every core when there is enough text: a kernel file
/// includes hundreds of headers, and their first parse is most of the
/// time to its first interface.
fn parse_pieces(pieces: &[Arc<pp::Piece>]) -> Vec<Option<Arc<SourceFile>>> {
    const PARALLEL_BYTES: usize = 256 << 10;
    let mut out: Vec<Option<Arc<SourceFile>>> = pieces.iter().map(cached_piece).collect();
    let missing: Vec<usize> = (0..pieces.len()).filter(|&i| out[i].is_none()).collect();
    let bytes: usize = missing.iter().map(|&i| pieces[i].text.len()).sum();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
    if threads < 2 || missing.len() < 2 || bytes < PARALLEL_BYTES {
        for i in missing {
            out[i] = parsed_piece(&pieces[i]);
        }
        return out;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: std::sync::Mutex<Vec<(usize, Option<Arc<SourceFile>>)>> = std::sync::Mutex::new(Vec::new());
    let work = || loop {
        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(&i) = missing.get(k) else { break };
        let f = parsed_piece(&pieces[i]);
        if let Ok(mut d) = done.lock() {
            d.push((i, f));
        }
    };
    std::thread::scope(|s| {
        // This thread works too; a helper that cannot start leaves its
        // share to the others.
        for _ in 1..threads {
            let _ = std::thread::Builder::new().stack_size(16 << 20).spawn_scoped(s, work);
        }
        work();
    });
    for (i, f) in done.into_inner().unwrap_or_default() {
        out[i] = f;
    }
    // A piece a helper did not get to (none should be left): parsed here.
    for (i, slot) in out.iter_mut().enumerate() {
        if slot.is_none() {
            *slot = parsed_piece(&pieces[i]);
        }
    }
    out
}

/// Preprocess `main` (the user's text of the file) with its compile flags
/// and parse the pieces: the unit the rest of the engine reads.
pub fn build_unit(main: Arc<SourceFile>, cache: &mut FileCache) -> Unit {
    let path = PathBuf::from(&main.path);
    let flags = cache.flags.clone().unwrap_or_else(|| compile_flags(&path));
    let user: Arc<[u8]> = main.user.clone().unwrap_or_else(|| Arc::from(main.text.as_slice()));
    let opts = pp_options(&flags, &path, &user);
    let out = pp::preprocess(&path, &user, &opts, &Overlay { docs: cache, disk: pp::DiskFiles::default() }, header_cache());
    let mut files = Vec::new();
    let n = out.pieces.len();
    let main_is_last = out.pieces.last().is_some_and(|p| p.path == path);
    let headers = &out.pieces[..if main_is_last { n - 1 } else { n }];
    files.extend(parse_pieces(headers).into_iter().flatten());
    if main_is_last {
        // The main file: its own parse (it changes with every keystroke).
        if let Ok(mut f) = SourceFile::from_piece(out.pieces[n - 1].clone()) {
            f.user = Some(user.clone());
            files.push(Arc::new(f));
        }
    }
    if files.last().is_none_or(|f| f.path != main.path) {
        // Nothing came back for the main file (a preprocessor failure, said
        // in its diagnostics): read it as written.
        match SourceFile::parse(main.path.clone(), &user) {
            Ok(f) => files.push(Arc::new(f)),
            Err(_) => files.push(main),
        }
    }
    let index = index_file(&files[files.len() - 1], &flags.include_paths);
    Unit { files, index, flags, diagnostics: out.diagnostics, files_read: out.files_read }
}

/// The `.c` files directly in `dir`, sorted, named as `dir` is (`x.c` for
/// the empty folder of a file named alone, which is read as `.`).
pub fn c_files(dir: &Path) -> Vec<PathBuf> {
    let rd = std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir });
    let mut v: Vec<PathBuf> = rd.map(|rd| rd.filter_map(|e| e.ok()).map(|e| dir.join(e.file_name())).filter(|p| p.extension().is_some_and(|e| e == "c")).collect()).unwrap_or_default();
    v.sort();
    v
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
