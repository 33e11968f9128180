//! Consistency of interfaces with a concrete interpreter over the same IR
//! and cost model: for random concrete inputs, the concrete cost equals the
//! interface's formula evaluated at the PCV values observed in that run,
//! exactly, at resolution 1.

use perfi_engine::analysis::{analyze_function_with_signatures, Program, Status};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::cost::default_table;
use perfi_engine::interp::{check_run, Interp};
use perfi_engine::workspace::collect_sources;
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestRunner};
use std::path::PathBuf;
use std::sync::Arc;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces")
}

struct Tally {
    functions: usize,
    runs_checked: usize,
    partial: Vec<String>,
    failures: Vec<String>,
}

fn check_dir(dir: &str, tally: &mut Tally) {
    let files: Vec<PathBuf> = collect_sources(&[workspace_root().join(dir)]).unwrap().into_iter().filter(|p| p.extension().is_some_and(|e| e == "c")).collect();
    let prog = Program::load(&files).expect("workspace loads");
    let table = default_table();
    let cfg = Config::default();
    let budgets = Budgets { paths: 20000, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
    for fa in &prog.files {
        let funcs = prog.table_for(&fa.path);
        for l in &fa.functions {
            let Ok(ir) = &l.ir else { continue };
            let f = Arc::new(ir.clone());
            let iface = analyze_function_with_signatures(&f, &l.info, &funcs, &cfg, budgets, 1.0, &CancelToken::new());
            tally.functions += 1;
            // A partial interface is checked on the paths it explored; runs
            // that took an unexplored path are skipped (and counted).
            let partial = iface.status != Status::Complete;
            if partial {
                tally.partial.push(format!("{}: {}", l.info.name, iface.reason.clone().unwrap_or_default()));
            }
            let mut runner = TestRunner::new(PtConfig { cases: 24, failure_persistence: None, ..PtConfig::default() });
            let checked = std::cell::Cell::new(0usize);
            let result = runner.run(&any::<u64>(), |seed| {
                let mut it = Interp::new(&funcs, seed);
                match it.run_random(&f) {
                    Ok(run) => {
                        if partial && !iface.cases.iter().any(|c| c.sigs.contains(&run.sig)) {
                            return Ok(());
                        }
                        checked.set(checked.get() + 1);
                        check_run(&iface, &run, &table).map_err(TestCaseError::fail)
                    }
                    // Runs that hit a step limit or undefined behaviour are
                    // not evidence either way.
                    Err(_) => Ok(()),
                }
            });
            tally.runs_checked += checked.get();
            if let Err(e) = result {
                tally.failures.push(format!("{}::{}: {e}", dir, l.info.name));
            }
        }
    }
}

fn run_dirs(dirs: &[&str]) {
    let mut tally = Tally { functions: 0, runs_checked: 0, partial: vec![], failures: vec![] };
    for d in dirs {
        check_dir(d, &mut tally);
    }
    eprintln!(
        "consistency: {} functions, {} concrete runs checked, {} partial (checked on explored paths only), {} failing",
        tally.functions,
        tally.runs_checked,
        tally.partial.len(),
        tally.failures.len()
    );
    for p in &tally.partial {
        eprintln!("  partial: {p}");
    }
    assert!(tally.failures.is_empty(), "inconsistent interfaces:\n{}", tally.failures.join("\n"));
    assert!(tally.runs_checked > 0, "no concrete run was checked");
}

#[test]
fn nat_lpm_kmod_bridge() {
    run_dirs(&["nat", "lpm", "kmod", "bridge"]);
}

#[test]
fn cipher() {
    run_dirs(&["cipher"]);
}

#[test]
fn maglev_policer_xdp_firewall() {
    run_dirs(&["maglev", "policer", "xdp", "firewall"]);
}

#[test]
fn callbacks_ebpf_gnuc() {
    run_dirs(&["callbacks", "ebpf", "gnuc", "idioms"]);
}
