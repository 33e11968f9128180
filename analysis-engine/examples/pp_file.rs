//! Preprocesses one file and prints timing, pieces and diagnostics:
//! `cargo run --release -p perfi-engine --example pp_file -- FILE [-IDIR]...`
//! Runs twice with one HeaderCache (cold, then warm) and once more after
//! touching the main file's text (a keystroke).

use std::path::PathBuf;
use std::time::Instant;

use perfi_engine::frontend::preprocess::{default_system_dirs, preprocess, DiskFiles, HeaderCache, Options, Target};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: pp_file FILE [-IDIR]...");
        return;
    };
    let mut opts = Options { system_dirs: default_system_dirs(Target::X86_64), ..Options::default() };
    for a in &args[1..] {
        if let Some(d) = a.strip_prefix("-I") {
            opts.include_dirs.push(PathBuf::from(d));
        }
    }
    let path = PathBuf::from(file);
    let text = std::fs::read(&path).expect("read");
    let cache = HeaderCache::new();
    let files = DiskFiles;
    let t = Instant::now();
    let out = preprocess(&path, &text, &opts, &files, &cache);
    let cold = t.elapsed();
    let mut edited = text.clone();
    edited.extend_from_slice(b"\nint keystroke_x;\n");
    let mut times = Vec::new();
    let mut out2 = None;
    for k in 0..10 {
        edited.extend_from_slice(format!("int typed_{k};\n").as_bytes());
        let t = Instant::now();
        out2 = Some(preprocess(&path, &edited, &opts, &files, &cache));
        times.push(t.elapsed());
    }
    times.sort();
    let warm = times[times.len() / 2];
    let out2 = out2.expect("ran");
    let bytes: usize = out.pieces.iter().map(|p| p.text.len()).sum();
    println!(
        "{}: cold {:.2} ms, warm (keystroke, median of 10) {:.2} ms; {} pieces, {} bytes, {} files read, {} diagnostics, cache entries {}",
        path.display(),
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3,
        out.pieces.len(),
        bytes,
        out.files_read.len(),
        out.diagnostics.len(),
        cache.len()
    );
    assert_eq!(out.pieces.len(), out2.pieces.len());
    for d in out.diagnostics.iter().take(20) {
        println!("  {}:{}:{}: {:?}: {}", d.path.display(), d.line, d.col, d.kind, d.message);
    }
}
