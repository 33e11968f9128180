use super::Format;
use anyhow::{Context, Result};
use perfi_engine::analysis::{load, lower_file, Status};
use perfi_engine::workspace::{collect_sources, FileCache};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (walked for .c and .h).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Only this function.
    #[arg(long)]
    function: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let files = collect_sources(&args.paths).context("collecting sources")?;
    let mut cache = FileCache::default();
    let mut out_files = Vec::new();
    let mut text = String::new();
    for path in files {
        let f = load(&path, &mut cache).with_context(|| format!("reading {}", path.display()))?;
        let a = lower_file(f, &mut cache);
        let mut funcs = Vec::new();
        for l in &a.functions {
            if args.function.as_ref().is_some_and(|n| n != &l.info.name) {
                continue;
            }
            let (status, reason) = match &l.ir {
                Ok(_) => (Status::Lowered, None),
                Err(e) => (Status::Unsupported, Some(e.clone())),
            };
            let fig = l.figures();
            funcs.push(json!({
                "name": l.info.name,
                "range": {"start_line": l.info.range.start_line, "end_line": l.info.range.end_line},
                "status": status,
                "reason": reason,
                "blocks": fig.as_ref().map(|f| f.blocks),
                "loops": fig.as_ref().map(|f| f.loops),
                "calls": fig.as_ref().map(|f| f.calls),
            }));
            match (&l.ir, fig) {
                (Ok(_), Some(fig)) => text.push_str(&format!(
                    "{}:{}: {}: lowered ({} blocks, {} loops, {} calls)\n",
                    a.path, l.info.range.start_line, l.info.name, fig.blocks, fig.loops, fig.calls
                )),
                (Err(e), _) => text.push_str(&format!("{}:{}: {}: {}\n", a.path, l.info.range.start_line, l.info.name, e)),
                _ => {}
            }
        }
        out_files.push(json!({"path": a.path, "functions": funcs}));
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "perfi_version": perfi_engine::VERSION,
                "files": out_files,
            }))?
        ),
        Format::Text => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
