//! Interfaces of constructs from real-world C (issue 13): calls through
//! function pointers, eBPF as libbpf writes it, GNU C and builtins, loop
//! idioms. The C files are ours, in test-workspaces/{callbacks,ebpf,gnuc}/;
//! each snapshot is the interface text of one function at resolution 1
//! (status, cases with their formulas, PCVs). Why each expected text is
//! right is said next to it.

use expect_test::{expect, Expect};
use perfi_engine::analysis::{analyze_function, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::workspace::collect_sources;
use std::path::PathBuf;
use std::sync::Arc;

fn interface(dir: &str, name: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces").join(dir);
    let files: Vec<PathBuf> = collect_sources(&[root]).expect("sources").into_iter().filter(|p| p.extension().is_some_and(|e| e == "c")).collect();
    let prog = Program::load(&files).expect("workspace loads");
    for fa in &prog.files {
        let funcs = prog.table_for(&fa.path);
        let Some(l) = fa.functions.iter().find(|l| l.info.name == name) else { continue };
        let ir = match &l.ir {
            Ok(ir) => ir,
            Err(e) => return format!("{name}: {e}\n"),
        };
        let budgets = Budgets { paths: 4000, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
        let iface = analyze_function(&Arc::new(ir.clone()), &l.info, &funcs, &Config::default(), budgets, 1.0, &CancelToken::new());
        let text = perfi_engine::output::text("", &iface, 1.0);
        // The analysis time (`· 12.3 ms ·`) varies from run to run.
        let steady = |l: &str| match (l.find(" paths · "), l.find(" ms · ")) {
            (Some(a), Some(b)) if a < b => format!("{}{}", &l[..a + " paths".len()], &l[b + " ms".len()..]),
            _ => l.to_string(),
        };
        return text.lines().map(|l| steady(l.trim_end())).collect::<Vec<_>>().join("\n") + "\n";
    }
    panic!("no function `{name}` in {dir}")
}

fn check(dir: &str, name: &str, expected: Expect) {
    expected.assert_eq(&interface(dir, name));
}

#[test]
fn bsearch_callback_is_a_pcv() {
    check("callbacks", "find_sorted", expect![[r#"
        find_sorted  :12-30  complete · 3 paths · resolution 1
          PCVs:
            cost(cmp)  instructions spent in the function `cmp` points to (indirect call at line 20; its target is not known in this function) (line 20)
            iters_lo_a iterations of the loop at line 17, iterations where cmp() < 0 (hi - lo at least halves every time round; all classes together: at most log2(num) + 1) (line 17, ≤ log2(num) + 1)
            iters_lo_b iterations of the loop at line 17, iterations where cmp() >= 0 (hi - lo at least halves every time round; all classes together: at most log2(num) + 1) (line 17, ≤ log2(num) + 1)
          if num <= 0:
              instructions = 18.68; reads = 2.5; writes = 0.02; cycles = 9.34 warm / 9.34 cold; lines = 0
              lines by object: none
          elif num > 0 && the loop at line 17 in find_sorted ends when its condition fails:
              instructions = cost(cmp)*iters_lo_a + cost(cmp)*iters_lo_b + 16.4*iters_lo_a + 16.68*iters_lo_b + 18.68; reads = 0.5*iters_lo_a + 0.5*iters_lo_b + 2.5; writes = 1.2*iters_lo_a + 1.2*iters_lo_b + 0.02; cycles = 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 14.2*iters_lo_a + 14.34*iters_lo_b + 9.34 warm / 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 14.2*iters_lo_a + 14.34*iters_lo_b + 9.34 cold; lines = 0
              lines by object: none
          elif num > 0 && cmp() == 0 && the loop at line 17 in find_sorted leaves at the `return` on line 23:
              instructions = cost(cmp)*iters_lo_a + cost(cmp)*iters_lo_b + cost(cmp) + 16.4*iters_lo_a + 16.68*iters_lo_b + 30.8; reads = 0.5*iters_lo_a + 0.5*iters_lo_b + 3; writes = 1.2*iters_lo_a + 1.2*iters_lo_b + 1.23; cycles = 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 0.5*cost(cmp) + 14.2*iters_lo_a + 14.34*iters_lo_b + 21.4 warm / 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 0.5*cost(cmp) + 14.2*iters_lo_a + 14.34*iters_lo_b + 21.4 cold; lines = 0
              lines by object: none
          note: indirect call through `cmp` at line 20 costs cost(cmp)
    "#]]);
}

#[test]
fn known_callback_is_inlined() {
    check("callbacks", "port_allowed", expect![[r#"
        port_allowed  :43-46  complete · 3 paths · resolution 1
          PCVs:
            iters_lo_a iterations of the loop at line 17 in find_sorted, iterations where *(const unsigned *)key < *(const unsigned *)elt (hi - lo at least halves every time round; all classes together: at most log2(n) + 1) (line 17, ≤ log2(n) + 1)
            iters_lo_b iterations of the loop at line 17 in find_sorted, iterations where *(const unsigned *)key >= *(const unsigned *)elt && c != 0 && c >= 0 (hi - lo at least halves every time round; all classes together: at most log2(n) + 1) (line 17, ≤ log2(n) + 1)
          if n <= 0:
              instructions = 8.33; reads = 1.28; writes = 0.05; cycles = 4.17 warm / 4.17 cold; lines = 0
              lines by object: none
          elif n > 0 && the loop at line 17 in find_sorted ends when its condition fails:
              instructions = 17.67*iters_lo_a + 18.68*iters_lo_b + 8.33; reads = 1.7*iters_lo_a + 1.7*iters_lo_b + 1.28; writes = 0.05*iters_lo_a + 0.05*iters_lo_b + 0.05; cycles = 14.84*iters_lo_a + 15.34*iters_lo_b + 4.17 warm / 214.84*iters_lo_a + 215.34*iters_lo_b + 204.17 cold; lines = iters_lo_a + iters_lo_b + 1
              lines by object: *port 1, *ports iters_lo_a + iters_lo_b; bytes = 64*iters_lo_a + 64*iters_lo_b + 64
          elif n > 0 && *(const unsigned *)key >= *(const unsigned *)elt && c == 0 && the loop at line 17 in find_sorted leaves at the `return` on line 23:
              instructions = 17.67*iters_lo_a + 18.68*iters_lo_b + 22.45; reads = 1.7*iters_lo_a + 1.7*iters_lo_b + 2.98; writes = 0.05*iters_lo_a + 0.05*iters_lo_b + 0.09; cycles = 14.84*iters_lo_a + 15.34*iters_lo_b + 17.23 warm / 214.84*iters_lo_a + 215.34*iters_lo_b + 417.23 cold; lines = iters_lo_a + iters_lo_b + 2
              lines by object: *port 1, *ports iters_lo_a + iters_lo_b + 1; bytes = 64*iters_lo_a + 64*iters_lo_b + 128
          resolutions where the interface changes: 1, 15
    "#]]);
}

#[test]
fn sort_with_callback() {
    check("callbacks", "order_ints", expect![[r#"
        order_ints  :49-63  complete · 2 paths · resolution 1
          PCVs:
            cost(before) instructions spent in the function `before` points to (indirect call at line 57; its target is not known in this function) (line 57)
            iters_j    iterations of the loop at line 57 (line 57)
            (n - 1)    trip count of the loop at line 53: n - 1 (line 53)
            iters_i_a  iterations of the loop at line 53, iterations where i <= 0 (the classes sum to the trip count) (line 53)
            iters_i_b  iterations of the loop at line 53, iterations where i > 0 (the classes sum to the trip count) (line 53)
          if n <= 1:
              instructions = 18.57; reads = 2.5; writes = 0.02; cycles = 9.29 warm / 9.29 cold; lines = 0
              lines by object: none
          elif n > 1:
              instructions = cost(before)*iters_j + cost(before)*(n - 1) - 1*cost(before)*iters_i_a - 1*cost(before)*iters_i_b + 13.26*iters_j + 15.29*(n - 1) - 7.05*iters_i_a - 7.05*iters_i_b + 18.57; reads = 2.2*iters_j + 2.2*(n - 1) - 1.35*iters_i_a - 1.35*iters_i_b + 2.5; writes = 2.19*iters_j + 2.19*(n - 1) - 1.2*iters_i_a - 1.2*iters_i_b + 0.02; cycles = 0.5*cost(before)*iters_j + 0.5*cost(before)*(n - 1) - 0.5*cost(before)*iters_i_a - 0.5*cost(before)*iters_i_b + 6.63*iters_j + 7.64*(n - 1) - 3.53*iters_i_a - 3.53*iters_i_b + 9.29 warm / 0.5*cost(before)*iters_j + 0.5*cost(before)*(n - 1) - 0.5*cost(before)*iters_i_a - 0.5*cost(before)*iters_i_b + 31.63*iters_j + 20.14*(n - 1) - 3.53*iters_i_a - 3.53*iters_i_b + 409.29 cold; lines = 0.12*iters_j + 0.06*(n - 1) + 2
              lines by object: *v 0.12*iters_j + 0.06*(n - 1) + 2 (0.12*iters_j + 0.06*(n - 1) + 7 unaligned); bytes = 8*iters_j + 4*(n - 1) + 128
          note: indirect call through `before` at line 57 costs cost(before)
    "#]]);
}

#[test]
fn sort_with_known_order() {
    check("callbacks", "order_desc8", expect![[r#"
        order_desc8  :70-73  complete · 1 paths · resolution 1
          PCVs:
            iters_j    iterations of the loop at line 57 in order_ints (line 57)
            iters_i_a  iterations of the loop at line 53 in order_ints, iterations where i <= 0 (the classes sum to the trip count) (line 53)
            iters_i_b  iterations of the loop at line 53 in order_ints, iterations where i > 0 (the classes sum to the trip count) (line 53)
          always:
              instructions = 11.65*iters_j - 5.44*iters_i_a - 5.44*iters_i_b + 100.96; reads = 1.7*iters_j - 0.85*iters_i_a - 0.85*iters_i_b + 13.21; writes = 1.03*iters_j - 0.05*iters_i_a - 0.05*iters_i_b + 7.27; cycles = 5.83*iters_j - 2.72*iters_i_a - 2.72*iters_i_b + 50.48 warm / 30.83*iters_j - 2.72*iters_i_a - 2.72*iters_i_b + 537.98 cold; lines = 0.12*iters_j + 2.44
              lines by object: *v 0.12*iters_j + 2.44 (0.12*iters_j + 7.44 unaligned); bytes = 8*iters_j + 156
    "#]]);
}

#[test]
fn ops_table_from_initializer() {
    check("callbacks", "table_lookup", expect![[r#"
        table_lookup  :111-114  complete · 2 paths · resolution 1
          PCVs:
            iters_i    iterations of the loop at line 89 in scan_find (line 89, ≤ 16)
          if key == t->keys[i] && the loop at line 89 in scan_find leaves at the `return` on line 91:
              instructions = 7.02*iters_i + 8.69; reads = 0.85*iters_i + 2.98; writes = 0.05; cycles = 3.51*iters_i + 4.35 warm / 16.01*iters_i + 404.35 cold; lines = 0.06*iters_i + 2
              lines by object: *t 0.06*iters_i + 1 (0.06*iters_i + 2 unaligned), scan_ops 1; bytes = 4*iters_i + 128
          elif the loop at line 89 in scan_find ends when its condition fails:
              instructions = 116.61; reads = 15.76; writes = 0.05; cycles = 58.31 warm / 458.31 cold; lines = 2
              lines by object: *t 1 (2 unaligned), scan_ops 1; bytes = 128
          note: scan_ops starts from its initializer (callbacks.c:105) in 2 of 2 cells that no function in the program writes
    "#]]);
}

#[test]
fn ops_table_passed_in() {
    check("callbacks", "table_lookup_with", expect![[r#"
        table_lookup_with  :117-124  complete · 2 paths · resolution 1
          PCVs:
            cost(ops->find) instructions spent in the function `ops->find` points to (indirect call at line 119; its target is not known in this function) (line 119)
            cost(ops->clear) instructions spent in the function `ops->clear` points to (indirect call at line 122; its target is not known in this function) (line 122)
          if ops->find() >= 0:
              instructions = cost(ops->find) + 11.55; reads = 3.04; writes = 1.21; cycles = 0.5*cost(ops->find) + 5.78 warm / 0.5*cost(ops->find) + 205.78 cold; lines = 1
              lines by object: *ops 1; bytes = 64
          elif ops->find() < 0:
              instructions = cost(ops->find) + cost(ops->clear) + 14.54; reads = 4.39; writes = 2.42; cycles = 0.5*cost(ops->find) + 0.5*cost(ops->clear) + 7.27 warm / 0.5*cost(ops->find) + 0.5*cost(ops->clear) + 207.27 cold; lines = 1
              lines by object: *ops 1 (2 unaligned); bytes = 64
          note: indirect call through `ops->find` at line 119 costs cost(ops->find)
          note: indirect call through `ops->clear` at line 122 costs cost(ops->clear)
    "#]]);
}

#[test]
fn local_function_pointer() {
    check("callbacks", "table_lookup_mode", expect![[r#"
        table_lookup_mode  :127-134  complete · 4 paths · resolution 1
          PCVs:
            iters_i    iterations of the loop at line 89 in scan_find (line 89, ≤ 16)
          if fast != 0 && key != t->keys[key & 15]:
              instructions = 11.81; reads = 2.13; writes = 0.05; cycles = 5.91 warm / 205.91 cold; lines = 1
              lines by object: *t 1; bytes = 64
          elif fast == 0 && key == t->keys[i] && the loop at line 89 in scan_find leaves at the `return` on line 91:
              instructions = 7.02*iters_i + 11.89; reads = 0.85*iters_i + 2.13; writes = 0.05; cycles = 3.51*iters_i + 5.95 warm / 16.01*iters_i + 205.95 cold; lines = 0.06*iters_i + 1
              lines by object: *t 0.06*iters_i + 1 (0.06*iters_i + 2 unaligned); bytes = 4*iters_i + 64
          elif fast != 0 && key == t->keys[key & 15]:
              instructions = 12.14; reads = 2.13; writes = 0.05; cycles = 6.07 warm / 206.07 cold; lines = 1
              lines by object: *t 1; bytes = 64
          elif fast == 0 && the loop at line 89 in scan_find ends when its condition fails:
              instructions = 119.81; reads = 14.91; writes = 0.05; cycles = 59.91 warm / 259.91 cold; lines = 1
              lines by object: *t 1 (2 unaligned); bytes = 64
          resolutions where the interface changes: 1, 108, 109
    "#]]);
}

#[test]
fn callback_in_counted_loop() {
    check("callbacks", "sum_mapped", expect![[r#"
        sum_mapped  :137-145  complete · 2 paths · resolution 1
          PCVs:
            cost(map)  instructions spent in the function `map` points to (indirect call at line 143; its target is not known in this function) (line 143)
            n          trip count of the loop at line 142: n (line 142)
          if n <= 0:
              instructions = 16.18; reads = 2.29; writes = 0.02; cycles = 8.09 warm / 8.09 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = cost(map)*n + 7.66*n + 16.18; reads = 1.35*n + 2.29; writes = 1.2*n + 0.02; cycles = 0.5*cost(map)*n + 3.83*n + 8.09 warm / 0.5*cost(map)*n + 16.33*n + 8.09 cold; lines = 0.06*n
              lines by object: *v 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
          note: indirect call through `map` at line 143 costs cost(map)
    "#]]);
}

#[test]
fn ebpf_bounds_check_and_percpu_array() {
    check("ebpf", "xdp_count", expect![[r#"
        xdp_count  :141-150  complete · 2 paths · resolution 1
          if packet shorter than 14 bytes && lookup(stats_map)#2 != 0:
              instructions = 21.83; reads = 7.24; writes = 2.02; cycles = 10.92 warm / 610.92 cold; lines = 3
              lines by object: *ctx 1 (2 unaligned), *lookup(stats_map) 1 (2 unaligned), action (stack) 1; bytes = 192
          elif packet at least 14 bytes && lookup(stats_map) != 0:
              instructions = 22.24; reads = 7.24; writes = 2.02; cycles = 11.12 warm / 611.12 cold; lines = 3
              lines by object: *ctx 1 (2 unaligned), *lookup(stats_map) 1 (2 unaligned), action (stack) 1; bytes = 192
    "#]]);
}

#[test]
fn ebpf_maps_by_type() {
    check("ebpf", "xdp_flows", expect![[r#"
        xdp_flows  :153-184  complete · 6 paths · resolution 1
          if packet shorter than 34 bytes:
              instructions = 11.72; reads = 3.18; writes = 0; cycles = 5.86 warm / 205.86 cold; lines = 1
              lines by object: *ctx 1 (2 unaligned); bytes = 64
          elif packet at least 34 bytes && eth->h_proto != 8:
              instructions = 14.5; reads = 4.04; writes = 0; cycles = 7.25 warm / 407.25 cold; lines = 2
              lines by object: *(data) 1, *ctx 1 (2 unaligned); bytes = 128
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) != 0:
              instructions = 42.03; reads = 10.5; writes = 1.21; cycles = 21.01 warm / 421.01 cold; lines = 2
              lines by object: *(data) 1, *ctx 1 (2 unaligned); bytes = 128
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) != 0 && rec->packets + 1 <= 0xf4240:
              instructions = 84.19; reads = 20.38; writes = 6.35; cycles = 42.1 warm / 842.1 cold; lines = 4
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), *lookup(flows) 1, key (stack) 1 (2 unaligned); bytes = 256
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) == 0:
              instructions = 145.72; reads = 32.24; writes = 17.65; cycles = 72.86 warm / 1072.86 cold; lines = 5
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), fresh (stack) 1 (2 unaligned), fresh initializer (line 174) 1 (2 unaligned), key (stack) 1 (2 unaligned); bytes = 320
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) != 0 && rec->packets + 1 > 0xf4240:
              instructions = 149.21; reads = 35.01; writes = 15.65; cycles = 74.61 warm / 874.61 cold; lines = 4
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), *lookup(flows) 1, key (stack) 1 (2 unaligned); bytes = 256
          note: blocked starts from its initializer (prog.c:114) in 5 of 5 cells that no function in the program writes
          resolutions where the interface changes: 1, 3, 4, 31, 66, 138
    "#]]);
}

#[test]
fn ebpf_loop_and_helpers() {
    check("ebpf", "xdp_misc", expect![[r#"
        xdp_misc  :200-219  complete · 4 paths · resolution 1
          PCVs:
            cost(add_one) instructions of one call of the callback `add_one` (`bpf_loop` at line 208 calls it once per iteration) (line 208)
          if bpf_csum_diff() == 0:
              instructions = 16*cost(add_one) + 63.97; reads = 9.59; writes = 10.2; cycles = 8*cost(add_one) + 31.99 warm / 8*cost(add_one) + 631.99 cold; lines = 3
              lines by object: after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 192
          elif bpf_csum_diff() != 0 && (bpf_ktime_get_ns() & 1) != 0:
              instructions = 16*cost(add_one) + 90.8; reads = 15.7; writes = 14.58; cycles = 8*cost(add_one) + 45.4 warm / 8*cost(add_one) + 645.4 cold; lines = 3
              lines by object: after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 192
          elif bpf_csum_diff() != 0 && (bpf_ktime_get_ns() & 1) == 0:
              instructions = 16*cost(add_one) + 96.45; reads = 19.11; writes = 15.57; cycles = 8*cost(add_one) + 48.23 warm / 8*cost(add_one) + 848.23 cold; lines = 4
              lines by object: *ctx 1, after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 256
          resolutions where the interface changes: 1, 6, 33
    "#]]);
}

#[test]
fn ebpf_count_helper() {
    check("ebpf", "count", expect![[r#"
        count  :129-138  complete · 2 paths · resolution 1
          if lookup(stats_map) == 0:
              instructions = 14.35; reads = 3.18; writes = 0; cycles = 7.18 warm / 207.18 cold; lines = 1
              lines by object: *action 1; bytes = 64
          elif lookup(stats_map) != 0:
              instructions = 19.49; reads = 5.74; writes = 1.97; cycles = 9.75 warm / 409.75 cold; lines = 2
              lines by object: *action 1, *lookup(stats_map) 1 (2 unaligned); bytes = 128
          resolutions where the interface changes: 1, 6
    "#]]);
}

#[test]
fn gnuc_statement_expression_and_typeof() {
    check("gnuc", "clamp_len", expect![[r#"
        clamp_len  :29-33  complete · 1 paths · resolution 1
          always:
              instructions = 3.89; reads = 1.28; writes = 0; cycles = 1.95 warm / 1.95 cold; lines = 0
              lines by object: none
    "#]]);
}

#[test]
fn gnuc_static_local() {
    check("gnuc", "next_id", expect![[r#"
        next_id  :36-42  complete · 1 paths · resolution 1
          always:
              instructions = 4.51; reads = 2.14; writes = 0.98; cycles = 2.26 warm / 202.26 cold; lines = 1
              lines by object: next_id::counter 1; bytes = 64
    "#]]);
}

#[test]
fn gnuc_builtins() {
    check("gnuc", "builtins", expect![[r#"
        builtins  :44-60  complete · 2 paths · resolution 1
          if x == 0:
              instructions = 3.56; reads = 1.28; writes = 0; cycles = 1.78 warm / 1.78 cold; lines = 0
              lines by object: none
          elif x != 0:
              instructions = 9.66; reads = 1.28; writes = 0; cycles = 4.83 warm / 4.83 cold; lines = 0
              lines by object: none
          resolutions where the interface changes: 1, 7
    "#]]);
}

#[test]
fn gnuc_barrier_costs_nothing() {
    check("gnuc", "with_barrier", expect![[r#"
        with_barrier  :62-68  complete · 1 paths · resolution 1
          always:
              instructions = 2.99; reads = 2.13; writes = 0; cycles = 1.49 warm / 201.49 cold; lines = 1
              lines by object: *p 1; bytes = 64
    "#]]);
}

#[test]
fn gnuc_inline_asm_is_a_pcv() {
    check("gnuc", "read_tsc", expect![[r#"
        read_tsc  :70-76  complete · 1 paths · resolution 1
          PCVs:
            cost(asm@74) instructions of the inline asm at line 74 (its template is not analyzed) (line 74)
          always:
              instructions = cost(asm@74) + 7.07; reads = 1.98; writes = 1.21; cycles = 0.5*cost(asm@74) + 3.54 warm / 0.5*cost(asm@74) + 3.54 cold; lines = 0
              lines by object: none
          note: inline asm at line 74 costs cost(asm@74)
    "#]]);
}

#[test]
fn gnuc_compound_literals() {
    check("gnuc", "sum_pair", expect![[r#"
        sum_pair  :78-83  complete · 1 paths · resolution 1
          always:
              instructions = 17.69; reads = 4.39; writes = 3.09; cycles = 8.84 warm / 408.85 cold; lines = 2
              lines by object: (struct pair){…} (stack) 1, p (stack) 1; bytes = 128
    "#]]);
    check("gnuc", "pair_hi", expect![[r#"
        pair_hi  :85-88  complete · 1 paths · resolution 1
          always:
              instructions = 13.46; reads = 1.98; writes = 2.53; cycles = 6.73 warm / 206.73 cold; lines = 1
              lines by object: (struct pair){…} (stack) 1; bytes = 64
    "#]]);
}

#[test]
fn gnuc_constant_table_copied_from_rodata() {
    check("gnuc", "weight", expect![[r#"
        weight  :91-96  complete · 1 paths · resolution 1
          always:
              instructions = 8.62; reads = 4.13; writes = 2.22; cycles = 4.31 warm / 404.31 cold; lines = 2
              lines by object: w (stack) 1 (2 unaligned), w initializer (line 93) 1 (2 unaligned); bytes = 128
    "#]]);
}

#[test]
fn gnuc_vla() {
    check("gnuc", "vla_sum", expect![[r#"
        vla_sum  :106-116  complete · 2 paths · resolution 1
          PCVs:
            n          trip count of the loop at line 111: n (line 111)
            n_2        trip count of the loop at line 113: n (line 113)
          if n <= 0:
              instructions = 6.49; reads = 1.28; writes = 0; cycles = 3.25 warm / 3.25 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 3.58*n + 5.33*n_2 + 6.49; reads = 0.85*n_2 + 1.28; writes = 0.98*n; cycles = 1.79*n + 2.66*n_2 + 3.25 warm / 14.29*n + 2.66*n_2 + 3.25 cold; lines = 0.06*n
              lines by object: buf (stack) 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
    "#]]);
}

#[test]
fn gnuc_switch_on_enum() {
    check("gnuc", "color_cost", expect![[r#"
        color_cost  :118-129  complete · 4 paths · resolution 1
          always:
              instructions = 5.02; reads = 2.27; writes = 0; cycles = 2.51 warm / 2.51 cold; lines = 0
              lines by object: none
    "#]]);
}

#[test]
fn gnuc_unreachable_drops_the_path() {
    check("gnuc", "never", expect![[r#"
        never  :131-136  complete · 1 paths · resolution 1
          always:
              instructions = 3.45; reads = 1.28; writes = 0; cycles = 1.73 warm / 1.73 cold; lines = 0
              lines by object: none
    "#]]);
}

#[test]
fn gnuc_computed_goto_says_why() {
    check("gnuc", "jump", expect![[r#"
        jump: unsupported: computed goto (`goto *EXPR`: the jump target is an address held in a variable) at 140:10
    "#]]);
}

#[test]
fn gnuc_attributes_and_byte_builtins() {
    check("gnuc", "call_attributed", expect![[r#"
        call_attributed  :150-153  complete · 1 paths · resolution 1
          always:
              instructions = 5.56; reads = 1.48; writes = 0.05; cycles = 2.78 warm / 2.78 cold; lines = 0
              lines by object: none
    "#]]);
    check("gnuc", "cmp_bytes", expect![[r#"
        cmp_bytes  :155-163  complete · 1 paths · resolution 1
          always:
              instructions = 26.88; reads = 2.63; writes = 0.55; cycles = 13.44 warm / 613.44 cold; lines = 3
              lines by object: *a 1, *b 1, t (stack) 1; bytes = 192
    "#]]);
}

#[test]
fn loop_narrow_counter_is_constant() {
    // `uint8_t i; for (i = 0; i < 4; ++i)`: exactly 4 trips, no PCV; the
    // 16 bytes of v[0..4] share one line (two when v straddles one).
    check("gnuc", "sum4", expect![[r#"
        sum4  :11-19  complete · 1 paths · resolution 1
          always:
              instructions = 25.12; reads = 4.69; writes = 0; cycles = 12.56 warm / 212.56 cold; lines = 1
              lines by object: *v 1 (2 unaligned); bytes = 64
    "#]]);
}

#[test]
fn loop_pointer_streams() {
    // `*d++ = *src++` over n u64: 8 bytes a step, n/8 lines per stream.
    check("gnuc", "copy_words", expect![[r#"
        copy_words  :42-48  complete · 2 paths · resolution 1
          PCVs:
            n          trip count of the loop at line 46: n (line 46)
          if n <= 0:
              instructions = 3.56; reads = 1.28; writes = 0; cycles = 1.78 warm / 1.78 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 7.94*n + 3.56; reads = 0.85*n + 1.28; writes = 0.98*n; cycles = 3.97*n + 1.78 warm / 53.97*n + 1.78 cold; lines = 0.25*n
              lines by object: *d 0.12*n (0.12*n + 1 unaligned), *src 0.12*n (0.12*n + 1 unaligned); bytes = 16*n
    "#]]);
    // `p += 8` over bytes: one byte read every 8, n·8/64 lines.
    check("gnuc", "stride8", expect![[r#"
        stride8  :50-60  complete · 2 paths · resolution 1
          PCVs:
            n          trip count of the loop at line 55: n (line 55)
          if n <= 0:
              instructions = 3.67; reads = 1.28; writes = 0; cycles = 1.84 warm / 1.84 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 5.44*n + 3.67; reads = 0.85*n + 1.28; writes = 0; cycles = 2.72*n + 1.84 warm / 27.72*n + 1.84 cold; lines = 0.12*n
              lines by object: *p 0.12*n (0.12*n + 1 unaligned); bytes = 8*n
    "#]]);
}

#[test]
fn loop_count_down() {
    check("gnuc", "drain", expect![[r#"
        drain  :21-28  complete · 2 paths · resolution 1
          PCVs:
            n          trip count of the loop at line 25: n (line 25)
          if n != 0:
              instructions = 5.51*n + 4.06; reads = 0.85*n + 1.28; writes = 0; cycles = 2.75*n + 2.03 warm / 15.25*n + 2.03 cold; lines = 0.06*n
              lines by object: *p 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
          elif n == 0:
              instructions = 4.06; reads = 1.28; writes = 0; cycles = 2.03 warm / 2.03 cold; lines = 0
              lines by object: none
    "#]]);
    check("gnuc", "drain_do", expect![[r#"
        drain_do  :30-40  complete · 2 paths · resolution 1
          PCVs:
            (n - 1)    trip count of the loop at line 36: n - 1 (line 36)
          if n == 0:
              instructions = 3.56; reads = 1.28; writes = 0; cycles = 1.78 warm / 1.78 cold; lines = 0
              lines by object: none
          elif n != 0:
              instructions = 5.44*(n - 1) + 9; reads = 0.85*(n - 1) + 2.13; writes = 0; cycles = 2.72*(n - 1) + 4.5 warm / 5.84*(n - 1) + 204.5 cold; lines = 0.02*(n - 1) + 1
              lines by object: *p 0.02*(n - 1) + 1 (0.02*(n - 1) + 2 unaligned); bytes = (n - 1) + 64
    "#]]);
}

#[test]
fn gnuc_static_assert_is_no_code() {
    check("gnuc", "checked_len", expect![[r#"
        checked_len  :165-169  complete · 1 paths · resolution 1
          always:
              instructions = 2.06; reads = 2.13; writes = 0; cycles = 1.03 warm / 201.03 cold; lines = 1
              lines by object: *h 1; bytes = 64
    "#]]);
}

// Binary searches (test-workspaces/idioms/search.c): the interval, or the
// count, at least halves every time round, so the loop runs at most
// log2(n) + 1 times; the PCVs say so in their bound.

#[test]
fn halving_half_open_interval() {
    check("idioms", "find_u32", expect![[r#"
        find_u32  :12-28  complete · 3 paths · resolution 1
          PCVs:
            iters_lo_a iterations of the loop at line 17, iterations where v[mid] >= key (hi - lo at least halves every time round; all classes together: at most log2(n) + 1) (line 17, ≤ log2(n) + 1)
            iters_lo_b iterations of the loop at line 17, iterations where v[mid] < key (hi - lo at least halves every time round; all classes together: at most log2(n) + 1) (line 17, ≤ log2(n) + 1)
          if n <= 0:
              instructions = 3.67; reads = 1.28; writes = 0; cycles = 1.84 warm / 1.84 cold; lines = 0
              lines by object: none
          elif n > 0 && the loop at line 17 in find_u32 ends when its condition fails:
              instructions = 15.34*iters_lo_a + 15.62*iters_lo_b + 3.67; reads = 1.7*iters_lo_a + 1.7*iters_lo_b + 1.28; writes = 0; cycles = 10.67*iters_lo_a + 10.81*iters_lo_b + 1.84 warm / 210.67*iters_lo_a + 210.81*iters_lo_b + 1.84 cold; lines = iters_lo_a + iters_lo_b
              lines by object: *v iters_lo_a + iters_lo_b; bytes = 64*iters_lo_a + 64*iters_lo_b
          elif n > 0 && key == v[mid] && the loop at line 17 in find_u32 leaves at the `return` on line 21:
              instructions = 15.34*iters_lo_a + 15.62*iters_lo_b + 12.42; reads = 1.7*iters_lo_a + 1.7*iters_lo_b + 2.13; writes = 0; cycles = 10.67*iters_lo_a + 10.81*iters_lo_b + 9.21 warm / 210.67*iters_lo_a + 210.81*iters_lo_b + 209.21 cold; lines = iters_lo_a + iters_lo_b + 1
              lines by object: *v iters_lo_a + iters_lo_b + 1; bytes = 64*iters_lo_a + 64*iters_lo_b + 64
          resolutions where the interface changes: 1, 9
    "#]]);
}

#[test]
fn halving_closed_interval() {
    check("idioms", "find_closed", expect![[r#"
        find_closed  :31-47  complete · 3 paths · resolution 1
          PCVs:
            iters_lo_a iterations of the loop at line 36, iterations where v[mid] < key (line 36)
            iters_lo_b iterations of the loop at line 36, iterations where v[mid] >= key && key < v[mid] (line 36)
          if hi < 0:
              instructions = 3.95; reads = 1.28; writes = 0; cycles = 1.98 warm / 1.98 cold; lines = 0
              lines by object: none
          elif hi >= 0 && the loop at line 36 in find_closed ends when its condition fails:
              instructions = 11.18*iters_lo_a + 15.55*iters_lo_b + 3.95; reads = 0.85*iters_lo_a + 0.85*iters_lo_b + 1.28; writes = 0; cycles = 8.59*iters_lo_a + 10.77*iters_lo_b + 1.98 warm / 208.59*iters_lo_a + 210.77*iters_lo_b + 1.98 cold; lines = iters_lo_a + iters_lo_b
              lines by object: *v iters_lo_a + iters_lo_b; bytes = 64*iters_lo_a + 64*iters_lo_b
          elif hi >= 0 && v[mid] >= key && key >= v[mid] && the loop at line 36 in find_closed leaves at the `return` on line 44:
              instructions = 11.18*iters_lo_a + 15.55*iters_lo_b + 17.02; reads = 0.85*iters_lo_a + 0.85*iters_lo_b + 2.13; writes = 0; cycles = 8.59*iters_lo_a + 10.77*iters_lo_b + 11.51 warm / 208.59*iters_lo_a + 210.77*iters_lo_b + 211.51 cold; lines = iters_lo_a + iters_lo_b + 1
              lines by object: *v iters_lo_a + iters_lo_b + 1; bytes = 64*iters_lo_a + 64*iters_lo_b + 64
          resolutions where the interface changes: 1, 14
    "#]]);
}

#[test]
fn halving_count_with_callback() {
    check("idioms", "search_with", expect![[r#"
        search_with  :53-70  complete · 3 paths · resolution 1
          PCVs:
            cost(order) instructions spent in the function `order` points to (indirect call at line 59; its target is not known in this function) (line 59)
            iters_num_a iterations of the loop at line 57, iterations where order() <= 0 (num at least halves every time round; all classes together: at most log2(num) + 1) (line 57, ≤ log2(num) + 1)
            iters_num_b iterations of the loop at line 57, iterations where order() > 0 (num at least halves every time round; all classes together: at most log2(num) + 1) (line 57, ≤ log2(num) + 1)
          if num <= 0:
              instructions = 18.57; reads = 2.5; writes = 0.02; cycles = 9.29 warm / 9.29 cold; lines = 0
              lines by object: none
          elif num > 0 && the loop at line 57 in search_with ends when its condition fails:
              instructions = cost(order)*iters_num_a + cost(order)*iters_num_b + 12.69*iters_num_a + 15*iters_num_b + 18.57; reads = 0.5*iters_num_a + 0.5*iters_num_b + 2.5; writes = 1.2*iters_num_a + 1.2*iters_num_b + 0.02; cycles = 0.5*cost(order)*iters_num_a + 0.5*cost(order)*iters_num_b + 9.35*iters_num_a + 10.5*iters_num_b + 9.29 warm / 0.5*cost(order)*iters_num_a + 0.5*cost(order)*iters_num_b + 9.35*iters_num_a + 10.5*iters_num_b + 9.29 cold; lines = 0
              lines by object: none
          elif num > 0 && order() == 0 && the loop at line 57 in search_with leaves at the `return` on line 62:
              instructions = cost(order)*iters_num_a + cost(order)*iters_num_b + cost(order) + 12.69*iters_num_a + 15*iters_num_b + 26.7; reads = 0.5*iters_num_a + 0.5*iters_num_b + 3; writes = 1.2*iters_num_a + 1.2*iters_num_b + 1.23; cycles = 0.5*cost(order)*iters_num_a + 0.5*cost(order)*iters_num_b + 0.5*cost(order) + 9.35*iters_num_a + 10.5*iters_num_b + 16.35 warm / 0.5*cost(order)*iters_num_a + 0.5*cost(order)*iters_num_b + 0.5*cost(order) + 9.35*iters_num_a + 10.5*iters_num_b + 16.35 cold; lines = 0
              lines by object: none
          note: indirect call through `order` at line 59 costs cost(order)
    "#]]);
}

#[test]
fn halving_width_by_division() {
    check("idioms", "lower_bound", expect![[r#"
        lower_bound  :74-90  complete · 2 paths · resolution 1
          PCVs:
            iters_width_a iterations of the loop at line 79, iterations where v[first + half] >= key (width at least halves every time round; all classes together: at most log2(n) + 1) (line 79, ≤ log2(n) + 1)
            iters_width_b iterations of the loop at line 79, iterations where v[first + half] < key (width at least halves every time round; all classes together: at most log2(n) + 1) (line 79, ≤ log2(n) + 1)
          if n != 0:
              instructions = 10.62*iters_width_a + 11.85*iters_width_b + 3.67; reads = 0.85*iters_width_a + 0.85*iters_width_b + 1.28; writes = 0; cycles = 8.31*iters_width_a + 8.93*iters_width_b + 1.84 warm / 208.31*iters_width_a + 208.93*iters_width_b + 1.84 cold; lines = iters_width_a + iters_width_b
              lines by object: *v iters_width_a + iters_width_b; bytes = 64*iters_width_a + 64*iters_width_b
          elif n == 0:
              instructions = 3.67; reads = 1.28; writes = 0; cycles = 1.84 warm / 1.84 cold; lines = 0
              lines by object: none
    "#]]);
}

#[test]
fn shrinking_by_one_is_not_halving() {
    check("idioms", "scan_down", expect![[r#"
        scan_down  :94-102  complete · 3 paths · resolution 1
          PCVs:
            iters_hi   iterations of the loop at line 96 (line 96)
          if lo < hi && the loop at line 96 in scan_down ends when its condition fails:
              instructions = 7.2*iters_hi + 3.45; reads = 0.85*iters_hi + 1.28; writes = 0; cycles = 3.6*iters_hi + 1.73 warm / 16.1*iters_hi + 1.73 cold; lines = 0.06*iters_hi
              lines by object: *v 0.06*iters_hi (0.06*iters_hi + 1 unaligned); bytes = 4*iters_hi
          elif lo >= hi:
              instructions = 3.45; reads = 1.28; writes = 0; cycles = 1.73 warm / 1.73 cold; lines = 0
              lines by object: none
          elif lo < hi && key == v[hi - 1] && the loop at line 96 in scan_down leaves at the `return` on line 98:
              instructions = 7.2*iters_hi + 8.49; reads = 0.85*iters_hi + 2.13; writes = 0; cycles = 3.6*iters_hi + 4.25 warm / 16.1*iters_hi + 204.25 cold; lines = 0.06*iters_hi + 1
              lines by object: *v 0.06*iters_hi + 1 (0.06*iters_hi + 2 unaligned); bytes = 4*iters_hi + 64
          resolutions where the interface changes: 1, 6
    "#]]);
}

// Count-down loops (test-workspaces/idioms/countdown.c).

#[test]
fn countdown_do_while_pre_decrement() {
    check("idioms", "sum_do_pre", expect![[r#"
        sum_do_pre  :11-21  complete · 2 paths · resolution 1
          PCVs:
            (n - 1)    trip count of the loop at line 17: n - 1 (line 17)
          if n == 0:
              instructions = 3.56; reads = 1.28; writes = 0; cycles = 1.78 warm / 1.78 cold; lines = 0
              lines by object: none
          elif n != 0:
              instructions = 5.4*(n - 1) + 8.96; reads = 0.85*(n - 1) + 2.13; writes = 0; cycles = 2.7*(n - 1) + 4.48 warm / 15.2*(n - 1) + 204.48 cold; lines = 0.06*(n - 1) + 1
              lines by object: *p 0.06*(n - 1) + 1 (0.06*(n - 1) + 2 unaligned); bytes = 4*(n - 1) + 64
    "#]]);
    check("idioms", "fill_do_signed", expect![[r#"
        fill_do_signed  :24-32  complete · 2 paths · resolution 1
          PCVs:
            (n - 1)    trip count of the loop at line 28: n - 1 (line 28)
          if n <= 0:
              instructions = 3.45; reads = 1.28; writes = 0; cycles = 1.73 warm / 1.73 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 5.3*(n - 1) + 8.75; reads = 1.28; writes = 0.98*(n - 1) + 0.98; cycles = 2.65*(n - 1) + 4.37 warm / 15.15*(n - 1) + 204.37 cold; lines = 0.06*(n - 1) + 1
              lines by object: *d 0.06*(n - 1) + 1 (0.06*(n - 1) + 2 unaligned); bytes = 4*(n - 1) + 64
    "#]]);
}

#[test]
fn countdown_do_while_post_decrement() {
    check("idioms", "xor_do_post", expect![[r#"
        xor_do_post  :35-43  complete · 1 paths · resolution 1
          PCVs:
            n          trip count of the loop at line 39: n (line 39)
          always:
              instructions = 5.55*n + 7.02; reads = 0.85*n + 2.13; writes = 0; cycles = 2.77*n + 3.51 warm / 5.9*n + 203.51 cold; lines = 0.02*n + 1
              lines by object: *p 0.02*n + 1 (0.02*n + 2 unaligned); bytes = n + 64
    "#]]);
}

#[test]
fn countdown_while_pre_decrement() {
    check("idioms", "skip_first", expect![[r#"
        skip_first  :46-55  complete · 3 paths · resolution 1
          PCVs:
            (n - 1)    trip count of the loop at line 52: n - 1 (line 52)
          if n == 0:
              instructions = 3.56; reads = 1.28; writes = 0; cycles = 1.78 warm / 1.78 cold; lines = 0
              lines by object: none
          elif n != 0 && n - 1 != 0:
              instructions = 5.22*(n - 1) + 6.04; reads = 0.85*(n - 1) + 1.28; writes = 0; cycles = 2.61*(n - 1) + 3.02 warm / 15.11*(n - 1) + 3.02 cold; lines = 0.06*(n - 1)
              lines by object: *p 0.06*(n - 1) (0.06*(n - 1) + 1 unaligned); bytes = 4*(n - 1)
          elif n != 0 && n - 1 == 0:
              instructions = 6.04; reads = 1.28; writes = 0; cycles = 3.02 warm / 3.02 cold; lines = 0
              lines by object: none
          resolutions where the interface changes: 1, 3
    "#]]);
}

#[test]
fn countdown_by_two() {
    check("idioms", "pairs_do", expect![[r#"
        pairs_do  :58-71  complete · 3 paths · resolution 1
          PCVs:
            iters_n_trips trip count of the loop at line 65: ((n & -2) - 2) / 2 (line 65)
          if n < 2:
              instructions = 3.56; reads = 1.28; writes = 0; cycles = 1.78 warm / 1.78 cold; lines = 0
              lines by object: none
          elif n >= 2 && n > 1000:
              instructions = 5.65; reads = 1.28; writes = 0; cycles = 2.82 warm / 2.82 cold; lines = 0
              lines by object: none
          elif n >= 2 && n <= 1000:
              instructions = 6.22*iters_n_trips + 12.54; reads = 1.7*iters_n_trips + 2.98; writes = 0; cycles = 3.11*iters_n_trips + 6.27 warm / 28.11*iters_n_trips + 206.27 cold; lines = 0.12*iters_n_trips + 1
              lines by object: *p 0.12*iters_n_trips + 1 (0.12*iters_n_trips + 3 unaligned); bytes = 8*iters_n_trips + 64
          resolutions where the interface changes: 1, 3
    "#]]);
}

// Cache lines of bounded indices and of arrays passed over twice
// (test-workspaces/idioms/lines.c).

#[test]
fn lines_masked_index_capped_by_table() {
    check("idioms", "mix_bytes", expect![[r#"
        mix_bytes  :19-27  complete · 2 paths · resolution 1
          PCVs:
            len        trip count of the loop at line 24: len (line 24)
          if len <= 0:
              instructions = 3.67; reads = 1.28; writes = 0; cycles = 1.84 warm / 1.84 cold; lines = 0
              lines by object: none
          elif len > 0:
              instructions = 8.57*len + 3.67; reads = 1.7*len + 1.28; writes = 0; cycles = 4.28*len + 1.84 warm / 7.41*len + 801.84 cold; lines = 0.02*len + 4
              lines by object: *p 0.02*len (0.02*len + 1 unaligned), mix_table 4 (5 unaligned); bytes = len + 256
          note: mix_table starts from its initializer (lines.c:10) in 64 of 64 cells that no function in the program writes
    "#]]);
    check("idioms", "mix_mod", expect![[r#"
        mix_mod  :30-38  complete · 2 paths · resolution 1
          PCVs:
            len        trip count of the loop at line 35: len (line 35)
          if len <= 0:
              instructions = 3.67; reads = 1.28; writes = 0; cycles = 1.84 warm / 1.84 cold; lines = 0
              lines by object: none
          elif len > 0:
              instructions = 13.11*len + 3.67; reads = 1.7*len + 1.28; writes = 0; cycles = 12.56*len + 1.84 warm / 15.68*len + 801.84 cold; lines = 0.02*len + 4
              lines by object: *p 0.02*len (0.02*len + 1 unaligned), mix_table 4 (5 unaligned); bytes = len + 256
          note: mix_table starts from its initializer (lines.c:10) in 64 of 64 cells that no function in the program writes
    "#]]);
}

#[test]
fn lines_modulo_index_into_parameter() {
    check("idioms", "count_keys", expect![[r#"
        count_keys  :47-53  complete · 2 paths · resolution 1
          PCVs:
            n          trip count of the loop at line 51: n (line 51)
          if n <= 0:
              instructions = 3.56; reads = 1.28; writes = 0; cycles = 1.78 warm / 1.78 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 26.3*n + 3.56; reads = 1.71*n + 1.28; writes = 0.98*n; cycles = 22.15*n + 1.78 warm / 34.65*n + 401.78 cold; lines = 0.06*n + 2
              lines by object: *keys 0.06*n (0.06*n + 1 unaligned), *slots 2 (3 unaligned); bytes = 4*n + 128
    "#]]);
}

#[test]
fn lines_index_from_a_call() {
    check("idioms", "sum_picked", expect![[r#"
        sum_picked  :57-65  complete · 2 paths · resolution 1
          PCVs:
            cost(pick) instructions spent in the function `pick` points to (indirect call at line 63; its target is not known in this function) (line 63)
            n          trip count of the loop at line 62: n (line 62)
          if n <= 0:
              instructions = 16.18; reads = 2.29; writes = 0.02; cycles = 8.09 warm / 8.09 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = cost(pick)*n + 10.02*n + 16.18; reads = 2.2*n + 2.29; writes = 1.2*n + 0.02; cycles = 0.5*cost(pick)*n + 5.01*n + 8.09 warm / 0.5*cost(pick)*n + 17.51*n + 808.09 cold; lines = 0.06*n + 4
              lines by object: *keys 0.06*n (0.06*n + 1 unaligned), mix_table 4 (5 unaligned); bytes = 4*n + 256
          note: indirect call through `pick` at line 63 costs cost(pick)
          note: mix_table starts from its initializer (lines.c:10) in 64 of 64 cells that no function in the program writes
    "#]]);
}

#[test]
fn lines_two_passes_over_one_array() {
    check("idioms", "two_passes", expect![[r#"
        two_passes  :69-79  complete · 2 paths · resolution 1
          PCVs:
            n          trip count of the loop at line 74: n (line 74)
            n_2        trip count of the loop at line 76: n (line 76)
          if n <= 0:
              instructions = 5.87; reads = 1.28; writes = 0; cycles = 2.93 warm / 2.93 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 5.33*n + 6.21*n_2 + 5.87; reads = 0.85*n + 0.85*n_2 + 1.28; writes = 0.98*n_2; cycles = 2.66*n + 3.1*n_2 + 2.93 warm / 15.16*n + 3.1*n_2 + 2.93 cold; lines = 0.06*n
              lines by object: *a 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
    "#]]);
}
