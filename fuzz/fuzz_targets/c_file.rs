//! Arbitrary bytes as a C file, through every stage the CLI runs: parse,
//! index, layouts (and their pahole-like text), IR, symbolic analysis with
//! small budgets, and the three projections. A panic anywhere (libFuzzer's
//! hook aborts even on panics that a `catch_unwind` guard would hide) or a
//! run past libFuzzer's -timeout/-rss_limit_mb is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfi_engine::analysis::{analyze_function, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::output;
use perfi_engine::source::SourceFile;
use perfi_engine::workspace::FileCache;
use std::sync::Arc;

// A folder that does not exist: quoted includes resolve to nothing, so the
// input alone is the translation unit.
const PATH: &str = "/nonexistent-perfi-fuzz/input.c";

// Small enough that one input takes well under a second; loop
// summarization may overrun the wall budget (checked between paths).
const BUDGETS: Budgets = Budgets { paths: 64, solver_ms: 100, wall_ms: 200, query_ms: 20 };

fuzz_target!(|data: &[u8]| {
    let Ok(file) = SourceFile::parse(PATH, data) else { return };
    let mut cache = FileCache::default();
    let prog = Program::from_sources(vec![Arc::new(file)], &mut cache);
    let table = prog.table_for(PATH);
    let cfg = Config { budgets: BUDGETS, ..Config::default() };
    let cancel = CancelToken::new();
    for fa in &prog.files {
        for l in &fa.layouts {
            let _ = perfi::cli::layout::render(l);
            let _ = serde_json::to_string(l.as_ref());
        }
        for l in fa.functions.iter().chain(fa.header_functions.iter()) {
            let Ok(f) = &l.ir else { continue };
            let iface = analyze_function(&Arc::new(f.clone()), &l.info, &table, &cfg, BUDGETS, cfg.resolution, &cancel);
            let _ = output::text(PATH, &iface, cfg.resolution);
            let _ = serde_json::to_string(&output::json(&iface));
            let _ = output::python(&iface);
        }
    }
});
