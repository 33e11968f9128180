use anyhow::{Context, Result};
use perfi_engine::analysis::{analyze_function_sized, table_facts, FuncTable, Lowered, Program, Status, TableFacts};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::ir::{Function, InstKind};
use perfi_engine::output;
use perfi_engine::workspace::collect_sources;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq)]
pub enum Format {
    Text,
    Json,
    Python,
}

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (walked for .c and .h).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Only this function.
    #[arg(long)]
    pub function: Option<String>,
    /// Resolution in instructions (default: perfi.toml, else 10).
    #[arg(long)]
    pub resolution: Option<f64>,
    /// Hardware model (generic-x86-64, skylake-server, icelake-server, zen3, or one from perfi.toml).
    #[arg(long)]
    pub hardware: Option<String>,
    /// Budgets: batch or interactive; without it, `[budgets]` of perfi.toml
    /// over the batch defaults.
    #[arg(long)]
    pub budgets: Option<String>,
    /// Read every file's compile flags from this compile_commands.json
    /// instead of searching upward from the file (for code one must not
    /// write a database beside, such as /usr/include).
    #[arg(long, value_name = "PATH")]
    pub compile_commands: Option<PathBuf>,
    /// Where costs come from: `machine-code` (compile each file with the
    /// system compiler, `-O2 -g` and the safe flags of its compile command,
    /// and cost from the object; an error when that is not possible),
    /// `model` (the IR cost model only), `auto` (machine code when the
    /// compile succeeds, else the model; the default).
    #[arg(long, value_enum, default_value = "auto")]
    pub cost_source: CostSourceArg,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq)]
pub enum CostSourceArg {
    Auto,
    MachineCode,
    Model,
}

/// Compile a `.c` file for its machine-code costs (`machine/`): the
/// system compiler, the safe flags of its compile command; `Err` says why
/// the model's costs stay.
pub fn machine_costs(path: &Path, text: Option<&str>) -> std::result::Result<perfi_engine::machine::MachineCosts, String> {
    use perfi_engine::machine::compile::{flags_for, Input, Limits};
    if path.extension().is_none_or(|e| e != "c") {
        return Err("only .c files are compiled".into());
    }
    let flags = flags_for(path).map_err(|r| format!("not compiled: {r}"))?;
    let input = match text {
        Some(t) => Input::Buffer { path, text: t },
        None => Input::File(path),
    };
    perfi_engine::machine::MachineCosts::compile(input, &flags, Limits::default()).map_err(|e| e.to_string())
}

/// One function's interface in the format asked for (interfaces themselves
/// hold `Rc`s and stay on the thread that made them).
enum Rendered {
    Text(String),
    Json(serde_json::Value),
}

/// Up to this many functions, the biggest are analyzed first (so that the
/// longest analysis does not start last and leave the other cores idle);
/// above it, in output order, so that what is printed can be dropped.
const REORDER_MAX: usize = 512;

/// Analyze the jobs (file, function) on as many threads as there are cores
/// (at most 4): functions are independent, each gets its own solver (Z3
/// solvers are reused per thread, `solver.rs`). Results arrive through
/// `deliver` in the jobs' order as soon as they and all before them are
/// done: memory holds the functions being analyzed and those finished
/// ahead of a slower one, not everything printed so far.
fn analyze_parallel(
    prog: &Program,
    cfgs: &[Option<Config>],
    jobs: &[(usize, usize)],
    format: Format,
    cancel: &CancelToken,
    mut deliver: impl FnMut(usize, Rendered) -> Result<()>,
) -> Result<()> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4).min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    // What the threads share: plain data (the program's type environment
    // keeps `Rc` caches and stays here).
    let tables: Vec<FuncTable> = prog.files.iter().enumerate().map(|(fi, fa)| if cfgs[fi].is_some() { prog.table_for(&fa.path) } else { FuncTable::new() }).collect();
    let sizes: Vec<TableFacts> = tables.iter().map(table_facts).collect();
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    if jobs.len() <= REORDER_MAX {
        let mut memo = HashMap::new();
        let weights: Vec<u64> = jobs.iter().map(|&(fi, li)| prog.files[fi].functions[li].ir.as_ref().map(|f| inlined_size(f, &tables[fi], &mut memo, 0)).unwrap_or(0)).collect();
        order.sort_by(|&a, &b| weights[b].cmp(&weights[a]));
    }
    // Plain data for the threads (a `Program` holds `Rc`s).
    let work: Vec<(&str, &Lowered, usize)> = jobs.iter().map(|&(fi, li)| (prog.files[fi].path.as_str(), &prog.files[fi].functions[li], fi)).collect();
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Rendered)>();
    let run = |tx: std::sync::mpsc::Sender<(usize, Rendered)>| {
        while let Some(&k) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            if cancel.is_cancelled() {
                break;
            }
            let (path, l, fi) = work[k];
            let (Ok(f), Some(cfg)) = (&l.ir, &cfgs[fi]) else { continue };
            let iface = analyze_function_sized(&Arc::new(f.clone()), &l.info, &tables[fi], &sizes[fi], cfg, cfg.budgets, cfg.resolution, cancel);
            let r = match format {
                Format::Text => Rendered::Text(output::text_with(path, &iface, cfg.resolution, Some(&cfg.hardware))),
                Format::Python => Rendered::Text(output::python(&iface)),
                Format::Json => Rendered::Json(output::json(&iface)),
            };
            drop(iface);
            if tx.send((k, r)).is_err() {
                break;
            }
        }
    };
    std::thread::scope(|s| -> Result<()> {
        for _ in 0..threads {
            let tx = tx.clone();
            let run = &run;
            std::thread::Builder::new().stack_size(crate::STACK).spawn_scoped(s, move || run(tx)).context("starting an analysis thread")?;
        }
        drop(tx);
        let mut ahead: HashMap<usize, Rendered> = HashMap::new();
        let mut want = 0;
        while want < jobs.len() {
            if let Some(r) = ahead.remove(&want) {
                let res = deliver(want, r);
                if res.is_err() {
                    // Stop the threads before reporting.
                    cancel.cancel();
                    return res;
                }
                want += 1;
                continue;
            }
            match rx.recv() {
                Ok((k, r)) => {
                    ahead.insert(k, r);
                }
                Err(_) => {
                    cancel.cancel();
                    let (fi, li) = jobs[want];
                    anyhow::bail!("internal error: the analysis of {} did not finish", prog.files[fi].functions[li].info.name);
                }
            }
        }
        Ok(())
    })
}

/// Blocks of a function with every call inlined (as the executor does), a
/// rough predictor of its analysis time. Memoized by name; recursion and
/// depth are cut off.
fn inlined_size(f: &Function, funcs: &FuncTable, memo: &mut HashMap<String, u64>, depth: usize) -> u64 {
    if let Some(n) = memo.get(&f.name) {
        return *n;
    }
    let mut n = f.blocks.len() as u64;
    if depth < 16 {
        memo.insert(f.name.clone(), n);
        for inst in f.blocks.iter().flat_map(|b| b.insts.iter()) {
            if let InstKind::Call { callee, .. } = &inst.kind {
                if let Some(g) = funcs.get(callee) {
                    n = n.saturating_add(inlined_size(g, funcs, memo, depth + 1));
                }
            }
        }
    }
    memo.insert(f.name.clone(), n);
    n
}

pub fn config_for(path: &Path, resolution: Option<f64>, hardware: Option<&str>) -> Result<Config> {
    let mut cfg = match Config::discover(path) {
        Some(p) => Config::load(&p)?,
        None => Config::default(),
    };
    if let Some(r) = resolution {
        anyhow::ensure!(r > 0.0 && r.is_finite(), "--resolution must be a positive number");
        cfg.resolution = r;
    }
    if let Some(h) = hardware {
        cfg.set_hardware(h)?;
    }
    Ok(cfg)
}

type Compiled = std::result::Result<perfi_engine::machine::MachineCosts, String>;

/// Compile every `.c` file of `files` (those named on the command line),
/// two at a time, on a thread of their own, in the order given; each
/// result is sent as it comes. The analysis of a file waits for its own.
fn start_compiles(files: &[PathBuf]) -> std::sync::mpsc::Receiver<(PathBuf, Compiled)> {
    let todo: Vec<PathBuf> = files.iter().filter(|p| p.extension().is_some_and(|e| e == "c")).cloned().collect();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for chunk in todo.chunks(2) {
            let sent = std::thread::scope(|s| {
                let hs: Vec<_> = chunk.iter().map(|p| (p, s.spawn(move || machine_costs(p, None)))).collect();
                hs.into_iter().all(|(p, h)| tx.send((p.clone(), h.join().unwrap_or_else(|_| Err("the compile thread panicked".into())))).is_ok())
            });
            if !sent {
                // The analysis stopped (an error): no more compiles.
                return;
            }
        }
    });
    rx
}

/// Compile results by file, as the analysis asks for them.
struct Compiles {
    rx: std::sync::mpsc::Receiver<(PathBuf, Compiled)>,
    arrived: HashMap<PathBuf, Compiled>,
}

impl Compiles {
    /// The result for `path` (waiting for it), `None` if it was not compiled.
    fn take(&mut self, path: &Path) -> Option<Compiled> {
        loop {
            if let Some(r) = self.arrived.remove(path) {
                return Some(r);
            }
            let (p, r) = self.rx.recv().ok()?;
            self.arrived.insert(p, r);
        }
    }
}

/// What the output has written so far, across the files analyzed one by
/// one: JSON's open file, whether a file or function came before, and the
/// hardware and resolution of the last configuration (the JSON trailer).
struct Emitter {
    out: Out,
    format: Format,
    first_file: bool,
    first_fn: bool,
    hw_name: String,
    res_used: f64,
}

impl Emitter {
    fn open_file(&mut self) -> Result<()> {
        self.out.write(if self.first_file { "\n    {\n      \"functions\": [" } else { ",\n    {\n      \"functions\": [" })?;
        self.first_file = false;
        self.first_fn = true;
        Ok(())
    }

    fn close_file(&mut self, path: &str) -> Result<()> {
        self.out.write(if self.first_fn { "]" } else { "\n      ]" })?;
        self.out.write(&format!(",\n      \"path\": {}\n    }}", serde_json::to_string(path)?))
    }

    fn function_json(&mut self, j: &serde_json::Value) -> Result<()> {
        self.out.write(if self.first_fn { "\n        " } else { ",\n        " })?;
        self.first_fn = false;
        self.out.write(&indented(j, 8)?)
    }

    fn rendered(&mut self, r: Rendered) -> Result<()> {
        match r {
            Rendered::Json(j) => self.function_json(&j),
            Rendered::Text(t) => {
                self.out.write(&t)?;
                if self.format == Format::Text {
                    self.out.write("\n")?;
                }
                Ok(())
            }
        }
    }

    /// A function that has no IR: its name and why.
    fn unsupported(&mut self, path: &str, l: &Lowered) -> Result<()> {
        let e = l.ir.as_ref().err().map(String::as_str).unwrap_or_default();
        match self.format {
            Format::Text => self.out.write(&format!("{}  {}:{}-{}  {e}\n\n", l.info.name, path, l.info.range.start_line, l.info.range.end_line)),
            Format::Python => self.out.write(&format!("# {}: {e}\n\n", l.info.name)),
            Format::Json => {
                let j = json!({
                    "name": l.info.name,
                    "range": {"start_line": l.info.range.start_line, "end_line": l.info.range.end_line},
                    "status": Status::Unsupported,
                    "reason": e,
                    "paths": 0, "analysis_ms": 0.0, "pcvs": [], "cases": [], "resolutions": [],
                    "secret_findings": [], "cost_source": "model",
                });
                self.function_json(&j)
            }
        }
    }
}

/// The files of a run in the order they are analyzed and printed: each
/// path, then the other requested files of its folder in name order.
fn batches(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    files.iter().filter(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.to_path_buf()))).cloned().collect()
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(db) = &args.compile_commands {
        anyhow::ensure!(db.is_file(), "--compile-commands: {} is not a file", db.display());
        let text = std::fs::read_to_string(db).with_context(|| format!("--compile-commands: reading {}", db.display()))?;
        serde_json::from_str::<Vec<serde_json::Value>>(&text).with_context(|| format!("--compile-commands: {} is not a JSON array of entries", db.display()))?;
        perfi_engine::workspace::set_compile_db(db.clone());
    }
    let files = collect_sources(&args.paths).context("collecting sources")?;
    let budgets = match args.budgets.as_deref() {
        None => None,
        Some("batch") => Some(Budgets::batch()),
        Some("interactive") => Some(Budgets::interactive()),
        Some(other) => anyhow::bail!("unknown budgets `{other}` (batch or interactive)"),
    };
    if let Some(n) = &args.function {
        // Before anything is printed: a scan of the files (no lowering).
        let found = files.iter().any(|p| std::fs::read(p).is_ok_and(|b| perfi_engine::lazy::scan_function_names(&b).iter().any(|f| f == n)));
        anyhow::ensure!(found, "no function named `{n}` in the given paths");
    }
    // The compiles (machine-code costs) start now: while one file is
    // loaded and analyzed, the next ones compile.
    let mut compiles = (args.cost_source != CostSourceArg::Model).then(|| Compiles { rx: start_compiles(&files), arrived: HashMap::new() });
    let mut em = Emitter { out: Out::new(), format: args.format, first_file: true, first_fn: true, hw_name: String::new(), res_used: 10.0 };
    match args.format {
        Format::Json => em.out.write("{\n  \"files\": [")?,
        Format::Python => em.out.write(output::PY_PRELUDE)?,
        Format::Text => {}
    }
    // One file at a time, each with what its calls reach in its folder
    // (`Program::load`, as for a single file): memory holds one program,
    // not the tree's.
    let mut printed = false;
    for file in batches(&files) {
        printed |= analyze_file(&file, &args, budgets, compiles.as_mut(), &mut em)?;
    }
    if let Some(n) = &args.function {
        anyhow::ensure!(printed, "no function named `{n}` in the given paths");
    }
    if args.format == Format::Json {
        em.out.write(if em.first_file { "]" } else { "\n  ]" })?;
        em.out.write(&format!(
            ",\n  \"hardware\": {},\n  \"perfi_version\": {},\n  \"resolution\": {}\n}}\n",
            serde_json::to_string(&em.hw_name)?,
            serde_json::to_string(perfi_engine::VERSION)?,
            serde_json::to_string(&json!(em.res_used))?
        ))?;
    }
    em.out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// Load, analyze and print one requested file; whether a function of it
/// was printed.
fn analyze_file(file: &Path, args: &Args, budgets: Option<Budgets>, compiles: Option<&mut Compiles>, em: &mut Emitter) -> Result<bool> {
    let prog = Program::load(std::slice::from_ref(&file.to_path_buf())).with_context(|| format!("loading {}", file.display()))?;
    let cancel = CancelToken::new();
    let wanted = |name: &str| args.function.as_ref().is_none_or(|n| n == name);
    let Some(fi) = prog.files.iter().position(|fa| Path::new(&fa.path) == file) else { return Ok(false) };
    let fa = &prog.files[fi];
    let mut cfg = config_for(file, args.resolution, args.hardware.as_deref())?;
    if let Some(b) = budgets {
        cfg.budgets = b;
    }
    if args.cost_source == CostSourceArg::Model {
        cfg.machine_note = Some("--cost-source model".into());
    }
    // Missing headers, `#error`: said once per file, on stderr.
    for n in preprocessor_notes(fa) {
        eprintln!("perfi: note: {n}");
    }
    if let Some(r) = compiles.and_then(|c| c.take(file)) {
        match r {
            Ok(mc) => cfg.machine = Some(Arc::new(mc)),
            Err(e) if args.cost_source == CostSourceArg::MachineCode => anyhow::bail!("--cost-source machine-code: {}: {e}", fa.path),
            Err(e) => {
                // A compile that ran out of time cost the user its limit.
                let hint = if e.contains("took longer than") { " (--cost-source model does not wait for the compiler)" } else { "" };
                eprintln!("perfi: note: {}: model costs: {e}{hint}", fa.path);
                cfg.machine_note = Some(e);
            }
        }
    }
    em.hw_name = cfg.hardware.name.clone();
    em.res_used = cfg.resolution;
    let fns: Vec<usize> = (0..fa.functions.len()).filter(|&li| wanted(&fa.functions[li].info.name)).collect();
    if args.function.is_some() && fns.is_empty() {
        return Ok(false);
    }
    let json_fmt = args.format == Format::Json;
    if json_fmt {
        em.open_file()?;
    }
    // Functions without IR are printed in their place, between results.
    let jobs: Vec<(usize, usize)> = fns.iter().filter(|&&li| fa.functions[li].ir.is_ok()).map(|&li| (fi, li)).collect();
    let mut pos = 0;
    let mut cfgs: Vec<Option<Config>> = (0..prog.files.len()).map(|_| None).collect();
    cfgs[fi] = Some(cfg);
    let skip_unsupported = |em: &mut Emitter, pos: &mut usize| -> Result<()> {
        while let Some(&li) = fns.get(*pos) {
            if fa.functions[li].ir.is_ok() {
                break;
            }
            em.unsupported(&fa.path, &fa.functions[li])?;
            *pos += 1;
        }
        Ok(())
    };
    skip_unsupported(em, &mut pos)?;
    analyze_parallel(&prog, &cfgs, &jobs, args.format, &cancel, |_, r| {
        em.rendered(r)?;
        pos += 1;
        skip_unsupported(em, &mut pos)
    })?;
    if json_fmt {
        em.close_file(&fa.path)?;
    }
    Ok(!fns.is_empty())
}

/// Standard output, buffered; a reader that went away is not an error
/// (the rest of the output is simply not needed).
struct Out {
    w: std::io::BufWriter<std::io::Stdout>,
    broken: bool,
}

impl Out {
    fn new() -> Out {
        Out { w: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()), broken: false }
    }
    fn write(&mut self, s: &str) -> Result<()> {
        use std::io::Write;
        if self.broken {
            return Ok(());
        }
        match self.w.write_all(s.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.broken = true;
                Ok(())
            }
            Err(e) => Err(anyhow::Error::new(e).context("writing to stdout")),
            Ok(()) => Ok(()),
        }
    }
    fn finish(&mut self) -> Result<()> {
        use std::io::Write;
        match self.w.flush() {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe && !self.broken => Err(anyhow::Error::new(e).context("writing to stdout")),
            _ => Ok(()),
        }
    }
}

/// `s` pretty-printed and indented by `n` spaces (all lines but the first).
fn indented(v: &serde_json::Value, n: usize) -> Result<String> {
    let text = serde_json::to_string_pretty(v)?;
    let pad = " ".repeat(n);
    Ok(text.replace('\n', &format!("\n{pad}")))
}

/// What the preprocessor said about a requested file (missing headers,
/// `#error`, limits), as `path:line:col: message`.
fn preprocessor_notes(fa: &perfi_engine::analysis::FileAnalysis) -> Vec<String> {
    fa.unit.diagnostics.iter().map(|d| format!("{}:{}:{}: {}", d.path.display(), d.line, d.col, d.message)).collect()
}
