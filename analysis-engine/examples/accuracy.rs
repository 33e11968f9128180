//! Ground truth: Perfi's predictions against valgrind measurements of the
//! gcc -O2 drivers in `accuracy/drivers/` (`make accuracy`), and the fit of
//! the cost table to those measurements (`make calibrate`).
//!
//! For every line `<ws> <scenario> <function>` of `accuracy/drivers/manifest.txt`:
//!
//! 1. the driver and the workspace's `.c` files are compiled with `gcc -O2`
//!    as separate objects (cached under `target/accuracy/`) and linked with
//!    `-Wl,-z,now` (no lazy PLT binding inside the measured call);
//! 2. `valgrind --tool=callgrind --cache-sim=yes --toggle-collect=<function>`
//!    counts instructions (Ir), data reads (Dr) and data writes (Dw) of the
//!    one call, callees included (cached by binary hash);
//! 3. the concrete interpreter runs the scenario's setup and measures the
//!    same call (`Interp::run_measured`), and the function's interface
//!    (analyzed at resolution 1) predicts its metrics (`interp::predict`).
//!
//! Scenarios alternate by manifest order between the *fit* half (even
//! positions, 0-based) and the *held-back* half (odd positions); statistics
//! are reported for each. With `--calibrate`, the instruction, memory-read
//! and memory-write rows of the cost table (and their entry constants) are
//! fitted on the fit half only, by non-negative least squares on relative
//! errors with a small ridge pull toward the previous table, and written to
//! `analysis-engine/src/cost_table.rs`.
//!
//! 4. distinct cache lines: a non-PIE link of the same objects runs under
//!    `valgrind --tool=lackey --trace-mem=yes`; the data accesses between
//!    the first instruction at the measured function's address (from `nm`)
//!    and the return to its call site are counted as distinct 64-byte
//!    lines, and compared with the interface's `cache_lines`.
//!
//! `--fit-static` (`make fit-model`, `fit/static_fit.rs`) fits the table on
//! static machine code of third-party projects and the fit half instead,
//! with a leave-one-project-out report.
//!
//! Options: `--calibrate`, `--fit-static [--no-write] [--static-only]`,
//! `--only <ws>`, `--no-cache`, `--verbose`,
//! `--results <path>` (default `accuracy/results.md`; not written with
//! `--only` or `--calibrate`).

#![allow(clippy::needless_range_loop)]

use perfi_engine::analysis::{analyze_function_with_signatures, FuncTable, FunctionInterface, Program, Status};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::cost::{default_table, CostTable, FEATURES, NEXTRA, NFEAT, NMET};
use perfi_engine::machine::compile::{Input, Limits};
use perfi_engine::machine::{MachineCosts, Plan};
use perfi_engine::interp::{predict, Interp};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Metrics compared with valgrind, as (index in `cost::METRICS`, label).
const MEASURED: [(usize, &str); 3] = [(0, "instructions"), (1, "memory reads"), (2, "memory writes")];
const GCC_FLAGS: &[&str] = &["-O2"];
const LINK_FLAGS: &[&str] = &["-Wl,-z,now"];
/// Ridge strengths tried (pull toward `PRIOR`, against a data term that is
/// a sum of absolute relative errors); one per metric row is chosen by
/// `CV_FOLDS`-fold cross-validation inside the fit half.
const RIDGES: [f64; 6] = [1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
const CV_FOLDS: usize = 6;
/// Cross-validated median errors closer than this count as equal.
const CV_SLACK: f64 = 0.01;
/// Features a metric may depend on (the entry constant always may):
/// instructions on every feature; memory reads only on features that
/// read memory (loads, jump tables, the stack traffic of calls and
/// returns, copies, external calls); writes likewise. Without this the
/// least-absolute-error fit happily explains reads by ALU operations.
const ALLOWED: [[bool; NFEAT]; 3] = {
    const T: bool = true;
    const F: bool = false;
    [
        // Alu Mul Div DivC Load Store Move Cast Lea Br Sw Call Ret CopyW Ext Fwd Saved Stack Cmp Lib
        // Calls and returns of analyzed callees cost no instruction: the
        // IR cannot tell the static helpers gcc inlines from real calls,
        // and a weight on them splits paths that differ only in calls
        // (nat_process: complete with 8669 paths at weight 0, partial
        // beyond 9280 at the fitted 0.32 + 0.39). A forwarded load may
        // still read memory (gcc could not prove the absence of aliasing);
        // saved registers are popped (reads) and pushed (writes); the
        // stack adjustment touches no memory.
        [T, T, T, T, T, T, T, T, T, T, T, F, F, T, T, T, T, T, T, T],
        [F, F, F, F, T, F, F, F, F, F, T, T, T, T, T, T, T, F, F, T],
        [F, F, F, F, F, T, F, F, F, F, F, T, F, T, T, F, T, F, F, T],
    ]
};
/// The hand-set table the fit is pulled toward (one x86-64 instruction per
/// IR operation; loads and stores are memory operations). Fixed, so that
/// calibrating twice on the same data gives the same table.
const PRIOR: [[f64; NFEAT + 1]; 3] = [
    // Alu Mul Div DivC Load Store Move Cast Lea Br  Sw   Call Ret CopyW Ext  Fwd  Saved Stack Cmp  Lib  entry
    // (LibLoop: a guard, three argument registers and the call.)
    [1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 0.5, 0.5, 1.0, 1.0, 3.0, 2.0, 1.0, 2.0, 2.0, 0.5, 2.0, 2.0, 1.0, 6.0, 2.0],
    [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0],
];
/// Physical lower bounds of the fitted weights (issue 14): what an x86-64
/// instruction sequence cannot do with less. A conditional branch is at
/// least one instruction (a `jcc`, or a `cmov`/`set` when if-converted), a
/// division at least one (`div`, or a multiply for a constant divisor), a
/// switch at least a compare and a jump, a call to code outside the program
/// at least `call` + `ret`, a word copy at least one move; every function
/// executes its `ret` (entry constant: one instruction, one read of the
/// return address). Calls and returns of analyzed callees have no bound:
/// gcc inlines static helpers, leaving nothing of either.
const LOWER: [[f64; NFEAT + 1]; 3] = [
    // Alu Mul Div DivC Load Store Move Cast Lea Br  Sw   Call Ret CopyW Ext  Fwd  Saved Stack Cmp  Lib  entry
    // (The frame features are estimates: no physical bound holds for a
    // register the estimate counts but gcc does not save. A comparison
    // may fuse into its branch or fold away. A loop replaced by a library
    // call leaves at least the call, or a `rep stos` when expanded inline.)
    [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
];
/// Reweighting steps of the least-absolute-error fit, and the smallest
/// residual (relative) a row is reweighted by.
const IRLS_STEPS: usize = 40;
const IRLS_FLOOR: f64 = 0.005;
/// Relative error above which a fit-half scenario is treated as one the
/// cost model cannot explain (and left out of the refit).
const OUTLIER: f64 = 0.5;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Half {
    Fit,
    Held,
}

impl Half {
    fn label(self) -> &'static str {
        match self {
            Half::Fit => "fit",
            Half::Held => "held",
        }
    }
}

#[derive(Clone, Debug)]
struct Scenario {
    ws: String,
    scenario: String,
    func: String,
    half: Half,
    /// How to build and load the workspace.
    spec: Arc<WsSpec>,
}

/// Which scenarios: this project's test workspaces, or third-party code
/// used in place (`accuracy/unseen/`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Suite {
    Workspaces,
    Unseen,
}

impl Suite {
    fn label(self) -> &'static str {
        match self {
            Suite::Workspaces => "workspaces",
            Suite::Unseen => "unseen",
        }
    }
}

/// A workspace of the benchmark: the driver, the measured sources, and the
/// include paths, defines and extra gcc flags they are compiled with.
#[derive(Clone, Debug)]
struct WsSpec {
    name: String,
    suite: Suite,
    driver: PathBuf,
    sources: Vec<PathBuf>,
    includes: Vec<PathBuf>,
    defines: Vec<(String, String)>,
    /// Extra gcc flags (not seen by the engine).
    flags: Vec<String>,
    /// Headers whose content keys the object cache.
    headers: Vec<PathBuf>,
}

impl WsSpec {
    /// A test workspace: `test-workspaces/<ws>/*.c`, `accuracy/drivers/<ws>_driver.c`.
    fn test_workspace(root: &Path, ws: &str) -> WsSpec {
        let dir = root.join("test-workspaces").join(ws);
        WsSpec {
            name: ws.to_string(),
            suite: Suite::Workspaces,
            driver: root.join("accuracy/drivers").join(format!("{ws}_driver.c")),
            sources: files_with_ext(&dir, "c"),
            includes: vec![],
            defines: vec![],
            flags: vec![],
            headers: files_with_ext(&dir, "h"),
        }
    }

    /// gcc arguments beyond `GCC_FLAGS`.
    fn gcc_args(&self) -> Vec<String> {
        let mut v = self.flags.clone();
        for i in &self.includes {
            v.push(format!("-I{}", i.display()));
        }
        for (n, val) in &self.defines {
            v.push(format!("-D{n}={val}"));
        }
        v
    }
}

/// `$LINUX`: the Linux 6.1 source tree (`make accuracy` extracts it from
/// Debian's linux-source-6.1 into ~/.cache/perfi/).
fn linux_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("PERFI_LINUX_SRC") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache/perfi/linux-source-6.1")
}

/// `accuracy/unseen/workspaces.txt`: blocks `ws NAME` followed by
/// `driver FILE`, `source FILE`, `include DIR`, `define NAME[=VALUE]`,
/// `flag FLAG`, `header FILE` lines. Paths may start with `$LINUX/`,
/// `$DPDK/` (/usr/include/dpdk) or be relative to `accuracy/unseen/`.
fn read_unseen_specs(root: &Path) -> Result<Vec<WsSpec>, String> {
    let base = root.join("accuracy/unseen");
    let path = base.join("workspaces.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let linux = linux_dir();
    let expand = |v: &str| -> PathBuf {
        if let Some(r) = v.strip_prefix("$LINUX/") {
            linux.join(r)
        } else if let Some(r) = v.strip_prefix("$DPDK/") {
            PathBuf::from("/usr/include/dpdk").join(r)
        } else if v == "$DPDK" {
            PathBuf::from("/usr/include/dpdk")
        } else if v == "$LINUX" {
            linux.clone()
        } else {
            base.join(v)
        }
    };
    let mut specs: Vec<WsSpec> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, val) = line.split_once(char::is_whitespace).map(|(k, v)| (k, v.trim())).unwrap_or((line, ""));
        if key == "ws" {
            specs.push(WsSpec {
                name: val.to_string(),
                suite: Suite::Unseen,
                driver: PathBuf::new(),
                sources: vec![],
                includes: vec![],
                defines: vec![],
                flags: vec![],
                headers: vec![],
            });
            continue;
        }
        let Some(cur) = specs.last_mut() else {
            return Err(format!("{}:{}: `{key}` before any `ws` line", path.display(), n + 1));
        };
        match key {
            "driver" => cur.driver = expand(val),
            "source" => cur.sources.push(expand(val)),
            "include" => cur.includes.push(expand(val)),
            "header" => cur.headers.push(expand(val)),
            "define" => {
                let (k, v) = val.split_once('=').unwrap_or((val, "1"));
                cur.defines.push((k.to_string(), v.to_string()));
            }
            "flag" => cur.flags.push(val.to_string()),
            _ => return Err(format!("{}:{}: unknown key `{key}`", path.display(), n + 1)),
        }
    }
    // Every shim header keys the object cache.
    let shim = base.join("shim");
    let mut stack = vec![shim];
    let mut shims = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "h") {
                shims.push(p);
            }
        }
    }
    shims.sort();
    for s in &mut specs {
        s.headers.extend(shims.iter().cloned());
    }
    Ok(specs)
}

/// What valgrind counted for the measured call.
#[derive(Clone, Copy, Debug, Default)]
struct Measured {
    ir: f64,
    dr: f64,
    dw: f64,
}

impl Measured {
    fn get(&self, metric: usize) -> f64 {
        match metric {
            0 => self.ir,
            1 => self.dr,
            _ => self.dw,
        }
    }
}

/// What the engine said about the scenario.
#[derive(Clone, Debug)]
struct Modelled {
    counts: [f64; NFEAT],
    extra: [f64; NEXTRA],
    /// `machine-code` or `model` (the analyzed function's cost source).
    source: String,
    /// The interface's case and metrics, or why there is none.
    predicted: Result<(String, Vec<f64>), String>,
    partial: Option<String>,
    /// How the interface was obtained: status, paths, analysis time.
    analysis: String,
}

struct Row {
    sc: Scenario,
    measured: Result<Measured, String>,
    model: Result<Modelled, String>,
    /// The same with the IR cost model only (`None` when not run).
    model_only: Option<Result<Modelled, String>>,
    /// Distinct 64-byte data lines of the measured call (lackey).
    lines: Result<f64, String>,
}

impl Row {
    /// Predicted metrics when both the interface and the measurement exist.
    fn pair(&self) -> Option<(&Measured, &Vec<f64>)> {
        match (&self.measured, &self.model) {
            (Ok(m), Ok(Modelled { predicted: Ok((_, p)), .. })) => Some((m, p)),
            _ => None,
        }
    }
    fn failure(&self) -> Option<String> {
        match (&self.measured, &self.model) {
            (Err(e), _) => Some(format!("measurement: {e}")),
            (_, Err(e)) => Some(e.clone()),
            (_, Ok(Modelled { predicted: Err(e), .. })) => Some(format!("prediction: {e}")),
            _ => None,
        }
    }
}

struct Opts {
    calibrate: bool,
    only: Option<String>,
    no_cache: bool,
    verbose: bool,
    results: Option<PathBuf>,
    /// `unseen`, `workspaces` or `all` (default).
    suite: Option<String>,
    /// Leave-one-project-out report (both suites; writes nothing).
    lopo: bool,
    /// Multiplies the batch time budgets (solver and wall time).
    budget_scale: f64,
    /// `both` (default: machine-code costs, and the model alone for
    /// comparison), `machine-code` or `model`.
    cost_source: String,
    /// `--fit-static`: fit the table on static machine code (`make fit-model`).
    fit_static: bool,
    /// `--no-write`: with `--fit-static`, report only.
    no_write: bool,
    /// `--static-only`: with `--fit-static`, leave out the test
    /// workspaces' dynamic fit half.
    dynamic: bool,
}

#[path = "fit/static_fit.rs"]
mod static_fit;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap_or(root);
    let mut opts = Opts { calibrate: false, only: None, no_cache: false, verbose: false, results: None, suite: None, lopo: false, budget_scale: 1.0, cost_source: "both".into(), fit_static: false, no_write: false, dynamic: true };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--calibrate" => opts.calibrate = true,
            "--fit-static" => opts.fit_static = true,
            "--no-write" => opts.no_write = true,
            "--static-only" => opts.dynamic = false,
            "--only" => opts.only = args.next(),
            "--no-cache" => opts.no_cache = true,
            "--verbose" | "-v" => opts.verbose = true,
            "--results" => opts.results = args.next().map(PathBuf::from),
            "--suite" => opts.suite = args.next(),
            "--lopo" => opts.lopo = true,
            "--cost-source" => match args.next() {
                Some(x) if ["both", "machine-code", "model"].contains(&x.as_str()) => opts.cost_source = x,
                _ => {
                    eprintln!("accuracy: --cost-source needs both, machine-code or model");
                    std::process::exit(2);
                }
            },
            "--budget-scale" => match args.next().and_then(|x| x.parse::<f64>().ok()).filter(|x| *x > 0.0) {
                Some(f) => opts.budget_scale = f,
                None => {
                    eprintln!("accuracy: --budget-scale needs a positive number");
                    std::process::exit(2);
                }
            },
            "-h" | "--help" => {
                println!("usage: accuracy [--calibrate | --fit-static [--no-write] [--static-only]] [--suite unseen|workspaces|all] [--lopo] [--only WS] [--no-cache] [--verbose] [--results PATH] [--budget-scale F] [--cost-source both|machine-code|model]");
                return;
            }
            other => {
                eprintln!("accuracy: unknown argument `{other}`");
                std::process::exit(2);
            }
        }
    }
    let result = if opts.fit_static { static_fit::fit_static(&root, opts.verbose, !opts.no_write, opts.dynamic) } else { run(&root, &opts) };
    match result {
        Ok(()) => {}
        Err(e) => {
            eprintln!("accuracy: {e}");
            std::process::exit(1);
        }
    }
}

fn read_manifest(manifest_path: &Path, spec_of: &dyn Fn(&str) -> Result<Arc<WsSpec>, String>) -> Result<Vec<Scenario>, String> {
    let text = std::fs::read_to_string(manifest_path).map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let mut scenarios = Vec::new();
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).enumerate() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [ws, scenario, func] = parts.as_slice() else {
            return Err(format!("{}: malformed line `{line}`", manifest_path.display()));
        };
        let half = if n % 2 == 0 { Half::Fit } else { Half::Held };
        let spec = spec_of(ws)?;
        scenarios.push(Scenario { ws: ws.to_string(), scenario: scenario.to_string(), func: func.to_string(), half, spec });
    }
    Ok(scenarios)
}

/// Both suites: the unseen-code benchmark first, then the test workspaces;
/// results.md holds both reports. Calibration uses the test workspaces'
/// fit half only (never the third-party code).
fn run(root: &Path, opts: &Opts) -> Result<(), String> {
    let mut reports = Vec::new();
    let suites: Vec<Suite> = match opts.suite.as_deref() {
        _ if opts.calibrate => vec![Suite::Workspaces],
        Some("unseen") => vec![Suite::Unseen],
        Some("workspaces") => vec![Suite::Workspaces],
        None | Some("all") => vec![Suite::Unseen, Suite::Workspaces],
        Some(other) => return Err(format!("unknown suite `{other}` (unseen, workspaces, all)")),
    };
    let suites = if opts.lopo { vec![Suite::Unseen, Suite::Workspaces] } else { suites };
    let mut all_rows: Vec<Row> = Vec::new();
    for suite in suites {
        match run_suite(root, opts, suite) {
            Ok((r, rows)) => {
                reports.push(r);
                all_rows.extend(rows);
            }
            Err(e) if opts.only.is_some() && e.starts_with("no scenario of workspace") => {}
            Err(e) => return Err(e),
        }
    }
    if opts.lopo {
        lopo(&all_rows);
        return Ok(());
    }
    if opts.calibrate {
        let machine = machine_info();
        return calibrate(root, &all_rows, &default_table(), &machine);
    }
    if opts.only.is_none() {
        let path = opts.results.clone().unwrap_or_else(|| root.join("accuracy/results.md"));
        std::fs::write(&path, reports.join("\n")).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("\nwrote {}", path.display());
    }
    Ok(())
}

fn run_suite(root: &Path, opts: &Opts, suite: Suite) -> Result<(String, Vec<Row>), String> {
    let (manifest_path, mut scenarios) = match suite {
        Suite::Workspaces => {
            let manifest_path = root.join("accuracy/drivers/manifest.txt");
            let r = root.to_path_buf();
            let sc = read_manifest(&manifest_path, &|ws| Ok(Arc::new(WsSpec::test_workspace(&r, ws))))?;
            (manifest_path, sc)
        }
        Suite::Unseen => {
            let manifest_path = root.join("accuracy/unseen/manifest.txt");
            let specs = read_unseen_specs(root)?;
            let sc = read_manifest(&manifest_path, &|ws| {
                specs.iter().find(|s| s.name == ws).cloned().map(Arc::new).ok_or_else(|| format!("workspace `{ws}` not in accuracy/unseen/workspaces.txt"))
            })?;
            (manifest_path, sc)
        }
    };
    if let Some(only) = &opts.only {
        scenarios.retain(|s| &s.ws == only);
        if scenarios.is_empty() {
            return Err(format!("no scenario of workspace `{only}` in the manifest"));
        }
    }
    let mut machine = machine_info();
    let b = budgets(opts.budget_scale);
    machine.push(("budgets", format!("Budgets::batch(){}: {} paths, solver {} ms, wall {} ms per function", if opts.budget_scale == 1.0 { String::new() } else { format!(" x{}", opts.budget_scale) }, b.paths, b.solver_ms, b.wall_ms)));
    println!("Perfi accuracy ({}): {} scenarios from {}", suite.label(), scenarios.len(), manifest_path.display());
    for (k, v) in &machine {
        println!("  {k:<10} {v}");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target")).join("accuracy");
    let target = match suite {
        Suite::Workspaces => target,
        Suite::Unseen => target.join("unseen"),
    };

    // Ground truth: build every driver, then measure every scenario.
    let t0 = std::time::Instant::now();
    let mut binaries: BTreeMap<String, Result<PathBuf, String>> = BTreeMap::new();
    for s in &scenarios {
        if !binaries.contains_key(&s.ws) {
            eprintln!("accuracy: building {} driver", s.ws);
            binaries.insert(s.ws.clone(), build_driver(&target, &s.spec, opts.no_cache));
        }
    }
    let measured = measure_all(&scenarios, &binaries, &target, opts.no_cache);
    // What library callees cost per call, measured: the values of the
    // interfaces' `cost(name)` PCVs (empty where the measurement failed).
    let libs: Vec<LibCalls> = measured.iter().map(|m| m.as_ref().map(|(_, l)| l.clone()).unwrap_or_default()).collect();
    let measured: Vec<Result<Measured, String>> = measured.into_iter().map(|m| m.map(|(m, _)| m)).collect();
    eprintln!("accuracy: measured in {:.1} s", t0.elapsed().as_secs_f64());
    let t0 = std::time::Instant::now();
    let lines = lines_all(&scenarios, &binaries, &target, opts.no_cache);
    eprintln!("accuracy: lackey line traces in {:.1} s", t0.elapsed().as_secs_f64());
    // Callgrind sums every call of the toggled function: a scenario that
    // calls it more than once (or never) is not measured. The lackey pass
    // counts the entries.
    let measured: Vec<Result<Measured, String>> = measured
        .into_iter()
        .zip(&lines)
        .map(|(m, l)| match (m, l) {
            (Ok(_), Err(e)) if e.contains("entered") => Err(e.clone()),
            (m, _) => m,
        })
        .collect();

    // The engine, on a thread with a big stack (as the CLI does).
    // Cached by the engine binary and every source it reads.
    let engine = |machine: bool| -> Result<Vec<Result<Modelled, String>>, String> {
        let t1 = std::time::Instant::now();
        let mode = if machine { "mc" } else { "model" };
        let cache_key = model_cache_key(root, &scenarios, &libs).map(|k| format!("{k}-{}-{mode}", opts.budget_scale));
        let cache_path = target.join(match &opts.only {
            Some(ws) => format!("model-cache-{ws}-{mode}.json"),
            None => format!("model-cache-{mode}.json"),
        });
        let cached = if opts.no_cache { None } else { cache_key.as_ref().and_then(|k| load_model_cache(&cache_path, k, scenarios.len())) };
        Ok(match cached {
            Some(m) => {
                eprintln!("accuracy: engine results from {}", cache_path.display());
                m
            }
            None => {
                let m = model_all(&scenarios, &libs, opts.verbose, budgets(opts.budget_scale), machine)?;
                if let Some(k) = &cache_key {
                    save_model_cache(&cache_path, k, &m);
                }
                eprintln!("accuracy: engine ({mode}) in {:.1} s", t1.elapsed().as_secs_f64());
                m
            }
        })
    };
    // Calibration fits the model's table: the model's feature counts only.
    let (modelled, model_only) = match opts.cost_source.as_str() {
        _ if opts.calibrate || opts.lopo => (engine(false)?, None),
        "model" => (engine(false)?, None),
        "machine-code" => (engine(true)?, None),
        _ => (engine(true)?, Some(engine(false)?)),
    };
    let mut model_only = model_only.map(|v| v.into_iter().map(Some).collect::<Vec<_>>()).unwrap_or_else(|| vec![None; scenarios.len()]);
    model_only.resize(scenarios.len(), None);

    let rows: Vec<Row> = scenarios.into_iter().zip(measured).zip(modelled).zip(lines).zip(model_only).map(|((((sc, measured), model), lines), model_only)| Row { sc, measured, model, model_only, lines }).collect();
    let table = default_table();
    let report = render_report(&rows, &machine, &table, suite);
    print!("{report}");

    Ok((report, rows))
}

/// The project a scenario belongs to: this repository's test workspaces
/// are one; an unseen workspace's project is its name up to the first `-`
/// (`linux-crc` → `linux`, `dpdk`).
fn project(r: &Row) -> String {
    match r.sc.spec.suite {
        Suite::Workspaces => "test-workspaces".to_string(),
        Suite::Unseen => r.sc.ws.split('-').next().unwrap_or(&r.sc.ws).to_string(),
    }
}

/// Leave-one-project-out (report only, nothing is written): for each
/// project, the cost table (same bounds, priors, ridge selection and
/// outlier rule as `--calibrate`) is fitted on the fit half of every
/// *other* project and evaluated on all of this project's scenarios (the
/// cost model on the interpreter's counts). No figure is the fit's own.
fn lopo(rows: &[Row]) {
    let mut projects: Vec<String> = rows.iter().map(project).collect();
    projects.sort();
    projects.dedup();
    println!("\n## Leave-one-project-out\n");
    println!("Cost table fitted on the fit half of the other projects (bounds, prior, ridge by cross-validation, outlier rule as `make calibrate`), evaluated on every scenario of the project left out (cost model on the interpreter's counts; unseen counts under {TINY:.0} by absolute difference).\n");
    println!("| project left out | fitted on | scenarios | instructions | memory reads | memory writes | memory ops |");
    println!("|---|---|---|---|---|---|---|");
    for p in &projects {
        let train: Vec<&Row> = rows.iter().filter(|r| &project(r) != p && r.sc.half == Half::Fit && r.measured.is_ok() && r.model.is_ok()).collect();
        let mut t = default_table();
        for (k, (mi, _)) in MEASURED.iter().enumerate() {
            let (a0, b0) = design(&train, *mi);
            fit_metric(&mut t, k, *mi, &a0, &b0, &RIDGES);
        }
        let test: Vec<Row> = rows.iter().filter(|r| &project(r) == p).map(|r| Row { sc: r.sc.clone(), measured: r.measured.clone(), model: r.model.clone(), model_only: None, lines: r.lines.clone() }).collect();
        let mp = |r: &Row| -> Option<(Measured, [f64; 3])> { Some((*r.measured.as_ref().ok()?, model_pred(r, &t)?)) };
        let s = series(&test, None, &mp);
        let others: Vec<String> = projects.iter().filter(|q| *q != p).cloned().collect();
        println!("| {p} | {} ({} scenarios) | {} | {} | {} | {} | {} |", others.join(", "), train.len(), s[0].len(), pct(stat(&s[0]).median), pct(stat(&s[1]).median), pct(stat(&s[2]).median), pct(stat(&s[3]).median));
    }
}

// ------------------------------------------------------------------ machine

fn command_line(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    let s = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    s.lines().next().map(|l| l.trim().to_string()).filter(|l| !l.is_empty())
}

fn machine_info() -> Vec<(&'static str, String)> {
    let arch = command_line("uname", &["-m"]).unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    vec![
        ("date", today()),
        ("machine", format!("{arch}, {cpu} ({cores} cores)")),
        ("valgrind", command_line("valgrind", &["--version"]).unwrap_or_else(|| "not found".into())),
        ("gcc", command_line("gcc", &["--version"]).unwrap_or_else(|| "not found".into())),
        ("flags", format!("gcc {} (separate objects), link {}", GCC_FLAGS.join(" "), LINK_FLAGS.join(" "))),
    ]
}

/// Today's UTC date, YYYY-MM-DD (civil-from-days, H. Hinnant).
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

// ------------------------------------------------------------ ground truth

/// FNV-1a, stable across runs (cache keys).
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.iter().chain(&[0xffu8]) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == ext)).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Compile the driver and the workspace's `.c` files as separate objects
/// (cached by the content of the source, the headers and the flags), link.
fn build_driver(target: &Path, spec: &WsSpec, no_cache: bool) -> Result<PathBuf, String> {
    let ws = spec.name.as_str();
    let driver = spec.driver.clone();
    if !driver.is_file() {
        return Err(format!("no driver {}", driver.display()));
    }
    let mut sources = vec![driver.clone()];
    sources.extend(spec.sources.iter().cloned());
    if sources.len() < 2 {
        return Err(format!("no source file for workspace {ws}"));
    }
    let extra = spec.gcc_args();
    let out_dir = target.join(ws);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut headers: Vec<u8> = extra.join(" ").into_bytes();
    for h in &spec.headers {
        headers.extend(std::fs::read(h).map_err(|e| format!("{}: {e}", h.display()))?);
    }
    let gcc_version = command_line("gcc", &["--version"]).unwrap_or_default();
    let mut objects = Vec::new();
    for src in &sources {
        let stem = src.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "src".into());
        let obj = out_dir.join(format!("{stem}.o"));
        let stamp = out_dir.join(format!("{stem}.o.key"));
        let text = std::fs::read(src).map_err(|e| format!("{}: {e}", src.display()))?;
        let key = format!("{:016x}", fnv(&[&text, &headers, GCC_FLAGS.join(" ").as_bytes(), gcc_version.as_bytes(), src.to_string_lossy().as_bytes()]));
        let fresh = !no_cache && obj.is_file() && std::fs::read_to_string(&stamp).map(|k| k.trim() == key).unwrap_or(false);
        if !fresh {
            let out = Command::new("gcc")
                .args(GCC_FLAGS)
                .args(&extra)
                .arg("-c")
                .arg(src)
                .arg("-o")
                .arg(&obj)
                .output()
                .map_err(|e| format!("cannot run gcc: {e}"))?;
            if !out.status.success() {
                let _ = std::fs::remove_file(&stamp);
                return Err(format!("gcc failed on {}: {}", src.display(), first_lines(&String::from_utf8_lossy(&out.stderr), 3)));
            }
            std::fs::write(&stamp, &key).map_err(|e| format!("{}: {e}", stamp.display()))?;
        }
        objects.push(obj);
    }
    let bin = out_dir.join(format!("{ws}_driver"));
    let out = Command::new("gcc")
        .args(GCC_FLAGS)
        .args(&objects)
        .args(LINK_FLAGS)
        .arg("-o")
        .arg(&bin)
        .output()
        .map_err(|e| format!("cannot run gcc: {e}"))?;
    if !out.status.success() {
        return Err(format!("link failed: {}", first_lines(&String::from_utf8_lossy(&out.stderr), 3)));
    }
    // For the lackey trace: fixed addresses, so that `nm` gives the
    // address lackey shows, and the driver compiled without sibling calls,
    // so that the measured call (a scenario's last statement) is a `call`
    // whose return address ends the traced window, not a `jmp`.
    let _ = std::fs::remove_file(nopie_path(&bin));
    let drv_obj = out_dir.join("driver_nosibling.o");
    let drv = Command::new("gcc").args(GCC_FLAGS).args(&extra).arg("-fno-optimize-sibling-calls").arg("-c").arg(&driver).arg("-o").arg(&drv_obj).output();
    if drv.as_ref().is_ok_and(|o| o.status.success()) {
        let mut objs = vec![drv_obj];
        objs.extend(objects.iter().skip(1).cloned());
        let _ = Command::new("gcc").args(GCC_FLAGS).args(&objs).args(LINK_FLAGS).arg("-no-pie").arg("-o").arg(nopie_path(&bin)).output();
    }
    Ok(bin)
}

fn nopie_path(bin: &Path) -> PathBuf {
    let mut s = bin.as_os_str().to_owned();
    s.push("_nopie");
    PathBuf::from(s)
}

/// Trace every scenario with lackey, on all cores.
fn lines_all(scenarios: &[Scenario], binaries: &BTreeMap<String, Result<PathBuf, String>>, target: &Path, no_cache: bool) -> Vec<Result<f64, String>> {
    on_all_cores(scenarios, binaries, "not traced", &|bin, s, vg| measure_lines(&nopie_path(bin), s, target, vg, no_cache))
}

/// Run `run(binary, scenario, valgrind version)` for every scenario whose
/// driver built, spread over the cores; results in scenario order.
fn on_all_cores<T: Clone + Send>(
    scenarios: &[Scenario],
    binaries: &BTreeMap<String, Result<PathBuf, String>>,
    missing: &str,
    run: &(dyn Fn(&Path, &Scenario, &str) -> Result<T, String> + Sync),
) -> Vec<Result<T, String>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<T, String>>>> = Mutex::new(vec![None; scenarios.len()]);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 16);
    let valgrind_version = command_line("valgrind", &["--version"]).unwrap_or_default();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(s) = scenarios.get(i) else { break };
                let r = match binaries.get(&s.ws) {
                    Some(Ok(bin)) => run(bin, s, &valgrind_version),
                    Some(Err(e)) => Err(format!("driver did not build: {e}")),
                    None => Err("driver not built".into()),
                };
                if let Ok(mut v) = results.lock() {
                    v[i] = Some(r);
                }
            });
        }
    });
    results.into_inner().unwrap_or_default().into_iter().map(|r| r.unwrap_or_else(|| Err(missing.into()))).collect()
}

/// Address of a function symbol in a non-PIE binary.
fn symbol_address(bin: &Path, func: &str) -> Result<u64, String> {
    let out = Command::new("nm").arg(bin).output().map_err(|e| format!("cannot run nm: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3 && f[2] == func && (f[1] == "T" || f[1] == "t")).then(|| u64::from_str_radix(f[0], 16).ok()).flatten()
        })
        .ok_or_else(|| format!("`{func}` not found by nm in {}", bin.display()))
}

fn measure_lines(bin: &Path, s: &Scenario, target: &Path, valgrind_version: &str, no_cache: bool) -> Result<f64, String> {
    use std::io::BufRead;
    let bytes = std::fs::read(bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    let key = format!("{:016x}", fnv(&[&bytes, s.scenario.as_bytes(), s.func.as_bytes(), valgrind_version.as_bytes(), b"lackey lines 64"]));
    let dir = target.join(&s.ws).join("measure");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cache = dir.join(format!("{}.lines", s.scenario));
    if !no_cache {
        if let Ok(t) = std::fs::read_to_string(&cache) {
            let f: Vec<&str> = t.split_whitespace().collect();
            if f.len() == 2 && f[0] == key {
                if let Ok(v) = f[1].parse::<f64>() {
                    return Ok(v);
                }
            }
        }
    }
    let entry = symbol_address(bin, &s.func)?;
    let mut child = Command::new("valgrind")
        .arg("--tool=lackey")
        .arg("--trace-mem=yes")
        .arg(bin)
        .arg(&s.scenario)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let stderr = child.stderr.take().ok_or("no stderr pipe")?;
    let hex = |t: &str| -> Option<(u64, u64)> {
        let (a, n) = t.trim().split_once(',')?;
        Some((u64::from_str_radix(a, 16).ok()?, n.parse().ok()?))
    };
    let mut lines: std::collections::BTreeSet<u64> = std::collections::BTreeSet::new();
    let mut prev: Option<(u64, u64)> = None;
    // Return address while inside the measured call.
    let mut ret: Option<u64> = None;
    let mut entered = 0;
    for l in std::io::BufReader::new(stderr).lines() {
        let Ok(l) = l else { break };
        if let Some(rest) = l.strip_prefix("I  ") {
            let Some((addr, size)) = hex(rest) else { continue };
            match ret {
                None if addr == entry => {
                    // The previous instruction is the call: it returns past itself.
                    ret = prev.map(|(a, n)| a + n);
                    entered += 1;
                }
                Some(r) if addr == r => ret = None,
                _ => {}
            }
            prev = Some((addr, size));
        } else if ret.is_some() && entered == 1 {
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix("L ").or_else(|| t.strip_prefix("S ")).or_else(|| t.strip_prefix("M ")) {
                if let Some((addr, size)) = hex(rest) {
                    for line in addr / 64..=(addr + size.max(1) - 1) / 64 {
                        lines.insert(line);
                    }
                }
            }
        }
    }
    let status = child.wait().map_err(|e| format!("valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("driver exited with {status} under lackey"));
    }
    if entered != 1 {
        return Err(format!("`{}` entered {entered} times in the trace (expected once)", s.func));
    }
    let n = lines.len() as f64;
    let _ = std::fs::write(&cache, format!("{key} {n}\n"));
    Ok(n)
}

fn first_lines(s: &str, n: usize) -> String {
    s.lines().filter(|l| !l.trim().is_empty()).take(n).collect::<Vec<_>>().join(" | ")
}

/// Measure every scenario with valgrind, on all cores.
fn measure_all(scenarios: &[Scenario], binaries: &BTreeMap<String, Result<PathBuf, String>>, target: &Path, no_cache: bool) -> Vec<Result<(Measured, LibCalls), String>> {
    on_all_cores(scenarios, binaries, "not measured", &|bin, s, vg| measure(bin, s, target, vg, no_cache))
}

fn measure(bin: &Path, s: &Scenario, target: &Path, valgrind_version: &str, no_cache: bool) -> Result<(Measured, LibCalls), String> {
    let bytes = std::fs::read(bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    let key = format!("{:016x}", fnv(&[&bytes, s.scenario.as_bytes(), s.func.as_bytes(), valgrind_version.as_bytes(), b"callgrind cache-sim, library call edges"]));
    let dir = target.join(&s.ws).join("measure");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cache = dir.join(format!("{}.txt", s.scenario));
    if !no_cache {
        if let Some(m) = std::fs::read_to_string(&cache).ok().and_then(|t| read_measure_cache(&t, &key)) {
            return Ok(m);
        }
    }
    let out_file = dir.join(format!("{}.callgrind", s.scenario));
    let _ = std::fs::remove_file(&out_file);
    let out = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--cache-sim=yes")
        .arg(format!("--toggle-collect={}", s.func))
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(bin)
        .arg(&s.scenario)
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !out.status.success() {
        return Err(format!("driver exited with {} under valgrind: {}", out.status, first_lines(&String::from_utf8_lossy(&out.stderr), 2)));
    }
    let text = std::fs::read_to_string(&out_file).map_err(|e| format!("{}: {e}", out_file.display()))?;
    let m = parse_callgrind(&text)?;
    if m.ir == 0.0 {
        return Err(format!("no instruction counted inside `{}` (symbol not entered?)", s.func));
    }
    let lib = library_calls(&text)?;
    let mut c = format!("{key} {} {} {}\n", m.ir, m.dr, m.dw);
    for (name, (calls, ir)) in &lib {
        let _ = writeln!(c, "lib {name} {calls} {ir}");
    }
    let _ = std::fs::write(&cache, c);
    Ok((m, lib))
}

/// A cached measurement: `key Ir Dr Dw`, then `lib NAME CALLS IR` lines.
fn read_measure_cache(t: &str, key: &str) -> Option<(Measured, LibCalls)> {
    let mut lines = t.lines();
    let f: Vec<&str> = lines.next()?.split_whitespace().collect();
    if f.len() != 4 || f[0] != key {
        return None;
    }
    let m = Measured { ir: f[1].parse().ok()?, dr: f[2].parse().ok()?, dw: f[3].parse().ok()? };
    let mut lib = LibCalls::new();
    for l in lines {
        let g: Vec<&str> = l.split_whitespace().collect();
        match g.as_slice() {
            ["lib", name, calls, ir] => {
                lib.insert(name.to_string(), (calls.parse().ok()?, ir.parse().ok()?));
            }
            _ => return None,
        }
    }
    Some((m, lib))
}

/// Calls from the measured program into shared libraries, by callee name
/// as callgrind reports it: (calls, inclusive instructions).
type LibCalls = BTreeMap<String, (f64, f64)>;

/// The library calls of the measured call, from a callgrind output file's
/// call edges: a `calls=N …` line, under the `fn=` of a function of the
/// driver's own object (`cmd:`'s binary), to a callee in another object
/// (`cob=`), followed by one line of the call's inclusive cost. Calls
/// between library functions are inside those edges' cost and not counted
/// again. Only edges with collected instructions count: with
/// `--toggle-collect` they are the measured call's, or the calls that
/// lead to it (`_start` → `__libc_start_main`), whose inclusive cost is
/// all of the collected cost; a call inside the measured function never
/// is (the function's own `ret` is outside it), so those are left out.
fn library_calls(text: &str) -> Result<LibCalls, String> {
    let total = parse_callgrind(text)?.ir;
    let cmd = text.lines().find_map(|l| l.strip_prefix("cmd:")).and_then(|c| c.split_whitespace().next()).ok_or("no `cmd:` line in the callgrind output")?;
    let events: Vec<&str> = text.lines().find_map(|l| l.strip_prefix("events:")).ok_or("no `events:` line in the callgrind output")?.split_whitespace().collect();
    let ir_col = events.iter().position(|e| *e == "Ir").ok_or("event Ir not collected")?;
    let npos = text.lines().find_map(|l| l.strip_prefix("positions:")).map(|p| p.split_whitespace().count()).unwrap_or(1);
    // `(id) name` defines a compressed name, `(id)` uses it.
    fn name(v: &str, names: &mut HashMap<String, String>) -> String {
        let v = v.trim();
        match v.strip_prefix('(').and_then(|r| r.split_once(')')) {
            Some((id, rest)) if !rest.trim().is_empty() => {
                names.insert(id.to_string(), rest.trim().to_string());
                rest.trim().to_string()
            }
            Some((id, _)) => names.get(id).cloned().unwrap_or_default(),
            None => v.to_string(),
        }
    }
    let (mut obs, mut fns) = (HashMap::new(), HashMap::new());
    let (mut ob, mut cob, mut cfn) = (String::new(), None::<String>, String::new());
    let mut pending: Option<f64> = None;
    let mut out = LibCalls::new();
    for l in text.lines() {
        if let Some(calls) = pending.take() {
            let ir = l.split_whitespace().nth(npos + ir_col).map(|x| x.parse::<f64>().map_err(|_| format!("bad cost line `{l}` after a callgrind `calls=`"))).transpose()?.unwrap_or(0.0);
            let callee_ob = cob.take().unwrap_or_else(|| ob.clone());
            if ob == cmd && callee_ob != cmd && ir > 0.0 && ir < total {
                let e = out.entry(cfn.clone()).or_insert((0.0, 0.0));
                e.0 += calls;
                e.1 += ir;
            }
            continue;
        }
        if let Some(v) = l.strip_prefix("ob=") {
            ob = name(v, &mut obs);
        } else if let Some(v) = l.strip_prefix("cob=") {
            cob = Some(name(v, &mut obs));
        } else if let Some(v) = l.strip_prefix("fn=") {
            let _ = name(v, &mut fns);
        } else if let Some(v) = l.strip_prefix("cfn=") {
            cfn = name(v, &mut fns);
        } else if let Some(v) = l.strip_prefix("calls=") {
            let n = v.split_whitespace().next().and_then(|x| x.parse::<f64>().ok()).ok_or_else(|| format!("bad callgrind line `{l}`"))?;
            pending = Some(n);
        }
    }
    Ok(out)
}

/// Per-call instructions of the run's unknown callees (`cost(name)`) from
/// the measured library calls. A library function may be measured under
/// another symbol than the one the source calls: glibc's IFUNC variants
/// are `__strchr_avx2`, `__memcpy_avx_unaligned_erms`; with leading
/// underscores and symbol versions stripped, a measured name is the
/// callee's when it is the callee's name or starts with it and `_`.
fn library_prices(unknown: &HashMap<String, u64>, lib: &LibCalls) -> HashMap<String, f64> {
    let mut total: HashMap<String, (f64, f64)> = HashMap::new();
    for (measured, (calls, ir)) in lib {
        let base = measured.split('@').next().unwrap_or(measured).trim_start_matches('_');
        let best = unknown.keys().filter(|c| base == c.as_str() || base.strip_prefix(c.as_str()).is_some_and(|r| r.starts_with('_'))).max_by_key(|c| c.len());
        if let Some(c) = best {
            let e = total.entry(c.clone()).or_insert((0.0, 0.0));
            e.0 += calls;
            e.1 += ir;
        }
    }
    total.into_iter().filter(|(_, (n, _))| *n > 0.0).map(|(c, (n, ir))| (c, ir / n)).collect()
}

/// Totals of a callgrind output file: `events:` names the columns of the
/// `summary:`/`totals:` line (trailing zeros may be omitted).
fn parse_callgrind(text: &str) -> Result<Measured, String> {
    let events: Vec<&str> = text.lines().find_map(|l| l.strip_prefix("events:")).ok_or("no `events:` line in the callgrind output")?.split_whitespace().collect();
    let totals: Vec<f64> = text
        .lines()
        .find_map(|l| l.strip_prefix("totals:").or_else(|| l.strip_prefix("summary:")))
        .ok_or("no `totals:` line in the callgrind output")?
        .split_whitespace()
        .map(|x| x.parse::<f64>().map_err(|_| format!("bad number `{x}` in the callgrind totals")))
        .collect::<Result<_, _>>()?;
    let get = |name: &str| -> Result<f64, String> {
        let i = events.iter().position(|e| *e == name).ok_or(format!("event {name} not collected"))?;
        Ok(totals.get(i).copied().unwrap_or(0.0))
    };
    Ok(Measured { ir: get("Ir")?, dr: get("Dr")?, dw: get("Dw")? })
}

// ------------------------------------------------------------------ engine

fn budgets(scale: f64) -> Budgets {
    let b = Budgets::batch();
    Budgets { solver_ms: (b.solver_ms as f64 * scale) as u64, wall_ms: (b.wall_ms as f64 * scale) as u64, ..b }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Per workspace: one program (driver + workspace files); per measured
/// function: one interface; per scenario: one interpreter run.
/// Each measured function is analyzed on a fresh thread (with a big stack,
/// as the CLI does): the solver's Z3 context is per thread, so no analysis
/// inherits another's context, and the results do not depend on the order
/// of the manifest. (Budget-bound analyses such as `bridge_receive` still
/// vary from run to run: complete in ~22 s, or partial after ~13 s.)
fn model_all(scenarios: &[Scenario], libs: &[LibCalls], verbose: bool, budgets: Budgets, machine: bool) -> Result<Vec<Result<Modelled, String>>, String> {
    let mut groups: Vec<((String, String), Vec<usize>)> = Vec::new();
    for (i, s) in scenarios.iter().enumerate() {
        let key = (s.ws.clone(), s.func.clone());
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let mut out: Vec<Result<Modelled, String>> = vec![Err("not modelled".into()); scenarios.len()];
    for ((ws, func), idx) in groups {
        eprintln!("accuracy: analyzing {ws} {func} ({} scenarios)", idx.len());
        let group: Vec<Scenario> = idx.iter().map(|i| scenarios[*i].clone()).collect();
        let group_libs: Vec<LibCalls> = idx.iter().map(|i| libs.get(*i).cloned().unwrap_or_default()).collect();
        let handle = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || model_group(&group, &group_libs, verbose, budgets, machine))
            .map_err(|e| format!("cannot start an engine thread: {e}"))?;
        let rows = handle.join().unwrap_or_else(|_| vec![Err("the engine thread panicked".into()); idx.len()]);
        for (i, r) in idx.iter().zip(rows) {
            out[*i] = r;
        }
    }
    Ok(out)
}

fn model_group(scenarios: &[Scenario], libs: &[LibCalls], verbose: bool, budgets: Budgets, machine: bool) -> Vec<Result<Modelled, String>> {
    let mut programs: HashMap<String, Result<Program, String>> = HashMap::new();
    let mut objects: HashMap<String, Result<Arc<MachineCosts>, String>> = HashMap::new();
    let mut interfaces: HashMap<(String, String), Result<FunctionInterface, String>> = HashMap::new();
    let mut out = Vec::new();
    for (si, s) in scenarios.iter().enumerate() {
        let t = std::time::Instant::now();
        let driver = s.spec.driver.clone();
        let lib = libs.get(si).cloned().unwrap_or_default();
        let prog = programs.entry(s.ws.clone()).or_insert_with(|| {
            let mut paths = vec![driver.clone()];
            paths.extend(s.spec.sources.iter().cloned());
            match s.spec.suite {
                Suite::Workspaces => Program::load(&paths).map_err(|e| format!("cannot load: {e}")),
                // Third-party files: exactly these (not the hundreds of
                // siblings in the kernel's lib/), with the gcc include
                // paths and defines.
                Suite::Unseen => {
                    let flags = perfi_engine::workspace::CompileFlags {
                include_paths: s.spec.includes.clone(),
                defines: s.spec.defines.clone(),
                macros: s.spec.defines.iter().map(|(n, v)| perfi_engine::workspace::MacroFlag::Define(n.clone(), v.clone())).collect(),
                ..Default::default()
            };
                    Program::load_files(&paths, flags).map_err(|e| format!("cannot load: {e}"))
                }
            }
        });
        let r = match prog {
            // A panic in the engine is a bug to report, not the end of the run.
            Ok(prog) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model_one(prog, &driver, &s.spec.sources, s, &lib, &mut interfaces, budgets, machine.then_some(&mut objects))))
                .unwrap_or_else(|p| {
                    let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|x| x.to_string())).unwrap_or_default();
                    Err(format!("engine panicked: {msg}"))
                }),
            Err(e) => Err(e.clone()),
        };
        if verbose {
            eprintln!("accuracy: {} {} ({:.0} ms): {}", s.ws, s.scenario, t.elapsed().as_secs_f64() * 1e3, match &r {
                Ok(m) => match &m.predicted {
                    Ok((c, p)) => format!("case `{c}`, {:.0} instructions", p.first().copied().unwrap_or(0.0)),
                    Err(e) => e.clone(),
                },
                Err(e) => e.clone(),
            });
        }
        out.push(r);
    }
    out
}

/// The machine code of a workspace source, compiled as the driver's
/// objects are (`GCC_FLAGS` and the workspace's flags, plus `-g`) by the
/// engine's own compile step (`machine::compile`).
fn machine_costs(path: &Path, spec: &WsSpec) -> Result<Arc<MachineCosts>, String> {
    let mut flags: Vec<String> = GCC_FLAGS.iter().map(|s| s.to_string()).collect();
    flags.extend(spec.gcc_args());
    MachineCosts::compile(Input::File(path), &flags, Limits { timeout: std::time::Duration::from_secs(60), ..Limits::default() }).map(Arc::new).map_err(|e| e.to_string())
}

#[allow(clippy::too_many_arguments)]
fn model_one(
    prog: &Program,
    driver: &Path,
    sources: &[PathBuf],
    s: &Scenario,
    lib: &LibCalls,
    interfaces: &mut HashMap<(String, String), Result<FunctionInterface, String>>,
    budgets: Budgets,
    objects: Option<&mut HashMap<String, Result<Arc<MachineCosts>, String>>>,
) -> Result<Modelled, String> {
    let ws_files: Vec<_> = prog.files.iter().filter(|fa| sources.iter().any(|p| same_file(Path::new(&fa.path), p))).collect();
    let Some(drv) = prog.files.iter().find(|fa| same_file(Path::new(&fa.path), driver)) else {
        return Err("driver not in the program".into());
    };
    // The file that defines the measured function, and its function table.
    let Some((home, lowered)) = ws_files.iter().find_map(|fa| fa.functions.iter().find(|l| l.info.name == s.func).map(|l| (fa, l))) else {
        return Err(format!("`{}` is not defined in the workspace's sources", s.func));
    };
    let home_table = prog.table_for(&home.path);
    let mc: Option<Arc<MachineCosts>> = match objects {
        Some(objs) => match objs.entry(home.path.clone()).or_insert_with(|| machine_costs(Path::new(&home.path), &s.spec)) {
            Ok(m) => Some(m.clone()),
            Err(e) => {
                eprintln!("accuracy: {}: model costs ({e})", s.ws);
                None
            }
        },
        None => None,
    };
    if std::env::var_os("PERFI_ACCURACY_DEBUG").is_some() {
        for l in home.header_functions.iter().chain(home.functions.iter()) {
            if let Err(e) = &l.ir {
                eprintln!("accuracy: {}: `{}` not lowered: {e}", s.ws, l.info.name);
            }
        }
        eprintln!("accuracy: {}: {} header functions", s.ws, home.header_functions.len());
        for f in &home.unit.files {
            eprintln!("accuracy: {}: unit file {}", s.ws, f.path);
        }
        for i in &home.unit.index.includes {
            eprintln!("accuracy: {}: include {} -> {:?}", s.ws, i.spelled, i.resolved);
        }
    }
    let iface = interfaces.entry((s.ws.clone(), s.func.clone())).or_insert_with(|| {
        let ir = lowered.ir.as_ref().map_err(|e| format!("`{}` not lowered: {e}", s.func))?;
        let f = home_table.get(&s.func).cloned().unwrap_or_else(|| Arc::new(ir.clone()));
        let mut cfg = Config::default();
        cfg.machine = mc.clone();
        let iface = analyze_function_with_signatures(&f, &lowered.info, &home_table, &cfg, budgets, 1.0, &CancelToken::new());
        Ok(iface)
    });
    let iface = match iface {
        Ok(i) => i,
        Err(e) => return Err(e.clone()),
    };
    // The interpreter's table: the measured function's (so its calls
    // resolve as in the analysis), the rest of the workspace, the driver.
    let mut table: FuncTable = home_table.clone();
    for fa in &ws_files {
        if fa.path != home.path {
            for (k, v) in prog.table_for(&fa.path) {
                table.entry(k).or_insert(v);
            }
        }
    }
    for l in drv.header_functions.iter().chain(drv.functions.iter()) {
        if let Ok(f) = &l.ir {
            table.entry(l.info.name.clone()).or_insert_with(|| Arc::new(f.clone()));
        }
    }
    let Some(sl) = drv.functions.iter().find(|l| l.info.name == s.scenario) else {
        return Err(format!("`{}` is not defined in the driver", s.scenario));
    };
    let scen = match &sl.ir {
        Ok(f) => Arc::new(f.clone()),
        Err(e) => return Err(format!("scenario not lowered: {e}")),
    };
    let mut it = Interp::new(&table, 1);
    if let Some(m) = &mc {
        it.machine = Some(Plan::new(m.clone(), &s.func, &table, &default_table()));
    }
    let mut run = it.run_measured(&scen, &s.func).map_err(|e| format!("interpreter: {e:?}"))?;
    // `cost(strchr)` and the like: what one call measured under callgrind
    // (the interface's PCV value, and the interpreter's instructions).
    run.price_unknown(&library_prices(&run.unknown_calls, lib));
    let partial = (iface.status != Status::Complete).then(|| iface.reason.clone().unwrap_or_else(|| "partial".into()));
    let predicted = predict(iface, &run).map_err(|e| match &partial {
        Some(p) => format!("{e} ({p})"),
        None => e,
    });
    let analysis = format!(
        "{}, {} paths, {} cases, {:.1} s",
        if iface.status == Status::Complete { "complete".to_string() } else { short(iface.reason.as_deref().unwrap_or("partial"), 70) },
        iface.paths,
        iface.cases.len(),
        iface.analysis_ms / 1000.0
    );
    Ok(Modelled { counts: run.counts.0, extra: run.extra, source: iface.cost_source.name().to_string(), predicted, partial, analysis })
}

// ------------------------------------------------------- engine result cache

fn model_cache_key(root: &Path, scenarios: &[Scenario], libs: &[LibCalls]) -> Option<String> {
    // The engine: its sources (cost table included) and locked dependencies.
    let mut parts: Vec<Vec<u8>> = vec![std::fs::read(root.join("Cargo.lock")).ok()?];
    // This harness too: how it drives the engine matters.
    parts.push(std::fs::read(root.join("analysis-engine/examples/accuracy.rs")).ok()?);
    let mut stack = vec![root.join("analysis-engine/src")];
    let mut engine = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                engine.push(p);
            }
        }
    }
    engine.sort();
    for f in engine {
        parts.push(f.to_string_lossy().as_bytes().to_vec());
        parts.push(std::fs::read(&f).ok()?);
    }
    let mut dirs = vec![root.join("accuracy/drivers")];
    if let Ok(rd) = std::fs::read_dir(root.join("test-workspaces")) {
        let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
        v.sort();
        dirs.extend(v);
    }
    for d in dirs {
        for f in files_with_ext(&d, "c").into_iter().chain(files_with_ext(&d, "h")) {
            parts.push(f.to_string_lossy().as_bytes().to_vec());
            parts.push(std::fs::read(&f).ok()?);
        }
    }
    // Third-party sources and shims of the unseen suite.
    let mut extra: Vec<PathBuf> = Vec::new();
    for s in scenarios {
        parts.push(format!("{} {} {}", s.ws, s.scenario, s.func).into_bytes());
        if s.spec.suite == Suite::Unseen {
            extra.push(s.spec.driver.clone());
            extra.extend(s.spec.sources.iter().cloned());
            extra.extend(s.spec.headers.iter().cloned());
            parts.push(format!("{:?} {:?}", s.spec.includes, s.spec.defines).into_bytes());
        }
    }
    extra.sort();
    extra.dedup();
    for f in extra {
        parts.push(f.to_string_lossy().as_bytes().to_vec());
        parts.push(std::fs::read(&f).ok()?);
    }
    // The measured library callees price the runs' `cost(name)`.
    parts.push(format!("{libs:?}").into_bytes());
    let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
    Some(format!("{:016x}", fnv(&refs)))
}

fn save_model_cache(path: &Path, key: &str, rows: &[Result<Modelled, String>]) {
    use serde_json::json;
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| match r {
            Err(e) => json!({ "error": e }),
            Ok(m) => json!({
                "counts": m.counts.to_vec(),
                "extra": m.extra.to_vec(),
                "source": m.source,
                "case": m.predicted.as_ref().ok().map(|(c, _)| c.clone()),
                "metrics": m.predicted.as_ref().ok().map(|(_, p)| p.clone()),
                "why": m.predicted.as_ref().err(),
                "partial": m.partial,
                "analysis": m.analysis,
            }),
        })
        .collect();
    let _ = std::fs::write(path, json!({ "key": key, "rows": rows }).to_string());
}

fn load_model_cache(path: &Path, key: &str, n: usize) -> Option<Vec<Result<Modelled, String>>> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    if v.get("key")?.as_str()? != key {
        return None;
    }
    let rows = v.get("rows")?.as_array()?;
    if rows.len() != n {
        return None;
    }
    let floats = |x: &serde_json::Value| -> Option<Vec<f64>> { x.as_array()?.iter().map(|y| y.as_f64()).collect() };
    let mut out = Vec::new();
    for r in rows {
        if let Some(e) = r.get("error").and_then(|e| e.as_str()) {
            out.push(Err(e.to_string()));
            continue;
        }
        let counts: [f64; NFEAT] = floats(r.get("counts")?)?.try_into().ok()?;
        let extra: [f64; NEXTRA] = floats(r.get("extra")?)?.try_into().ok()?;
        let source = r.get("source").and_then(|p| p.as_str()).unwrap_or("model").to_string();
        let predicted = match (r.get("case").and_then(|c| c.as_str()), r.get("metrics").and_then(floats)) {
            (Some(c), Some(m)) => Ok((c.to_string(), m)),
            _ => Err(r.get("why").and_then(|w| w.as_str()).unwrap_or("unknown").to_string()),
        };
        let partial = r.get("partial").and_then(|p| p.as_str()).map(String::from);
        let analysis = r.get("analysis").and_then(|p| p.as_str()).unwrap_or("").to_string();
        out.push(Ok(Modelled { counts, extra, source, predicted, partial, analysis }));
    }
    Some(out)
}

// ------------------------------------------------------------------ report

/// Below this, a measured count is compared by absolute difference (unseen suite).
const TINY: f64 = 8.0;

/// Relative error, or for the unseen suite and a measured count under
/// `TINY`, the absolute difference over `TINY`.
fn row_err(r: &Row, pred: f64, meas: f64) -> f64 {
    if r.sc.spec.suite == Suite::Unseen && meas < TINY {
        (pred - meas) / TINY
    } else {
        rel_err(pred, meas)
    }
}

fn rel_err(pred: f64, meas: f64) -> f64 {
    if meas == 0.0 {
        if pred == 0.0 {
            0.0
        } else {
            1.0
        }
    } else {
        (pred - meas) / meas
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Statistics of absolute relative errors: (n, median, max, name of the max).
struct Stat {
    n: usize,
    median: f64,
    max: f64,
    worst: String,
}

fn stat(items: &[(f64, String)]) -> Stat {
    let mut v: Vec<f64> = items.iter().map(|(e, _)| e.abs()).collect();
    let (max, worst) = items.iter().map(|(e, n)| (e.abs(), n.clone())).max_by(|a, b| a.0.total_cmp(&b.0)).unwrap_or((f64::NAN, String::new()));
    Stat { n: items.len(), median: median(&mut v), max, worst }
}

/// A prediction of (instructions, reads, writes) for a row, with its measurement.
type PredFn<'a> = dyn Fn(&Row) -> Option<(Measured, [f64; 3])> + 'a;

/// Error series of one kind for rows of one half: instructions, reads,
/// writes, reads+writes.
fn series(rows: &[Row], half: Option<Half>, pred: &PredFn<'_>) -> [Vec<(f64, String)>; 4] {
    let mut out: [Vec<(f64, String)>; 4] = Default::default();
    for r in rows.iter().filter(|r| half.is_none_or(|h| r.sc.half == h)) {
        let Some((m, p)) = pred(r) else { continue };
        let name = format!("{}/{}", r.sc.ws, r.sc.scenario.trim_start_matches("scenario_"));
        out[0].push((row_err(r, p[0], m.ir), name.clone()));
        out[1].push((row_err(r, p[1], m.dr), name.clone()));
        out[2].push((row_err(r, p[2], m.dw), name.clone()));
        out[3].push((row_err(r, p[1] + p[2], m.dr + m.dw), name));
    }
    out
}

fn pct(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{:.1} %", x * 100.0)
    }
}

fn signed_pct(x: f64) -> String {
    format!("{:+.0}%", x * 100.0)
}

fn short(s: &str, n: usize) -> String {
    let s = s.replace('|', "/").replace('`', "'");
    if s.chars().count() <= n {
        s
    } else {
        s.chars().take(n.saturating_sub(1)).collect::<String>() + "…"
    }
}

fn stats_table(out: &mut String, rows: &[Row], pred: &PredFn<'_>) {
    let _ = writeln!(out, "| half | scenarios | metric | median abs. error | max abs. error | worst scenario |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (half, label) in [(Some(Half::Held), "held-back"), (Some(Half::Fit), "fit"), (None, "all")] {
        let s = series(rows, half, pred);
        for (k, name) in ["instructions", "memory reads", "memory writes", "memory ops (reads+writes)"].iter().enumerate() {
            let st = stat(&s[k]);
            let _ = writeln!(out, "| {label} | {} | {name} | {} | {} | {} |", st.n, pct(st.median), pct(st.max), st.worst);
        }
    }
}

fn interface_pred(r: &Row) -> Option<(Measured, [f64; 3])> {
    r.pair().map(|(m, p)| (*m, [p.first().copied().unwrap_or(0.0), p.get(1).copied().unwrap_or(0.0), p.get(2).copied().unwrap_or(0.0)]))
}

/// The cost model applied to the interpreter's feature counts with `t`.
fn model_pred(r: &Row, t: &CostTable) -> Option<[f64; 3]> {
    let Ok(m) = &r.model else { return None };
    let met = t.metrics(&perfi_engine::cost::Counts(m.counts));
    // Machine code brings the analyzed function's own entry cost.
    let entry = if m.source == "machine-code" { [0.0; NMET] } else { t.entry };
    Some([met[0] + entry[0] + m.extra[0], met[1] + entry[1] + m.extra[1], met[2] + entry[2] + m.extra[2]])
}

fn render_report(rows: &[Row], machine: &[(&str, String)], table: &CostTable, suite: Suite) -> String {
    let mut o = String::new();
    match suite {
        Suite::Unseen => {
            let _ = writeln!(o, "\n# Perfi accuracy on code we did not write (unseen-code benchmark)\n");
            let _ = writeln!(o, "Third-party functions used in place (Linux 6.1 `lib/` from Debian's linux-source-6.1, DPDK headers from dpdk-dev), our drivers and shim headers in `accuracy/unseen/`. The cost table was never fitted on these. Fit/held-back halves are listed for symmetry only.\n");
            let _ = writeln!(o, "Counts under {TINY:.0} are compared as absolute differences: the error is |predicted − measured| / {TINY:.0} (a cell shows `±N abs`).\n");
        }
        Suite::Workspaces => {
            let _ = writeln!(o, "\n# Perfi accuracy against valgrind (test workspaces)\n");
        }
    }
    let _ = writeln!(o, "Generated by `make accuracy` (`cargo run --release -p perfi-engine --example accuracy`); do not edit.\n");
    for (k, v) in machine {
        let _ = writeln!(o, "- {k}: {v}");
    }
    let _ = writeln!(o, "- measurement: `valgrind --tool=callgrind --cache-sim=yes --toggle-collect=<function>` (Ir, Dr, Dw of the one measured call, callees included)");
    let _ = writeln!(o, "- prediction: the function's interface (resolution 1, the budgets above) evaluated at the PCV values of the concrete interpreter's run of the same scenario");
    let _ = writeln!(o, "- halves: manifest lines alternate fit (even) / held-back (odd); `make calibrate` fits the cost table on the fit half only\n");

    let _ = writeln!(o, "## Per scenario\n");
    let _ = writeln!(o, "Each cell: predicted / measured (error). Consistency: `!` marks a run whose interface prediction differs from the cost model applied to the interpreter's counts.\n");
    let _ = writeln!(o, "| ws | scenario | function | half | case | instructions | memory reads | memory writes |");
    let _ = writeln!(o, "|---|---|---|---|---|---|---|---|");
    let mut failures = Vec::new();
    let mut inconsistent = 0;
    for r in rows {
        let sc = r.sc.scenario.trim_start_matches("scenario_");
        let head = format!("| {} | {} | {} | {} |", r.sc.ws, sc, r.sc.func, r.sc.half.label());
        match (r.pair(), &r.model) {
            (Some((m, p)), Ok(md)) => {
                let case = md.predicted.as_ref().map(|(c, _)| c.clone()).unwrap_or_default();
                let mp = model_pred(r, table).unwrap_or([f64::NAN; 3]);
                let mut cells = Vec::new();
                for (k, (mi, _)) in MEASURED.iter().enumerate() {
                    let pv = p.get(*mi).copied().unwrap_or(f64::NAN);
                    let mv = m.get(*mi);
                    let flag = if (pv - mp[k]).abs() > 1e-6 {
                        inconsistent += 1;
                        "!"
                    } else {
                        ""
                    };
                    let err = if r.sc.spec.suite == Suite::Unseen && mv < TINY { format!("{:+.0} abs", pv - mv) } else { signed_pct(rel_err(pv, mv)) };
                    cells.push(format!("{pv:.0}{flag} / {mv:.0} ({err})"));
                }
                let partial = if md.partial.is_some() { " (partial interface)" } else { "" };
                let _ = writeln!(o, "{head} {}{partial} | {} |", short(&case, 48), cells.join(" | "));
            }
            _ => {
                let why = r.failure().unwrap_or_default();
                let meas = match &r.measured {
                    Ok(m) => format!("– / {:.0} | – / {:.0} | – / {:.0}", m.ir, m.dr, m.dw),
                    Err(_) => "– | – | –".into(),
                };
                let label = if r.measured.is_err() { "**not measured**" } else { "**not predicted**" };
                let _ = writeln!(o, "{head} {label} | {meas} |");
                failures.push(format!("{}/{}: {}", r.sc.ws, sc, why));
            }
        }
    }
    let predicted = rows.iter().filter(|r| r.pair().is_some()).count();
    let _ = writeln!(o, "\n{} of {} scenarios predicted and measured; {} excluded from the statistics.", predicted, rows.len(), failures.len());
    if inconsistent > 0 {
        let _ = writeln!(o, "\n**{inconsistent} metric values differ between the interface and the cost model on the interpreter's counts (consistency bug).**");
    }
    if !failures.is_empty() {
        let _ = writeln!(o, "\n### Not compared\n");
        for f in &failures {
            let _ = writeln!(o, "- {}", short(f, 300));
        }
    }
    let _ = writeln!(o, "\n## Interfaces\n");
    let _ = writeln!(o, "| ws | function | scenarios compared | costs | analysis |");
    let _ = writeln!(o, "|---|---|---|---|---|");
    let mut seen: Vec<(String, String)> = Vec::new();
    for r in rows {
        let key = (r.sc.ws.clone(), r.sc.func.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let same: Vec<&Row> = rows.iter().filter(|x| x.sc.ws == r.sc.ws && x.sc.func == r.sc.func).collect();
        let ok = same.iter().filter(|x| x.pair().is_some()).count();
        let analysis = same.iter().find_map(|x| x.model.as_ref().ok().map(|m| m.analysis.clone())).unwrap_or_else(|| "–".into());
        let source = same.iter().find_map(|x| x.model.as_ref().ok().map(|m| m.source.clone())).unwrap_or_else(|| "–".into());
        let _ = writeln!(o, "| {} | {} | {ok} of {} | {source} | {} |", r.sc.ws, r.sc.func, same.len(), analysis);
    }
    let sources: std::collections::BTreeSet<&str> = rows.iter().filter_map(|r| r.model.as_ref().ok().map(|m| m.source.as_str())).collect();
    let label = if sources.contains("machine-code") { "costs from the machine code where the function was found in the object, else the model" } else { "IR cost model" };
    let _ = writeln!(o, "\n## Statistics (interface predictions, {label})\n");
    stats_table(&mut o, rows, &interface_pred);
    if rows.iter().any(|r| r.model_only.is_some()) {
        let _ = writeln!(o, "\n## Statistics (interface predictions, IR cost model only, for comparison)\n");
        let only = |r: &Row| -> Option<(Measured, [f64; 3])> {
            let m = r.measured.as_ref().ok()?;
            let Some(Ok(Modelled { predicted: Ok((_, p)), .. })) = &r.model_only else { return None };
            Some((*m, [p.first().copied()?, p.get(1).copied()?, p.get(2).copied()?]))
        };
        stats_table(&mut o, rows, &only);
    }
    // The cost model on the interpreter's counts covers scenarios whose
    // path is not in the interface too.
    let model_rows = rows.iter().filter(|r| r.measured.is_ok() && r.model.is_ok()).count();
    if model_rows > predicted {
        let _ = writeln!(o, "\nCost model on the interpreter's feature counts ({model_rows} scenarios, including those without an interface prediction):\n");
        let mp = |r: &Row| -> Option<(Measured, [f64; 3])> { Some((*r.measured.as_ref().ok()?, model_pred(r, table)?)) };
        stats_table(&mut o, rows, &mp);
    }
    lines_section(&mut o, rows);
    let _ = writeln!(o, "\n## Cost table in use\n");
    let _ = writeln!(o, "{}", render_table_md(table));
    o
}

fn render_table_md(t: &CostTable) -> String {
    let mut o = String::new();
    let names: Vec<String> = FEATURES.iter().map(|f| format!("{f:?}")).collect();
    let _ = writeln!(o, "| metric | {} | entry |", names.join(" | "));
    let _ = writeln!(o, "|---|{}---|", "---|".repeat(NFEAT));
    for (mi, label) in MEASURED {
        let w: Vec<String> = t.weights[mi].iter().map(|x| format!("{x:.3}")).collect();
        let _ = writeln!(o, "| {label} | {} | {:.3} |", w.join(" | "), t.entry[mi]);
    }
    o
}

// ------------------------------------------------------------- calibration

/// Lawson–Hanson active-set non-negative least squares: min ||A x - b||²
/// subject to x ≥ 0. `a` is row-major with `n` columns. Subproblems are
/// solved by the normal equations (the ridge rows keep them well posed).
fn nnls(a: &[Vec<f64>], b: &[f64], n: usize) -> Vec<f64> {
    let tol = 1e-10;
    let mut x = vec![0.0; n];
    let mut passive = vec![false; n];
    let grad = |x: &[f64]| -> Vec<f64> {
        let mut w = vec![0.0; n];
        for (row, bi) in a.iter().zip(b) {
            let r = bi - row.iter().zip(x).map(|(p, q)| p * q).sum::<f64>();
            for j in 0..n {
                w[j] += row[j] * r;
            }
        }
        w
    };
    for _outer in 0..(3 * n + 10) {
        let w = grad(&x);
        let Some((t, wt)) = (0..n).filter(|j| !passive[*j]).map(|j| (j, w[j])).max_by(|p, q| p.1.total_cmp(&q.1)) else { break };
        if wt <= tol {
            break;
        }
        passive[t] = true;
        for _inner in 0..(3 * n + 10) {
            let idx: Vec<usize> = (0..n).filter(|j| passive[*j]).collect();
            let z = lstsq(a, b, &idx);
            let mut s = vec![0.0; n];
            for (k, j) in idx.iter().enumerate() {
                s[*j] = z[k];
            }
            if idx.iter().all(|j| s[*j] > tol) {
                x = s;
                break;
            }
            let mut alpha = 1.0f64;
            for j in &idx {
                if s[*j] <= tol {
                    let d = x[*j] - s[*j];
                    if d > 0.0 {
                        alpha = alpha.min(x[*j] / d);
                    }
                }
            }
            for j in 0..n {
                x[j] += alpha * (s[j] - x[j]);
                if passive[j] && x[j] <= tol {
                    passive[j] = false;
                    x[j] = 0.0;
                }
            }
        }
    }
    x
}

/// Least squares on the columns `idx` of `a` (normal equations, Gaussian
/// elimination with partial pivoting).
fn lstsq(a: &[Vec<f64>], b: &[f64], idx: &[usize]) -> Vec<f64> {
    let k = idx.len();
    let mut m = vec![vec![0.0; k + 1]; k];
    for (row, bi) in a.iter().zip(b) {
        for p in 0..k {
            let rp = row[idx[p]];
            if rp == 0.0 {
                continue;
            }
            for q in 0..k {
                m[p][q] += rp * row[idx[q]];
            }
            m[p][k] += rp * bi;
        }
    }
    for c in 0..k {
        let piv = (c..k).max_by(|p, q| m[*p][c].abs().total_cmp(&m[*q][c].abs())).unwrap_or(c);
        m.swap(c, piv);
        let d = m[c][c];
        if d.abs() < 1e-300 {
            continue;
        }
        for r in 0..k {
            if r != c {
                let f = m[r][c] / d;
                if f != 0.0 {
                    for q in c..=k {
                        m[r][q] -= f * m[c][q];
                    }
                }
            }
        }
    }
    (0..k).map(|c| if m[c][c].abs() < 1e-300 { 0.0 } else { m[c][k] / m[c][c] }).collect()
}

/// The rows of one metric: (features + 1 for the entry constant, target),
/// both divided by the measurement, so residuals are relative errors.
fn design(rows: &[&Row], metric: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut a0 = Vec::new();
    let mut b0 = Vec::new();
    for r in rows {
        let (Ok(m), Ok(md)) = (&r.measured, &r.model) else { continue };
        let y = m.get(metric) - md.extra[metric];
        let s = 1.0 / m.get(metric).max(1.0);
        let mut row: Vec<f64> = md.counts.iter().map(|c| c * s).collect();
        row.push(s);
        a0.push(row);
        b0.push(y * s);
    }
    (a0, b0)
}

/// Fit one metric row: minimizes the sum of absolute relative errors (the
/// statistic reported is a median, and a few scenarios are far off for
/// reasons no weight can fix) plus `ridge`·‖w − prior‖², by iteratively
/// reweighted least squares, each step a non-negative least squares.
fn fit_row(a0: &[Vec<f64>], b0: &[f64], prior: &[f64], ridge: f64, allowed: &[bool], lower: &[f64]) -> Vec<f64> {
    // Only the allowed columns (and the entry constant, last) are fitted.
    let cols: Vec<usize> = (0..prior.len()).filter(|j| allowed.get(*j).copied().unwrap_or(true)).collect();
    // Weights w = lower + v with v ≥ 0: the fit sees the targets minus
    // what the lower bounds already explain.
    let lb: Vec<f64> = cols.iter().map(|j| lower.get(*j).copied().unwrap_or(0.0)).collect();
    let a0: Vec<Vec<f64>> = a0.iter().map(|r| cols.iter().map(|j| r[*j]).collect()).collect();
    let b0: Vec<f64> = a0.iter().zip(b0).map(|(r, b)| b - r.iter().zip(&lb).map(|(x, l)| x * l).sum::<f64>()).collect();
    let prior_full = prior;
    let prior: Vec<f64> = cols.iter().zip(&lb).map(|(j, l)| (prior_full[*j] - l).max(0.0)).collect();
    let x = fit_cols(&a0, &b0, &prior, ridge);
    let mut full = vec![0.0; prior_full.len()];
    for (k, j) in cols.iter().enumerate() {
        full[*j] = x[k] + lb[k];
    }
    full
}

fn fit_cols(a0: &[Vec<f64>], b0: &[f64], prior: &[f64], ridge: f64) -> Vec<f64> {
    let n = prior.len();
    let mut u: Vec<f64> = vec![1.0; a0.len()];
    // Rows the model cannot explain at all (relative error above
    // `OUTLIER` after a first fit) are dropped for the second: they are
    // high-leverage (large counts), so even an L1 fit bends toward them.
    let mut keep = vec![true; a0.len()];
    let mut x = prior.to_vec();
    for step in 0..2 * IRLS_STEPS {
        if step == IRLS_STEPS {
            for (i, (row, bi)) in a0.iter().zip(b0).enumerate() {
                let r: f64 = row.iter().zip(&x).map(|(p, q)| p * q).sum::<f64>() - bi;
                keep[i] = r.abs() <= OUTLIER;
                u[i] = 1.0;
            }
        }
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (((row, bi), ui), kp) in a0.iter().zip(b0).zip(&u).zip(&keep) {
            if !kp {
                continue;
            }
            let k = ui.sqrt();
            a.push(row.iter().map(|v| v * k).collect::<Vec<f64>>());
            b.push(bi * k);
        }
        let l = ridge.sqrt();
        for (j, pj) in prior.iter().enumerate() {
            let mut row = vec![0.0; n];
            row[j] = l;
            a.push(row);
            b.push(l * pj);
        }
        x = nnls(&a, &b, n);
        for (i, (row, bi)) in a0.iter().zip(b0).enumerate() {
            let r: f64 = row.iter().zip(&x).map(|(p, q)| p * q).sum::<f64>() - bi;
            u[i] = 1.0 / r.abs().max(IRLS_FLOOR);
        }
    }
    x
}

/// Fit metric row `k` of `PRIOR`/`ALLOWED`/`LOWER` (row `mi` of the table)
/// on the design (`a0`, `b0`) and write it into `t`, rounded to 3
/// decimals. The ridge is the strongest pull among `ridges` whose
/// cross-validated error is within `CV_SLACK` of the best (a "one standard
/// error" rule: weights stay closer to one instruction per operation
/// unless the data insist). Returns the cross-validated error per ridge
/// and the ridge chosen.
fn fit_metric(t: &mut CostTable, k: usize, mi: usize, a0: &[Vec<f64>], b0: &[f64], ridges: &[f64]) -> (Vec<(f64, f64)>, f64) {
    let prior = PRIOR[k].to_vec();
    let scores: Vec<(f64, f64)> = ridges.iter().map(|l| (*l, cv_score(a0, b0, &prior, *l, &ALLOWED[k], &LOWER[k]))).collect();
    let min = scores.iter().map(|q| q.1).fold(f64::INFINITY, f64::min);
    let best = scores.iter().filter(|q| q.1 <= min + CV_SLACK).map(|q| q.0).fold(ridges[0], f64::max);
    let w = fit_row(a0, b0, &prior, best, &ALLOWED[k], &LOWER[k]);
    for f in 0..NFEAT {
        t.weights[mi][f] = round3(w[f]);
    }
    t.entry[mi] = round3(w[NFEAT]);
    (scores, best)
}

/// Median absolute relative error of `ridge` under k-fold cross-validation
/// (row i is in fold i mod k).
fn cv_score(a0: &[Vec<f64>], b0: &[f64], prior: &[f64], ridge: f64, allowed: &[bool], lower: &[f64]) -> f64 {
    let mut errs = Vec::new();
    for k in 0..CV_FOLDS {
        let (mut ta, mut tb) = (Vec::new(), Vec::new());
        for (i, (row, bi)) in a0.iter().zip(b0).enumerate() {
            if i % CV_FOLDS != k {
                ta.push(row.clone());
                tb.push(*bi);
            }
        }
        let x = fit_row(&ta, &tb, prior, ridge, allowed, lower);
        for (i, (row, bi)) in a0.iter().zip(b0).enumerate() {
            if i % CV_FOLDS == k {
                // Relative residual of the row (the target is y/y = 1
                // unless extra metrics were subtracted).
                let r: f64 = row.iter().zip(&x).map(|(p, q)| p * q).sum::<f64>() - bi;
                errs.push(r.abs());
            }
        }
    }
    median(&mut errs)
}

fn calibrate(root: &Path, rows: &[Row], old: &CostTable, machine: &[(&str, String)]) -> Result<(), String> {
    let fit_rows: Vec<&Row> = rows.iter().filter(|r| r.sc.half == Half::Fit && r.measured.is_ok() && r.model.is_ok()).collect();
    if fit_rows.len() < 2 * CV_FOLDS {
        return Err(format!("only {} usable scenarios in the fit half; not calibrating", fit_rows.len()));
    }
    let mut new = old.clone();
    let mut notes = Vec::new();
    println!("\n## Calibration\n");
    println!(
        "Fitted on {} scenarios of the fit half: least absolute relative error (IRLS, {IRLS_STEPS} steps of non-negative least squares) with a ridge pull toward the hand-set prior; the ridge is chosen per metric by {CV_FOLDS}-fold cross-validation inside the fit half.\n",
        fit_rows.len()
    );
    for (k, (mi, label)) in MEASURED.iter().enumerate() {
        let (a0, b0) = design(&fit_rows, *mi);
        let (scores, best) = fit_metric(&mut new, k, *mi, &a0, &b0, &RIDGES);
        println!(
            "- {label}: cross-validated median error by ridge: {}; chosen {best}",
            scores.iter().map(|(l, e)| format!("{l}: {}", pct(*e))).collect::<Vec<_>>().join(", ")
        );
        notes.push(format!("{label} {best}"));
    }
    println!("\nPrevious table:\n\n{}", render_table_md(old));
    println!("Fitted table:\n\n{}", render_table_md(&new));
    println!("Cost model on the interpreter's counts, previous table:\n");
    let mut s = String::new();
    let with = |t: &CostTable| {
        let t = t.clone();
        move |r: &Row| -> Option<(Measured, [f64; 3])> { Some((*r.measured.as_ref().ok()?, model_pred(r, &t)?)) }
    };
    stats_table(&mut s, rows, &with(old));
    println!("{s}\nCost model on the interpreter's counts, fitted table:\n");
    let mut s = String::new();
    stats_table(&mut s, rows, &with(&new));
    println!("{s}");
    let path = root.join("analysis-engine/src/cost_table.rs");
    let machine_line = machine.iter().find(|(k, _)| *k == "machine").map(|(_, v)| v.clone()).unwrap_or_default();
    let tools: Vec<String> = machine.iter().filter(|(k, _)| *k == "valgrind" || *k == "gcc").map(|(_, v)| v.clone()).collect();
    let header = vec![
        "The instruction, memory-read and memory-write rows and their entry".to_string(),
        "constants are fitted from the concrete interpreter's feature counts to".to_string(),
        "valgrind counts (callgrind --cache-sim=yes: Ir, Dr, Dw) of gcc -O2 drivers,".to_string(),
        format!("on the fit half ({} scenarios) of accuracy/drivers/manifest.txt: least", fit_rows.len()),
        "absolute relative error (IRLS over non-negative least squares), with a".to_string(),
        "ridge pull toward the hand-set prior (one x86-64 instruction per".to_string(),
        format!("operation) chosen by cross-validation in the fit half ({}).", notes.join(", ")),
        "Weights are bounded below by what the instructions physically cost".to_string(),
        "(`LOWER` in accuracy.rs: branch, division, switch, external call, word".to_string(),
        "copy, the function's own `ret`); calls and returns of analyzed callees".to_string(),
        "weigh no instruction (gcc inlines static helpers).".to_string(),
        "Weights are rounded to 3 decimals. The other rows are hand-set.".to_string(),
        String::new(),
        format!("Calibrated {} on {machine_line};", today()),
        format!("{}.", tools.join(", ")),
    ];
    let text = render_cost_table(&new, &header);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}; run `make accuracy` to measure the held-back half with it.", path.display());
    Ok(())
}

fn round3(x: f64) -> f64 {
    let r = (x * 1000.0).round() / 1000.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn fmt_w(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

/// `cost_table.rs`: `header` (what the table was fitted on, how, when)
/// as doc comments, then the weights.
fn render_cost_table(t: &CostTable, header: &[String]) -> String {
    let labels = ["instructions", "memory reads", "memory writes", "branches", "multiplies", "divides", "calls"];
    let mut o = String::new();
    let _ = writeln!(o, "//! The cost table: metric weights per feature. Generated by `make fit-model`");
    let _ = writeln!(o, "//! or `make calibrate` (analysis-engine/examples/accuracy.rs); see");
    let _ = writeln!(o, "//! accuracy/README.md.");
    let _ = writeln!(o, "//!");
    for l in header {
        if l.is_empty() {
            let _ = writeln!(o, "//!");
        } else {
            let _ = writeln!(o, "//! {l}");
        }
    }
    let _ = writeln!(o, "//!");
    let _ = writeln!(o, "//! Feature order: Alu, Mul, Div, DivConst, Load, Store, Move, Cast, Lea,");
    let _ = writeln!(o, "//! Branch, Switch, Call, Ret, CopyWord, ExternCall, FwdLoad, SavedReg,");
    let _ = writeln!(o, "//! StackFrame, Cmp, LibLoop.");
    let _ = writeln!(o, "//! Metric order: instructions, memory reads, memory writes, branches,");
    let _ = writeln!(o, "//! multiplies, divides, calls.");
    let _ = writeln!(o);
    let _ = writeln!(o, "use crate::cost::{{CostTable, NFEAT, NMET}};");
    let _ = writeln!(o);
    let _ = writeln!(o, "pub fn table() -> CostTable {{");
    let _ = writeln!(o, "    let weights: [[f64; NFEAT]; NMET] = [");
    for (mi, row) in t.weights.iter().enumerate() {
        let _ = writeln!(o, "        // {}", labels.get(mi).copied().unwrap_or("metric"));
        let _ = writeln!(o, "        [{}],", row.iter().map(|x| fmt_w(*x)).collect::<Vec<_>>().join(", "));
    }
    let _ = writeln!(o, "    ];");
    let _ = writeln!(o, "    let entry: [f64; NMET] = [{}];", t.entry.iter().map(|x| fmt_w(*x)).collect::<Vec<_>>().join(", "));
    let _ = writeln!(o, "    CostTable {{ weights, entry }}");
    let _ = writeln!(o, "}}");
    o
}

/// Predicted `cache_lines` (index after the metrics, cycles warm and cold).
const LINES_INDEX: usize = NMET + 2;

fn lines_section(o: &mut String, rows: &[Row]) {
    let _ = writeln!(o, "\n## Distinct cache lines (lackey)\n");
    let _ = writeln!(o, "Measured: distinct 64-byte lines of the data accesses (loads, stores, read-modify-writes; stack included) from the call of the measured function to the return to its call site, in `valgrind --tool=lackey --trace-mem=yes` of a non-PIE link. Predicted: the case's `cache_lines` (objects assumed line-aligned) at the interpreter's PCV values.\n");
    let _ = writeln!(o, "| ws | scenario | function | predicted | measured | error |");
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    let mut errs: Vec<f64> = Vec::new();
    let mut skipped = Vec::new();
    for r in rows {
        let sc = r.sc.scenario.trim_start_matches("scenario_");
        let pred = match &r.model {
            Ok(Modelled { predicted: Ok((_, p)), .. }) => p.get(LINES_INDEX).copied(),
            _ => None,
        };
        match (pred, &r.lines) {
            (Some(p), Ok(m)) => {
                let e = row_err(r, p, *m);
                errs.push(e.abs());
                let _ = writeln!(o, "| {} | {sc} | {} | {p:.1} | {m:.0} | {} |", r.sc.ws, r.sc.func, signed_pct(e));
            }
            (_, Err(e)) => skipped.push(format!("{}/{sc}: not traced: {e}", r.sc.ws)),
            (None, Ok(m)) => skipped.push(format!("{}/{sc}: measured {m:.0} lines, no prediction", r.sc.ws)),
        }
    }
    if errs.is_empty() {
        let _ = writeln!(o, "\nNo scenario both traced and predicted.");
    } else {
        let n = errs.len();
        let max = errs.iter().cloned().fold(0.0, f64::max);
        let within = errs.iter().filter(|e| **e <= 0.25).count();
        let med = median(&mut errs);
        let _ = writeln!(o, "\n{n} scenarios compared: median abs. error {}, max {}, {within} within 25 %.", pct(med), pct(max));
    }
    if !skipped.is_empty() {
        let _ = writeln!(o, "\nNot compared:\n");
        for s in skipped {
            let _ = writeln!(o, "- {}", short(&s, 300));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A callgrind file of our own making: the driver (`/bin/drv`) calls
    /// `measured`, which calls an IFUNC variant of a library function
    /// twice and a function of its own object once; the library function
    /// calls another library function.
    const OUT: &str = "version: 1
cmd:  /bin/drv scenario
positions: line
events: Ir Dr Dw
summary: 100 20 5

ob=(1) /lib/libc.so.6
fl=(1) lib.c
fn=(10) __thing_avx2
3 30 4
cfn=(11) helper_in_libc
calls=2 0
0 10 2

ob=(2) /bin/drv
fl=(2) drv.c
fn=(20) _start
cob=(1)
cfn=(12) __libc_start_main@@GLIBC_2.34
calls=1 0
0 100 20 5
fn=(21) measured
1 20 2 1
cob=(1)
cfn=(10)
calls=2 0
0 40 6
cfn=(22) local_helper
calls=1 0
0 9 1

totals: 100 20 5
";

    #[test]
    fn library_calls_are_the_measured_calls_into_other_objects() {
        let lib = library_calls(OUT).expect("parses");
        // The call that leads to the measured one (all of the cost), the
        // call inside the library and the call within the driver are not
        // library calls of the measured function.
        assert_eq!(lib.len(), 1, "{lib:?}");
        assert_eq!(lib.get("__thing_avx2"), Some(&(2.0, 40.0)));
        let unknown = HashMap::from([("thing".to_string(), 2u64), ("other".to_string(), 1u64)]);
        let prices = library_prices(&unknown, &lib);
        assert_eq!(prices.get("thing"), Some(&20.0), "IFUNC variant priced as the called name");
        assert!(!prices.contains_key("other"), "an unmeasured callee keeps no price");
        let cache = "k 100 20 5\nlib __thing_avx2 2 40\n";
        let (m, l) = read_measure_cache(cache, "k").expect("cache reads");
        assert_eq!((m.ir, l), (100.0, lib));
    }
}
