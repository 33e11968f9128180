//! Workspace indexing on a pool of analysis threads.
//!
//! Engine objects hold `Rc`s, so each pool thread owns its own: it builds
//! the program of one `.c` file at a time (the file and its folder's
//! `.c` files from disk, as the analysis thread would with no document
//! open), keys its functions (`keys.rs`), and analyzes those the
//! interface store (`interface_cache.rs`: memory, then the on-disk cache)
//! does not hold under the same exact key; each result is rendered and
//! put in the store, then dropped. A thread keeps only the program of the
//! file at hand and the parsed files of its current folder, so memory does
//! not grow with the workspace.
//!
//! The document being edited comes first (`Gate`): while the analysis
//! thread has a run queued or in flight (and `GRACE` after), pool threads
//! start no new function and the functions they are analyzing are
//! cancelled (and analyzed again later). Pool threads also run at the
//! lowest CPU priority (nice 19), so the lowering of a file they are
//! in the middle of does not slow the analysis thread down much.
//!
//! Progress (`indexed k/N files`) goes to `$/progress`; at the end, the
//! counts of functions analyzed and taken from the cache.

use super::config::Settings;
use super::interface_cache::{render, text_hash, FileRecord, Store};
use perfi_engine::workspace::c_files;
use super::worker::{Event, Progress, STACK};
use crate::keys::{config_key, KeyContext};
use perfi_engine::analysis::analyze_function_sized;
use perfi_engine::cancel::CancelToken;
use perfi_engine::source::SourceFile;
use perfi_engine::workspace::FileCache;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long the editor must have been idle before indexing resumes.
pub const GRACE: Duration = Duration::from_millis(150);

/// Who may run: the analysis thread of the edited document, or the pool.
#[derive(Default)]
pub struct Gate {
    m: Mutex<GateInner>,
    cv: Condvar,
}

#[derive(Default)]
struct GateInner {
    busy: bool,
    idle_since: Option<Instant>,
    stop: bool,
    running: HashMap<usize, CancelToken>,
}

impl Gate {
    /// The analysis thread has (true) or has no (false) run to do. Going
    /// busy cancels the pool's functions in flight.
    pub fn set_busy(&self, busy: bool) {
        let Ok(mut g) = self.m.lock() else { return };
        if busy == g.busy {
            return;
        }
        g.busy = busy;
        if busy {
            for t in g.running.values() {
                t.cancel();
            }
        } else {
            g.idle_since = Some(Instant::now());
            self.cv.notify_all();
        }
    }

    /// Stop the pool: running functions are cancelled, threads exit.
    pub fn stop(&self) {
        if let Ok(mut g) = self.m.lock() {
            g.stop = true;
            for t in g.running.values() {
                t.cancel();
            }
        }
        self.cv.notify_all();
    }

    /// Wait until the editor is idle; then, with `id`, a token registered
    /// for the pool thread's next function. None when stopping.
    fn begin(&self, id: Option<usize>) -> Option<CancelToken> {
        let mut g = self.m.lock().ok()?;
        loop {
            if g.stop {
                return None;
            }
            let wait = if g.busy { Some(GRACE) } else { g.idle_since.map(|t| GRACE.saturating_sub(t.elapsed())).filter(|d| !d.is_zero()) };
            match wait {
                None => break,
                Some(d) => g = self.cv.wait_timeout(g, d).ok()?.0,
            }
        }
        let t = CancelToken::new();
        if let Some(id) = id {
            g.running.insert(id, t.clone());
        }
        Some(t)
    }

    fn end(&self, id: usize) {
        if let Ok(mut g) = self.m.lock() {
            g.running.remove(&id);
        }
    }
}

struct Shared {
    files: Vec<PathBuf>,
    settings: Arc<Settings>,
    events: tokio::sync::mpsc::UnboundedSender<Event>,
    gate: Arc<Gate>,
    store: Arc<Store>,
    next: AtomicUsize,
    done: AtomicUsize,
    functions: AtomicUsize,
    analyzed: AtomicUsize,
    cached: AtomicUsize,
    left: AtomicUsize,
    started: Instant,
}

/// Pool size: `PERFI_INDEX_THREADS`, else the number of cores (at most 16).
pub fn threads() -> usize {
    if let Some(n) = std::env::var("PERFI_INDEX_THREADS").ok().and_then(|v| v.parse::<usize>().ok()) {
        return n.clamp(1, 64);
    }
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(16)
}

/// Index `files` on `threads()` threads; returns at once.
pub fn start(files: Vec<PathBuf>, settings: Arc<Settings>, events: tokio::sync::mpsc::UnboundedSender<Event>, gate: Arc<Gate>, store: Arc<Store>) {
    let n = threads();
    let total = files.len();
    let _ = events.send(Event::Progress(Progress::Begin { total }));
    let sh = Arc::new(Shared {
        files,
        settings,
        events,
        gate,
        store,
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        functions: AtomicUsize::new(0),
        analyzed: AtomicUsize::new(0),
        cached: AtomicUsize::new(0),
        left: AtomicUsize::new(n),
        started: Instant::now(),
    });
    for id in 0..n {
        let s = sh.clone();
        let r = std::thread::Builder::new().name(format!("perfi-index-{id}")).stack_size(STACK).spawn(move || run(id, &s));
        if let Err(e) = r {
            let _ = sh.events.send(Event::Log(format!("perfi: cannot start an indexing thread: {e}")));
            finish_one(&sh);
        }
    }
}

fn finish_one(s: &Shared) {
    if s.left.fetch_sub(1, Ordering::SeqCst) == 1 {
        let (files, functions, analyzed, cached) = (s.done.load(Ordering::SeqCst), s.functions.load(Ordering::SeqCst), s.analyzed.load(Ordering::SeqCst), s.cached.load(Ordering::SeqCst));
        let _ = s.events.send(Event::Progress(Progress::End { files, functions, analyzed, cached, ms: s.started.elapsed().as_millis() as u64 }));
    }
}

/// The lowest CPU priority for the calling thread (Linux: per thread):
/// nice 19, or `PERFI_INDEX_NICE` (0–19; a benchmark on a machine shared
/// with other users' compilers sets 0, since nice 19 waits for them).
fn lower_priority() {
    let nice = std::env::var("PERFI_INDEX_NICE").ok().and_then(|v| v.parse::<i32>().ok()).unwrap_or(19).clamp(0, 19);
    #[cfg(target_os = "linux")]
    unsafe {
        // SAFETY: plain system calls on the calling thread's own id.
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

fn run(id: usize, s: &Shared) {
    lower_priority();
    let mut folder = FolderFiles::default();
    loop {
        if s.gate.begin(None).is_none() {
            break;
        }
        let i = s.next.fetch_add(1, Ordering::SeqCst);
        let Some(p) = s.files.get(i) else { break };
        if p.extension().is_some_and(|e| e == "c") {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| index_file(id, s, p, &mut folder)));
            if r.is_err() {
                folder = FolderFiles::default();
                let _ = s.events.send(Event::Log(format!("perfi: internal error while indexing {}; skipped", p.display())));
            }
        }
        for m in s.store.take_log() {
            let _ = s.events.send(Event::Info(m));
        }
        let done = s.done.fetch_add(1, Ordering::SeqCst) + 1;
        let total = s.files.len();
        if done.is_multiple_of(10) || done == total {
            let _ = s.events.send(Event::Progress(Progress::Report { done, total, file: p.display().to_string() }));
        }
    }
    finish_one(s);
}

/// The `.c` files of the folder a thread is working in, read but not
/// parsed: `build_unit` preprocesses the bytes and parses the pieces, and
/// a sibling is only scanned unless something calls into it.
#[derive(Default)]
struct FolderFiles {
    dir: PathBuf,
    files: HashMap<PathBuf, Option<Arc<SourceFile>>>,
}

impl FolderFiles {
    fn get(&mut self, p: &Path) -> Option<Arc<SourceFile>> {
        self.files
            .entry(p.to_path_buf())
            .or_insert_with(|| {
                let bytes = std::fs::read(p).ok()?;
                SourceFile::unparsed(p.to_string_lossy(), &bytes).ok().map(Arc::new)
            })
            .clone()
    }
}

fn index_file(id: usize, s: &Shared, p: &Path, folder: &mut FolderFiles) {
    let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
    if folder.dir != dir {
        *folder = FolderFiles { dir: dir.clone(), files: HashMap::new() };
    }
    let Some(main) = folder.get(p) else { return };
    let (cfg, _) = s.settings.config_for(p);
    let ck = config_key(&cfg);
    // Known from an earlier session and nothing it read changed: its
    // interfaces are in the cache, no need to lower it.
    let th = std::fs::read(p).map(|b| text_hash(&b)).unwrap_or(0);
    if let Some(rec) = s.store.file_record(&main.path, ck) {
        if rec.valid(&main.path, th, ck) && rec.functions.iter().all(|(n, sem, exact)| s.store.get(n, crate::keys::FnKeys { sem: *sem, exact: *exact }).is_some()) {
            s.functions.fetch_add(rec.functions.len(), Ordering::SeqCst);
            s.cached.fetch_add(rec.functions.len(), Ordering::SeqCst);
            return;
        }
    }
    // The same program the analysis thread builds for this file when it
    // is opened unchanged (`Worker::program`), so the keys agree.
    let mut sources = vec![main.clone()];
    for q in c_files(&dir) {
        if q != p {
            if let Some(f) = folder.get(&q) {
                sources.push(f);
            }
        }
    }
    let prog = perfi_engine::lazy::from_sources_reached(sources, &mut FileCache::default());
    let Some(fa) = prog.files.first() else { return };
    let kc = KeyContext::new(&prog, &main.path, ck);
    let mut done = Vec::new();
    for l in &fa.functions {
        let Ok(ir) = &l.ir else { continue };
        s.functions.fetch_add(1, Ordering::SeqCst);
        let keys = kc.keys(ir, &l.info.name);
        if s.store.get(&l.info.name, keys).is_some_and(|h| h.exact == keys.exact) {
            s.cached.fetch_add(1, Ordering::SeqCst);
            done.push((l.info.name.clone(), keys.sem, keys.exact));
            continue;
        }
        let ir = Arc::new(ir.clone());
        loop {
            let Some(token) = s.gate.begin(Some(id)) else { return };
            let iface = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze_function_sized(&ir, &l.info, kc.table(), kc.facts(), &cfg, cfg.budgets, cfg.resolution, &token)));
            s.gate.end(id);
            if token.is_cancelled() {
                // The editor needed the CPU: again once it is idle.
                continue;
            }
            if let Ok(iface) = iface {
                s.store.put(keys, Arc::new(render(&fa.path, &ir, &iface, &cfg)));
                s.analyzed.fetch_add(1, Ordering::SeqCst);
                done.push((l.info.name.clone(), keys.sem, keys.exact));
            }
            break;
        }
    }
    s.store.put_file_record(&FileRecord::of_program(&prog, &main.path, th, ck, done));
}
