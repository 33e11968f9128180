//! `--fit-static` (`make fit-model`): the cost table fitted on the static
//! machine code of third-party projects, with a leave-one-project-out
//! report (issue 14).
//!
//! For every function of every compiled file of each project, gcc -O2's
//! static counts of its symbol (instructions, memory reads, memory writes
//! of every instruction once, as `machine::attribute` decodes them) are
//! set against the static feature counts of its IR (every reachable
//! block's `cost::own_counts` once (what gcc emits in the function: not
//! the work of a library routine that replaces a loop), its exit
//! `cost::exit_counts`, one
//! `Call` per call of a function with IR and one `ExternCall` per other
//! call). A weight fitted on these is a cost per executed feature, the
//! same unit the explorer multiplies by how often a feature runs.
//!
//! Callees gcc inlined are in the caller's symbol: their instances
//! (DWARF `DW_TAG_inlined_subroutine`, counted per symbol by
//! `machine::lines`) add the callee's body features once per instance. A
//! function with an inlined callee that has no IR (a header helper that
//! was not lowered, an assembly wrapper) is left out: its code has no
//! counterpart in the features.
//!
//! Third-party code is compiled where it is installed, never copied
//! (DPDK's inline header functions through our own extern wrappers,
//! `accuracy/fit/dpdk_fit_wrap.c`). The files of the unseen benchmark
//! (`accuracy/unseen/workspaces.txt`) are excluded, and its DPDK
//! functions are not wrapped, so that benchmark stays held out.

use super::*;
use perfi_engine::cost::{self, exit_counts, Counts, Feature};
use perfi_engine::ir::{Function, InstKind};
use perfi_engine::machine::attribute::SymbolLines;
use perfi_engine::machine::{I_INSTR, I_READS, I_WRITES};
use perfi_engine::workspace::{compile_flags, compile_flags_from_db, CompileFlags};

/// Ridge strengths tried: the data term sums over hundreds of functions
/// (against 50 scenarios for `make calibrate`), so stronger pulls are
/// tried too; cross-validation chooses as for `RIDGES`.
const STATIC_RIDGES: [f64; 7] = [1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0, 10.0];

/// One compiled file: gcc arguments beyond `-O2 -g -c` and the engine's
/// flags (the same include paths, defines and forced includes).
struct Unit {
    path: PathBuf,
    gcc: Vec<String>,
    engine: CompileFlags,
}

struct Project {
    name: String,
    units: Vec<Unit>,
}

/// One function: static feature counts and static machine counts.
#[derive(Clone)]
pub struct FnRow {
    project: String,
    /// `file:function`, and how many inlined instances it has (`--verbose` dump).
    name: String,
    inlined: usize,
    feats: Vec<f64>,
    meas: [f64; 3],
}

/// Why functions were left out, with counts (reported).
#[derive(Default)]
struct Skips(BTreeMap<String, usize>);

impl Skips {
    fn add(&mut self, why: &str) {
        *self.0.entry(why.to_string()).or_default() += 1;
    }
}

fn cache_home() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d);
    }
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".")).join(".cache")
}

/// The projects found on this machine (a missing one is skipped, and said).
fn projects(root: &Path) -> Vec<Project> {
    let mut out = Vec::new();
    out.push(Project { name: "test-workspaces".into(), units: workspace_units(root) });
    out.push(Project { name: "linux-lib".into(), units: db_units(&cache_home().join("perfi/realworld/kernel-lib/compile_commands.json")) });
    if let Some(ts) = tree_sitter_dir() {
        let src = ts.join("src");
        let gcc = vec![format!("-I{}", src.display()), format!("-I{}", ts.join("include").display()), "-std=gnu11".to_string()];
        // lib.c includes every other file (one object of all); wasm_store.c
        // needs wasmtime's headers.
        let files = files_with_ext(&src, "c").into_iter().filter(|p| !p.ends_with("lib.c") && !p.ends_with("wasm_store.c"));
        out.push(Project { name: "tree-sitter".into(), units: files.map(|p| unit_with(p, &gcc)).collect() });
    }
    for (name, dir) in [("zlib-examples", "/usr/share/doc/zlib1g-dev/examples"), ("nettle-examples", "/usr/share/doc/nettle-dev/examples")] {
        let dir = PathBuf::from(dir);
        let gcc = vec![format!("-I{}", dir.display())];
        out.push(Project { name: name.into(), units: files_with_ext(&dir, "c").into_iter().map(|p| unit_with(p, &gcc)).collect() });
    }
    // DPDK's functions are static inline in its headers: our own file of
    // one-line extern wrappers (accuracy/fit/dpdk_fit_wrap.c) gives each a
    // symbol. The flags are `pkg-config --cflags libdpdk`'s (the forced
    // include by its full path, for the engine); ALLOW_EXPERIMENTAL_API as
    // users of the experimental helpers set it. The unseen benchmark's
    // DPDK functions are not wrapped there.
    if Path::new("/usr/include/dpdk").is_dir() {
        let gcc: Vec<String> = [
            "-include",
            "/usr/include/x86_64-linux-gnu/dpdk/rte_config.h",
            "-march=corei7",
            "-I/usr/include/dpdk",
            "-I/usr/include/x86_64-linux-gnu/dpdk",
            "-DALLOW_EXPERIMENTAL_API",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        out.push(Project { name: "dpdk-wrappers".into(), units: vec![unit_with(root.join("accuracy/fit/dpdk_fit_wrap.c"), &gcc)] });
    } else {
        eprintln!("fit-static: project dpdk-wrappers skipped: /usr/include/dpdk not found (Debian's dpdk-dev)");
    }
    out.retain(|p| {
        if p.units.is_empty() {
            eprintln!("fit-static: project {} not found on this machine; skipped", p.name);
        }
        !p.units.is_empty()
    });
    out
}

/// A file compiled with `gcc` (`-I`, `-D`, `-std`, `-include` and code
/// generation flags such as `-march` given), the engine reading the same
/// flags (it ignores code generation flags).
fn unit_with(path: PathBuf, gcc: &[String]) -> Unit {
    let engine = perfi_engine::workspace::parse_args(gcc, Path::new("/"));
    Unit { path, gcc: gcc.to_vec(), engine }
}

/// tree-sitter's C runtime, as cargo unpacked it for this build (the
/// newest version in the registry).
fn tree_sitter_dir() -> Option<PathBuf> {
    let cargo = std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".cargo"));
    let mut found: Vec<PathBuf> = Vec::new();
    for reg in std::fs::read_dir(cargo.join("registry/src")).into_iter().flatten().filter_map(|e| e.ok()) {
        for e in std::fs::read_dir(reg.path()).into_iter().flatten().filter_map(|e| e.ok()) {
            let name = e.file_name().to_string_lossy().to_string();
            if name.strip_prefix("tree-sitter-").is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit())) && e.path().join("src/parser.c").exists() {
                found.push(e.path());
            }
        }
    }
    found.sort();
    found.pop()
}

/// The test workspaces' `.c` files, with their own compile flags.
fn workspace_units(root: &Path) -> Vec<Unit> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("test-workspaces")).into_iter().flatten().filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    let mut out = Vec::new();
    for d in dirs {
        for p in files_with_ext(&d, "c") {
            let gcc = perfi_engine::machine::compile::flags_for(&p).unwrap_or_default();
            let engine = compile_flags(&p);
            out.push(Unit { path: p, gcc, engine });
        }
    }
    out
}

/// The entries of a `compile_commands.json` (the kernel's lib/ as the
/// realworld harness compiles it), minus the unseen benchmark's files.
fn db_units(db: &Path) -> Vec<Unit> {
    let Ok(text) = std::fs::read_to_string(db) else { return vec![] };
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
    let mut out = Vec::new();
    for e in &entries {
        let dir = PathBuf::from(e.get("directory").and_then(|d| d.as_str()).unwrap_or("."));
        let Some(file) = e.get("file").and_then(|f| f.as_str()).map(|f| dir.join(f)) else { continue };
        let args: Vec<String> = e.get("arguments").and_then(|a| a.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
        out.push(Unit { gcc: gcc_args(&args, &dir), engine: compile_flags_from_db(db, &file), path: file });
    }
    out
}

/// A database command as arguments for `machine::compile`: without the
/// compiler, `-c`, `-o FILE` and the source; relative paths made absolute
/// (the compiler runs in a temporary directory).
fn gcc_args(args: &[String], dir: &Path) -> Vec<String> {
    const WITH_PATH: [&str; 5] = ["-I", "-isystem", "-include", "-idirafter", "-iquote"];
    let mut out = Vec::new();
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "-o" {
            it.next();
        } else if WITH_PATH.contains(&a.as_str()) {
            if let Some(v) = it.next() {
                out.push(a.clone());
                out.push(dir.join(v).display().to_string());
            }
        } else if let Some(v) = a.strip_prefix("-I") {
            out.push(format!("-I{}", dir.join(v).display()));
        } else if a.starts_with('-') && a != "-c" {
            out.push(a.clone());
        }
        // Anything else is a source file.
    }
    out
}

/// Blocks reachable from the entry (gcc drops the others).
fn reachable(f: &Function) -> Vec<bool> {
    let mut seen = vec![false; f.blocks.len()];
    for b in perfi_engine::loops::reverse_postorder(f) {
        seen[b] = true;
    }
    seen
}

/// A function's body as its symbol holds it once: every reachable block
/// (without the library routines that replace loops, which are not in it),
/// one `Call` per call of a function with IR, one `ExternCall` per other
/// call (builtins are expanded in place).
fn body_counts(f: &Function, has_ir: &dyn Fn(&str) -> bool) -> Counts {
    let mut c = Counts::default();
    for (b, live) in f.blocks.iter().zip(reachable(f)) {
        if !live {
            continue;
        }
        c.plus(&cost::own_counts(b));
        for i in &b.insts {
            if let InstKind::Call { callee, target, .. } = &i.kind {
                if target.is_none() && has_ir(callee) {
                    c.add(Feature::Call, 1.0);
                } else if !callee.starts_with("__builtin") {
                    c.add(Feature::ExternCall, 1.0);
                }
            }
        }
    }
    c
}

/// Static machine counts of a symbol: instructions, reads, writes.
fn symbol_counts(s: &SymbolLines) -> [f64; 3] {
    let mut m = s.unlined;
    for v in s.lines.values() {
        m.add(v);
    }
    [m.0[I_INSTR], m.0[I_READS], m.0[I_WRITES]]
}

/// The rows of one compiled file.
fn unit_rows(project: &str, u: &Unit, excluded: &[PathBuf], skips: &mut Skips) -> Vec<FnRow> {
    let mut flags: Vec<String> = GCC_FLAGS.iter().map(|s| s.to_string()).collect();
    flags.extend(u.gcc.iter().cloned());
    let mc = match MachineCosts::compile(Input::File(&u.path), &flags, Limits { timeout: std::time::Duration::from_secs(60), ..Limits::default() }) {
        Ok(m) => m,
        Err(_) => {
            skips.add("file does not compile in user space");
            return vec![];
        }
    };
    let prog = match Program::load_files(&[u.path.clone()], u.engine.clone()) {
        Ok(p) => p,
        Err(_) => {
            skips.add("file not loaded by the engine");
            return vec![];
        }
    };
    let Some(fa) = prog.files.first() else { return vec![] };
    let table = prog.table_for(&fa.path);
    let has_ir = |n: &str| table.contains_key(n);
    let mut out = Vec::new();
    for l in &fa.functions {
        let Ok(f) = &l.ir else {
            skips.add("not lowered");
            continue;
        };
        if excluded.iter().any(|x| same_file(Path::new(&f.file), x)) {
            skips.add("in the unseen benchmark");
            continue;
        }
        let Some(sym) = mc.symbols.get(&f.name) else {
            skips.add("no symbol (inlined everywhere or dropped)");
            continue;
        };
        let mut c = body_counts(f, &has_ir);
        c.plus(&exit_counts(f));
        let mut complete = true;
        for (g, n) in &sym.inlined {
            match table.get(g) {
                Some(gf) => {
                    let b = body_counts(gf, &has_ir);
                    for (x, y) in c.0.iter_mut().zip(b.0.iter()) {
                        *x += *n as f64 * y;
                    }
                }
                None => complete = false,
            }
        }
        if !complete {
            skips.add("an inlined callee has no IR");
            continue;
        }
        let name = format!("{}:{}", u.path.file_name().map(|x| x.to_string_lossy().to_string()).unwrap_or_default(), f.name);
        out.push(FnRow { project: project.to_string(), name, inlined: sym.inlined.values().map(|n| *n as usize).sum(), feats: c.0.to_vec(), meas: symbol_counts(sym) });
    }
    out
}

/// Every project's rows (files compiled and lowered on all cores).
fn collect(root: &Path, verbose: bool) -> (Vec<FnRow>, Vec<(String, usize, usize)>, Skips) {
    let excluded: Vec<PathBuf> = read_unseen_specs(root).map(|s| s.iter().flat_map(|w| w.sources.iter().cloned()).collect()).unwrap_or_default();
    // Header-only projects of the unseen benchmark: their headers' functions.
    let excluded_headers: Vec<PathBuf> = ["rte_jhash.h", "rte_ip.h", "rte_thash.h"].iter().map(|h| PathBuf::from("/usr/include/dpdk").join(h)).collect();
    let excluded: Vec<PathBuf> = excluded.into_iter().chain(excluded_headers).collect();
    let mut rows = Vec::new();
    let mut per = Vec::new();
    let mut skips = Skips::default();
    for p in projects(root) {
        let units: Vec<&Unit> = p.units.iter().filter(|u| !excluded.iter().any(|x| same_file(&u.path, x))).collect();
        let results: Vec<(Vec<FnRow>, Skips)> = on_cores(&units, |u| {
            let mut s = Skips::default();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unit_rows(&p.name, u, &excluded, &mut s))).unwrap_or_else(|_| {
                s.add("engine panicked");
                vec![]
            });
            if verbose {
                eprintln!("fit-static: {} {}: {} functions", p.name, u.path.display(), r.len());
            }
            (r, s)
        });
        let mut n = 0;
        for (r, s) in results {
            n += r.len();
            rows.extend(r);
            for (k, v) in s.0 {
                *skips.0.entry(k).or_default() += v;
            }
        }
        per.push((p.name.clone(), units.len(), n));
    }
    (rows, per, skips)
}

/// `f` over `items` on all cores, results in order.
fn on_cores<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..cores {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(it) = items.get(i) else { break };
                // The engine needs deep stacks on real code: run each file
                // on a thread of its own with 256 MB, as the CLI does.
                let r = std::thread::scope(|s2| std::thread::Builder::new().stack_size(256 << 20).spawn_scoped(s2, || f(it)).ok().and_then(|h| h.join().ok()));
                if let (Some(r), Ok(mut o)) = (r, out.lock()) {
                    o[i] = Some(r);
                }
            });
        }
    });
    out.into_inner().unwrap_or_default().into_iter().flatten().collect()
}

/// Relative error of a static count; counts under `TINY` by absolute
/// difference over `TINY` (a 3-instruction getter off by one is not 33 %).
fn static_err(pred: f64, meas: f64) -> f64 {
    (pred - meas) / meas.max(TINY)
}

/// The rows of one metric for `fit_row`, scaled so residuals are
/// `static_err`.
fn static_design(rows: &[&FnRow], k: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut a0 = Vec::new();
    let mut b0 = Vec::new();
    for r in rows {
        let s = 1.0 / r.meas[k].max(TINY);
        let mut row: Vec<f64> = r.feats.iter().map(|c| c * s).collect();
        row.push(s);
        a0.push(row);
        b0.push(r.meas[k] * s);
    }
    (a0, b0)
}

/// Fit the three measured rows on the static `rows` and the dynamic
/// scenarios `dynamic` (the test workspaces' fit half, as `make
/// calibrate` uses it); returns the table and the chosen ridge per metric.
/// The two sets weigh the same in total: the dynamic rows (tens) are
/// scaled up to the static ones (hundreds), so the loops that dominate
/// executed counts are not drowned by straight-line code, which
/// dominates static counts.
fn fit_table(rows: &[&FnRow], dynamic: &[&Row], base: &CostTable) -> (CostTable, Vec<f64>) {
    let mut t = base.clone();
    let mut ridges = Vec::new();
    let scale = if dynamic.is_empty() { 1.0 } else { (rows.len() as f64 / dynamic.len() as f64).max(1.0) };
    for (k, (mi, _)) in MEASURED.iter().enumerate() {
        let (mut a0, mut b0) = static_design(rows, k);
        let (da, db) = design(dynamic, *mi);
        a0.extend(da.into_iter().map(|r| r.into_iter().map(|x| x * scale).collect::<Vec<f64>>()));
        b0.extend(db.into_iter().map(|y| y * scale));
        let (_, best) = fit_metric(&mut t, k, *mi, &a0, &b0, &STATIC_RIDGES);
        ridges.push(best);
    }
    (t, ridges)
}

/// The test workspaces' scenarios, measured and run through the
/// interpreter (model costs), as `make accuracy` does (cached there).
fn dynamic_rows(root: &Path) -> Vec<Row> {
    let opts = Opts { calibrate: false, only: None, no_cache: false, verbose: false, results: None, suite: None, lopo: false, budget_scale: 1.0, cost_source: "model".into(), fit_static: false, no_write: true, dynamic: false };
    match run_suite(root, &opts, Suite::Workspaces) {
        Ok((_, rows)) => rows,
        Err(e) => {
            eprintln!("fit-static: no dynamic rows ({e})");
            vec![]
        }
    }
}

/// Median |error| per metric of `t` on the scenarios of `half`.
fn dynamic_medians(rows: &[Row], half: Half, t: &CostTable) -> (usize, [f64; 3]) {
    let mut errs: [Vec<f64>; 3] = Default::default();
    for r in rows.iter().filter(|r| r.sc.half == half) {
        let (Ok(m), Some(p)) = (&r.measured, model_pred(r, t)) else { continue };
        for (k, (mi, _)) in MEASURED.iter().enumerate() {
            errs[k].push(rel_err(p[k], m.get(*mi)).abs());
        }
    }
    let n = errs[0].len();
    (n, [median(&mut errs[0]), median(&mut errs[1]), median(&mut errs[2])])
}

/// The hand-set prior as a table (the other rows from `base`).
fn prior_table(base: &CostTable) -> CostTable {
    let mut t = base.clone();
    for (k, (mi, _)) in MEASURED.iter().enumerate() {
        t.weights[*mi].copy_from_slice(&PRIOR[k][..NFEAT]);
        t.entry[*mi] = PRIOR[k][NFEAT];
    }
    t
}

/// Median |static_err| per metric of `t` on `rows`.
fn medians(rows: &[&FnRow], t: &CostTable) -> [f64; 3] {
    let mut out = [0.0; 3];
    for (k, (mi, _)) in MEASURED.iter().enumerate() {
        let mut e: Vec<f64> = rows
            .iter()
            .map(|r| {
                let p: f64 = t.weights[*mi].iter().zip(&r.feats).map(|(w, c)| w * c).sum::<f64>() + t.entry[*mi];
                static_err(p, r.meas[k]).abs()
            })
            .collect();
        out[k] = median(&mut e);
    }
    out
}

/// Every row with its prediction by `t` (`--verbose`, on stderr).
fn dump(rows: &[FnRow], t: &CostTable) {
    for r in rows {
        let p: Vec<f64> = MEASURED.iter().map(|(mi, _)| t.weights[*mi].iter().zip(&r.feats).map(|(w, c)| w * c).sum::<f64>() + t.entry[*mi]).collect();
        let nz: Vec<String> = FEATURES.iter().zip(&r.feats).filter(|(_, c)| **c != 0.0).map(|(f, c)| format!("{f:?}={c}")).collect();
        eprintln!("row {} {} inl={} meas={:?} pred=[{:.0}, {:.0}, {:.0}] {}", r.project, r.name, r.inlined, r.meas, p[0], p[1], p[2], nz.join(" "));
    }
}

/// The report: data, LOPO (each project predicted by a table fitted on the
/// others), the table fitted on all; `write` puts it in cost_table.rs.
pub fn fit_static(root: &Path, verbose: bool, write: bool, with_dynamic: bool) -> Result<(), String> {
    let (rows, per, skips) = collect(root, verbose);
    let dyn_all: Vec<Row> = if with_dynamic { dynamic_rows(root) } else { vec![] };
    let dyn_fit: Vec<&Row> = dyn_all.iter().filter(|r| r.sc.half == Half::Fit && r.measured.is_ok() && r.model.is_ok()).collect();
    let machine = machine_info();
    println!("# Static fit of the cost table ({})\n", today());
    println!("| project | files | functions |\n|---|---|---|");
    for (p, f, n) in &per {
        println!("| {p} | {f} | {n} |");
    }
    println!("\nLeft out: {}\n", skips.0.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "));
    let projects: Vec<String> = per.iter().filter(|p| p.2 > 0).map(|p| p.0.clone()).collect();
    if projects.len() < 2 || rows.len() < 2 * CV_FOLDS {
        return Err(format!("only {} functions in {} projects; not fitting", rows.len(), projects.len()));
    }
    let base = default_table();
    println!("## Leave-one-project-out\n");
    println!("Median |predicted − measured| / max(measured, {TINY:.0}) over the functions of the project left out, static counts of its symbol, with the table fitted on the other projects (and, unless test-workspaces is left out, the dynamic fit half); the hand-set prior (one instruction per IR operation, `PRIOR` in accuracy.rs), fitted on nothing, for comparison.\n");
    println!("| project left out | functions | instructions | memory reads | memory writes | hand-set prior: instr / reads / writes |\n|---|---|---|---|---|---|");
    let mut lopo_lines = Vec::new();
    for p in &projects {
        let train: Vec<&FnRow> = rows.iter().filter(|r| &r.project != p).collect();
        let test: Vec<&FnRow> = rows.iter().filter(|r| &r.project == p).collect();
        // The left-out project's dynamic scenarios go too.
        let dyn_train: Vec<&Row> = dyn_fit.iter().copied().filter(|_| p != "test-workspaces").collect();
        let (t, _) = fit_table(&train, &dyn_train, &base);
        let m = medians(&test, &t);
        let old = medians(&test, &prior_table(&base));
        let line = format!("| {p} | {} | {} | {} | {} | {} / {} / {} |", test.len(), pct(m[0]), pct(m[1]), pct(m[2]), pct(old[0]), pct(old[1]), pct(old[2]));
        println!("{line}");
        lopo_lines.push(format!("{p} ({} functions): {} / {} / {}", test.len(), pct(m[0]), pct(m[1]), pct(m[2])));
    }
    let all: Vec<&FnRow> = rows.iter().collect();
    let (t, ridges) = fit_table(&all, &dyn_fit, &base);
    let dyn_line = if dyn_all.is_empty() {
        "no dynamic rows".to_string()
    } else {
        let (n, m) = dynamic_medians(&dyn_all, Half::Held, &t);
        let (_, old) = dynamic_medians(&dyn_all, Half::Held, &base);
        let line = format!("test workspaces' held-back half ({n} scenarios, not fitted on; cost model on the interpreter's counts): {} / {} / {}", pct(m[0]), pct(m[1]), pct(m[2]));
        println!("\nDynamic check, instructions / reads / writes: {line} (the table compiled in: {} / {} / {})", pct(old[0]), pct(old[1]), pct(old[2]));
        line
    };
    if verbose {
        dump(&rows, &t);
    }
    println!("\nRidge by cross-validation: {}\n", MEASURED.iter().zip(&ridges).map(|((_, l), r)| format!("{l} {r}")).collect::<Vec<_>>().join(", "));
    println!("Current table:\n\n{}", render_table_md(&base));
    println!("Fitted on all {} functions:\n\n{}", rows.len(), render_table_md(&t));
    if write {
        let get = |k: &str| machine.iter().find(|(x, _)| *x == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let fitted_on: Vec<String> = per.iter().filter(|p| p.2 > 0).map(|(p, f, n)| format!("  {p}: {f} file{}, {n} functions", if *f == 1 { "" } else { "s" })).collect();
        let mut header = vec![
            "The instruction, memory-read and memory-write rows and their entry".to_string(),
            "constants are fitted on static machine code (`make fit-model`,".to_string(),
            "accuracy.rs --fit-static, examples/fit/static_fit.rs): per function,".to_string(),
            "gcc -O2's instructions, reads and writes of its symbol against the".to_string(),
            "static feature counts of its IR (callees gcc inlined add their body),".to_string(),
            format!("{} functions of", rows.len()),
        ];
        header.extend(fitted_on);
        header.extend([
            format!("with the {} fit-half scenarios of accuracy/drivers (valgrind counts against", dyn_fit.len()),
            "the interpreter's feature counts) weighing as much in total.".to_string(),
            "Least absolute relative error (IRLS over non-negative least squares,".to_string(),
            format!("counts under {TINY:.0} by absolute difference), ridge pull toward the hand-set"),
            format!("prior chosen by {CV_FOLDS}-fold cross-validation ({}).", MEASURED.iter().zip(&ridges).map(|((_, l), r)| format!("{l} {r}")).collect::<Vec<_>>().join(", ")),
            "Leave-one-project-out median errors (instructions / reads / writes):".to_string(),
        ]);
        header.extend(lopo_lines.iter().map(|l| format!("  {l}")));
        header.push("Dynamic check, instructions / reads / writes:".to_string());
        header.push(format!("  {dyn_line}."));
        header.extend([
            "Weights are bounded below by what the instructions physically cost".to_string(),
            "(`LOWER` in accuracy.rs). The unseen benchmark's files are not fitted on.".to_string(),
            "Weights are rounded to 3 decimals. The other rows are hand-set.".to_string(),
            String::new(),
            format!("Fitted {} on {}; {}.", today(), get("machine"), get("gcc")),
        ]);
        let path = root.join("analysis-engine/src/cost_table.rs");
        std::fs::write(&path, render_cost_table(&t, &header)).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
