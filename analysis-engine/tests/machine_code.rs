//! Costs from the machine code: compile, disassembly and DWARF attribution
//! (`machine/`), on small C files written for these tests
//! (`tests/machine/`), and the consistency of explorer and interpreter
//! when both use machine-code costs.

use expect_test::expect;
use perfi_engine::analysis::{analyze_function_with_signatures, CostSource, Program, Status};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::cost::default_table;
use perfi_engine::interp::{check_run, Interp};
use perfi_engine::machine::compile::{self, CompileError, Input, Limits};
use perfi_engine::machine::{MachineCosts, Plan, I_DIVS, I_INSTR, I_READS, I_WRITES};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn kernels() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/machine/kernels.c")
}

fn costs() -> Option<MachineCosts> {
    compile::system_compiler()?;
    Some(MachineCosts::compile(Input::File(&kernels()), &[], Limits::default()).expect("kernels.c compiles"))
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|l| l.contains(needle)).expect("needle in file") as u32 + 1
}

#[test]
fn metrics_per_line_follow_the_code() {
    let Some(mc) = costs() else { return };
    let text = std::fs::read_to_string(kernels()).expect("read");
    let file = mc.file_index(&kernels()).expect("the line table names kernels.c");
    // The division sits on its line, in sum_div's symbol.
    let sd = &mc.symbols["sum_div"];
    let div_line = line_of(&text, "a[i] / d");
    let divs: f64 = sd.lines.iter().filter(|((f, l), _)| *f == file && *l == div_line).map(|(_, m)| m.0[I_DIVS]).sum();
    assert_eq!(divs, 1.0, "one divide instruction on the division's line:\n{}", mc.listing("sum_div"));
    // A counter bump is a read-modify-write: one read and one write.
    let b = &mc.symbols["bump"];
    let hits = line_of(&text, "c->hits += 1");
    let m = b.lines.get(&(file, hits)).expect("code on the hits line");
    assert!(m.0[I_READS] >= 1.0 && m.0[I_WRITES] >= 1.0, "{}", mc.listing("bump"));
    // Every decoded instruction is attributed exactly once.
    for (name, s) in &mc.symbols {
        let total: f64 = s.lines.values().map(|m| m.0[I_INSTR]).sum::<f64>() + s.unlined.0[I_INSTR];
        assert_eq!(total, s.instructions as f64, "{name}");
    }
    // The static helper is inlined twice into hash2 and has no symbol.
    assert!(!mc.symbols.contains_key("mix"));
    assert_eq!(mc.symbols["hash2"].inlined.get("mix").copied(), Some(2));
}

#[test]
fn per_line_listing_snapshot() {
    // gcc 12 -O2 on x86-64 (Debian 12); regenerate with UPDATE_EXPECT=1
    // when the system compiler changes.
    let Some(mc) = costs() else { return };
    expect![[r#"
        kernels.c:37: 4 instr, 1 cycles
        kernels.c:39: 1 instr, 1 reads, 1 branches, 2 cycles
        kernels.c:17: 2 instr, 1 branches, 0.75 cycles
        kernels.c:18: 2 instr, 2 reads, 1 writes, 1 branches, 3 cycles
        kernels.c:20: 1 instr, 1 reads, 1 writes, 1 cycles
        kernels.c:21: 1 instr, 1 reads, 1 branches, 2 cycles
    "#]]
    .assert_eq(&(mc.listing("pick") + &mc.listing("bump")));
}

fn analyze_with(mc: Option<Arc<MachineCosts>>) -> (Program, Vec<(String, perfi_engine::analysis::FunctionInterface)>, Config) {
    let prog = Program::load(&[kernels()]).expect("loads");
    let mut cfg = Config::default();
    cfg.machine = mc;
    let budgets = Budgets { paths: 2000, solver_ms: 10_000, wall_ms: 10_000, query_ms: 1000 };
    let mut out = Vec::new();
    for fa in &prog.files {
        let funcs = prog.table_for(&fa.path);
        for l in &fa.functions {
            let Ok(ir) = &l.ir else { continue };
            let f = Arc::new(ir.clone());
            out.push((l.info.name.clone(), analyze_with_sigs(&f, &l.info, &funcs, &cfg, budgets)));
        }
    }
    (prog, out, cfg)
}

fn analyze_with_sigs(f: &Arc<perfi_engine::ir::Function>, info: &perfi_engine::index::FunctionInfo, funcs: &perfi_engine::analysis::FuncTable, cfg: &Config, budgets: Budgets) -> perfi_engine::analysis::FunctionInterface {
    analyze_function_with_signatures(f, info, funcs, cfg, budgets, 1.0, &CancelToken::new())
}

#[test]
fn explorer_and_interpreter_agree_with_machine_costs() {
    let Some(mc) = costs() else { return };
    let mc = Arc::new(mc);
    let (prog, ifaces, _) = analyze_with(Some(mc.clone()));
    let table = default_table();
    let mut checked = 0;
    for fa in &prog.files {
        let funcs = prog.table_for(&fa.path);
        for l in &fa.functions {
            let Ok(ir) = &l.ir else { continue };
            let f = Arc::new(ir.clone());
            let Some((_, iface)) = ifaces.iter().find(|(n, _)| *n == l.info.name) else { continue };
            assert_eq!(iface.cost_source, CostSource::MachineCode, "{}: {:?}", l.info.name, iface.cost_source_note);
            assert_eq!(iface.status, Status::Complete, "{}", l.info.name);
            for seed in 1..=16u64 {
                let mut it = Interp::new(&funcs, seed);
                it.machine = Some(Plan::new(mc.clone(), &l.info.name, &funcs, &table));
                if let Ok(run) = it.run_random(&f) {
                    check_run(iface, &run, &table).unwrap_or_else(|e| panic!("{}: {e}", l.info.name));
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} runs checked");
}

#[test]
fn machine_costs_differ_from_the_model_where_the_model_is_blind() {
    // The model gives a division's register moves and the prologue a
    // fitted weight; the machine code counts what gcc emitted. Both must
    // be positive and the machine figure an integer on a straight path.
    let Some(mc) = costs() else { return };
    let (_, with, _) = analyze_with(Some(Arc::new(mc)));
    let (_, without, _) = analyze_with(None);
    let get = |v: &[(String, perfi_engine::analysis::FunctionInterface)], n: &str| v.iter().find(|(x, _)| x == n).map(|(_, i)| i.clone()).expect("analyzed");
    let m = get(&with, "hash2");
    let o = get(&without, "hash2");
    assert_eq!(o.cost_source, CostSource::Model);
    let instr = |i: &perfi_engine::analysis::FunctionInterface| i.cases[0].polys[0].c;
    assert!(instr(&m) > 0.0 && instr(&o) > 0.0);
    assert_eq!(instr(&m).fract(), 0.0, "straight-line code: whole instructions");
}

#[test]
fn refused_commands_and_timeouts_fall_back() {
    let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let r = compile::safe_args(&v(&["./evil-cc", "-fplugin=./p.so", "-c", "a.c"]), std::path::Path::new("/tmp"));
    assert!(r.is_err());
    if compile::system_compiler().is_none() {
        return;
    }
    let e = MachineCosts::compile(Input::File(&kernels()), &[], Limits { timeout: Duration::from_millis(0), max_object: 1 << 20 });
    assert!(matches!(e, Err(perfi_engine::machine::attribute::MachineError::Compile(CompileError::Timeout { .. }))), "{e:?}");
    let e = MachineCosts::compile(Input::Buffer { path: &kernels(), text: "int f( {" }, &[], Limits::default());
    assert!(matches!(e, Err(perfi_engine::machine::attribute::MachineError::Compile(CompileError::Failed { .. }))), "{e:?}");
}

#[test]
fn unsaved_text_is_attributed_to_the_original_file() {
    if compile::system_compiler().is_none() {
        return;
    }
    let text = std::fs::read_to_string(kernels()).expect("read");
    let edited = text.replace("return x - 1;", "return x - 2;");
    let mc = MachineCosts::compile(Input::Buffer { path: &kernels(), text: &edited }, &[], Limits::default()).expect("compiles");
    assert!(mc.file_index(&kernels()).is_some(), "files: {:?}", mc.files);
    assert!(mc.symbols.contains_key("pick"));
}
