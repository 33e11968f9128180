//! `perfi check --baseline REV [PATHS...]`: compare every function of the
//! `.c` files under PATHS with its version at git revision REV (the file,
//! its headers and its folder's `.c` files as they were at REV), and report
//! input classes that got slower by more than the resolution. Exit 1 when
//! there is a regression, 0 when there is none, 2 on errors.

use crate::keys::{config_key, KeyContext};
use anyhow::{bail, Context, Result};
use perfi_engine::analysis::{analyze_function, Program};
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
            sources.push(Arc::new(SourceFile::parse(p.to_string_lossy(), &bytes)?));
        }
    }
    Ok(Program::from_sources(sources, &mut cache))
}

fn check_file(args: &Args, path: &Path, cancel: &CancelToken) -> Result<Vec<Finding>> {
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
        if nkc.keys(nir, &l.info.name).sem == okc.keys(oir, &o.info.name).sem {
            continue;
        }
        let new_i = analyze_function(&Arc::new(nir.clone()), &l.info, nkc.table(), &cfg, cfg.budgets, cfg.resolution, cancel);
        let old_i = analyze_function(&Arc::new(oir.clone()), &o.info, okc.table(), &cfg, cfg.budgets, cfg.resolution, cancel);
        let regs = compare(&old_i, &new_i, cfg.resolution, cancel);
        let regs: Vec<Regression> = crate::lsp::render::by_slowdown(&regs).into_iter().cloned().collect();
        if !regs.is_empty() {
            out.push(Finding { path: path.to_path_buf(), line: l.info.name_span.start_line, function: l.info.name.clone(), regs });
        }
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
    let mut findings = Vec::new();
    for f in &files {
        findings.extend(check_file(&args, f, &cancel).with_context(|| format!("checking {}", f.display()))?);
    }
    match args.format {
        Format::Text => super::emit(&text(&findings, files.len(), &args.baseline))?,
        Format::Json => super::emit(&format!("{}\n", serde_json::to_string_pretty(&json_report(&findings, files.len(), &args.baseline))?))?,
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
