use anyhow::{Context, Result};
use perfi_engine::analysis::{analyze_function, Program, Status};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::output;
use perfi_engine::workspace::collect_sources;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
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
    /// Budgets: batch (default) or interactive.
    #[arg(long, default_value = "batch")]
    pub budgets: String,
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
    let files = collect_sources(&args.paths).context("collecting sources")?;
    let prog = Program::load(&files).context("loading sources")?;
    let budgets = match args.budgets.as_str() {
        "batch" => Budgets::batch(),
        "interactive" => Budgets::interactive(),
        other => anyhow::bail!("unknown budgets `{other}` (batch or interactive)"),
    };
    let cancel = CancelToken::new();
    let mut out_files = Vec::new();
    let mut text = String::new();
    let mut py = String::from(output::PY_PRELUDE);
    let mut hw_name = String::new();
    let mut res_used = 10.0;
    let mut found = false;
    for fa in &prog.files {
        if !files.iter().any(|f| f.to_string_lossy() == fa.path) {
            continue;
        }
        let cfg = config_for(Path::new(&fa.path), args.resolution, args.hardware.as_deref())?;
        let mut cfg = cfg;
        cfg.budgets = Budgets { paths: cfg.budgets.paths.min(budgets.paths).max(1), ..budgets };
        hw_name = cfg.hardware.name.clone();
        res_used = cfg.resolution;
        let table = prog.table_for(&fa.path);
        let mut funcs = Vec::new();
        for l in &fa.functions {
            if args.function.as_ref().is_some_and(|n| n != &l.info.name) {
                continue;
            }
            found = true;
            match &l.ir {
                Ok(f) => {
                    let iface = analyze_function(&Arc::new(f.clone()), &l.info, &table, &cfg, cfg.budgets, cfg.resolution, &cancel);
                    text.push_str(&output::text_with(&fa.path, &iface, cfg.resolution, Some(&cfg.hardware)));
                    text.push('\n');
                    py.push_str(&output::python(&iface));
                    funcs.push(output::json(&iface));
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
        out_files.push(json!({"path": fa.path, "functions": funcs}));
    }
    if let Some(n) = &args.function {
        anyhow::ensure!(found, "no function named `{n}` in the given paths");
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "perfi_version": perfi_engine::VERSION,
                "resolution": res_used,
                "hardware": hw_name,
                "files": out_files,
            }))?
        ),
        Format::Text => print!("{text}"),
        Format::Python => print!("{py}"),
    }
    Ok(ExitCode::SUCCESS)
}
