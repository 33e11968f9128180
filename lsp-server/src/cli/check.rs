//! `perfi check --baseline REV [PATHS...]`: compare every function of the
//! `.c` files under PATHS with its version at git revision REV (the file,
//! its headers and its folder's `.c` files as they were at REV), and report
//! input classes that got slower by more than the resolution. Exit 1 when
//! there is a regression, 0 when there is none, 2 on errors.

use crate::keys::{config_key, KeyContext};
use anyhow::{bail, Context, Result};
use perfi_engine::analysis::{analyze_function_sized, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::Budgets;
use perfi_engine::regress::{compare, Regression};
use perfi_engine::source::SourceFile;
use perfi_engine::workspace::{collect_sources, FileCache};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(clap::Args)]
pub struct Args {
    /// Git revision to compare with (a commit, branch, tag, HEAD~1...).
    #[arg(long)]
    pub baseline: String,
    /// Files or directories (walked for .c files); default the current folder.
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Resolution in instructions (default: perfi.toml, else 10).
    #[arg(long)]
    pub resolution: Option<f64>,
    /// Hardware model.
    #[arg(long)]
    pub hardware: Option<String>,
    /// Folder of an on-disk cache of comparisons keyed by the semantic
    /// keys of the function at REV and now (a CI system can keep it
    /// between runs); created when missing. `--cache` alone: the user's
    /// cache folder (`$XDG_CACHE_HOME/perfi/comparisons` or
    /// `~/.cache/perfi/comparisons`).
    #[arg(long, num_args = 0..=1, value_name = "DIR")]
    pub cache: Option<Option<PathBuf>>,
}

/// What a run did: functions compared (both versions analyzed), taken
/// from the cache, and files skipped because nothing they depend on
/// changed since the baseline.
#[derive(Default)]
pub struct Counts {
    pub analyzed: usize,
    pub cached: usize,
    pub files_skipped: usize,
}

/// One function that got slower: its slower input classes, the largest
/// slowdown first (never empty).
pub struct Finding {
    pub path: PathBuf,
    pub line: u32,
    pub function: String,
    pub regs: Vec<Regression>,
}

/// git with the repository's hooks that run programs turned off (see
/// `git_head_text`): only reading, never the workspace's code.
fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
        .args(["-c", "core.fsmonitor=false"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("running git (is it installed?)")
}

/// The text of `path` at `rev`; None when the file did not exist there.
pub fn git_show(rev: &str, path: &Path) -> Result<Option<Vec<u8>>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).with_context(|| format!("{}: not a file name git can show", path.display()))?;
    let spec = format!("{rev}:./{name}");
    if !git(dir, &["cat-file", "-e", &spec])?.status.success() {
        return Ok(None);
    }
    let out = git(dir, &["show", "--no-textconv", &spec])?;
    if !out.status.success() {
        bail!("git show {spec} in {}: {}", dir.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(Some(out.stdout))
}

fn check_repo(rev: &str, dir: &Path) -> Result<()> {
    let out = git(dir, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])?;
    if !out.status.success() {
        bail!("`{rev}` is not a commit in the git repository at {} (or that is not a git repository)", dir.display());
    }
    Ok(())
}

/// The program of `path` as it was at `rev`: the file, its folder's `.c`
/// files and its headers at that revision (files that did not exist then
/// are left out; headers fall back to the working tree).
fn old_program(rev: &str, path: &Path, old: &[u8], new_prog: &Program) -> Result<Program> {
    let mut cache = FileCache::default();
    for fa in &new_prog.files {
        for f in fa.unit.files.iter().take(fa.unit.files.len().saturating_sub(1)) {
            let p = PathBuf::from(&f.path);
            if let Some(bytes) = git_show(rev, &p)? {
                cache.insert(&p, Arc::new(SourceFile::parse(p.to_string_lossy(), &bytes)?));
            }
        }
    }
    let mut sources = vec![Arc::new(SourceFile::parse(path.to_string_lossy(), old)?)];
    for fa in new_prog.files.iter().skip(1) {
        let p = PathBuf::from(&fa.path);
        if let Some(bytes) = git_show(rev, &p)? {
            // Siblings were lowered only in the functions reached
            // (`lazy.rs`): the same cut at the baseline, so that keys of
            // unchanged functions compare equal.
            let names: std::collections::HashSet<String> = fa.functions.iter().map(|l| l.info.name.clone()).collect();
            let bytes = perfi_engine::lazy::keep_named(&bytes, &names);
            sources.push(Arc::new(SourceFile::parse(p.to_string_lossy(), &bytes)?));
        }
    }
    Ok(Program::from_sources(sources, &mut cache))
}

/// A cached comparison: its regressions as JSON (see `finding_json`).
fn cached_regressions(v: &Value) -> Option<Vec<Regression>> {
    let mut out = Vec::new();
    for r in v.as_array()? {
        let witness = r.get("witness")?.as_object()?.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        out.push(Regression {
            function: r.get("function")?.as_str()?.to_string(),
            case: r.get("case")?.as_str()?.to_string(),
            old_instructions: r.get("old_instructions")?.as_f64()?,
            new_instructions: r.get("new_instructions")?.as_f64()?,
            witness,
            old_formula: r.get("old_formula")?.as_str()?.to_string(),
            new_formula: r.get("new_formula")?.as_str()?.to_string(),
        });
    }
    Some(out)
}

/// One finding per function: its slower input classes, the largest
/// slowdown first.
fn push_finding(out: &mut Vec<Finding>, path: &Path, line: u32, function: &str, regs: &[Regression]) {
    let regs: Vec<Regression> = crate::lsp::render::by_slowdown(regs).into_iter().cloned().collect();
    if !regs.is_empty() {
        out.push(Finding { path: path.to_path_buf(), line, function: function.to_string(), regs });
    }
}

fn finding_json(r: &Regression) -> Value {
    json!({"function": r.function, "case": r.case, "old_instructions": r.old_instructions, "new_instructions": r.new_instructions,
           "witness": r.witness, "old_formula": r.old_formula, "new_formula": r.new_formula})
}

/// Files changed since `rev` (tracked files, staged or not), relative to
/// the repository's top folder, and that folder.
fn changed_since(rev: &str, dir: &Path) -> Result<(PathBuf, Vec<PathBuf>)> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        bail!("git rev-parse --show-toplevel in {}: {}", dir.display(), String::from_utf8_lossy(&top.stderr).trim());
    }
    let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let out = git(dir, &["diff", "--name-only", "--no-renames", rev, "--"])?;
    if !out.status.success() {
        bail!("git diff --name-only {rev}: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok((top.clone(), String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(|l| top.join(l)).collect()))
}

/// Folders whose `.c` files may have changed meaning since the baseline;
/// None when a change can reach any file (a header, configuration or
/// compile flags changed).
fn changed_folders(changed: &[PathBuf]) -> Option<std::collections::HashSet<PathBuf>> {
    let mut dirs = std::collections::HashSet::new();
    for p in changed {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".c") {
            dirs.insert(p.parent().map(Path::to_path_buf).unwrap_or_default());
        } else if name.ends_with(".h") || name.ends_with(".toml") || name == "compile_commands.json" || name == "compile_flags.txt" {
            return None;
        }
    }
    Some(dirs)
}

fn check_file(args: &Args, path: &Path, cancel: &CancelToken, cache: Option<&crate::disk_cache::DiskCache>, counts: &mut Counts) -> Result<Vec<Finding>> {
    let Some(old) = git_show(&args.baseline, path)? else { return Ok(vec![]) };
    let new_prog = Program::load(&[path.to_path_buf()]).with_context(|| format!("loading {}", path.display()))?;
    let old_prog = old_program(&args.baseline, path, &old, &new_prog)?;
    let mut cfg = super::analyze::config_for(path, args.resolution, args.hardware.as_deref())?;
    cfg.budgets = Budgets::batch();
    let ck = config_key(&cfg);
    let key = path.to_string_lossy().to_string();
    let (Some(nfa), Some(ofa)) = (new_prog.files.iter().find(|f| f.path == key), old_prog.files.first()) else { return Ok(vec![]) };
    let nkc = KeyContext::new(&new_prog, &key, ck);
    let okc = KeyContext::new(&old_prog, &ofa.path, ck);
    let mut out = Vec::new();
    for l in &nfa.functions {
        let Ok(nir) = &l.ir else { continue };
        let Some(o) = ofa.functions.iter().find(|o| o.info.name == l.info.name) else { continue };
        let Ok(oir) = &o.ir else { continue };
        let (nsem, osem) = (nkc.keys(nir, &l.info.name).sem, okc.keys(oir, &o.info.name).sem);
        if nsem == osem {
            continue;
        }
        let line = l.info.name_span.start_line;
        let ckey = crate::keys::h(("perfi check", perfi_engine::VERSION, osem, nsem));
        if let Some(regs) = cache.and_then(|c| c.get(ckey)).and_then(|v| cached_regressions(&v)) {
            counts.cached += 1;
            push_finding(&mut out, path, line, &l.info.name, &regs);
            continue;
        }
        counts.analyzed += 1;
        let new_i = analyze_function_sized(&Arc::new(nir.clone()), &l.info, nkc.table(), nkc.facts(), &cfg, cfg.budgets, cfg.resolution, cancel);
        let old_i = analyze_function_sized(&Arc::new(oir.clone()), &o.info, okc.table(), okc.facts(), &cfg, cfg.budgets, cfg.resolution, cancel);
        let regs = compare(&old_i, &new_i, cfg.resolution, cancel);
        if let Some(c) = cache {
            // A cache that cannot be written only costs the next run time.
            if let Err(e) = c.put(ckey, &Value::Array(regs.iter().map(finding_json).collect())) {
                eprintln!("perfi check: {e:#}");
            }
        }
        push_finding(&mut out, path, line, &l.info.name, &regs);
    }
    Ok(out)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = collect_sources(&paths).context("collecting sources")?;
    files.retain(|p| p.extension().is_some_and(|e| e == "c"));
    if let Some(r) = args.resolution {
        anyhow::ensure!(r > 0.0 && r.is_finite(), "--resolution must be a positive number");
    }
    let dir = files.first().and_then(|f| f.parent()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    check_repo(&args.baseline, &dir)?;
    let cancel = CancelToken::new();
    let cache = match &args.cache {
        Some(None) => {
            let d = crate::disk_cache::user_cache_dir().context("--cache without a folder: neither XDG_CACHE_HOME nor HOME is set")?.join("comparisons");
            Some(crate::disk_cache::DiskCache::open(&d)?)
        }
        Some(Some(d)) => Some(crate::disk_cache::DiskCache::open(d)?),
        None => None,
    };
    if let Some(c) = &cache {
        c.prune_in_background();
    }
    // Cost follows the diff: a file is lowered only when a `.c` file of its
    // folder changed (calls resolve within a folder), unless a header or
    // the configuration changed.
    let (_, changed) = changed_since(&args.baseline, &dir)?;
    let folders: Option<std::collections::HashSet<PathBuf>> = changed_folders(&changed).map(|ds| ds.iter().map(|d| d.canonicalize().unwrap_or_else(|_| d.clone())).collect());
    let mut counts = Counts::default();
    let mut findings = Vec::new();
    for f in &files {
        if let Some(dirs) = &folders {
            let d = f.canonicalize().ok().and_then(|c| c.parent().map(Path::to_path_buf));
            if !d.is_some_and(|d| dirs.contains(&d)) {
                counts.files_skipped += 1;
                continue;
            }
        }
        findings.extend(check_file(&args, f, &cancel, cache.as_ref(), &mut counts).with_context(|| format!("checking {}", f.display()))?);
    }
    if std::env::var_os("PERFI_DEBUG_STATS").is_some() {
        eprintln!("perfi check: {} function(s) analyzed, {} from the cache, {} file(s) unchanged", counts.analyzed, counts.cached, counts.files_skipped);
    }
    match args.format {
        Format::Text => super::emit(&text(&findings, files.len(), &args.baseline))?,
        Format::Json => {
            let mut report = json_report(&findings, files.len(), &args.baseline);
            report["functions_analyzed"] = json!(counts.analyzed);
            report["functions_cached"] = json!(counts.cached);
            report["files_skipped"] = json!(counts.files_skipped);
            super::emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?
        }
        Format::Sarif => super::emit(&format!("{}\n", serde_json::to_string_pretty(&sarif(&findings))?))?,
    }
    Ok(if findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn message(f: &Finding) -> String {
    let regs: Vec<&Regression> = f.regs.iter().collect();
    crate::lsp::render::regression_summary(&regs).unwrap_or_else(|| format!("`{}` is slower than the baseline", f.function))
}

fn text(findings: &[Finding], files: usize, rev: &str) -> String {
    let mut s = String::new();
    let mut classes = 0;
    for f in findings {
        s.push_str(&format!("{}:{}: warning: {}\n", f.path.display(), f.line, message(f)));
        for r in f.regs.iter().skip(1) {
            s.push_str(&format!("{}:{}: note: {}\n", f.path.display(), f.line, crate::lsp::render::regression_class(r)));
        }
        classes += f.regs.len();
    }
    s.push_str(&format!("perfi check: {} function(s) slower ({classes} input class(es)) in {files} file(s) against {rev}\n", findings.len()));
    s
}

fn class_json(r: &Regression) -> Value {
    json!({
        "case": r.case, "old_instructions": r.old_instructions, "new_instructions": r.new_instructions,
        "witness": r.witness, "old_formula": r.old_formula, "new_formula": r.new_formula,
        "message": crate::lsp::render::regression_class(r),
    })
}

/// One entry per function; its fields are those of its largest slowdown,
/// and `classes` lists every slower input class (that one first).
fn json_report(findings: &[Finding], files: usize, rev: &str) -> Value {
    let regs: Vec<Value> = findings
        .iter()
        .filter_map(|f| {
            let top = f.regs.first()?;
            Some(json!({
                "path": f.path.display().to_string(), "line": f.line, "function": f.function, "case": top.case,
                "old_instructions": top.old_instructions, "new_instructions": top.new_instructions,
                "witness": top.witness, "old_formula": top.old_formula, "new_formula": top.new_formula,
                "message": message(f),
                "classes": f.regs.iter().map(class_json).collect::<Vec<_>>(),
            }))
        })
        .collect();
    json!({"perfi_version": perfi_engine::VERSION, "baseline": rev, "files": files, "regressions": regs})
}

pub const RULE: &str = "perfi/regression";

pub fn sarif(findings: &[Finding]) -> Value {
    let results: Vec<Value> = findings
        .iter()
        .filter_map(|f| {
            let top = f.regs.first()?;
            let uri = f.path.to_string_lossy().trim_start_matches("./").to_string();
            // The other slower classes, at the same place (SARIF 2.1.0 §3.27.22).
            let related: Vec<Value> = f
                .regs
                .iter()
                .skip(1)
                .enumerate()
                .map(|(i, r)| {
                    json!({
                        "id": i + 1,
                        "physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": f.line}},
                        "message": {"text": crate::lsp::render::regression_class(r)},
                    })
                })
                .collect();
            Some(json!({
                "ruleId": RULE,
                "level": "warning",
                "message": {"text": message(f)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": f.line}
                }}],
                "relatedLocations": related,
                "properties": {"function": f.function, "case": top.case, "old_instructions": top.old_instructions,
                               "new_instructions": top.new_instructions, "witness": top.witness,
                               "slower_classes": f.regs.len()},
            }))
        })
        .collect();
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "perfi",
                "version": perfi_engine::VERSION,
                "rules": [{
                    "id": RULE,
                    "name": "PerformanceRegression",
                    "shortDescription": {"text": "An input class got slower than the baseline by more than the resolution"},
                    "defaultConfiguration": {"level": "warning"}
                }]
            }},
            "results": results
        }]
    })
}
