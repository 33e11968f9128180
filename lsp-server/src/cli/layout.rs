use super::Format;
use anyhow::{Context, Result};
use perfi_engine::analysis::{load, lower_file};
use perfi_engine::layout::RecordLayout;
use perfi_engine::workspace::{collect_sources, FileCache};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (walked for .c and .h).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let files = collect_sources(&args.paths).context("collecting sources")?;
    let mut cache = FileCache::default();
    let mut structs: Vec<serde_json::Value> = Vec::new();
    let mut text = String::new();
    for path in files {
        let f = load(&path, &mut cache).with_context(|| format!("reading {}", path.display()))?;
        let a = lower_file(f, &mut cache);
        for l in &a.layouts {
            structs.push(serde_json::to_value(l.as_ref())?);
            text.push_str(&render(l));
        }
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "structs": structs }))?),
        Format::Text => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// pahole-like text.
pub fn render(l: &RecordLayout) -> String {
    let mut s = format!("{} {{  /* {}:{} */\n", l.name, l.file, l.line);
    let mut line = u64::MAX;
    let mut holes = l.holes.iter().peekable();
    for f in &l.fields {
        while let Some(h) = holes.peek() {
            if h.offset + h.size <= f.offset {
                s.push_str(&format!("\t/* XXX {} byte hole at {} */\n", h.size, h.offset));
                holes.next();
            } else {
                break;
            }
        }
        if f.line != line {
            if line != u64::MAX {
                s.push_str(&format!("\t/* --- cacheline {} boundary ({} bytes) --- */\n", f.line, f.line * 64));
            }
            line = f.line;
        }
        let bits = match (f.bit_offset, f.bit_size) {
            (Some(b), Some(w)) => format!(":{w} (bit {b})"),
            _ => String::new(),
        };
        s.push_str(&format!("\t{:<24} {:<28} /* {:>5} {:>4} line {} */\n", f.ty, format!("{}{bits};", f.name), f.offset, f.size, f.line));
    }
    s.push_str(&format!(
        "\t/* size: {}, align: {}, cachelines: {}, holes: {}, padding: {} */\n}};\n\n",
        l.size,
        l.align,
        l.cache_lines,
        l.holes.len(),
        l.padding
    ));
    s
}
