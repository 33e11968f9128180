//! Interfaces as the editor shows them, kept between sessions.
//!
//! An analyzed function becomes a `Rendered`: the strings and JSON the
//! editor needs (hover, lens, status, JSON/Python/text projections, loop
//! and call marks, field uses for struct lenses, the partial-analysis
//! reason). It is plain `Send` data: the indexing pool (`pool.rs`) and
//! the analysis thread share it, and it is what goes to disk. The full
//! engine interface (term arenas, Z3 witnesses) is not stored: a
//! regression comparison of a function whose interface came from here
//! analyzes it again (`worker.rs`).
//!
//! Two layers behind `Store`:
//! - a bounded in-memory LRU (`MEM_ENTRIES`), shared by the pool and the
//!   analysis thread, so indexing results reach open documents' call
//!   hints without the disk;
//! - the on-disk cache (`disk_cache::DiskCache`, one JSON file per key)
//!   in `user_cache_dir()/interfaces/` (never the workspace). The file
//!   key mixes the format version, Perfi's version and the build of the
//!   running binary (its size and modification time) into the function's
//!   semantic key (which holds the configuration); the file stores the
//!   function name, the semantic and exact keys, and is taken only when
//!   they match. An unreadable or corrupt file is a miss and one log
//!   message, never an error. `perfi.diskCache: false` turns the disk
//!   layer off (nothing read or written).

use super::render;
use crate::disk_cache::DiskCache;
use crate::keys::FnKeys;
use perfi_engine::analysis::FunctionInterface;
use perfi_engine::config::Config;
use perfi_engine::ir::Function;
use perfi_engine::output;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Bump when `Rendered` or the file layout changes.
pub const FORMAT: u32 = 1;
/// Entries of the shared in-memory layer (a few KB each).
pub const MEM_ENTRIES: usize = 4096;

/// What the editor shows for one function (see the module comment).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Rendered {
    pub name: String,
    pub status: String,
    pub hover: String,
    pub lens: String,
    pub json: serde_json::Value,
    pub python: String,
    pub text: String,
    /// Why the analysis is partial (a diagnostic).
    pub reason: Option<String>,
    /// Per loop of the function: (line, inlay label, hover).
    pub loops: Vec<(u32, Option<String>, String)>,
    /// A call to this function: (inlay label, hover).
    pub call: (Option<String>, String),
    /// Field uses of its cases by struct (struct lenses).
    pub uses: BTreeMap<String, Vec<perfi_engine::hotfields::CaseUses>>,
}

/// Render an interface for the editor (what `publish` shows).
pub fn render(path: &str, ir: &Function, iface: &FunctionInterface, cfg: &Config) -> Rendered {
    let loops = ir
        .loops
        .iter()
        .map(|lp| {
            let (label, hover) = render::loop_info(iface, lp.line);
            (lp.line, label, hover)
        })
        .collect();
    Rendered {
        name: iface.name.clone(),
        status: render::status_text(&iface.status).to_string(),
        hover: render::function_hover(iface, &cfg.hardware.name, cfg.resolution),
        lens: render::function_lens(iface),
        json: output::json(iface),
        python: output::python(iface),
        text: output::text(path, iface, cfg.resolution),
        reason: iface.reason.clone(),
        loops,
        call: render::call_info(iface),
        uses: perfi_engine::hotfields::uses_by_struct(&iface.cases.iter().collect::<Vec<_>>()),
    }
}

/// A cached interface: its rendering and the exact key it was made for
/// (the lines may differ from the current ones: then it is stale).
#[derive(Clone)]
pub struct Hit {
    pub r: Arc<Rendered>,
    pub exact: u64,
}

#[derive(Default)]
struct Lru {
    map: HashMap<u64, (Hit, u64)>,
    order: VecDeque<(u64, u64)>,
    tick: u64,
}

impl Lru {
    fn get(&mut self, sem: u64) -> Option<Hit> {
        self.tick += 1;
        let t = self.tick;
        let (h, stamp) = self.map.get_mut(&sem)?;
        *stamp = t;
        self.order.push_back((sem, t));
        let h = h.clone();
        self.trim();
        Some(h)
    }
    fn put(&mut self, sem: u64, h: Hit) {
        self.tick += 1;
        self.map.insert(sem, (h, self.tick));
        self.order.push_back((sem, self.tick));
        self.trim();
    }
    fn trim(&mut self) {
        // `order` holds one record per use; only the newest counts.
        while self.map.len() > MEM_ENTRIES || self.order.len() > 4 * MEM_ENTRIES {
            let Some((k, t)) = self.order.pop_front() else { break };
            if self.map.get(&k).is_some_and(|(_, s)| *s == t) && self.map.len() > MEM_ENTRIES {
                self.map.remove(&k);
            }
        }
    }
}

/// Counters for `$/perfi/...` statistics and the log.
#[derive(Default)]
pub struct StoreStats {
    pub disk_hits: AtomicUsize,
    pub disk_writes: AtomicUsize,
    pub disk_errors: AtomicUsize,
}

pub struct Store {
    mem: Mutex<Lru>,
    disk: Option<DiskCache>,
    /// The `diskCache` setting (the last one the editor sent).
    disk_on: AtomicBool,
    build: u64,
    pub stats: StoreStats,
    /// Messages for the log (corrupt files), taken by the analysis thread.
    log: Mutex<Vec<String>>,
}

/// The folder of the on-disk interface cache.
pub fn default_dir() -> Option<PathBuf> {
    crate::disk_cache::user_cache_dir().map(|d| d.join("interfaces"))
}

/// Identifies the running binary: analyses of another build may differ
/// even at the same version number (a rebuilt developer binary).
fn build_stamp() -> u64 {
    let m = std::env::current_exe().and_then(std::fs::metadata);
    let (len, mtime) = match m {
        Ok(m) => (m.len(), m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0)),
        Err(_) => (0, 0),
    };
    crate::keys::h((FORMAT, perfi_engine::VERSION, len, mtime))
}

impl Store {
    /// A store over `dir` (None: memory only). A folder that cannot be
    /// created leaves the disk layer off, with a message.
    pub fn new(dir: Option<&Path>) -> (Store, Option<String>) {
        let mut msg = None;
        let disk = dir.and_then(|d| match DiskCache::open(d) {
            Ok(c) => {
                c.prune_in_background();
                Some(c)
            }
            Err(e) => {
                msg = Some(format!("perfi: interface cache off: {e:#}"));
                None
            }
        });
        (Store { mem: Mutex::new(Lru::default()), disk, disk_on: AtomicBool::new(true), build: build_stamp(), stats: StoreStats::default(), log: Mutex::new(Vec::new()) }, msg)
    }

    pub fn set_disk(&self, on: bool) {
        self.disk_on.store(on, Ordering::Relaxed);
    }

    fn disk(&self) -> Option<&DiskCache> {
        self.disk.as_ref().filter(|_| self.disk_on.load(Ordering::Relaxed))
    }

    fn file_key(&self, sem: u64) -> u64 {
        crate::keys::h(("perfi interface", self.build, sem))
    }

    /// The interface cached for this semantic key: memory, then disk.
    pub fn get(&self, name: &str, keys: FnKeys) -> Option<Hit> {
        if let Some(h) = self.mem.lock().ok().and_then(|mut m| m.get(keys.sem)) {
            if h.r.name == name {
                return Some(h);
            }
        }
        let disk = self.disk()?;
        let key = self.file_key(keys.sem);
        let v = match disk.get_checked(key) {
            Ok(Some(v)) => v,
            Ok(None) => return None,
            Err(e) => {
                self.stats.disk_errors.fetch_add(1, Ordering::Relaxed);
                self.note(format!("perfi: ignoring an unreadable interface cache file: {e:#}"));
                return None;
            }
        };
        match decode(&v, name, keys.sem) {
            Ok(h) => {
                self.stats.disk_hits.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut m) = self.mem.lock() {
                    m.put(keys.sem, h.clone());
                }
                Some(h)
            }
            Err(why) => {
                self.stats.disk_errors.fetch_add(1, Ordering::Relaxed);
                self.note(format!("perfi: ignoring interface cache file {}: {why}", disk.path_of(key).display()));
                None
            }
        }
    }

    /// Keep an interface (memory, and disk when on). A failed write costs
    /// the next session time only; it is logged once per session.
    pub fn put(&self, keys: FnKeys, r: Arc<Rendered>) {
        let h = Hit { r, exact: keys.exact };
        if let Some(disk) = self.disk() {
            let v = serde_json::json!({
                "format": FORMAT,
                "version": perfi_engine::VERSION,
                "name": h.r.name,
                "sem": format!("{:016x}", keys.sem),
                "exact": format!("{:016x}", keys.exact),
                "rendered": &*h.r,
            });
            match disk.put(self.file_key(keys.sem), &v) {
                Ok(()) => {
                    self.stats.disk_writes.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    if self.stats.disk_errors.fetch_add(1, Ordering::Relaxed) == 0 {
                        self.note(format!("perfi: cannot write the interface cache: {e:#}"));
                    }
                }
            }
        }
        if let Ok(mut m) = self.mem.lock() {
            m.put(keys.sem, h);
        }
    }

    fn note(&self, m: String) {
        if let Ok(mut l) = self.log.lock() {
            if l.len() < 100 {
                l.push(m);
            }
        }
    }

    /// Log messages gathered since the last call.
    pub fn take_log(&self) -> Vec<String> {
        self.log.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default()
    }
}

/// What indexing learned about one `.c` file, so that a later session
/// can tell without preprocessing or lowering it that its functions'
/// interfaces are all in the cache, and show them the moment it is
/// opened: the text's hash, every file its program read (headers, the
/// folder's `.c` files, compile databases looked for) with their size and
/// modification time, and its functions' keys.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FileRecord {
    pub path: String,
    pub text_hash: u64,
    pub config: u64,
    /// (path, stamp) of every file the program depends on; stamp 0 for a
    /// file that did not exist (a compile database looked for).
    pub deps: Vec<(String, u64)>,
    /// (name, semantic key, exact key) per function with an interface.
    pub functions: Vec<(String, u64, u64)>,
}

/// The hash of a file's text in a `FileRecord`.
pub fn text_hash(bytes: &[u8]) -> u64 {
    crate::keys::h(bytes)
}

/// Size and modification time of a file, hashed; 0 when it is missing.
pub fn file_stamp(p: &Path) -> u64 {
    match std::fs::metadata(p) {
        Ok(m) => crate::keys::h((m.len(), m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_nanos()))).max(1),
        Err(_) => 0,
    }
}

/// Compile databases the flags of `file` may come from (see
/// `workspace::compile_flags`): their appearance changes the program.
pub fn flag_files(file: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut d = file.parent();
    while let Some(dir) = d {
        out.push(dir.join("compile_commands.json"));
        out.push(dir.join("build").join("compile_commands.json"));
        out.push(dir.join("compile_flags.txt"));
        d = dir.parent();
    }
    out
}

impl FileRecord {
    /// The record of `path`'s program `prog` (what it read: every file of
    /// its units, the folder's `.c` files, which decide what gets lowered,
    /// the compile databases looked for, the folder itself, whose time
    /// changes when a file is added or removed).
    pub fn of_program(prog: &perfi_engine::analysis::Program, path: &str, text_hash: u64, config: u64, functions: Vec<(String, u64, u64)>) -> FileRecord {
        let p = Path::new(path);
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut deps: Vec<PathBuf> = prog.files.iter().flat_map(|g| g.unit.files.iter().map(|f| PathBuf::from(&f.path))).collect();
        deps.extend(perfi_engine::workspace::c_files(&dir));
        deps.extend(flag_files(p));
        deps.push(dir);
        deps.sort();
        deps.dedup();
        let deps = deps.into_iter().map(|d| (d.to_string_lossy().into_owned(), file_stamp(&d))).collect();
        FileRecord { path: path.to_string(), text_hash, config, deps, functions }
    }

    /// Whether the record still describes `text` at `path` under `config`:
    /// same text and configuration, no dependency changed.
    pub fn valid(&self, path: &str, text_hash: u64, config: u64) -> bool {
        self.path == path && self.text_hash == text_hash && self.config == config && self.deps.iter().all(|(p, st)| file_stamp(Path::new(p)) == *st)
    }
}

impl Store {
    fn record_key(&self, path: &str, config: u64) -> u64 {
        crate::keys::h(("perfi file record", self.build, path, config))
    }

    /// The record of `path` under `config` (disk only), if readable.
    pub fn file_record(&self, path: &str, config: u64) -> Option<FileRecord> {
        let disk = self.disk()?;
        let key = self.record_key(path, config);
        let v = match disk.get_checked(key) {
            Ok(v) => v?,
            Err(e) => {
                self.note(format!("perfi: ignoring an unreadable interface cache file: {e:#}"));
                return None;
            }
        };
        match serde_json::from_value::<FileRecord>(v) {
            Ok(r) if r.path == path && r.config == config => Some(r),
            Ok(_) => None,
            Err(e) => {
                self.note(format!("perfi: ignoring interface cache file {}: {e}", disk.path_of(key).display()));
                None
            }
        }
    }

    pub fn put_file_record(&self, r: &FileRecord) {
        let Some(disk) = self.disk() else { return };
        let v = match serde_json::to_value(r) {
            Ok(v) => v,
            Err(_) => return,
        };
        if let Err(e) = disk.put(self.record_key(&r.path, r.config), &v) {
            if self.stats.disk_errors.fetch_add(1, Ordering::Relaxed) == 0 {
                self.note(format!("perfi: cannot write the interface cache: {e:#}"));
            }
        }
    }
}

fn decode(v: &serde_json::Value, name: &str, sem: u64) -> Result<Hit, String> {
    if v.get("format").and_then(|f| f.as_u64()) != Some(FORMAT as u64) {
        return Err("another format".into());
    }
    if v.get("name").and_then(|n| n.as_str()) != Some(name) || v.get("sem").and_then(|s| s.as_str()) != Some(format!("{sem:016x}").as_str()) {
        return Err("keys do not match".into());
    }
    let exact = v.get("exact").and_then(|e| e.as_str()).and_then(|e| u64::from_str_radix(e, 16).ok()).ok_or("no exact key")?;
    let r: Rendered = serde_json::from_value(v.get("rendered").cloned().unwrap_or_default()).map_err(|e| format!("bad interface: {e}"))?;
    if r.name != name {
        return Err("keys do not match".into());
    }
    Ok(Hit { r: Arc::new(r), exact })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Arc<Rendered> {
        Arc::new(Rendered {
            name: name.into(),
            status: "complete".into(),
            hover: "h".into(),
            lens: "l".into(),
            json: serde_json::json!({"name": name}),
            python: "p".into(),
            text: "t".into(),
            reason: None,
            loops: vec![(3, Some("× n".into()), "loop".into())],
            call: (None, "call".into()),
            uses: BTreeMap::new(),
        })
    }

    #[test]
    fn disk_round_trip_corrupt_files_and_switch() {
        let d = std::env::temp_dir().join(format!("perfi-iface-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let (s, msg) = Store::new(Some(&d));
        assert!(msg.is_none());
        let k = FnKeys { sem: 11, exact: 12 };
        s.put(k, sample("f"));
        // A new store (a new session) reads it from disk.
        let (s2, _) = Store::new(Some(&d));
        let h = s2.get("f", k).expect("read back");
        assert_eq!(*h.r, *sample("f"));
        assert_eq!(h.exact, 12);
        assert!(s2.get("g", k).is_none(), "another name is a miss");
        // Every file damaged: a miss and a log message, no panic.
        let mut n = 0;
        for e in walk(&d) {
            std::fs::write(&e, b"{\"key\": 1, garbage").expect("damage");
            n += 1;
        }
        assert_eq!(n, 1);
        let (s3, _) = Store::new(Some(&d));
        assert!(s3.get("f", k).is_none());
        assert_eq!(s3.take_log().len(), 1);
        // Off: nothing read or written.
        let (s4, _) = Store::new(Some(&d));
        s4.set_disk(false);
        s4.put(FnKeys { sem: 99, exact: 1 }, sample("q"));
        assert_eq!(walk(&d).len(), 1);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn memory_layer_is_bounded() {
        let (s, _) = Store::new(None);
        for i in 0..(MEM_ENTRIES as u64 + 100) {
            s.put(FnKeys { sem: i, exact: i }, sample("f"));
        }
        let m = s.mem.lock().expect("lock");
        assert_eq!(m.map.len(), MEM_ENTRIES);
        assert!(!m.map.contains_key(&0), "the oldest went first");
    }

    fn walk(d: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
        out
    }
}
