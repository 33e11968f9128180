//! Machine-code attribution of loops (`machine/attribute.rs`, `plan.rs`)
//! on `tests/machine/loops.c`: the interface, evaluated at the
//! interpreter's PCV values for a call, must count what the object runs
//! for that call. The expected counts come from the object (instructions
//! by machine-loop depth) and from the C semantics of each loop (trip
//! counts, element sizes), not from the attribution under test.
//!
//! One difference is inherent and allowed: the IR tests a loop's
//! condition once more than it iterates (the exit test), while gcc's
//! rotated loop tests at the bottom, so each entry into a loop may be
//! charged up to one more iteration of its per-iteration code. And gcc
//! copies the epilogue to each exit, on the closing line: a call runs one
//! copy, so the object's code outside loops overstates a call by the other
//! copies (`extra_epilogues`).

use perfi_engine::analysis::{analyze_function_with_signatures, CostSource, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::cost::default_table;
use perfi_engine::interp::{check_run, predict, Interp};
use perfi_engine::machine::compile::{self, Input, Limits};
use perfi_engine::machine::{MachineCosts, Plan, I_INSTR, I_READS};
use std::path::PathBuf;
use std::sync::Arc;

fn source() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/machine/loops.c")
}

/// Instructions the interface predicts for the call `driver` makes to
/// `func`, checked against the cost model on the same run.
fn predicted(mc: &Arc<MachineCosts>, func: &str, driver: &str) -> f64 {
    predicted_metric(mc, func, driver, 0)
}

/// The same for metric `k` (0 instructions, 1 reads, 2 writes).
fn predicted_metric(mc: &Arc<MachineCosts>, func: &str, driver: &str, k: usize) -> f64 {
    let prog = Program::load(&[source()]).expect("loads");
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let ir = |name: &str| Arc::new(fa.functions.iter().find(|l| l.info.name == name).and_then(|l| l.ir.as_ref().ok()).expect("lowers").clone());
    let info = &fa.functions.iter().find(|l| l.info.name == func).expect("function").info;
    let mut cfg = Config::default();
    cfg.machine = Some(mc.clone());
    let budgets = Budgets { paths: 1000, solver_ms: 10_000, wall_ms: 10_000, query_ms: 1000 };
    let iface = analyze_function_with_signatures(&ir(func), info, &funcs, &cfg, budgets, 1.0, &CancelToken::new());
    assert_eq!(iface.cost_source, CostSource::MachineCode, "{func}: {:?}", iface.cost_source_note);
    let table = default_table();
    let mut it = Interp::new(&funcs, 1);
    it.machine = Some(Plan::new(mc.clone(), func, &funcs, &table));
    let run = it.run_measured(&ir(driver), func).expect("runs");
    check_run(&iface, &run, &table).unwrap_or_else(|e| panic!("{func}: {e}"));
    predict(&iface, &run).expect("a case").1[k]
}

/// (instructions outside machine loops, per machine-loop depth 1, 2...)
fn by_depth(mc: &MachineCosts, sym: &str) -> Vec<f64> {
    by_depth_of(mc, sym, I_INSTR)
}

/// The code of the epilogue copies a call does not run: on a line with k
/// `ret`s, (k − 1) / k of its code.
fn extra_epilogues(mc: &MachineCosts, sym: &str, metric: usize) -> f64 {
    let s = &mc.symbols[sym];
    s.returns.iter().filter(|(_, k)| **k > 1).map(|(l, k)| s.lines.get(l).map(|m| m.0[metric]).unwrap_or(0.0) * (*k - 1) as f64 / *k as f64).sum()
}

fn by_depth_of(mc: &MachineCosts, sym: &str, metric: usize) -> Vec<f64> {
    let s = &mc.symbols[sym];
    let mut out = vec![s.unlined.0[metric]];
    for d in s.depths.values() {
        if out.len() < d.len() {
            out.resize(d.len(), 0.0);
        }
        for (k, m) in d.iter().enumerate() {
            out[k] += m.0[metric];
        }
    }
    out
}

#[test]
fn vectorized_loops_count_per_vector_iteration() {
    let Some(_) = compile::system_compiler() else { return };
    let mc = Arc::new(MachineCosts::compile(Input::File(&source()), &[], Limits::default()).expect("loops.c compiles"));
    // 256 entries of 2 bytes each.
    let (n, elem) = (256.0, 2.0);
    let vec = mc.symbols["fill_group"].vector.values().map(|v| v.0).max().unwrap_or(0);
    let scalar = by_depth(&mc, "fill_group_scalar");
    assert!(mc.symbols["fill_group_scalar"].vector.is_empty(), "the scalar loop has no vector access:\n{}", mc.listing("fill_group_scalar"));
    assert_eq!(scalar.len(), 2, "one machine loop");
    let ps = predicted(&mc, "fill_group_scalar", "run_fill_scalar");
    let want = scalar[0] + scalar[1] * n - extra_epilogues(&mc, "fill_group_scalar", I_INSTR);
    assert!(ps >= want - 1e-6 && ps <= want + scalar[1], "scalar: predicted {ps}, object {} + {} x {n}", scalar[0], scalar[1]);
    if vec == 0 {
        // A compiler that did not vectorize: nothing to divide.
        return;
    }
    let v = by_depth(&mc, "fill_group");
    assert_eq!(v.len(), 2, "one machine loop:\n{}", mc.listing("fill_group"));
    // One machine iteration stores `vec` bytes: vec / elem entries.
    let machine_iterations = n * elem / vec as f64;
    let p = predicted(&mc, "fill_group", "run_fill");
    let want = v[0] + v[1] * machine_iterations - extra_epilogues(&mc, "fill_group", I_INSTR);
    assert!(p >= want - 1e-6 && p <= want + v[1], "vectorized: predicted {p}, object {} + {} x {machine_iterations}", v[0], v[1]);
}

#[test]
fn an_inner_loop_start_on_its_header_line_runs_per_outer_iteration() {
    let Some(_) = compile::system_compiler() else { return };
    let mc = Arc::new(MachineCosts::compile(Input::File(&source()), &[], Limits::default()).expect("loops.c compiles"));
    let d = by_depth(&mc, "spread");
    assert_eq!(d.len(), 3, "two nested machine loops:\n{}", mc.listing("spread"));
    // i = 128, 64, ..., 1: 8 outer iterations; the inner loop steps by 2i
    // through 256: 256 / 2i iterations each, 1 + 2 + ... + 128 = 255.
    let (outer, inner) = (8.0, 255.0);
    let p = predicted(&mc, "spread", "run_spread");
    let want = d[0] + d[1] * outer + d[2] * inner - extra_epilogues(&mc, "spread", I_INSTR);
    // One extra test per entry: the inner loop is entered 8 times, the
    // outer once.
    let slack = d[2] * outer + d[1];
    assert!(p >= want - 1e-6 && p <= want + slack, "predicted {p}, object {d:?}: {want} + at most {slack}");
}

#[test]
fn code_hoisted_out_of_an_inner_loop_runs_per_outer_iteration() {
    let Some(_) = compile::system_compiler() else { return };
    let mc = Arc::new(MachineCosts::compile(Input::File(&source()), &[], Limits::default()).expect("loops.c compiles"));
    let reads = by_depth_of(&mc, "mix_bits", I_READS);
    assert_eq!(reads.len(), 3, "two nested machine loops:\n{}", mc.listing("mix_bits"));
    // g_words holds 16 + 8 + 1 + 1 = 26 set bits in 4 words.
    let (outer, inner) = (4.0, 26.0);
    let want = reads[0] + reads[1] * outer + reads[2] * inner - extra_epilogues(&mc, "mix_bits", I_READS);
    let slack = reads[2] * outer + reads[1];
    let p = predicted_metric(&mc, "mix_bits", "run_mix", 1);
    assert!(p >= want - 1e-6 && p <= want + slack, "reads predicted {p}, object {reads:?}: {want} + at most {slack}");
}

/// `func`, called once by `driver`, runs one machine loop 4 times: the
/// prediction is the object's code outside the loop plus 4 iterations
/// (up to one more for the IR's exit test).
fn check_four_iterations(func: &str, driver: &str) {
    let Some(_) = compile::system_compiler() else { return };
    let mc = Arc::new(MachineCosts::compile(Input::File(&source()), &[], Limits::default()).expect("loops.c compiles"));
    let d = by_depth(&mc, func);
    assert_eq!(d.len(), 2, "one machine loop:\n{}", mc.listing(func));
    let want = d[0] + d[1] * 4.0 - extra_epilogues(&mc, func, I_INSTR);
    let p = predicted(&mc, func, driver);
    assert!(p >= want - 1e-6 && p <= want + d[1], "predicted {p}, object {d:?}: {want} + at most {}", d[1]);
}

#[test]
fn inline_asm_in_an_inlined_helper_is_charged_per_call() {
    check_four_iterations("swap_sum", "run_swap");
}

#[test]
fn a_dead_constant_arm_takes_no_machine_code() {
    check_four_iterations("swap_sum_macro", "run_swap_macro");
}

/// gcc copies a function's epilogue (`pop`s and `ret`) to each exit and
/// places every copy on the closing brace's line; a call runs one copy.
/// The LPM workspace's `lpm_lookup` (code of this repository) has two
/// exits: its entry cost must be what it is for the same object with a
/// single epilogue copy on that line.
#[test]
fn one_epilogue_copy_per_call() {
    let Some(_) = compile::system_compiler() else { return };
    let lpm = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces/lpm/lpm.c");
    let inc = format!("-I{}", lpm.parent().expect("folder").display());
    let mc = MachineCosts::compile(Input::File(&lpm), &[inc], Limits::default()).expect("lpm.c compiles");
    let prog = Program::load(std::slice::from_ref(&lpm)).expect("loads");
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let f = funcs.get("lpm_lookup").expect("lpm_lookup");
    let file = mc.file_index(&lpm).expect("the line table names lpm.c");
    let close = (file, f.span.end_line);
    let rets = mc.symbols["lpm_lookup"].returns.get(&close).copied().unwrap_or(0);
    if rets < 2 {
        // A compiler that emits one shared epilogue: nothing to divide.
        return;
    }
    let entry = |mc: MachineCosts| Plan::new(Arc::new(mc), "lpm_lookup", &funcs, &default_table()).get(f).expect("a plan").entry.0[I_INSTR];
    let mut one = mc.clone();
    let sym = one.symbols.get_mut("lpm_lookup").expect("symbol");
    let m = sym.lines.get_mut(&close).expect("code on the closing line");
    *m = perfi_engine::machine::Metrics(m.0.map(|x| x / rets as f64));
    sym.returns.insert(close, 1);
    let (copies, single) = (entry(mc.clone()), entry(one));
    assert!((copies - single).abs() < 1e-9, "entry with {rets} epilogue copies {copies}, with one {single}:\n{}", mc.listing("lpm_lookup"));
}
