use anyhow::{Context, Result};
use perfi_engine::analysis::{analyze_function, FuncTable, Lowered, Program, Status};
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
}

/// One function's interface in the format asked for (interfaces themselves
/// hold `Rc`s and stay on the thread that made them).
enum Rendered {
    Text(String),
    Json(serde_json::Value),
}

/// Analyze the jobs (file, function) on as many threads as there are cores
/// (at most 4): functions are independent, each gets its own solver.
fn analyze_parallel(prog: &Program, cfgs: &[Option<Config>], jobs: &[(usize, usize)], format: Format, cancel: &CancelToken) -> HashMap<(usize, usize), Rendered> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4).min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    // What the threads share: plain data (the program's type environment
    // keeps `Rc` caches and stays here).
    let tables: Vec<FuncTable> = prog.files.iter().map(|fa| prog.table_for(&fa.path)).collect();
    let mut work: Vec<(&str, &Lowered, usize, usize)> = jobs.iter().map(|&(fi, li)| (prog.files[fi].path.as_str(), &prog.files[fi].functions[li], fi, li)).collect();
    // Biggest first, so that the longest analysis does not start last and
    // leave the other cores idle at the end.
    let mut memo = HashMap::new();
    let mut size = |fi: usize, l: &Lowered| l.ir.as_ref().map(|f| inlined_size(f, &tables[fi], &mut memo, 0)).unwrap_or(0);
    let mut sized: Vec<(u64, (&str, &Lowered, usize, usize))> = work.drain(..).map(|w| (size(w.2, w.1), w)).collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0));
    work.extend(sized.into_iter().map(|(_, w)| w));
    let run = || {
        let mut out = Vec::new();
        while let Some(&(path, l, fi, li)) = work.get(next.fetch_add(1, Ordering::Relaxed)) {
            let (Ok(f), Some(cfg)) = (&l.ir, &cfgs[fi]) else { continue };
            let iface = analyze_function(&Arc::new(f.clone()), &l.info, &tables[fi], cfg, cfg.budgets, cfg.resolution, cancel);
            let r = match format {
                Format::Text => Rendered::Text(output::text_with(path, &iface, cfg.resolution, Some(&cfg.hardware))),
                Format::Python => Rendered::Text(output::python(&iface)),
                Format::Json => Rendered::Json(output::json(&iface)),
            };
            out.push(((fi, li), r));
        }
        out
    };
    let mut results = HashMap::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).filter_map(|_| std::thread::Builder::new().stack_size(crate::STACK).spawn_scoped(s, run).ok()).collect();
        for h in handles {
            if let Ok(v) = h.join() {
                results.extend(v);
            }
        }
    });
    results
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

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(db) = &args.compile_commands {
        anyhow::ensure!(db.is_file(), "--compile-commands: {} is not a file", db.display());
        let text = std::fs::read_to_string(db).with_context(|| format!("--compile-commands: reading {}", db.display()))?;
        serde_json::from_str::<Vec<serde_json::Value>>(&text).with_context(|| format!("--compile-commands: {} is not a JSON array of entries", db.display()))?;
        perfi_engine::workspace::set_compile_db(db.clone());
    }
    let files = collect_sources(&args.paths).context("collecting sources")?;
    let prog = Program::load(&files).context("loading sources")?;
    let budgets = match args.budgets.as_deref() {
        None => None,
        Some("batch") => Some(Budgets::batch()),
        Some("interactive") => Some(Budgets::interactive()),
        Some(other) => anyhow::bail!("unknown budgets `{other}` (batch or interactive)"),
    };
    let cancel = CancelToken::new();
    // Files named on the command line (the program also holds the headers
    // they include) and the functions asked for.
    let requested = |fa: &perfi_engine::analysis::FileAnalysis| files.iter().any(|f| f.to_string_lossy() == fa.path);
    let wanted = |name: &str| args.function.as_ref().is_none_or(|n| n == name);
    let mut cfgs = Vec::new();
    let mut jobs = Vec::new();
    for (fi, fa) in prog.files.iter().enumerate() {
        if !requested(fa) {
            cfgs.push(None);
            continue;
        }
        let mut cfg = config_for(Path::new(&fa.path), args.resolution, args.hardware.as_deref())?;
        if let Some(b) = budgets {
            cfg.budgets = b;
        }
        cfgs.push(Some(cfg));
        for (li, l) in fa.functions.iter().enumerate() {
            if l.ir.is_ok() && wanted(&l.info.name) {
                jobs.push((fi, li));
            }
        }
    }
    let mut results = analyze_parallel(&prog, &cfgs, &jobs, args.format, &cancel);
    let mut out_files = Vec::new();
    let mut text = String::new();
    let mut py = String::from(output::PY_PRELUDE);
    let mut hw_name = String::new();
    let mut res_used = 10.0;
    let mut found = false;
    for (fi, fa) in prog.files.iter().enumerate() {
        let Some(cfg) = &cfgs[fi] else { continue };
        hw_name = cfg.hardware.name.clone();
        res_used = cfg.resolution;
        let mut funcs = Vec::new();
        for (li, l) in fa.functions.iter().enumerate() {
            if !wanted(&l.info.name) {
                continue;
            }
            found = true;
            match &l.ir {
                Ok(_) => {
                    let Some(r) = results.remove(&(fi, li)) else { anyhow::bail!("internal error: the analysis of {} did not finish", l.info.name) };
                    match (r, args.format) {
                        (Rendered::Json(j), _) => funcs.push(j),
                        (Rendered::Text(t), Format::Python) => py.push_str(&t),
                        (Rendered::Text(t), _) => {
                            text.push_str(&t);
                            text.push('\n');
                        }
                    }
                }
                Err(e) => {
                    text.push_str(&format!("{}  {}:{}-{}  {e}\n\n", l.info.name, fa.path, l.info.range.start_line, l.info.range.end_line));
                    py.push_str(&format!("# {}: {e}\n\n", l.info.name));
                    funcs.push(json!({
                        "name": l.info.name,
                        "range": {"start_line": l.info.range.start_line, "end_line": l.info.range.end_line},
                        "status": Status::Unsupported,
                        "reason": e,
                        "paths": 0, "analysis_ms": 0.0, "pcvs": [], "cases": [], "resolutions": [],
                        "secret_findings": [],
                    }));
                }
            }
        }
        let notes = preprocessor_notes(fa);
        for n in &notes {
            eprintln!("perfi: note: {n}");
        }
        out_files.push(json!({"path": fa.path, "functions": funcs, "preprocessor_notes": notes}));
    }
    if let Some(n) = &args.function {
        anyhow::ensure!(found, "no function named `{n}` in the given paths");
    }
    match args.format {
        Format::Json => super::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({
                "perfi_version": perfi_engine::VERSION,
                "resolution": res_used,
                "hardware": hw_name,
                "files": out_files,
            }))?
        ))?,
        Format::Text => super::emit(&text)?,
        Format::Python => super::emit(&py)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// What the preprocessor said about a requested file (missing headers,
/// `#error`, limits), as `path:line:col: message`.
fn preprocessor_notes(fa: &perfi_engine::analysis::FileAnalysis) -> Vec<String> {
    fa.unit.diagnostics.iter().map(|d| format!("{}:{}:{}: {}", d.path.display(), d.line, d.col, d.message)).collect()
}
