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
    /// Analyze the functions of the given .c files and add, per field, how
    /// many cases read and write it, the hot fields and a better order.
    #[arg(long)]
    with_accesses: bool,
}

/// Per struct (bare name): the accesses of every case of every function
/// of the `.c` files among `files`.
fn case_accesses(files: &[PathBuf]) -> Result<(std::collections::BTreeMap<String, Vec<perfi_engine::hotfields::CaseUses>>, u64)> {
    use perfi_engine::analysis::{analyze_function, Program};
    use perfi_engine::cancel::CancelToken;
    use perfi_engine::config::Budgets;
    let c_files: Vec<PathBuf> = files.iter().filter(|p| p.extension().is_some_and(|e| e == "c")).cloned().collect();
    let prog = Program::load(&c_files).context("loading sources")?;
    let cancel = CancelToken::new();
    let mut ifaces = Vec::new();
    let mut line = 64;
    for fa in &prog.files {
        if !c_files.iter().any(|f| f.to_string_lossy() == fa.path) {
            continue;
        }
        let cfg = super::analyze::config_for(std::path::Path::new(&fa.path), None, None)?;
        line = cfg.hardware.line;
        let table = prog.table_for(&fa.path);
        for l in &fa.functions {
            if let Ok(f) = &l.ir {
                ifaces.push(analyze_function(&std::sync::Arc::new(f.clone()), &l.info, &table, &cfg, Budgets::batch(), cfg.resolution, &cancel));
            }
        }
    }
    let cases: Vec<&perfi_engine::interface::Case> = ifaces.iter().flat_map(|f| f.cases.iter()).collect();
    Ok((perfi_engine::hotfields::uses_by_struct(&cases), line))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let files = collect_sources(&args.paths).context("collecting sources")?;
    let mut cache = FileCache::default();
    let mut structs: Vec<serde_json::Value> = Vec::new();
    let mut text = String::new();
    let accesses = if args.with_accesses { Some(case_accesses(&files)?) } else { None };
    for path in files {
        let f = load(&path, &mut cache).with_context(|| format!("reading {}", path.display()))?;
        let a = lower_file(f, &mut cache);
        for l in &a.layouts {
            let mut v = serde_json::to_value(l.as_ref())?;
            let mut t = render(l);
            if let Some((uses, line)) = &accesses {
                let key = perfi_engine::hotfields::struct_key(l);
                let hot = uses.get(&key).and_then(|u| perfi_engine::hotfields::struct_hotness(l, u, *line));
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("accesses".into(), serde_json::to_value(&hot)?);
                }
                if let Some(h) = &hot {
                    t = render_with(l, Some(h));
                }
            }
            structs.push(v);
            text.push_str(&t);
        }
    }
    match args.format {
        Format::Json => super::emit(&format!("{}\n", serde_json::to_string_pretty(&serde_json::json!({ "structs": structs }))?))?,
        Format::Text => super::emit(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// pahole-like text.
pub fn render(l: &RecordLayout) -> String {
    render_with(l, None)
}

/// With per-field hotness (`r2 w1` = read by 2 cases, written by 1) and
/// the suggested order.
pub fn render_with(l: &RecordLayout, hot: Option<&perfi_engine::hotfields::StructHotness>) -> String {
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
        let heat = hot
            .and_then(|h| h.fields.iter().find(|x| x.name == f.name))
            .filter(|x| x.read_cases + x.write_cases > 0)
            .map(|x| format!(" r{} w{}{}", x.read_cases, x.write_cases, if x.hot { " hot" } else { "" }))
            .unwrap_or_default();
        s.push_str(&format!("\t{:<24} {:<28} /* {:>5} {:>4} line {}{heat} */\n", f.ty, format!("{}{bits};", f.name), f.offset, f.size, f.line));
    }
    if let Some(h) = hot {
        s.push_str(&perfi_engine::hotfields::describe(h));
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
