//! The analysis thread. Engine objects (programs, interfaces with their
//! term arenas, Z3 contexts) hold `Rc`s and stay on this one thread; the
//! protocol side gets `FileView`s of plain data.
//!
//! Per document, requests are coalesced (the newest text wins) and run
//! after a short debounce. A run parses the text, lowers the file with its
//! folder's `.c` files and headers, and analyzes only the functions whose
//! key (see `keys.rs`) has no cached interface. Functions that only moved
//! reuse their interface at once and are refreshed after the first view
//! is published. A newer edit cancels the run in flight (the token stops
//! the explorer and interrupts Z3); results of cancelled runs are dropped.

use super::config::{BaselineMode, Settings};
use super::interface_cache::{self, text_hash, Rendered, Store};
use super::pool::{self, Gate};
use super::render;
use super::view::{struct_views, DiagView, FileView, FnView, Mark, Severity, StructView};
use crate::keys::{config_key, FnKeys, KeyContext};
use perfi_engine::analysis::{analyze_function_sized, FileAnalysis, FunctionInterface, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::Config;
use perfi_engine::ir::InstKind;
use perfi_engine::regress::{compare, Regression};
use perfi_engine::source::SourceFile;
use perfi_engine::workspace::FileCache;
use ropey::Rope;
use std::cell::Cell;
use std::rc::Rc;
use std::collections::{HashMap, HashSet};
use perfi_engine::machine::MachineCosts;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

pub const DEBOUNCE: Duration = Duration::from_millis(25);
const MAX_CACHE: usize = 4000;
pub const MAX_INDEX_FILES: usize = 5000;
pub const MAX_INDEX_ENTRIES: usize = 200_000;
pub const STACK: usize = 256 * 1024 * 1024;
/// A run publishes what it has at least this often while it analyzes a
/// file's functions (the first interfaces of a file just opened).
const PUBLISH_EVERY: Duration = Duration::from_millis(300);
/// Runs with more functions to analyze than this publish progressively.
const PROGRESSIVE_MIN: usize = 8;

pub struct AnalyzeReq {
    pub uri: String,
    pub path: PathBuf,
    pub version: i32,
    pub rope: Rope,
    pub edit_byte: Option<usize>,
    pub settings: Arc<Settings>,
    pub at: Instant,
}

pub enum Msg {
    Open { uri: String, path: PathBuf, text: String },
    Analyze(AnalyzeReq),
    Pin { uri: String, text: String },
    Close { uri: String },
    /// Index these files (found by `walk_sources` off this thread) on the
    /// pool (`pool.rs`).
    Index { files: Vec<PathBuf>, settings: Arc<Settings> },
    /// Machine-code costs of a document's text (hash), from the compile
    /// thread.
    Machine { uri: String, text: u64, result: Result<Arc<MachineCosts>, String> },
    Shutdown,
}

/// After the last keystroke, how long the document must stay unchanged
/// before it is compiled for machine-code costs.
pub const MACHINE_DEBOUNCE: Duration = Duration::from_millis(150);

/// A document version to compile (`compile_loop`).
struct CompileJob {
    uri: String,
    version: i32,
    path: PathBuf,
    text: String,
    hash: u64,
}

/// The compile thread: waits until a document has been quiet for
/// `MACHINE_DEBOUNCE`, compiles the newest text with the system compiler
/// (`machine::compile`: safe flags only, temp dir, time-bounded), and sends
/// the result back to the analysis thread; a job whose document has a
/// newer version is dropped (before and after compiling). Nothing here
/// touches engine objects: `MachineCosts` is plain data.
fn compile_loop(rx: Receiver<CompileJob>, back: Sender<Msg>, versions: Arc<Versions>) {
    let mut pending: HashMap<String, CompileJob> = HashMap::new();
    loop {
        let job = if pending.is_empty() {
            match rx.recv() {
                Ok(j) => Some(j),
                Err(_) => return,
            }
        } else {
            match rx.recv_timeout(MACHINE_DEBOUNCE) {
                Ok(j) => Some(j),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        };
        if let Some(j) = job {
            pending.insert(j.uri.clone(), j);
            continue;
        }
        for (_, j) in pending.drain() {
            if !versions.is_latest(&j.uri, j.version) {
                continue;
            }
            let t = Instant::now();
            let result = crate::cli::analyze::machine_costs(&j.path, Some(&j.text)).map(Arc::new);
            trace(|| format!("v{} compiled in {:?}: {}", j.version, t.elapsed(), result.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| e.clone())));
            if versions.is_latest(&j.uri, j.version) && back.send(Msg::Machine { uri: j.uri, text: j.hash, result }).is_err() {
                return;
            }
        }
    }
}

#[derive(Debug)]
pub enum Progress {
    Begin { total: usize },
    Report { done: usize, total: usize, file: String },
    /// Files and functions indexed, of which analyzed and taken from the
    /// interface cache; milliseconds since indexing began.
    End { files: usize, functions: usize, analyzed: usize, cached: usize, ms: u64 },
}

/// What one run of a document did (`$/perfi/runStats`): functions
/// analyzed, and taken from the interface store (`interface_cache.rs`:
/// the pool's results or the disk cache).
#[derive(Debug, Clone, Default)]
pub struct RunStats {
    pub uri: String,
    pub version: i32,
    pub analyzed: usize,
    pub from_store: usize,
}

pub enum Event {
    View(Arc<FileView>),
    Progress(Progress),
    Log(String),
    /// An informational log line (`window/logMessage`, type Info).
    Info(String),
    Stats(RunStats),
}

/// Latest version per document and the run in flight, under one lock so
/// an edit either cancels the run or is seen by it before it starts.
#[derive(Default)]
pub struct Versions {
    inner: Mutex<VersionsInner>,
}

#[derive(Default)]
struct VersionsInner {
    latest: HashMap<String, i32>,
    running: Option<(String, i32, CancelToken)>,
}

impl Versions {
    /// Record an edit; cancels an older run of the same document.
    pub fn edited(&self, uri: &str, version: i32) {
        if let Ok(mut g) = self.inner.lock() {
            g.latest.insert(uri.to_string(), version);
            if let Some((u, v, t)) = &g.running {
                if u == uri && *v < version {
                    t.cancel();
                }
            }
        }
    }
    pub fn closed(&self, uri: &str) {
        if let Ok(mut g) = self.inner.lock() {
            g.latest.remove(uri);
            if let Some((u, _, t)) = &g.running {
                if u == uri {
                    t.cancel();
                }
            }
        }
    }
    pub fn cancel_all(&self) {
        if let Ok(g) = self.inner.lock() {
            if let Some((_, _, t)) = &g.running {
                t.cancel();
            }
        }
    }
    /// No newer version of `uri` is known.
    fn is_latest(&self, uri: &str, version: i32) -> bool {
        self.inner.lock().ok().is_some_and(|g| g.latest.get(uri).is_some_and(|v| *v <= version))
    }
    fn start(&self, uri: &str, version: i32) -> Option<CancelToken> {
        let mut g = self.inner.lock().ok()?;
        if g.latest.get(uri).is_none_or(|v| *v > version) {
            return None;
        }
        let t = CancelToken::new();
        g.running = Some((uri.to_string(), version, t.clone()));
        Some(t)
    }
    fn finish(&self) {
        if let Ok(mut g) = self.inner.lock() {
            g.running = None;
        }
    }
}

#[derive(Clone)]
pub struct WorkerHandle {
    tx: Sender<Msg>,
    pub versions: Arc<Versions>,
}

impl WorkerHandle {
    pub fn send(&self, m: Msg) {
        // The worker outlives every handler; if it is gone there is
        // nothing left to tell.
        let _ = self.tx.send(m);
    }
}

pub fn spawn(events: tokio::sync::mpsc::UnboundedSender<Event>) -> std::io::Result<WorkerHandle> {
    let (tx, rx) = std::sync::mpsc::channel();
    let versions = Arc::new(Versions::default());
    let v2 = versions.clone();
    let (store, msg) = Store::new(interface_cache::default_dir().as_deref());
    if let Some(m) = msg {
        let _ = events.send(Event::Info(m));
    }
    let (ctx, crx) = std::sync::mpsc::channel();
    let (back, v3) = (tx.clone(), versions.clone());
    std::thread::Builder::new().name("perfi-compile".into()).spawn(move || compile_loop(crx, back, v3))?;
    std::thread::Builder::new().name("perfi-analysis".into()).stack_size(STACK).spawn(move || Worker::new(rx, events, v2, Arc::new(store), ctx).run())?;
    Ok(WorkerHandle { tx, versions })
}

struct Cancelled;

struct Entry {
    /// The engine's interface; None when it came from the interface store
    /// (a regression comparison then analyzes the function again).
    iface: Option<FunctionInterface>,
    /// What the editor shows (also what the store keeps).
    r: Arc<Rendered>,
    keys: FnKeys,
    used: Cell<u64>,
}

struct Baseline {
    key: u64,
    prog: Program,
    keys: HashMap<String, (usize, FnKeys)>,
    kc: KeyContext,
}

struct DocState {
    path: PathBuf,
    open_text: String,
    pinned: Option<String>,
    git: Option<Option<String>>,
    rope: Rope,
    deps: Vec<PathBuf>,
    baseline: Option<Baseline>,
    /// Interfaces and findings of the last complete pass, by function name.
    last: HashMap<String, Rc<Entry>>,
    last_regs: HashMap<String, Rc<Vec<Regression>>>,
    /// Machine-code costs of a text of this document (its hash).
    machine: Option<(u64, Result<Arc<MachineCosts>, String>)>,
    /// The settings of the last run (for the machine-code re-run).
    settings: Option<Arc<Settings>>,
    version: i32,
}

struct DiskFile {
    stamp: (SystemTime, u64),
    file: Arc<SourceFile>,
}

/// `.c` and `.h` files below `root` (hidden folders, `target` and
/// `node_modules` skipped), at most `max_files`, looking at no more than
/// `max_entries` directory entries: a huge root must not stall start-up.
pub fn walk_sources(root: &Path, max_files: usize, max_entries: usize) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<(PathBuf, bool)> = rd.filter_map(|e| e.ok()).map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir()))).collect();
        entries.sort();
        for (p, is_dir) in entries.into_iter().rev() {
            seen += 1;
            if seen > max_entries || out.len() >= max_files {
                out.sort();
                return out;
            }
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "target" || name == "node_modules" {
                continue;
            }
            if is_dir {
                stack.push(p);
            } else if is_c_path(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

struct Worker {
    rx: Receiver<Msg>,
    events: tokio::sync::mpsc::UnboundedSender<Event>,
    versions: Arc<Versions>,
    docs: HashMap<String, DocState>,
    queue: Vec<AnalyzeReq>,
    exact: HashMap<u64, Rc<Entry>>,
    by_sem: HashMap<u64, Rc<Entry>>,
    regress: HashMap<(u64, u64), Rc<Vec<Regression>>>,
    parsed: HashMap<String, (u64, Arc<SourceFile>)>,
    disk: HashMap<PathBuf, DiskFile>,
    store: Arc<Store>,
    gate: Arc<Gate>,
    stats: RunStats,
    run: u64,
    /// Struct and field hovers of the current run's text.
    layout_marks: std::cell::OnceCell<(Vec<StructView>, Vec<Mark>)>,
    /// Jobs for the compile thread.
    compiler: Sender<CompileJob>,
}

/// With PERFI_TRACE=FILE, phase timings of every run are appended there.
fn trace(msg: impl FnOnce() -> String) {
    thread_local!(static TRACE: Option<std::path::PathBuf> = std::env::var_os("PERFI_TRACE").map(PathBuf::from));
    TRACE.with(|t| {
        if let Some(p) = t {
            if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(p) {
                use std::io::Write;
                let _ = writeln!(f, "{}", msg());
            }
        }
    });
}

fn stamp(p: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(p).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// `git show HEAD:./NAME` in the file's folder; None outside git or for
/// files git does not know. The repository's configuration must not make
/// git run its programs: no fsmonitor hook, no textconv filter.
pub fn git_head_text(path: &Path) -> Option<String> {
    let dir = path.parent()?;
    let name = path.file_name()?.to_str()?;
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
        .args(["-c", "core.fsmonitor=false", "show", "--no-textconv"])
        .arg(format!("HEAD:./{name}"))
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_c_path(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "c" || e == "h")
}

impl Worker {
    fn new(rx: Receiver<Msg>, events: tokio::sync::mpsc::UnboundedSender<Event>, versions: Arc<Versions>, store: Arc<Store>, compiler: Sender<CompileJob>) -> Worker {
        Worker {
            rx,
            events,
            versions,
            docs: HashMap::new(),
            queue: Vec::new(),
            exact: HashMap::new(),
            by_sem: HashMap::new(),
            regress: HashMap::new(),
            parsed: HashMap::new(),
            disk: HashMap::new(),
            store,
            gate: Arc::new(Gate::default()),
            stats: RunStats::default(),
            run: 0,
            layout_marks: std::cell::OnceCell::new(),
            compiler,
        }
    }

    fn emit(&self, e: Event) {
        let _ = self.events.send(e);
    }

    fn run(mut self) {
        self.serve();
        // Whatever ended the loop, the pool stops with it.
        self.gate.stop();
    }

    fn serve(&mut self) {
        loop {
            loop {
                match self.rx.try_recv() {
                    Ok(m) => {
                        if !self.accept(m) {
                            return;
                        }
                    }
                    Err(std::sync::mpsc::TryRecvError::Empty) => break,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
                }
            }
            // Indexing waits while a document has a run to do.
            self.gate.set_busy(!self.queue.is_empty());
            let now = Instant::now();
            if let Some(i) = self.queue.iter().position(|r| r.at + DEBOUNCE <= now) {
                let req = self.queue.remove(i);
                self.guarded(req);
                for m in self.store.take_log() {
                    self.emit(Event::Info(m));
                }
                continue;
            }
            let wait = self.queue.iter().map(|r| (r.at + DEBOUNCE).saturating_duration_since(now)).min();
            let m = match wait {
                Some(d) => match self.rx.recv_timeout(d) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                None => match self.rx.recv() {
                    Ok(m) => m,
                    Err(_) => return,
                },
            };
            if !self.accept(m) {
                return;
            }
        }
    }

    /// Take a message; false to stop.
    fn accept(&mut self, m: Msg) -> bool {
        match m {
            Msg::Open { uri, path, text } => {
                self.queue.retain(|r| r.uri != uri);
                let rope = Rope::from_str(&text);
                self.docs.insert(uri, DocState { path, open_text: text, pinned: None, git: None, rope, deps: Vec::new(), baseline: None, last: HashMap::new(), last_regs: HashMap::new(), machine: None, settings: None, version: 0 });
            }
            Msg::Analyze(req) => {
                if let Some(d) = self.docs.get_mut(&req.uri) {
                    d.rope = req.rope.clone();
                    self.queue.retain(|r| r.uri != req.uri);
                    self.queue.push(req);
                }
            }
            Msg::Pin { uri, text } => {
                if let Some(d) = self.docs.get_mut(&uri) {
                    d.pinned = Some(text);
                    d.baseline = None;
                    // The regressions a machine-code run reuses were found
                    // against the old baseline: the next run is a model
                    // run that compares with the pinned text (the
                    // refinement follows it).
                    d.last_regs.clear();
                    d.machine = None;
                }
            }
            Msg::Close { uri } => {
                self.queue.retain(|r| r.uri != uri);
                self.docs.remove(&uri);
                self.parsed.remove(&uri);
            }
            Msg::Index { files, settings } => {
                self.store.set_disk(settings.disk_cache);
                pool::start(files, settings, self.events.clone(), self.gate.clone(), self.store.clone());
            }
            Msg::Shutdown => {
                self.gate.stop();
                return false;
            }
            Msg::Machine { uri, text, result } => {
                let Some(d) = self.docs.get_mut(&uri) else { return true };
                d.machine = Some((text, result));
                // Re-run the current version with machine-code costs if the
                // compiled text is still the document's and nothing newer
                // is queued.
                let current = text_hash(d.rope.to_string().as_bytes()) == text;
                if let (true, Some(settings)) = (current && !self.queue.iter().any(|r| r.uri == uri), d.settings.clone()) {
                    let at = Instant::now().checked_sub(DEBOUNCE).unwrap_or_else(Instant::now);
                    self.queue.push(AnalyzeReq { uri: uri.clone(), path: d.path.clone(), version: d.version, rope: d.rope.clone(), edit_byte: None, settings, at });
                }
            }
        }
        true
    }

    fn guarded(&mut self, req: AnalyzeReq) {
        let Some(token) = self.versions.start(&req.uri, req.version) else {
            trace(|| format!("v{} skipped: superseded", req.version));
            return;
        };
        let t0 = Instant::now();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.analyze(&req, &token)));
        self.versions.finish();
        if let Ok(Err(Cancelled)) = &r {
            trace(|| format!("v{} cancelled after {:?}", req.version, t0.elapsed()));
        }
        if r.is_err() {
            // Caches may hold half-updated state: start over.
            self.exact.clear();
            self.by_sem.clear();
            self.regress.clear();
            for d in self.docs.values_mut() {
                d.baseline = None;
            }
            let msg = format!("perfi: internal error while analyzing this version; please report it ({})", req.uri);
            self.emit(Event::Log(msg.clone()));
            // Answer waiting requests and show the problem instead of hanging.
            let d = DiagView { start: 0, end: 0, severity: Severity::Information, message: msg, code: "perfi.internal", related: vec![] };
            self.emit(Event::View(Arc::new(FileView { uri: req.uri.clone(), version: req.version, rope: req.rope.clone(), functions: vec![], structs: vec![], field_uses: vec![], diagnostics: vec![d], complete: true, missing: 0 })));
        }
    }

    // ------------------------------------------------------------ sources

    fn parse_open(&mut self, uri: &str, path: &Path, rope: &Rope) -> Option<Arc<SourceFile>> {
        let bytes = rope.to_string().into_bytes();
        let h = text_hash(&bytes);
        if let Some((ph, f)) = self.parsed.get(uri) {
            if *ph == h {
                return Some(f.clone());
            }
        }
        // Incremental reparse from the previous version's tree.
        let f = match self.parsed.get(uri) {
            Some((_, prev)) if prev.path == path.to_string_lossy() => prev.reparse(&bytes),
            _ => SourceFile::parse(path.to_string_lossy(), &bytes),
        };
        let f = Arc::new(f.ok()?);
        self.parsed.insert(uri.to_string(), (h, f.clone()));
        Some(f)
    }

    fn disk_file(&mut self, p: &Path) -> Option<Arc<SourceFile>> {
        let st = stamp(p)?;
        if let Some(d) = self.disk.get(p) {
            if d.stamp == st {
                return Some(d.file.clone());
            }
        }
        let bytes = std::fs::read(p).ok()?;
        // Bytes only: `build_unit` preprocesses them and parses the pieces;
        // a sibling nothing calls is only scanned.
        let f = Arc::new(SourceFile::unparsed(p.to_string_lossy(), &bytes).ok()?);
        self.disk.insert(p.to_path_buf(), DiskFile { stamp: st, file: f.clone() });
        Some(f)
    }

    /// Open documents by path (other than `except`).
    fn open_files(&mut self, except: &str) -> Vec<(PathBuf, Arc<SourceFile>)> {
        let list: Vec<(String, PathBuf, Rope)> = self.docs.iter().filter(|(u, _)| u.as_str() != except).map(|(u, d)| (u.clone(), d.path.clone(), d.rope.clone())).collect();
        list.into_iter().filter_map(|(u, p, r)| self.parse_open(&u, &p, &r).map(|f| (p, f))).collect()
    }

    /// What a program of `main` is built from: the run's file cache (open
    /// documents, and the headers the last run read, from disk) and the
    /// folder's other `.c` files, open documents taking precedence over
    /// the disk.
    fn program_inputs(&mut self, uri: &str, main: &SourceFile) -> (FileCache, Vec<Arc<SourceFile>>) {
        let path = PathBuf::from(&main.path);
        let open = self.open_files(uri);
        let mut cache = FileCache::default();
        for (p, f) in &open {
            cache.insert(p, f.clone());
        }
        let deps = self.docs.get(uri).map(|d| d.deps.clone()).unwrap_or_default();
        for p in deps {
            if !open.iter().any(|(q, _)| *q == p) {
                if let Some(f) = self.disk_file(&p) {
                    cache.insert(&p, f);
                }
            }
        }
        let mut sources = Vec::new();
        if let Some(dir) = path.parent() {
            let mut sibs = perfi_engine::workspace::c_files(dir);
            for (p, _) in &open {
                if p.parent() == Some(dir) && p.extension().is_some_and(|e| e == "c") && !sibs.contains(p) {
                    sibs.push(p.clone());
                }
            }
            sibs.sort();
            for s in sibs {
                if s == path {
                    continue;
                }
                let f = match open.iter().find(|(q, _)| *q == s) {
                    Some((_, f)) => Some(f.clone()),
                    None => self.disk_file(&s),
                };
                if let Some(f) = f {
                    sources.push(f);
                }
            }
        }
        (cache, sources)
    }

    /// A program of `main` (already parsed) with what its calls reach in
    /// its folder's other `.c` files (the baseline's text).
    fn program(&mut self, uri: &str, main: Arc<SourceFile>) -> Program {
        let (mut cache, siblings) = self.program_inputs(uri, &main);
        let prog = perfi_engine::lazy::from_sources_reached(std::iter::once(main).chain(siblings).collect(), &mut cache);
        self.record_deps(uri, &prog);
        prog
    }

    /// Remember the headers `prog` read for `uri` (the next run reads them
    /// through the file cache).
    fn record_deps(&mut self, uri: &str, prog: &Program) {
        let mut deps = Vec::new();
        for fa in &prog.files {
            for f in fa.unit.files.iter().take(fa.unit.files.len().saturating_sub(1)) {
                let p = PathBuf::from(&f.path);
                if !deps.contains(&p) {
                    deps.push(p);
                }
            }
        }
        if let Some(d) = self.docs.get_mut(uri) {
            d.deps = deps;
        }
    }

    // ------------------------------------------------------------ runs

    fn check(token: &CancelToken) -> Result<(), Cancelled> {
        if token.is_cancelled() {
            return Err(Cancelled);
        }
        Ok(())
    }

    fn cached(&mut self, name: &str, keys: FnKeys, allow_stale: bool) -> Option<(Rc<Entry>, bool)> {
        if let Some(e) = self.exact.get(&keys.exact) {
            e.used.set(self.run);
            return Some((e.clone(), false));
        }
        if allow_stale {
            if let Some(e) = self.by_sem.get(&keys.sem) {
                e.used.set(self.run);
                return Some((e.clone(), true));
            }
        }
        // The interface store: indexing results and the disk cache. An
        // entry made for other lines is stale, as with `by_sem`.
        let hit = self.store.get(name, keys)?;
        let fresh = hit.exact == keys.exact;
        if !fresh && !allow_stale {
            return None;
        }
        let e = Rc::new(Entry { iface: None, r: hit.r, keys: FnKeys { sem: keys.sem, exact: hit.exact }, used: Cell::new(self.run) });
        self.exact.insert(hit.exact, e.clone());
        self.by_sem.entry(keys.sem).or_insert_with(|| e.clone());
        self.stats.from_store += 1;
        Some((e, !fresh))
    }

    /// Analyze function `l` and keep the result (memory and store).
    #[allow(clippy::too_many_arguments)]
    fn analyze_now(&mut self, path: &str, l: &perfi_engine::analysis::Lowered, ir: &perfi_engine::ir::Function, kc: &KeyContext, cfg: &Config, keys: FnKeys, token: &CancelToken) -> Result<Rc<Entry>, Cancelled> {
        let t = Instant::now();
        let iface = analyze_function_sized(&Arc::new(ir.clone()), &l.info, kc.table(), kc.facts(), cfg, cfg.budgets, cfg.resolution, token);
        trace(|| format!("  analyzed {} in {:?}{}", l.info.name, t.elapsed(), if token.is_cancelled() { " (cancelled)" } else { "" }));
        if token.is_cancelled() {
            return Err(Cancelled);
        }
        let r = Arc::new(interface_cache::render(path, ir, &iface, cfg));
        self.store.put(keys, r.clone());
        self.stats.analyzed += 1;
        let e = Rc::new(Entry { iface: Some(iface), r, keys, used: Cell::new(self.run) });
        self.exact.insert(keys.exact, e.clone());
        self.by_sem.insert(keys.sem, e.clone());
        Ok(e)
    }

    /// Function `i` of `fa` with its engine interface (analyzed now when
    /// the cached one came from the store), for a comparison.
    #[allow(clippy::too_many_arguments)]
    fn full(&mut self, fa: &FileAnalysis, i: usize, kc: &KeyContext, cfg: &Config, keys: FnKeys, token: &CancelToken) -> Result<Option<Rc<Entry>>, Cancelled> {
        if let Some(e) = self.exact.get(&keys.exact).filter(|e| e.iface.is_some()) {
            return Ok(Some(e.clone()));
        }
        let Some(l) = fa.functions.get(i) else { return Ok(None) };
        let Ok(ir) = &l.ir else { return Ok(None) };
        self.analyze_now(&fa.path, l, ir, kc, cfg, keys, token).map(Some)
    }

    /// Interface of function `i` of `fa`, from the cache or analyzed now.
    #[allow(clippy::too_many_arguments)]
    fn interface(&mut self, fa: &FileAnalysis, i: usize, kc: &KeyContext, cfg: &Config, keys: FnKeys, allow_stale: bool, token: &CancelToken) -> Result<Option<(Rc<Entry>, bool)>, Cancelled> {
        let Some(l) = fa.functions.get(i) else { return Ok(None) };
        if let Some(e) = self.cached(&l.info.name, keys, allow_stale) {
            return Ok(Some(e));
        }
        let Ok(ir) = &l.ir else { return Ok(None) };
        self.analyze_now(&fa.path, l, ir, kc, cfg, keys, token).map(|e| Some((e, false)))
    }

    fn analyze(&mut self, req: &AnalyzeReq, token: &CancelToken) -> Result<(), Cancelled> {
        self.stats = RunStats { uri: req.uri.clone(), version: req.version, ..RunStats::default() };
        self.store.set_disk(req.settings.disk_cache);
        let r = self.analyze_inner(req, token);
        if r.is_ok() {
            self.emit(Event::Stats(self.stats.clone()));
        }
        r
    }

    fn analyze_inner(&mut self, req: &AnalyzeReq, token: &CancelToken) -> Result<(), Cancelled> {
        self.run += 1;
        self.layout_marks = std::cell::OnceCell::new();
        let (mut cfg, cfg_warning) = req.settings.config_for(&req.path);
        let mut ck = config_key(&cfg);
        // Machine-code costs when this exact text was compiled (the model
        // answers first; `compile_loop` refines after the last keystroke).
        let text = text_hash(req.rope.to_string().as_bytes());
        // The baseline's own text has no regression against it: its
        // program (a second lowering, with the folder's files) is built
        // after the run has published, for the first edit.
        let at_baseline = self.baseline_text(&req.uri, req.settings.baseline).is_some_and(|t| text_hash(t.as_bytes()) == text);
        let mut machine_run = false;
        if let Some(d) = self.docs.get_mut(&req.uri) {
            d.settings = Some(req.settings.clone());
            d.version = req.version;
            match &d.machine {
                Some((h, r)) if *h == text && req.settings.machine_code => {
                    match r {
                        Ok(mc) => {
                            cfg.machine = Some(mc.clone());
                            machine_run = true;
                        }
                        Err(e) => cfg.machine_note = Some(e.clone()),
                    }
                    ck = ck.wrapping_mul(0x100000001b3) ^ text ^ 0x6d63;
                }
                _ => {}
            }
        }
        let main = match self.parse_open(&req.uri, &req.path, &req.rope) {
            Some(f) => f,
            None => {
                let e = perfi_engine::EngineError::Parse(req.path.to_string_lossy().into_owned());
                let d = DiagView { start: 0, end: 0, severity: Severity::Information, message: format!("perfi: {e}"), code: "perfi.parse", related: vec![] };
                self.emit(Event::View(Arc::new(FileView { uri: req.uri.clone(), version: req.version, rope: req.rope.clone(), functions: vec![], structs: vec![], field_uses: vec![], diagnostics: vec![d], complete: true, missing: 0 })));
                return Ok(());
            }
        };
        let path_str = main.path.clone();
        // A file opened for the first time that indexing saw unchanged:
        // its interfaces from the cache before anything is lowered.
        let just_opened = self.docs.get(&req.uri).is_some_and(|d| d.last.is_empty());
        if just_opened {
            self.quick_view(req, &main, ck);
        }
        let t0 = Instant::now();
        // The file first, with its headers; the functions its calls reach
        // in the folder's other files next (`Siblings::add_reached`). A
        // file just opened shows the interfaces that need no other file
        // before those are lowered.
        let (mut cache, siblings) = self.program_inputs(&req.uri, &main);
        let siblings = perfi_engine::lazy::Siblings::scan(siblings);
        let mut prog = Program { files: vec![perfi_engine::analysis::lower_file(main.clone(), &mut cache)] };
        Self::check(token)?;
        if just_opened && !siblings.is_empty() {
            self.first_look(req, &prog, &siblings, &cfg, ck, cfg_warning.as_deref(), token)?;
        }
        siblings.add_reached(&mut prog, &mut cache);
        self.record_deps(&req.uri, &prog);
        let t_prog = t0.elapsed();
        Self::check(token)?;
        let Some(fa) = prog.files.first() else { return Ok(()) };
        let kc = KeyContext::new(&prog, &path_str, ck);
        let keys: Vec<Option<FnKeys>> = fa.functions.iter().map(|l| l.ir.as_ref().ok().map(|f| kc.keys(f, &l.info.name))).collect();

        // Functions whose meaning changed need an analysis; the ones
        // holding the edit go first and are published on their own, with
        // the previous interfaces of the others (their callers, say) until
        // those are done.
        let t_keys = t0.elapsed();
        let n = fa.functions.len();
        let mut entries: Vec<Option<(Rc<Entry>, bool)>> = vec![None; n];
        let mut pending = Vec::new();
        for i in 0..n {
            if let Some(k) = keys[i] {
                match self.cached(&fa.functions[i].info.name, k, true) {
                    Some(e) => entries[i] = Some(e),
                    None => pending.push(i),
                }
            }
        }
        let holds_edit = |i: &usize| {
            let r = &fa.functions[*i].info.range;
            let main = fa.unit.main();
            req.edit_byte.map(|b| main.text_byte(b)).is_some_and(|b| r.start_byte as usize <= b && b <= r.end_byte as usize)
        };
        let (edited, rest): (Vec<usize>, Vec<usize>) = pending.iter().partition(|i| holds_edit(i));
        for &i in &edited {
            entries[i] = self.interface(fa, i, &kc, &cfg, keys[i].unwrap_or(FnKeys { sem: 0, exact: 0 }), true, token)?;
        }
        let callees = self.callee_interfaces(&prog, fa, &kc, &cfg, false, token)?;
        let (last, mut regs) = self.docs.get(&req.uri).map(|d| (d.last.clone(), d.last_regs.clone())).unwrap_or_default();
        if !rest.is_empty() && (0..n).any(|i| holds_edit(&i)) {
            let mut prov = entries.clone();
            for &i in &rest {
                prov[i] = last.get(&fa.functions[i].info.name).map(|e| (e.clone(), true));
            }
            let fresh = if at_baseline { HashMap::new() } else { self.regressions(req, fa, &kc, &keys, &prov, &edited, &cfg, ck, token)? };
            for &i in &edited {
                let name = &fa.functions[i].info.name;
                match fresh.get(name) {
                    Some(r) => regs.insert(name.clone(), r.clone()),
                    None => regs.remove(name),
                };
            }
            self.publish(req, fa, &prov, &callees, &regs, &cfg, cfg_warning.as_deref(), false);
            trace(|| format!("v{} edited {:?} published at {:?}", req.version, edited, t0.elapsed()));
        }
        // A file with many functions to analyze (one just opened in a tree
        // nobody indexed yet) shows its interfaces as they come: what is
        // done, the previous interfaces of the others, at most every
        // PUBLISH_EVERY.
        let progressive = rest.len() > PROGRESSIVE_MIN;
        let mut last_pub: Option<Instant> = None;
        for (k, &i) in rest.iter().enumerate() {
            entries[i] = self.interface(fa, i, &kc, &cfg, keys[i].unwrap_or(FnKeys { sem: 0, exact: 0 }), true, token)?;
            if progressive && k + 1 < rest.len() && last_pub.is_none_or(|t| t.elapsed() >= PUBLISH_EVERY) {
                let mut prov = entries.clone();
                for &j in &rest[k + 1..] {
                    prov[j] = last.get(&fa.functions[j].info.name).map(|e| (e.clone(), true));
                }
                self.publish(req, fa, &prov, &callees, &regs, &cfg, cfg_warning.as_deref(), false);
                trace(|| format!("v{} {} of {} published at {:?}", req.version, k + 1, rest.len(), t0.elapsed()));
                last_pub = Some(Instant::now());
            }
        }
        let t_an = t0.elapsed();
        let all: Vec<usize> = (0..n).collect();
        // Regressions compare model with model: a machine-code run keeps
        // those of the model run of the same text.
        let regressions = if machine_run {
            self.docs.get(&req.uri).map(|d| d.last_regs.clone()).unwrap_or_default()
        } else if at_baseline {
            HashMap::new()
        } else {
            self.regressions(req, fa, &kc, &keys, &entries, &all, &cfg, ck, token)?
        };
        let t_reg = t0.elapsed();
        let complete = entries.iter().all(|e| e.as_ref().is_none_or(|(_, stale)| !stale));
        self.publish(req, fa, &entries, &callees, &regressions, &cfg, cfg_warning.as_deref(), complete && callees.1);
        if let Some(d) = self.docs.get_mut(&req.uri) {
            d.last = fa.functions.iter().zip(&entries).filter_map(|(l, e)| e.as_ref().map(|(e, _)| (l.info.name.clone(), e.clone()))).collect();
            d.last_regs = regressions.clone();
        }
        trace(|| {
            format!(
                "v{} program {:?} keys {:?} analyze({}) {:?} regress {:?} publish {:?} complete {complete}",
                req.version,
                t_prog,
                t_keys - t_prog,
                pending.len(),
                t_an - t_keys,
                t_reg - t_an,
                t0.elapsed() - t_reg
            )
        });

        // Then refresh what only moved, and callees in other files.
        if !complete || !callees.1 {
            let callees = self.callee_interfaces(&prog, fa, &kc, &cfg, true, token)?;
            for i in 0..n {
                if let (Some(k), Some((_, true))) = (keys[i], &entries[i]) {
                    entries[i] = self.interface(fa, i, &kc, &cfg, k, false, token)?;
                }
            }
            self.publish(req, fa, &entries, &callees, &regressions, &cfg, cfg_warning.as_deref(), true);
            if let Some(d) = self.docs.get_mut(&req.uri) {
                d.last = fa.functions.iter().zip(&entries).filter_map(|(l, e)| e.as_ref().map(|(e, _)| (l.info.name.clone(), e.clone()))).collect();
            }
            trace(|| format!("v{} refreshed at {:?}", req.version, t0.elapsed()));
        }
        // A file opened for the first time: its record, so that the next
        // start shows its interfaces at once even if indexing has not come
        // to it (the pool writes the same record when it does).
        if just_opened && !machine_run && entries.iter().all(|e| e.as_ref().is_none_or(|(_, stale)| !stale)) {
            let functions = fa
                .functions
                .iter()
                .zip(&keys)
                .zip(&entries)
                .filter_map(|((l, k), e)| match (k, e) {
                    (Some(k), Some(_)) => Some((l.info.name.clone(), k.sem, k.exact)),
                    _ => None,
                })
                .collect();
            self.store.put_file_record(&interface_cache::FileRecord::of_program(&prog, &path_str, text, ck, functions));
        }
        self.evict();
        // The baseline's program, which this run did not need (its text is
        // the baseline's), for the first edit.
        if at_baseline {
            Self::check(token)?;
            self.ensure_baseline(req, ck);
        }
        // Ask for the machine code of this text unless it is known.
        let known = self.docs.get(&req.uri).and_then(|d| d.machine.as_ref()).is_some_and(|(h, _)| *h == text);
        if req.settings.machine_code && !known && req.path.extension().is_some_and(|e| e == "c") {
            let _ = self.compiler.send(CompileJob { uri: req.uri.clone(), version: req.version, path: req.path.clone(), text: req.rope.to_string(), hash: text });
        }
        Ok(())
    }

    /// The first interfaces of a file just opened in a folder of other
    /// `.c` files: its functions that need none of them
    /// (`Siblings::independent`), analyzed with the file alone and
    /// published as they come (the first at once, then at most every
    /// `PUBLISH_EVERY`); the others show nothing yet. Their keys are the
    /// ones the full program gives them (no callee of theirs comes from a
    /// sibling), so the run that follows takes them from the cache.
    #[allow(clippy::too_many_arguments)]
    fn first_look(&mut self, req: &AnalyzeReq, prog: &Program, siblings: &perfi_engine::lazy::Siblings, cfg: &Config, ck: u64, cfg_warning: Option<&str>, token: &CancelToken) -> Result<(), Cancelled> {
        let Some(fa) = prog.files.first() else { return Ok(()) };
        let independent = siblings.independent(prog);
        if !independent.iter().any(|b| *b) {
            return Ok(());
        }
        let kc = KeyContext::new(prog, &fa.path, ck);
        let mut entries: Vec<Option<(Rc<Entry>, bool)>> = vec![None; fa.functions.len()];
        let no_callees = (HashMap::new(), false);
        let no_regressions = HashMap::new();
        let mut last_pub: Option<Instant> = None;
        let t0 = Instant::now();
        // Smallest first: the first interface shows as early as possible.
        let mut order: Vec<usize> = (0..fa.functions.len()).filter(|&i| independent.get(i).copied().unwrap_or(false)).collect();
        order.sort_by_key(|&i| fa.functions[i].ir.as_ref().map(|f| f.blocks.len()).unwrap_or(usize::MAX));
        for i in order {
            let l = &fa.functions[i];
            let Ok(ir) = &l.ir else { continue };
            let keys = kc.keys(ir, &l.info.name);
            entries[i] = self.interface(fa, i, &kc, cfg, keys, false, token)?;
            if last_pub.is_none_or(|t| t.elapsed() >= PUBLISH_EVERY) {
                self.publish(req, fa, &entries, &no_callees, &no_regressions, cfg, cfg_warning, false);
                last_pub = Some(Instant::now());
            }
        }
        self.publish(req, fa, &entries, &no_callees, &no_regressions, cfg, cfg_warning, false);
        trace(|| format!("v{} first look: {} of {} function(s) without the folder's other files, {:?}", req.version, independent.iter().filter(|b| **b).count(), fa.functions.len(), t0.elapsed()));
        Ok(())
    }

    /// Publish the interfaces a `FileRecord` of this text lists (see
    /// `interface_cache.rs`), with the spans of a plain parse of the file:
    /// no preprocessing, lowering or keys. No loop or call marks, no
    /// struct lenses: the run that follows brings them.
    fn quick_view(&mut self, req: &AnalyzeReq, main: &SourceFile, ck: u64) {
        let text = req.rope.to_string();
        let Some(rec) = self.store.file_record(&main.path, ck) else { return };
        if !rec.valid(&main.path, interface_cache::text_hash(text.as_bytes()), ck) {
            return;
        }
        let idx = perfi_engine::index::index_file(main, &[]);
        let mut functions = Vec::new();
        let mut diagnostics = Vec::new();
        for f in &idx.functions {
            let Some((_, sem, exact)) = rec.functions.iter().find(|(n, _, _)| *n == f.name) else { continue };
            let Some(hit) = self.store.get(&f.name, FnKeys { sem: *sem, exact: *exact }) else { continue };
            let r = &hit.r;
            let (ns, ne) = (f.name_span.start_byte as usize, f.name_span.end_byte as usize);
            if let Some(why) = &r.reason {
                diagnostics.push(DiagView { start: ns, end: ne, severity: Severity::Information, message: format!("{}: {why}", f.name), code: "perfi.partial", related: vec![] });
            }
            functions.push(FnView {
                name: f.name.clone(),
                name_start: ns,
                name_end: ne,
                start: f.range.start_byte as usize,
                end: f.range.end_byte as usize,
                status: r.status.clone(),
                hover: r.hover.clone(),
                lens: r.lens.clone(),
                json: r.json.clone(),
                python: r.python.clone(),
                text: r.text.clone(),
                loops: vec![],
                calls: vec![],
                stale: false,
            });
        }
        if functions.is_empty() {
            return;
        }
        let missing = idx.functions.len().saturating_sub(functions.len());
        trace(|| format!("v{} quick view: {} function(s) from the cache", req.version, functions.len()));
        self.emit(Event::View(Arc::new(FileView { uri: req.uri.clone(), version: req.version, rope: req.rope.clone(), functions, structs: vec![], field_uses: vec![], diagnostics, complete: false, missing })));
    }

    /// Interfaces of functions defined in other files (headers, the
    /// folder's other `.c` files) that this file calls: for call hovers
    /// and hints. With `compute` false only cached ones; the flag says
    /// whether all were available.
    fn callee_interfaces(&mut self, prog: &Program, fa: &FileAnalysis, kc: &KeyContext, cfg: &Config, compute: bool, token: &CancelToken) -> Result<(HashMap<String, Rc<Entry>>, bool), Cancelled> {
        let local: HashSet<&str> = fa.functions.iter().map(|l| l.info.name.as_str()).collect();
        let mut wanted: Vec<String> = Vec::new();
        for l in &fa.functions {
            let Ok(f) = &l.ir else { continue };
            for b in &f.blocks {
                for i in &b.insts {
                    if let InstKind::Call { callee, .. } = &i.kind {
                        if !local.contains(callee.as_str()) && kc.table().contains_key(callee) && !wanted.contains(callee) {
                            wanted.push(callee.clone());
                        }
                    }
                }
            }
        }
        let mut out = HashMap::new();
        let mut all = true;
        for name in wanted {
            // Where is it defined: a header of this file or another file.
            let found = fa.header_functions.iter().position(|l| l.info.name == name).map(|i| (fa, i, true)).or_else(|| {
                prog.files.iter().skip(1).find_map(|g| g.functions.iter().position(|l| l.info.name == name).map(|i| (g, i, false)))
            });
            let Some((g, i, header)) = found else { continue };
            let list = if header { &g.header_functions } else { &g.functions };
            let Some(l) = list.get(i) else { continue };
            let Ok(ir) = &l.ir else { continue };
            let keys = kc.keys(ir, &name);
            if let Some((e, _)) = self.cached(&name, keys, true) {
                out.insert(name, e);
                continue;
            }
            if !compute {
                all = false;
                continue;
            }
            let e = self.analyze_now(&g.path, l, ir, kc, cfg, keys, token)?;
            out.insert(name, e);
        }
        Ok((out, all))
    }

    fn baseline_text(&mut self, uri: &str, mode: BaselineMode) -> Option<String> {
        let d = self.docs.get_mut(uri)?;
        if let Some(p) = &d.pinned {
            return Some(p.clone());
        }
        if mode == BaselineMode::Git {
            if d.git.is_none() {
                d.git = Some(git_head_text(&d.path));
            }
            if let Some(Some(t)) = &d.git {
                return Some(t.clone());
            }
        }
        Some(d.open_text.clone())
    }

    fn ensure_baseline(&mut self, req: &AnalyzeReq, ck: u64) -> Option<()> {
        let text = self.baseline_text(&req.uri, req.settings.baseline)?;
        let key = text_hash(text.as_bytes()) ^ ck.rotate_left(17);
        if self.docs.get(&req.uri)?.baseline.as_ref().is_some_and(|b| b.key == key) {
            return Some(());
        }
        let f = Arc::new(SourceFile::parse(req.path.to_string_lossy(), text.as_bytes()).ok()?);
        let path_str = f.path.clone();
        let prog = self.program(&req.uri, f);
        let kc = KeyContext::new(&prog, &path_str, ck);
        let mut keys = HashMap::new();
        if let Some(fa) = prog.files.first() {
            for (i, l) in fa.functions.iter().enumerate() {
                if let Ok(ir) = &l.ir {
                    keys.insert(l.info.name.clone(), (i, kc.keys(ir, &l.info.name)));
                }
            }
        }
        self.docs.get_mut(&req.uri)?.baseline = Some(Baseline { key, prog, keys, kc });
        Some(())
    }

    /// Regressions of each function against the baseline, by name.
    #[allow(clippy::too_many_arguments)]
    fn regressions(
        &mut self,
        req: &AnalyzeReq,
        fa: &FileAnalysis,
        kc: &KeyContext,
        keys: &[Option<FnKeys>],
        entries: &[Option<(Rc<Entry>, bool)>],
        only: &[usize],
        cfg: &Config,
        ck: u64,
        token: &CancelToken,
    ) -> Result<HashMap<String, Rc<Vec<Regression>>>, Cancelled> {
        let mut out = HashMap::new();
        if self.ensure_baseline(req, ck).is_none() {
            return Ok(out);
        }
        // The baseline lives in the document state; take it out while its
        // functions are analyzed through `self`.
        let Some(base) = self.docs.get_mut(&req.uri).and_then(|d| d.baseline.take()) else { return Ok(out) };
        let r = self.compare_all(&base, fa, kc, keys, entries, only, cfg, token, &mut out);
        if let Some(d) = self.docs.get_mut(&req.uri) {
            d.baseline = Some(base);
        }
        r.map(|_| out)
    }

    #[allow(clippy::too_many_arguments)]
    fn compare_all(
        &mut self,
        base: &Baseline,
        fa: &FileAnalysis,
        kc: &KeyContext,
        keys: &[Option<FnKeys>],
        entries: &[Option<(Rc<Entry>, bool)>],
        only: &[usize],
        cfg: &Config,
        token: &CancelToken,
        out: &mut HashMap<String, Rc<Vec<Regression>>>,
    ) -> Result<(), Cancelled> {
        let Some(bfa) = base.prog.files.first() else { return Ok(()) };
        for &i in only {
            let Some(l) = fa.functions.get(i) else { continue };
            let (Some(k), Some((cur, _))) = (keys[i], &entries[i]) else { continue };
            let Some((bi, bk)) = base.keys.get(&l.info.name).copied() else { continue };
            if bk.sem == k.sem {
                continue;
            }
            if let Some(r) = self.regress.get(&(bk.sem, k.sem)) {
                out.insert(l.info.name.clone(), r.clone());
                continue;
            }
            // Interfaces from the store have no engine form: analyzed now.
            let Some(old) = self.full(bfa, bi, &base.kc, cfg, bk, token)? else { continue };
            let cur = match &cur.iface {
                Some(_) => cur.clone(),
                None => match self.full(fa, i, kc, cfg, k, token)? {
                    Some(e) => e,
                    None => continue,
                },
            };
            let (Some(oi), Some(ci)) = (&old.iface, &cur.iface) else { continue };
            let t = Instant::now();
            let found = compare(oi, ci, cfg.resolution, token);
            trace(|| format!("  compared {} in {:?}", l.info.name, t.elapsed()));
            if token.is_cancelled() {
                return Err(Cancelled);
            }
            let found = Rc::new(found);
            self.regress.insert((bk.sem, k.sem), found.clone());
            out.insert(l.info.name.clone(), found);
        }
        Ok(())
    }

    fn evict(&mut self) {
        if self.exact.len() + self.by_sem.len() <= MAX_CACHE {
            return;
        }
        let keep = self.run.saturating_sub(20);
        self.exact.retain(|_, e| e.used.get() >= keep);
        self.by_sem.retain(|_, e| e.used.get() >= keep);
        let live: HashSet<u64> = self.by_sem.values().map(|e| e.keys.sem).collect();
        self.regress.retain(|(_, b), _| live.contains(b));
    }

    // ------------------------------------------------------------ views

    #[allow(clippy::too_many_arguments)]
    fn publish(
        &self,
        req: &AnalyzeReq,
        fa: &FileAnalysis,
        entries: &[Option<(Rc<Entry>, bool)>],
        callees: &(HashMap<String, Rc<Entry>>, bool),
        regressions: &HashMap<String, Rc<Vec<Regression>>>,
        cfg: &Config,
        cfg_warning: Option<&str>,
        complete: bool,
    ) {
        let path = &fa.path;
        let mut by_name: HashMap<&str, &Rendered> = callees.0.iter().map(|(n, e)| (n.as_str(), &*e.r)).collect();
        for (i, l) in fa.functions.iter().enumerate() {
            if let Some((e, _)) = &entries[i] {
                by_name.insert(l.info.name.as_str(), &*e.r);
            }
        }
        let text = fa.unit.main().text.as_slice();
        let mut functions = Vec::new();
        let mut uses: std::collections::BTreeMap<String, Vec<perfi_engine::hotfields::CaseUses>> = Default::default();
        let mut diagnostics = Vec::new();
        if let Some(w) = cfg_warning {
            diagnostics.push(DiagView { start: 0, end: 0, severity: Severity::Information, message: w.to_string(), code: "perfi.config", related: vec![] });
        }
        for (i, l) in fa.functions.iter().enumerate() {
            let info = &l.info;
            let (ns, ne) = (info.name_span.start_byte as usize, info.name_span.end_byte as usize);
            let mut v = FnView {
                name: info.name.clone(),
                name_start: ns,
                name_end: ne,
                start: info.range.start_byte as usize,
                end: info.range.end_byte as usize,
                status: String::new(),
                hover: String::new(),
                lens: String::new(),
                json: serde_json::Value::Null,
                python: String::new(),
                text: String::new(),
                loops: vec![],
                calls: vec![],
                stale: false,
            };
            match (&l.ir, &entries[i]) {
                (Ok(ir), Some((e, stale))) => {
                    let r = &e.r;
                    for (k, u) in &r.uses {
                        uses.entry(k.clone()).or_default().extend(u.iter().cloned());
                    }
                    v.stale = *stale;
                    v.status = r.status.clone();
                    v.hover = r.hover.clone();
                    v.lens = r.lens.clone();
                    v.json = r.json.clone();
                    v.python = r.python.clone();
                    v.text = r.text.clone();
                    for lp in &ir.loops {
                        let Some((_, label, hover)) = r.loops.iter().find(|(line, _, _)| *line == lp.line) else { continue };
                        let (label, hover) = (label.clone(), hover.clone());
                        let ks = lp.keyword_span;
                        let hint = label.map(|lb| (super::view::line_end(text, ks.end_byte as usize), lb));
                        v.loops.push(Mark { start: ks.start_byte as usize, end: ks.end_byte as usize, hover, hint });
                    }
                    for b in &ir.blocks {
                        for inst in &b.insts {
                            let InstKind::Call { callee, .. } = &inst.kind else { continue };
                            let Some(ci) = by_name.get(callee.as_str()) else { continue };
                            let s = inst.span.start_byte as usize;
                            let named = text.get(s..s + callee.len()) == Some(callee.as_bytes());
                            let (label, hover) = ci.call.clone();
                            let end = if named { s + callee.len() } else { inst.span.end_byte as usize };
                            v.calls.push(Mark { start: s, end, hover, hint: label.map(|lb| (inst.span.end_byte as usize, lb)) });
                        }
                    }
                    if let Some(r) = &r.reason {
                        diagnostics.push(DiagView { start: ns, end: ne, severity: Severity::Information, message: format!("{}: {r}", info.name), code: "perfi.partial", related: vec![] });
                    }
                    // One warning per function: the largest slowdown, the
                    // other slower classes as related information.
                    let regs = render::by_slowdown(regressions.get(info.name.as_str()).map(|x| x.as_slice()).unwrap_or(&[]));
                    if let Some(message) = render::regression_summary(&regs) {
                        v.hover.push_str(&render::regressions_hover(&regs));
                        let related = regs.iter().skip(1).map(|r| render::regression_class(r)).collect();
                        diagnostics.push(DiagView { start: ns, end: ne, severity: Severity::Warning, message, code: "perfi.regression", related });
                    }
                }
                (Err(reason), _) => {
                    v.status = "unsupported".into();
                    v.hover = format!("**{}** — unsupported\n\n_{}_\n", info.name, reason.replace('_', "\\_"));
                    v.lens = format!("perfi: {reason}");
                    v.text = format!("{}  {}:{}-{}  {reason}\n", info.name, path, info.range.start_line, info.range.end_line);
                    v.json = serde_json::json!({
                        "name": info.name,
                        "range": {"start_line": info.range.start_line, "end_line": info.range.end_line},
                        "status": "unsupported", "reason": reason, "paths": 0, "analysis_ms": 0.0,
                        "pcvs": [], "cases": [], "resolutions": [], "secret_findings": [],
                    });
                    v.python = format!("# {}: {reason}\n\n", info.name);
                    diagnostics.push(DiagView { start: ns, end: ne, severity: Severity::Information, message: format!("{}: {reason}", info.name), code: "perfi.unsupported", related: vec![] });
                }
                (Ok(_), None) => continue,
            }
            functions.push(v);
        }
        let (structs, field_uses) = self.layout_marks.get_or_init(|| {
            let structs: Vec<StructView> = struct_views(fa.unit.main(), &fa.layouts);
            let all_layouts = fa.unit.type_env().all_layouts();
            (structs, super::view::field_uses(fa.unit.main(), &all_layouts))
        });
        // Struct lenses gain the lines the hot fields of this file's cases
        // span (and what a better field order would save).
        let mut structs = structs.clone();
        for sv in structs.iter_mut() {
            let Some(l) = fa.layouts.iter().find(|l| l.name == sv.name) else { continue };
            let Some(u) = uses.get(&perfi_engine::hotfields::struct_key(l)) else { continue };
            if let Some(h) = perfi_engine::hotfields::struct_hotness(l, u, cfg.hardware.line) {
                sv.lens.push_str(&render::hot_lens(&h));
            }
        }
        let missing = fa.functions.iter().zip(entries).filter(|(l, e)| l.ir.is_ok() && e.is_none()).count();
        let mut view = FileView { uri: req.uri.clone(), version: req.version, rope: req.rope.clone(), functions, structs, field_uses: field_uses.clone(), diagnostics, complete, missing };
        let main = fa.unit.main().clone();
        view.map_offsets(|b| main.user_byte(b));
        // What the preprocessor said about this file (a missing header on
        // its `#include` line, an `#error`), in the user's offsets already.
        for d in fa.unit.diagnostics.iter().filter(|d| d.path.to_string_lossy() == fa.path) {
            let end = super::view::line_end(main.user_text(), d.user_byte);
            view.diagnostics.push(DiagView { start: d.user_byte, end, severity: pp_severity(&d.kind), message: format!("perfi: {}", d.message), code: "perfi.preprocessor", related: vec![] });
        }
        self.emit(Event::View(Arc::new(view)));
    }
}

/// A missing header or an `#error` is a warning (what the file needs is
/// not there); other preprocessor notes are information.
fn pp_severity(k: &perfi_engine::frontend::preprocess::DiagKind) -> Severity {
    use perfi_engine::frontend::preprocess::DiagKind;
    match k {
        DiagKind::MissingInclude { .. } | DiagKind::Error => Severity::Warning,
        _ => Severity::Information,
    }
}
