//! Top-level analysis of files: index, types, lowering, and (per function)
//! whatever later stages compute. Protocol-free; the CLI and the language
//! server both call this.

pub use crate::machine::CostSource;
use crate::index::FunctionInfo;
use crate::ir::Function;
use crate::layout::RecordLayout;
use crate::lower::lower_function;
use crate::source::SourceFile;
use crate::workspace::{build_unit, FileCache, Unit};
use serde::Serialize;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Lowered,
    Complete,
    Partial,
    Unsupported,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineRange {
    pub start_line: u32,
    pub end_line: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct IrFigures {
    pub blocks: usize,
    pub loops: usize,
    pub calls: usize,
}

/// A function as lowered: its IR, or why it could not be.
pub struct Lowered {
    pub info: FunctionInfo,
    pub ir: Result<Function, String>,
}

pub struct FileAnalysis {
    pub path: String,
    pub unit: Unit,
    pub functions: Vec<Lowered>,
    /// Functions defined in included headers (static inline helpers),
    /// lowered in this unit's type environment.
    pub header_functions: Vec<Lowered>,
    pub layouts: Vec<Rc<RecordLayout>>,
}

/// Lower every function defined in `file` (headers supply the types), and
/// the functions of its headers (static inline helpers) that its functions
/// call, directly or through each other: a unit that includes DPDK's or
/// the kernel's headers lowers the few helpers it uses, not hundreds.
pub fn lower_file(file: Arc<SourceFile>, cache: &mut FileCache) -> FileAnalysis {
    let unit = build_unit(file, cache);
    let mut env = unit.type_env();
    let main = unit.main().clone();
    let missing = unit.missing_headers();
    let mut functions = Vec::new();
    for info in unit.index.functions.clone() {
        let ir = lower_at(&mut env, &main, &info);
        let ir = ir.map_err(|e| with_missing_headers(e, &missing));
        functions.push(Lowered { info, ir });
    }
    let mut header_defs: HashMap<String, (usize, FunctionInfo)> = HashMap::new();
    for (k, hf) in unit.files.iter().enumerate().take(unit.files.len().saturating_sub(1)) {
        for info in hf.functions().iter().cloned() {
            header_defs.entry(info.name.clone()).or_insert((k, info));
        }
    }
    let mut wanted: Vec<String> = functions.iter().filter_map(|l| l.ir.as_ref().ok()).flat_map(callees).collect();
    let mut header_functions = Vec::new();
    while let Some(name) = wanted.pop() {
        let Some((k, info)) = header_defs.remove(&name) else { continue };
        let ir = lower_at(&mut env, &unit.files[k], &info);
        if let Ok(f) = &ir {
            wanted.extend(callees(f));
        }
        header_functions.push(Lowered { info, ir });
    }
    let main_path = main.path.clone();
    let layouts = env.all_layouts().into_iter().filter(|l| l.file == main_path).collect();
    FileAnalysis { path: main_path, unit, functions, header_functions, layouts }
}

/// Names of the functions `f` calls directly.
fn callees(f: &Function) -> Vec<String> {
    f.blocks
        .iter()
        .flat_map(|b| &b.insts)
        .filter_map(|i| match &i.kind {
            crate::ir::InstKind::Call { callee, .. } => Some(callee.clone()),
            _ => None,
        })
        .collect()
}

/// A function that could not be lowered in a unit with missing headers:
/// say which, since what it lacks was probably declared there.
fn with_missing_headers(reason: String, missing: &[&str]) -> String {
    let about_names = ["unknown", "no member", "no field", "size of", "syntax error"].iter().any(|w| reason.contains(w));
    if missing.is_empty() || !about_names {
        return reason;
    }
    let names: Vec<String> = missing.iter().take(3).map(|m| format!("<{m}>")).collect();
    let more = if missing.len() > 3 { format!(" and {} more", missing.len() - 3) } else { String::new() };
    format!("{reason} (header {}{more} not found)", names.join(", "))
}

/// Lower the function `info` describes in `file`.
fn lower_at(env: &mut crate::env::TypeEnv, file: &SourceFile, info: &FunctionInfo) -> Result<Function, String> {
    let root = file.tree.root_node();
    let node = root.descendant_for_byte_range(info.range.start_byte as usize, info.range.end_byte as usize).and_then(|n| {
        let mut n = n;
        while n.kind() != "function_definition" {
            n = n.parent()?;
        }
        Some(n)
    });
    let Some(def) = node else { return Err("unsupported: function not found in tree".to_string()) };
    let f = lower_guarded(env, file, def)?;
    match crate::loops::irreducible_edge(&f) {
        Some(b) => {
            let s = f.blocks[b].insts.first().map(|i| i.span).unwrap_or(f.blocks[b].term_span);
            Err(format!("unsupported: irreducible control flow (jump into a loop) at {}:{}", s.start_line, s.start_col))
        }
        None => Ok(f),
    }
}

fn lower_guarded(env: &mut crate::env::TypeEnv, file: &SourceFile, def: tree_sitter::Node) -> Result<Function, String> {
    // The lowering returns errors for what it does not handle; a panic
    // would be a bug, and must not take the rest of the file with it.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lower_function(env, file, def)));
    match r {
        Ok(Ok(f)) => Ok(f),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => {
            let (l, c) = crate::syntax::line_col(def.start_position());
            Err(format!("unsupported: internal error while lowering (please report) at {l}:{c}"))
        }
    }
}

pub fn load(path: &Path, cache: &mut FileCache) -> Result<Arc<SourceFile>, crate::EngineError> {
    let bytes = std::fs::read(path).map_err(|e| crate::EngineError::Io { path: path.display().to_string(), source: e })?;
    // Preprocessing parses the file (as its piece); the raw text needs no tree.
    let f = Arc::new(SourceFile::unparsed(path.to_string_lossy(), &bytes)?);
    cache.insert(path, f.clone());
    Ok(f)
}

impl Lowered {
    pub fn figures(&self) -> Option<IrFigures> {
        self.ir.as_ref().ok().map(|f| IrFigures { blocks: f.blocks.len(), loops: f.loops.len(), calls: f.calls })
    }
}

// ---------------------------------------------------------------- interfaces

use crate::cancel::CancelToken;
use crate::config::{Budgets, Config};
use crate::exec::explore::{Explorer, Out};
use crate::interface::{merge, path_cost, pcv_json, Case, PathCost, PcvJson};
use std::collections::HashMap;
use std::path::PathBuf;

pub type FuncTable = HashMap<String, Arc<Function>>;

/// The analysis result of one function.
#[derive(Clone, Debug, Serialize)]
pub struct FunctionInterface {
    pub name: String,
    pub range: LineRange,
    pub status: Status,
    pub reason: Option<String>,
    pub paths: usize,
    pub analysis_ms: f64,
    pub pcvs: Vec<PcvJson>,
    pub cases: Vec<Case>,
    pub resolutions: Vec<f64>,
    pub notes: Vec<String>,
    /// Branches and addresses that depend on a secret (`observe.rs`).
    pub secret_findings: Vec<crate::exec::observe::SecretFinding>,
    /// Whether the costs come from the compiled machine code or the IR
    /// cost model (`machine/`).
    pub cost_source: CostSource,
    /// Where the machine code was found, or why the model was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_source_note: Option<String>,
    #[serde(skip)]
    pub details: Option<Arc<Details>>,
}

/// What the concrete interpreter and the regression checker need beyond
/// the JSON: the variables and how iterations map to them.
#[derive(Debug)]
pub struct Details {
    pub vars: crate::exec::vars::Vars,
    pub iter_classes: HashMap<(u64, usize, u64), Vec<crate::poly::VarId>>,
    pub paths: Vec<PathCost>,
    pub terms: crate::term::Terms,
}

impl std::fmt::Debug for crate::term::Terms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Terms({})", self.len())
    }
}

pub fn analyze_function(f: &Arc<Function>, info: &FunctionInfo, funcs: &FuncTable, cfg: &Config, budgets: Budgets, resolution: f64, cancel: &CancelToken) -> FunctionInterface {
    analyze(f, info, funcs, None, cfg, budgets, resolution, cancel, false)
}

/// What `analyze` needs from a whole table, computed once per table by a
/// caller that analyzes many of its functions (`table_facts`).
pub struct TableFacts {
    pub sizes: ObjSizes,
    pub const_names: crate::exec::explore::ConstNames,
}

pub fn table_facts(funcs: &FuncTable) -> TableFacts {
    TableFacts { sizes: table_obj_sizes(funcs), const_names: crate::exec::explore::table_const_names(funcs) }
}

/// As `analyze_function`, with `table_facts(funcs)` computed by the
/// caller (once per table instead of once per function: both walk every
/// function of the table).
#[allow(clippy::too_many_arguments)]
pub fn analyze_function_sized(f: &Arc<Function>, info: &FunctionInfo, funcs: &FuncTable, facts: &TableFacts, cfg: &Config, budgets: Budgets, resolution: f64, cancel: &CancelToken) -> FunctionInterface {
    analyze(f, info, funcs, Some(facts), cfg, budgets, resolution, cancel, false)
}

/// As `analyze_function`, keeping every merged path's signature so that
/// `interp` can find the case and iteration classes of a concrete run
/// (consistency tests, ground truth). Slower where many paths merge.
pub fn analyze_function_with_signatures(f: &Arc<Function>, info: &FunctionInfo, funcs: &FuncTable, cfg: &Config, budgets: Budgets, resolution: f64, cancel: &CancelToken) -> FunctionInterface {
    analyze(f, info, funcs, None, cfg, budgets, resolution, cancel, true)
}

#[allow(clippy::too_many_arguments)]
fn analyze(f: &Arc<Function>, info: &FunctionInfo, funcs: &FuncTable, facts: Option<&TableFacts>, cfg: &Config, budgets: Budgets, resolution: f64, cancel: &CancelToken, track_sigs: bool) -> FunctionInterface {
    let start = std::time::Instant::now();
    let table_sizes = facts.map(|t| &t.sizes);
    let mut ex = Explorer::new(funcs, cfg, budgets, cancel.clone());
    ex.table_names = facts.map(|t| &t.const_names);
    ex.resolution = resolution;
    ex.track_sigs = track_sigs;
    if let Some(mc) = &cfg.machine {
        ex.machine = Some(crate::machine::Plan::new(mc.clone(), &f.name, funcs, &ex.table));
    }
    // Machine code of the analyzed function itself: its prologue and
    // epilogue replace the model's fixed entry cost.
    let root_plan = ex.machine.as_ref().and_then(|p| p.get(f));
    let (cost_source, cost_source_note) = match (&root_plan, &cfg.machine) {
        (Some(p), _) => (CostSource::MachineCode, Some(match p.how {
            crate::machine::How::Symbol => "from the machine code of its symbol".to_string(),
            crate::machine::How::InlinedInRoot(n) | crate::machine::How::InlinedAverage(n) => format!("from the average of its {n} inlined instance(s)"),
        })),
        (None, Some(mc)) => (CostSource::Model, Some(format!("not found in the object of {}", mc.source.display()))),
        (None, None) => (CostSource::Model, cfg.machine_note.clone()),
    };
    if root_plan.is_some() {
        ex.table.entry = [0.0; crate::cost::NMET];
    }
    let init = ex.initial_state(f);
    let outs = ex.run(vec![init], None, None);
    let explored = start.elapsed();
    let mut paths = Vec::new();
    let mut incomplete: Option<String> = None;
    // Object sizes of the function and every callee it may inline; on a
    // clash of labels the larger size (the weaker cap) wins.
    let mut sizes: std::collections::BTreeMap<String, u64> = f.obj_sizes.clone();
    let table_sizes_owned;
    let table_sizes = match table_sizes {
        Some(t) => t,
        None => {
            table_sizes_owned = table_obj_sizes(funcs);
            &table_sizes_owned
        }
    };
    for (k, v) in table_sizes {
        let e = sizes.entry(k.clone()).or_insert(*v);
        *e = (*e).max(*v);
    }
    for o in outs {
        let (Out::Done(s) | Out::Exit(s) | Out::Back(s)) = o;
        if let Some(why) = &s.incomplete {
            incomplete.get_or_insert_with(|| why.clone());
        }
        paths.push(path_cost(&s, &ex.table, &cfg.hardware, &ex.obs.field_names, &sizes));
    }
    let costed = start.elapsed();
    let mut merged = merge(&paths, resolution, &ex.terms, &ex.vars, &mut ex.solver);
    for c in merged.cases.iter_mut() {
        c.footprint.cliffs = Some(crate::cliffs::cliffs(&c.footprint.path, &cfg.hardware, 1.0));
    }
    if std::env::var_os("PERFI_DEBUG_STATS").is_some() {
        eprintln!(
            "perfi stats {}: {} paths, {} queries, {} cache hits, {} hard, {} timeouts, solver {:?}, terms {}, explored {:?}, costed {:?}, total {:?}",
            info.name, paths.len(), ex.solver.queries, ex.solver.cache_hits, ex.solver.hard, ex.solver.timeouts, ex.solver.solver_time, ex.terms.len(), explored, costed, start.elapsed()
        );
    }
    let (status, reason) = match (&ex.exhausted, &incomplete) {
        (Some(why), _) => (Status::Partial, Some(format!("partial: {why}; {} paths explored", paths.len()))),
        (None, Some(why)) => (Status::Partial, Some(format!("partial: {why}"))),
        _ if paths.is_empty() => (Status::Partial, Some("partial: no feasible path".into())),
        _ => (Status::Complete, None),
    };
    let mut notes = ex.notes.clone();
    if ex.solver.hard > 0 {
        notes.push(format!("{} branch conditions involve nonlinear 32/64-bit arithmetic, which the solver saw as uninterpreted functions (such a branch may be kept although it is infeasible)", ex.solver.hard));
    }
    if ex.solver.timeouts > 0 {
        notes.push(format!("{} solver queries timed out; their branches were assumed feasible", ex.solver.timeouts));
    }
    let mut pcvs: Vec<PcvJson> = Vec::new();
    let used: std::collections::BTreeSet<u32> = merged.cases.iter().flat_map(|c| c.polys.iter().flat_map(|p| p.vars())).collect();
    for v in used {
        if let Some(info) = ex.vars.list.get(v as usize) {
            pcvs.push(pcv_json(info));
        }
    }
    let details = Details { vars: ex.vars.clone(), iter_classes: ex.iter_classes.clone(), paths: paths.clone(), terms: ex.terms.clone() };
    FunctionInterface {
        name: info.name.clone(),
        range: LineRange { start_line: info.range.start_line, end_line: info.range.end_line },
        status,
        reason,
        paths: paths.len(),
        analysis_ms: start.elapsed().as_secs_f64() * 1000.0,
        pcvs,
        cases: merged.cases,
        resolutions: merged.resolutions,
        notes,
        secret_findings: ex.obs.findings.iter().cloned().collect(),
        cost_source,
        cost_source_note,
        details: Some(Arc::new(details)),
    }
}

/// Object sizes of every function of a table (on a clash of labels the
/// larger size, the weaker cap, wins): what `analyze_function` merges into
/// the function's own. Callers that analyze many functions of one table
/// compute it once and use `analyze_function_sized`.
pub fn table_obj_sizes(funcs: &FuncTable) -> ObjSizes {
    let mut sizes = ObjSizes::new();
    for g in funcs.values() {
        for (k, v) in &g.obj_sizes {
            let e = sizes.entry(k.clone()).or_insert(*v);
            *e = (*e).max(*v);
        }
    }
    sizes
}

pub type ObjSizes = std::collections::BTreeMap<String, u64>;

/// A set of files lowered together; calls resolve to functions of the
/// same folder (a file's own functions first).
#[derive(Default)]
pub struct Program {
    pub files: Vec<FileAnalysis>,
}

impl Program {
    /// The requested files, lowered, and the sibling `.c` files their
    /// calls reach (`lazy.rs`: a folder's other files are scanned for
    /// function names, and lowered only when called into).
    pub fn load(paths: &[PathBuf]) -> Result<Program, crate::EngineError> {
        crate::lazy::load_lazily(paths).map(|(p, _)| p)
    }

    /// Exactly these files (no siblings), all with `flags` (include paths
    /// and defines) instead of a `compile_commands.json`.
    pub fn load_files(paths: &[PathBuf], flags: crate::workspace::CompileFlags) -> Result<Program, crate::EngineError> {
        let mut cache = FileCache::default();
        cache.flags = Some(flags);
        let mut prog = Program::default();
        let mut seen = std::collections::HashSet::new();
        for p in paths {
            if !seen.insert(p.canonicalize().unwrap_or(p.clone())) {
                continue;
            }
            let f = load(p, &mut cache)?;
            prog.files.push(lower_file(f, &mut cache));
        }
        Ok(prog)
    }

    /// Build from in-memory texts (the language server's open documents);
    /// headers they include are read through `cache` (which the caller may
    /// pre-fill with open headers).
    pub fn from_sources(sources: Vec<Arc<SourceFile>>, cache: &mut FileCache) -> Program {
        let mut prog = Program::default();
        for f in sources {
            prog.files.push(lower_file(f, cache));
        }
        prog
    }

    /// Functions visible from a file: its own, then its folder's.
    pub fn table_for(&self, path: &str) -> FuncTable {
        let dir = Path::new(path).parent().map(|d| d.to_path_buf());
        let mut t = FuncTable::new();
        for fa in &self.files {
            if Path::new(&fa.path).parent().map(|d| d.to_path_buf()) != dir || fa.path == path {
                continue;
            }
            for l in &fa.functions {
                if let Ok(f) = &l.ir {
                    t.entry(l.info.name.clone()).or_insert_with(|| Arc::new(f.clone()));
                }
            }
        }
        for fa in &self.files {
            if fa.path == path {
                for l in &fa.header_functions {
                    if let Ok(f) = &l.ir {
                        t.insert(l.info.name.clone(), Arc::new(f.clone()));
                    }
                }
                for l in &fa.functions {
                    if let Ok(f) = &l.ir {
                        t.insert(l.info.name.clone(), Arc::new(f.clone()));
                    }
                }
            }
        }
        t
    }
}
