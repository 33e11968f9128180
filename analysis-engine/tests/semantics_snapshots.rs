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
              instructions = 17.32; reads = 2.42; writes = 0.02; cycles = 8.66 warm / 8.66 cold; lines = 0
              lines by object: none
          elif num > 0 && the loop at line 17 in find_sorted ends when its condition fails:
              instructions = cost(cmp)*iters_lo_a + cost(cmp)*iters_lo_b + 15.59*iters_lo_a + 15.84*iters_lo_b + 17.32; reads = 0.5*iters_lo_a + 0.5*iters_lo_b + 2.42; writes = 1.2*iters_lo_a + 1.2*iters_lo_b + 0.02; cycles = 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 13.79*iters_lo_a + 13.92*iters_lo_b + 8.66 warm / 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 13.79*iters_lo_a + 13.92*iters_lo_b + 8.66 cold; lines = 0
              lines by object: none
          elif num > 0 && cmp() == 0 && the loop at line 17 in find_sorted leaves at the `return` on line 23:
              instructions = cost(cmp)*iters_lo_a + cost(cmp)*iters_lo_b + cost(cmp) + 15.59*iters_lo_a + 15.84*iters_lo_b + 28.5; reads = 0.5*iters_lo_a + 0.5*iters_lo_b + 2.92; writes = 1.2*iters_lo_a + 1.2*iters_lo_b + 1.22; cycles = 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 0.5*cost(cmp) + 13.79*iters_lo_a + 13.92*iters_lo_b + 20.25 warm / 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 0.5*cost(cmp) + 13.79*iters_lo_a + 13.92*iters_lo_b + 20.25 cold; lines = 0
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
              instructions = 9.39; reads = 1.28; writes = 0.05; cycles = 4.69 warm / 4.69 cold; lines = 0
              lines by object: none
          elif n > 0 && the loop at line 17 in find_sorted ends when its condition fails:
              instructions = 17.39*iters_lo_a + 18.6*iters_lo_b + 9.39; reads = 1.71*iters_lo_a + 1.71*iters_lo_b + 1.28; writes = 0.05*iters_lo_a + 0.05*iters_lo_b + 0.05; cycles = 14.69*iters_lo_a + 15.3*iters_lo_b + 4.69 warm / 214.69*iters_lo_a + 215.3*iters_lo_b + 204.69 cold; lines = iters_lo_a + iters_lo_b + 1
              lines by object: *port 1, *ports iters_lo_a + iters_lo_b; bytes = 64*iters_lo_a + 64*iters_lo_b + 64
          elif n > 0 && *(const unsigned *)key >= *(const unsigned *)elt && c == 0 && the loop at line 17 in find_sorted leaves at the `return` on line 23:
              instructions = 17.39*iters_lo_a + 18.6*iters_lo_b + 23.32; reads = 1.71*iters_lo_a + 1.71*iters_lo_b + 2.99; writes = 0.05*iters_lo_a + 0.05*iters_lo_b + 0.09; cycles = 14.69*iters_lo_a + 15.3*iters_lo_b + 17.66 warm / 214.69*iters_lo_a + 215.3*iters_lo_b + 417.66 cold; lines = iters_lo_a + iters_lo_b + 2
              lines by object: *port 1, *ports iters_lo_a + iters_lo_b + 1; bytes = 64*iters_lo_a + 64*iters_lo_b + 128
          resolutions where the interface changes: 1, 14
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
              instructions = 17.16; reads = 2.42; writes = 0.02; cycles = 8.58 warm / 8.58 cold; lines = 0
              lines by object: none
          elif n > 1:
              instructions = cost(before)*iters_j + cost(before)*(n - 1) - 1*cost(before)*iters_i_a - 1*cost(before)*iters_i_b + 13.3*iters_j + 15.51*(n - 1) - 6.93*iters_i_a - 6.93*iters_i_b + 17.16; reads = 2.21*iters_j + 2.21*(n - 1) - 1.35*iters_i_a - 1.35*iters_i_b + 2.42; writes = 2.19*iters_j + 2.19*(n - 1) - 1.2*iters_i_a - 1.2*iters_i_b + 0.02; cycles = 0.5*cost(before)*iters_j + 0.5*cost(before)*(n - 1) - 0.5*cost(before)*iters_i_a - 0.5*cost(before)*iters_i_b + 6.65*iters_j + 7.75*(n - 1) - 3.46*iters_i_a - 3.46*iters_i_b + 8.58 warm / 0.5*cost(before)*iters_j + 0.5*cost(before)*(n - 1) - 0.5*cost(before)*iters_i_a - 0.5*cost(before)*iters_i_b + 31.65*iters_j + 20.25*(n - 1) - 3.46*iters_i_a - 3.46*iters_i_b + 408.58 cold; lines = 0.12*iters_j + 0.06*(n - 1) + 2
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
              instructions = 12.12*iters_j - 5.75*iters_i_a - 5.75*iters_i_b + 105.57; reads = 1.71*iters_j - 0.86*iters_i_a - 0.86*iters_i_b + 13.26; writes = 1.03*iters_j - 0.05*iters_i_a - 0.05*iters_i_b + 7.29; cycles = 6.06*iters_j - 2.87*iters_i_a - 2.87*iters_i_b + 52.79 warm / 31.06*iters_j - 2.87*iters_i_a - 2.87*iters_i_b + 540.29 cold; lines = 0.12*iters_j + 2.44
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
              instructions = 7.24*iters_i + 9.19; reads = 0.86*iters_i + 2.99; writes = 0.05; cycles = 3.62*iters_i + 4.59 warm / 16.12*iters_i + 404.59 cold; lines = 0.06*iters_i + 2
              lines by object: *t 0.06*iters_i + 1 (0.06*iters_i + 2 unaligned), scan_ops 1; bytes = 4*iters_i + 128
          elif the loop at line 89 in scan_find ends when its condition fails:
              instructions = 120.38; reads = 15.83; writes = 0.05; cycles = 60.19 warm / 460.19 cold; lines = 2
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
              instructions = cost(ops->find) + 11.12; reads = 3.01; writes = 1.21; cycles = 0.5*cost(ops->find) + 5.56 warm / 0.5*cost(ops->find) + 205.56 cold; lines = 1
              lines by object: *ops 1; bytes = 64
          elif ops->find() < 0:
              instructions = cost(ops->find) + cost(ops->clear) + 14; reads = 4.37; writes = 2.41; cycles = 0.5*cost(ops->find) + 0.5*cost(ops->clear) + 7 warm / 0.5*cost(ops->find) + 0.5*cost(ops->clear) + 207 cold; lines = 1
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
              instructions = 11.94; reads = 2.14; writes = 0.05; cycles = 5.97 warm / 205.97 cold; lines = 1
              lines by object: *t 1; bytes = 64
          elif fast == 0 && key == t->keys[i] && the loop at line 89 in scan_find leaves at the `return` on line 91:
              instructions = 7.24*iters_i + 12.26; reads = 0.86*iters_i + 2.14; writes = 0.05; cycles = 3.62*iters_i + 6.13 warm / 16.12*iters_i + 206.13 cold; lines = 0.06*iters_i + 1
              lines by object: *t 0.06*iters_i + 1 (0.06*iters_i + 2 unaligned); bytes = 4*iters_i + 64
          elif fast != 0 && key == t->keys[key & 15]:
              instructions = 12.33; reads = 2.14; writes = 0.05; cycles = 6.16 warm / 206.16 cold; lines = 1
              lines by object: *t 1; bytes = 64
          elif fast == 0 && the loop at line 89 in scan_find ends when its condition fails:
              instructions = 123.46; reads = 14.98; writes = 0.05; cycles = 61.73 warm / 261.73 cold; lines = 1
              lines by object: *t 1 (2 unaligned); bytes = 64
          resolutions where the interface changes: 1, 112
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
              instructions = 15.09; reads = 2.23; writes = 0.01; cycles = 7.55 warm / 7.55 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = cost(map)*n + 7.68*n + 15.09; reads = 1.35*n + 2.23; writes = 1.2*n + 0.01; cycles = 0.5*cost(map)*n + 3.84*n + 7.55 warm / 0.5*cost(map)*n + 16.34*n + 7.55 cold; lines = 0.06*n
              lines by object: *v 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
          note: indirect call through `map` at line 143 costs cost(map)
    "#]]);
}

#[test]
fn ebpf_bounds_check_and_percpu_array() {
    check("ebpf", "xdp_count", expect![[r#"
        xdp_count  :141-150  complete · 2 paths · resolution 1
          if packet shorter than 14 bytes && lookup(stats_map)#2 != 0:
              instructions = 21.93; reads = 7.27; writes = 2.02; cycles = 10.96 warm / 610.96 cold; lines = 3
              lines by object: *ctx 1 (2 unaligned), *lookup(stats_map) 1 (2 unaligned), action (stack) 1; bytes = 192
          elif packet at least 14 bytes && lookup(stats_map) != 0:
              instructions = 22.6; reads = 7.27; writes = 2.02; cycles = 11.3 warm / 611.3 cold; lines = 3
              lines by object: *ctx 1 (2 unaligned), *lookup(stats_map) 1 (2 unaligned), action (stack) 1; bytes = 192
    "#]]);
}

#[test]
fn ebpf_maps_by_type() {
    check("ebpf", "xdp_flows", expect![[r#"
        xdp_flows  :153-184  complete · 6 paths · resolution 1
          if packet shorter than 34 bytes:
              instructions = 12.76; reads = 3.18; writes = 0; cycles = 6.38 warm / 206.38 cold; lines = 1
              lines by object: *ctx 1 (2 unaligned); bytes = 64
          elif packet at least 34 bytes && eth->h_proto != 8:
              instructions = 15.77; reads = 4.04; writes = 0; cycles = 7.88 warm / 407.88 cold; lines = 2
              lines by object: *(data) 1, *ctx 1 (2 unaligned); bytes = 128
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) != 0:
              instructions = 41.73; reads = 10.53; writes = 1.2; cycles = 20.87 warm / 420.87 cold; lines = 2
              lines by object: *(data) 1, *ctx 1 (2 unaligned); bytes = 128
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) != 0 && rec->packets + 1 <= 0xf4240:
              instructions = 81.3; reads = 20.44; writes = 6.35; cycles = 40.65 warm / 840.65 cold; lines = 4
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), *lookup(flows) 1, key (stack) 1 (2 unaligned); bytes = 256
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) == 0:
              instructions = 139.29; reads = 32.33; writes = 17.67; cycles = 69.65 warm / 1069.65 cold; lines = 5
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), fresh (stack) 1 (2 unaligned), fresh initializer (line 174) 1 (2 unaligned), key (stack) 1 (2 unaligned); bytes = 320
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) != 0 && rec->packets + 1 > 0xf4240:
              instructions = 141.9; reads = 35.13; writes = 15.66; cycles = 70.95 warm / 870.95 cold; lines = 4
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), *lookup(flows) 1, key (stack) 1 (2 unaligned); bytes = 256
          note: blocked starts from its initializer (prog.c:114) in 5 of 5 cells that no function in the program writes
          resolutions where the interface changes: 1, 3, 4, 29, 61, 130
    "#]]);
}

#[test]
fn ebpf_loop_and_helpers() {
    check("ebpf", "xdp_misc", expect![[r#"
        xdp_misc  :200-219  complete · 4 paths · resolution 1
          PCVs:
            cost(add_one) instructions of one call of the callback `add_one` (`bpf_loop` at line 208 calls it once per iteration) (line 208)
          if bpf_csum_diff() == 0:
              instructions = 16*cost(add_one) + 60.58; reads = 9.58; writes = 10.2; cycles = 8*cost(add_one) + 30.29 warm / 8*cost(add_one) + 630.29 cold; lines = 3
              lines by object: after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 192
          elif bpf_csum_diff() != 0 && (bpf_ktime_get_ns() & 1) != 0:
              instructions = 16*cost(add_one) + 85.99; reads = 15.71; writes = 14.58; cycles = 8*cost(add_one) + 42.99 warm / 8*cost(add_one) + 642.99 cold; lines = 3
              lines by object: after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 192
          elif bpf_csum_diff() != 0 && (bpf_ktime_get_ns() & 1) == 0:
              instructions = 16*cost(add_one) + 91.54; reads = 19.14; writes = 15.57; cycles = 8*cost(add_one) + 45.77 warm / 8*cost(add_one) + 845.77 cold; lines = 4
              lines by object: *ctx 1, after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 256
          resolutions where the interface changes: 1, 6, 31
    "#]]);
}

#[test]
fn ebpf_count_helper() {
    check("ebpf", "count", expect![[r#"
        count  :129-138  complete · 2 paths · resolution 1
          if lookup(stats_map) == 0:
              instructions = 14.65; reads = 3.18; writes = 0; cycles = 7.33 warm / 207.33 cold; lines = 1
              lines by object: *action 1; bytes = 64
          elif lookup(stats_map) != 0:
              instructions = 19.69; reads = 5.75; writes = 1.98; cycles = 9.84 warm / 409.84 cold; lines = 2
              lines by object: *action 1, *lookup(stats_map) 1 (2 unaligned); bytes = 128
          resolutions where the interface changes: 1, 6
    "#]]);
}

#[test]
fn gnuc_statement_expression_and_typeof() {
    check("gnuc", "clamp_len", expect![[r#"
        clamp_len  :29-33  complete · 1 paths · resolution 1
          always:
              instructions = 4.26; reads = 1.28; writes = 0; cycles = 2.13 warm / 2.13 cold; lines = 0
              lines by object: none
    "#]]);
}

#[test]
fn gnuc_static_local() {
    check("gnuc", "next_id", expect![[r#"
        next_id  :36-42  complete · 1 paths · resolution 1
          always:
              instructions = 4.03; reads = 2.14; writes = 0.99; cycles = 2.02 warm / 202.02 cold; lines = 1
              lines by object: next_id::counter 1; bytes = 64
    "#]]);
}

#[test]
fn gnuc_builtins() {
    check("gnuc", "builtins", expect![[r#"
        builtins  :44-60  complete · 2 paths · resolution 1
          if x == 0:
              instructions = 3.77; reads = 1.28; writes = 0; cycles = 1.88 warm / 1.88 cold; lines = 0
              lines by object: none
          elif x != 0:
              instructions = 10.49; reads = 1.28; writes = 0; cycles = 5.24 warm / 5.24 cold; lines = 0
              lines by object: none
          resolutions where the interface changes: 1, 7
    "#]]);
}

#[test]
fn gnuc_barrier_costs_nothing() {
    check("gnuc", "with_barrier", expect![[r#"
        with_barrier  :62-68  complete · 1 paths · resolution 1
          always:
              instructions = 2.9; reads = 2.14; writes = 0; cycles = 1.45 warm / 201.45 cold; lines = 1
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
              instructions = cost(asm@74) + 6.97; reads = 1.97; writes = 1.2; cycles = 0.5*cost(asm@74) + 3.48 warm / 0.5*cost(asm@74) + 3.48 cold; lines = 0
              lines by object: none
          note: inline asm at line 74 costs cost(asm@74)
    "#]]);
}

#[test]
fn gnuc_compound_literals() {
    check("gnuc", "sum_pair", expect![[r#"
        sum_pair  :78-83  complete · 1 paths · resolution 1
          always:
              instructions = 17.89; reads = 4.36; writes = 3.09; cycles = 8.94 warm / 408.94 cold; lines = 2
              lines by object: (struct pair){…} (stack) 1, p (stack) 1; bytes = 128
    "#]]);
    check("gnuc", "pair_hi", expect![[r#"
        pair_hi  :85-88  complete · 1 paths · resolution 1
          always:
              instructions = 13.22; reads = 1.96; writes = 2.53; cycles = 6.61 warm / 206.61 cold; lines = 1
              lines by object: (struct pair){…} (stack) 1; bytes = 64
    "#]]);
}

#[test]
fn gnuc_constant_table_copied_from_rodata() {
    check("gnuc", "weight", expect![[r#"
        weight  :91-96  complete · 1 paths · resolution 1
          always:
              instructions = 10.44; reads = 4.12; writes = 2.22; cycles = 5.22 warm / 405.22 cold; lines = 2
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
              instructions = 7.67; reads = 1.28; writes = 0; cycles = 3.83 warm / 3.83 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 3.71*n + 5.53*n_2 + 7.67; reads = 0.86*n_2 + 1.28; writes = 0.99*n; cycles = 1.86*n + 2.77*n_2 + 3.83 warm / 14.36*n + 2.77*n_2 + 3.83 cold; lines = 0.06*n
              lines by object: buf (stack) 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
    "#]]);
}

#[test]
fn gnuc_switch_on_enum() {
    check("gnuc", "color_cost", expect![[r#"
        color_cost  :118-129  complete · 4 paths · resolution 1
          always:
              instructions = 4.68; reads = 2.25; writes = 0; cycles = 2.34 warm / 2.34 cold; lines = 0
              lines by object: none
    "#]]);
}

#[test]
fn gnuc_unreachable_drops_the_path() {
    check("gnuc", "never", expect![[r#"
        never  :131-136  complete · 1 paths · resolution 1
          always:
              instructions = 3.6; reads = 1.28; writes = 0; cycles = 1.8 warm / 1.8 cold; lines = 0
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
              instructions = 5.69; reads = 1.47; writes = 0.05; cycles = 2.85 warm / 2.85 cold; lines = 0
              lines by object: none
    "#]]);
    check("gnuc", "cmp_bytes", expect![[r#"
        cmp_bytes  :155-163  complete · 1 paths · resolution 1
          always:
              instructions = 25.46; reads = 2.63; writes = 0.55; cycles = 12.73 warm / 612.73 cold; lines = 3
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
              instructions = 27.24; reads = 4.7; writes = 0; cycles = 13.62 warm / 213.62 cold; lines = 1
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
              instructions = 3.77; reads = 1.28; writes = 0; cycles = 1.88 warm / 1.88 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 8.03*n + 3.77; reads = 0.86*n + 1.28; writes = 0.99*n; cycles = 4.01*n + 1.88 warm / 54.01*n + 1.88 cold; lines = 0.25*n
              lines by object: *d 0.12*n (0.12*n + 1 unaligned), *src 0.12*n (0.12*n + 1 unaligned); bytes = 16*n
    "#]]);
    // `p += 8` over bytes: one byte read every 8, n·8/64 lines.
    check("gnuc", "stride8", expect![[r#"
        stride8  :50-60  complete · 2 paths · resolution 1
          PCVs:
            n          trip count of the loop at line 55: n (line 55)
          if n <= 0:
              instructions = 3.93; reads = 1.28; writes = 0; cycles = 1.97 warm / 1.97 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 5.7*n + 3.93; reads = 0.86*n + 1.28; writes = 0; cycles = 2.85*n + 1.97 warm / 27.85*n + 1.97 cold; lines = 0.12*n
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
              instructions = 5.72*n + 4.35; reads = 0.86*n + 1.28; writes = 0; cycles = 2.86*n + 2.17 warm / 15.36*n + 2.17 cold; lines = 0.06*n
              lines by object: *p 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
          elif n == 0:
              instructions = 4.35; reads = 1.28; writes = 0; cycles = 2.17 warm / 2.17 cold; lines = 0
              lines by object: none
    "#]]);
    check("gnuc", "drain_do", expect![[r#"
        drain_do  :30-40  complete · 2 paths · resolution 1
          PCVs:
            (n - 1)    trip count of the loop at line 36: n - 1 (line 36)
          if n == 0:
              instructions = 3.77; reads = 1.28; writes = 0; cycles = 1.88 warm / 1.88 cold; lines = 0
              lines by object: none
          elif n != 0:
              instructions = 5.7*(n - 1) + 9.46; reads = 0.86*(n - 1) + 2.14; writes = 0; cycles = 2.85*(n - 1) + 4.73 warm / 5.97*(n - 1) + 204.73 cold; lines = 0.02*(n - 1) + 1
              lines by object: *p 0.02*(n - 1) + 1 (0.02*(n - 1) + 2 unaligned); bytes = (n - 1) + 64
    "#]]);
}

#[test]
fn gnuc_static_assert_is_no_code() {
    check("gnuc", "checked_len", expect![[r#"
        checked_len  :165-169  complete · 1 paths · resolution 1
          always:
              instructions = 2.36; reads = 2.14; writes = 0; cycles = 1.18 warm / 201.18 cold; lines = 1
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
              instructions = 3.93; reads = 1.28; writes = 0; cycles = 1.97 warm / 1.97 cold; lines = 0
              lines by object: none
          elif n > 0 && the loop at line 17 in find_u32 ends when its condition fails:
              instructions = 15.13*iters_lo_a + 15.38*iters_lo_b + 3.93; reads = 1.71*iters_lo_a + 1.71*iters_lo_b + 1.28; writes = 0; cycles = 10.56*iters_lo_a + 10.69*iters_lo_b + 1.97 warm / 210.56*iters_lo_a + 210.69*iters_lo_b + 1.97 cold; lines = iters_lo_a + iters_lo_b
              lines by object: *v iters_lo_a + iters_lo_b; bytes = 64*iters_lo_a + 64*iters_lo_b
          elif n > 0 && key == v[mid] && the loop at line 17 in find_u32 leaves at the `return` on line 21:
              instructions = 15.13*iters_lo_a + 15.38*iters_lo_b + 12.38; reads = 1.71*iters_lo_a + 1.71*iters_lo_b + 2.14; writes = 0; cycles = 10.56*iters_lo_a + 10.69*iters_lo_b + 9.19 warm / 210.56*iters_lo_a + 210.69*iters_lo_b + 209.19 cold; lines = iters_lo_a + iters_lo_b + 1
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
              instructions = 4.18; reads = 1.28; writes = 0; cycles = 2.09 warm / 2.09 cold; lines = 0
              lines by object: none
          elif hi >= 0 && the loop at line 36 in find_closed ends when its condition fails:
              instructions = 10.84*iters_lo_a + 14.9*iters_lo_b + 4.18; reads = 0.86*iters_lo_a + 0.86*iters_lo_b + 1.28; writes = 0; cycles = 8.42*iters_lo_a + 10.45*iters_lo_b + 2.09 warm / 208.42*iters_lo_a + 210.45*iters_lo_b + 2.09 cold; lines = iters_lo_a + iters_lo_b
              lines by object: *v iters_lo_a + iters_lo_b; bytes = 64*iters_lo_a + 64*iters_lo_b
          elif hi >= 0 && v[mid] >= key && key >= v[mid] && the loop at line 36 in find_closed leaves at the `return` on line 44:
              instructions = 10.84*iters_lo_a + 14.9*iters_lo_b + 16.54; reads = 0.86*iters_lo_a + 0.86*iters_lo_b + 2.14; writes = 0; cycles = 8.42*iters_lo_a + 10.45*iters_lo_b + 11.27 warm / 208.42*iters_lo_a + 210.45*iters_lo_b + 211.27 cold; lines = iters_lo_a + iters_lo_b + 1
              lines by object: *v iters_lo_a + iters_lo_b + 1; bytes = 64*iters_lo_a + 64*iters_lo_b + 64
          resolutions where the interface changes: 1, 13
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
              instructions = 17.16; reads = 2.42; writes = 0.02; cycles = 8.58 warm / 8.58 cold; lines = 0
              lines by object: none
          elif num > 0 && the loop at line 57 in search_with ends when its condition fails:
              instructions = cost(order)*iters_num_a + cost(order)*iters_num_b + 12.32*iters_num_a + 14.74*iters_num_b + 17.16; reads = 0.5*iters_num_a + 0.5*iters_num_b + 2.42; writes = 1.2*iters_num_a + 1.2*iters_num_b + 0.02; cycles = 0.5*cost(order)*iters_num_a + 0.5*cost(order)*iters_num_b + 9.16*iters_num_a + 10.37*iters_num_b + 8.58 warm / 0.5*cost(order)*iters_num_a + 0.5*cost(order)*iters_num_b + 9.16*iters_num_a + 10.37*iters_num_b + 8.58 cold; lines = 0
              lines by object: none
          elif num > 0 && order() == 0 && the loop at line 57 in search_with leaves at the `return` on line 62:
              instructions = cost(order)*iters_num_a + cost(order)*iters_num_b + cost(order) + 12.32*iters_num_a + 14.74*iters_num_b + 24.82; reads = 0.5*iters_num_a + 0.5*iters_num_b + 2.92; writes = 1.2*iters_num_a + 1.2*iters_num_b + 1.22; cycles = 0.5*cost(order)*iters_num_a + 0.5*cost(order)*iters_num_b + 0.5*cost(order) + 9.16*iters_num_a + 10.37*iters_num_b + 15.41 warm / 0.5*cost(order)*iters_num_a + 0.5*cost(order)*iters_num_b + 0.5*cost(order) + 9.16*iters_num_a + 10.37*iters_num_b + 15.41 cold; lines = 0
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
              instructions = 10.34*iters_width_a + 11.51*iters_width_b + 3.93; reads = 0.86*iters_width_a + 0.86*iters_width_b + 1.28; writes = 0; cycles = 8.17*iters_width_a + 8.75*iters_width_b + 1.97 warm / 208.17*iters_width_a + 208.75*iters_width_b + 1.97 cold; lines = iters_width_a + iters_width_b
              lines by object: *v iters_width_a + iters_width_b; bytes = 64*iters_width_a + 64*iters_width_b
          elif n == 0:
              instructions = 3.93; reads = 1.28; writes = 0; cycles = 1.97 warm / 1.97 cold; lines = 0
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
              instructions = 7.33*iters_hi + 3.6; reads = 0.86*iters_hi + 1.28; writes = 0; cycles = 3.66*iters_hi + 1.8 warm / 16.16*iters_hi + 1.8 cold; lines = 0.06*iters_hi
              lines by object: *v 0.06*iters_hi (0.06*iters_hi + 1 unaligned); bytes = 4*iters_hi
          elif lo >= hi:
              instructions = 3.6; reads = 1.28; writes = 0; cycles = 1.8 warm / 1.8 cold; lines = 0
              lines by object: none
          elif lo < hi && key == v[hi - 1] && the loop at line 96 in scan_down leaves at the `return` on line 98:
              instructions = 7.33*iters_hi + 8.78; reads = 0.86*iters_hi + 2.14; writes = 0; cycles = 3.66*iters_hi + 4.39 warm / 16.16*iters_hi + 204.39 cold; lines = 0.06*iters_hi + 1
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
              instructions = 3.77; reads = 1.28; writes = 0; cycles = 1.88 warm / 1.88 cold; lines = 0
              lines by object: none
          elif n != 0:
              instructions = 5.56*(n - 1) + 9.32; reads = 0.86*(n - 1) + 2.14; writes = 0; cycles = 2.78*(n - 1) + 4.66 warm / 15.28*(n - 1) + 204.66 cold; lines = 0.06*(n - 1) + 1
              lines by object: *p 0.06*(n - 1) + 1 (0.06*(n - 1) + 2 unaligned); bytes = 4*(n - 1) + 64
    "#]]);
    check("idioms", "fill_do_signed", expect![[r#"
        fill_do_signed  :24-32  complete · 2 paths · resolution 1
          PCVs:
            (n - 1)    trip count of the loop at line 28: n - 1 (line 28)
          if n <= 0:
              instructions = 3.6; reads = 1.28; writes = 0; cycles = 1.8 warm / 1.8 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 5.26*(n - 1) + 8.86; reads = 1.28; writes = 0.99*(n - 1) + 0.99; cycles = 2.63*(n - 1) + 4.43 warm / 15.13*(n - 1) + 204.43 cold; lines = 0.06*(n - 1) + 1
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
              instructions = 5.86*n + 7.5; reads = 0.86*n + 2.14; writes = 0; cycles = 2.93*n + 3.75 warm / 6.06*n + 203.75 cold; lines = 0.02*n + 1
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
              instructions = 3.77; reads = 1.28; writes = 0; cycles = 1.88 warm / 1.88 cold; lines = 0
              lines by object: none
          elif n != 0 && n - 1 != 0:
              instructions = 5.37*(n - 1) + 6.31; reads = 0.86*(n - 1) + 1.28; writes = 0; cycles = 2.68*(n - 1) + 3.15 warm / 15.18*(n - 1) + 3.15 cold; lines = 0.06*(n - 1)
              lines by object: *p 0.06*(n - 1) (0.06*(n - 1) + 1 unaligned); bytes = 4*(n - 1)
          elif n != 0 && n - 1 == 0:
              instructions = 6.31; reads = 1.28; writes = 0; cycles = 3.15 warm / 3.15 cold; lines = 0
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
              instructions = 3.77; reads = 1.28; writes = 0; cycles = 1.88 warm / 1.88 cold; lines = 0
              lines by object: none
          elif n >= 2 && n > 1000:
              instructions = 5.89; reads = 1.28; writes = 0; cycles = 2.95 warm / 2.95 cold; lines = 0
              lines by object: none
          elif n >= 2 && n <= 1000:
              instructions = 6.39*iters_n_trips + 12.95; reads = 1.71*iters_n_trips + 2.99; writes = 0; cycles = 3.19*iters_n_trips + 6.47 warm / 28.19*iters_n_trips + 206.47 cold; lines = 0.12*iters_n_trips + 1
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
              instructions = 3.93; reads = 1.28; writes = 0; cycles = 1.97 warm / 1.97 cold; lines = 0
              lines by object: none
          elif len > 0:
              instructions = 8.84*len + 3.93; reads = 1.71*len + 1.28; writes = 0; cycles = 4.42*len + 1.97 warm / 7.54*len + 801.97 cold; lines = 0.02*len + 4
              lines by object: *p 0.02*len (0.02*len + 1 unaligned), mix_table 4 (5 unaligned); bytes = len + 256
          note: mix_table starts from its initializer (lines.c:10) in 64 of 64 cells that no function in the program writes
    "#]]);
    check("idioms", "mix_mod", expect![[r#"
        mix_mod  :30-38  complete · 2 paths · resolution 1
          PCVs:
            len        trip count of the loop at line 35: len (line 35)
          if len <= 0:
              instructions = 3.93; reads = 1.28; writes = 0; cycles = 1.97 warm / 1.97 cold; lines = 0
              lines by object: none
          elif len > 0:
              instructions = 12.58*len + 3.93; reads = 1.71*len + 1.28; writes = 0; cycles = 12.29*len + 1.97 warm / 15.41*len + 801.97 cold; lines = 0.02*len + 4
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
              instructions = 3.77; reads = 1.28; writes = 0; cycles = 1.88 warm / 1.88 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 24.04*n + 3.77; reads = 1.71*n + 1.28; writes = 0.99*n; cycles = 21.02*n + 1.88 warm / 33.52*n + 401.88 cold; lines = 0.06*n + 2
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
              instructions = 15.09; reads = 2.23; writes = 0.01; cycles = 7.55 warm / 7.55 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = cost(pick)*n + 10.09*n + 15.09; reads = 2.21*n + 2.23; writes = 1.2*n + 0.01; cycles = 0.5*cost(pick)*n + 5.04*n + 7.55 warm / 0.5*cost(pick)*n + 17.54*n + 807.55 cold; lines = 0.06*n + 4
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
              instructions = 6.22; reads = 1.28; writes = 0; cycles = 3.11 warm / 3.11 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 5.53*n + 6.37*n_2 + 6.22; reads = 0.86*n + 0.86*n_2 + 1.28; writes = 0.99*n_2; cycles = 2.77*n + 3.19*n_2 + 3.11 warm / 15.27*n + 3.19*n_2 + 3.11 cold; lines = 0.06*n
              lines by object: *a 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
    "#]]);
}
