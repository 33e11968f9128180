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
        return text.lines().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n") + "\n";
    }
    panic!("no function `{name}` in {dir}")
}

fn check(dir: &str, name: &str, expected: Expect) {
    expected.assert_eq(&interface(dir, name));
}

#[test]
fn bsearch_callback_is_a_pcv() {
    check("callbacks", "find_sorted", expect![[r#"
        find_sorted  :12-30  complete · 3 paths · 102.9 ms · resolution 1
          PCVs:
            cost(cmp)  instructions spent in the function `cmp` points to (indirect call at line 20; its target is not known in this function) (line 20)
            iters_lo_a iterations of the loop at line 17, iterations where cmp() < 0 (line 17)
            iters_lo_b iterations of the loop at line 17, iterations where cmp() >= 0 (line 17)
          if num <= 0:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
              lines by object: none
          elif num > 0 && the loop at line 17 in find_sorted ends when its condition fails:
              instructions = cost(cmp)*iters_lo_a + cost(cmp)*iters_lo_b + 20.12*iters_lo_a + 20.76*iters_lo_b + 0.69; reads = 0.22*iters_lo_a + 0.22*iters_lo_b; writes = 0.58*iters_lo_a + 0.58*iters_lo_b; cycles = 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 16.06*iters_lo_a + 16.38*iters_lo_b + 0.35 warm / 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 16.06*iters_lo_a + 16.38*iters_lo_b + 0.35 cold; lines = 0
              lines by object: none
          elif num > 0 && cmp() == 0 && the loop at line 17 in find_sorted leaves at the `return` on line 23:
              instructions = cost(cmp)*iters_lo_a + cost(cmp)*iters_lo_b + cost(cmp) + 20.12*iters_lo_a + 20.76*iters_lo_b + 19.43; reads = 0.22*iters_lo_a + 0.22*iters_lo_b + 0.22; writes = 0.58*iters_lo_a + 0.58*iters_lo_b + 0.58; cycles = 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 0.5*cost(cmp) + 16.06*iters_lo_a + 16.38*iters_lo_b + 15.71 warm / 0.5*cost(cmp)*iters_lo_a + 0.5*cost(cmp)*iters_lo_b + 0.5*cost(cmp) + 16.06*iters_lo_a + 16.38*iters_lo_b + 15.71 cold; lines = 0
              lines by object: none
          note: indirect call through `cmp` at line 20 costs cost(cmp)
    "#]]);
}

#[test]
fn known_callback_is_inlined() {
    check("callbacks", "port_allowed", expect![[r#"
        port_allowed  :43-46  complete · 3 paths · 29.7 ms · resolution 1
          PCVs:
            iters_lo_a iterations of the loop at line 17 in find_sorted, iterations where *(const unsigned *)key < *(const unsigned *)elt (line 17)
            iters_lo_b iterations of the loop at line 17 in find_sorted, iterations where *(const unsigned *)key >= *(const unsigned *)elt && c != 0 && c >= 0 (line 17)
          if n <= 0:
              instructions = 1.95; reads = 0.45; writes = 0.05; cycles = 0.98 warm / 0.98 cold; lines = 0
              lines by object: none
          elif n > 0 && the loop at line 17 in find_sorted ends when its condition fails:
              instructions = 14.43*iters_lo_a + 15.7*iters_lo_b + 1.95; reads = 1.68*iters_lo_a + 1.68*iters_lo_b + 0.45; writes = 0.05*iters_lo_a + 0.05*iters_lo_b + 0.05; cycles = 13.22*iters_lo_a + 13.85*iters_lo_b + 0.98 warm / 213.22*iters_lo_a + 213.85*iters_lo_b + 200.98 cold; lines = iters_lo_a + iters_lo_b + 1
              lines by object: *port 1, *ports iters_lo_a + iters_lo_b; bytes = 64*iters_lo_a + 64*iters_lo_b + 64
          elif n > 0 && *(const unsigned *)key >= *(const unsigned *)elt && c == 0 && the loop at line 17 in find_sorted leaves at the `return` on line 23:
              instructions = 14.43*iters_lo_a + 15.7*iters_lo_b + 15.63; reads = 1.68*iters_lo_a + 1.68*iters_lo_b + 2.13; writes = 0.05*iters_lo_a + 0.05*iters_lo_b + 0.1; cycles = 13.22*iters_lo_a + 13.85*iters_lo_b + 13.82 warm / 213.22*iters_lo_a + 213.85*iters_lo_b + 413.82 cold; lines = iters_lo_a + iters_lo_b + 2
              lines by object: *port 1, *ports iters_lo_a + iters_lo_b + 1; bytes = 64*iters_lo_a + 64*iters_lo_b + 128
          resolutions where the interface changes: 1, 14
    "#]]);
}

#[test]
fn sort_with_callback() {
    check("callbacks", "order_ints", expect![[r#"
        order_ints  :49-63  complete · 2 paths · 10.0 ms · resolution 1
          PCVs:
            cost(before) instructions spent in the function `before` points to (indirect call at line 57; its target is not known in this function) (line 57)
            iters_j    iterations of the loop at line 57 (line 57)
            (n - 1)    trip count of the loop at line 53: n - 1 (line 53)
            iters_i_a  iterations of the loop at line 53, iterations where i@L53 <= 0 (the classes sum to the trip count) (line 53)
            iters_i_b  iterations of the loop at line 53, iterations where i@L53 > 0 (the classes sum to the trip count) (line 53)
          if n <= 1:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
              lines by object: none
          elif n > 1:
              instructions = cost(before)*iters_j + cost(before)*(n - 1) - 1*cost(before)*iters_i_a - 1*cost(before)*iters_i_b + 15.95*iters_j + 16*(n - 1) - 10.31*iters_i_a - 10.31*iters_i_b + 0.69; reads = 1.46*iters_j + 1.46*(n - 1) - 0.84*iters_i_a - 0.84*iters_i_b; writes = 1.58*iters_j + 1.58*(n - 1) - 0.58*iters_i_a - 0.58*iters_i_b; cycles = 0.5*cost(before)*iters_j + 0.5*cost(before)*(n - 1) - 0.5*cost(before)*iters_i_a - 0.5*cost(before)*iters_i_b + 7.97*iters_j + 8*(n - 1) - 5.15*iters_i_a - 5.15*iters_i_b + 0.35 warm / 0.5*cost(before)*iters_j + 0.5*cost(before)*(n - 1) - 0.5*cost(before)*iters_i_a - 0.5*cost(before)*iters_i_b + 32.97*iters_j + 20.5*(n - 1) - 5.15*iters_i_a - 5.15*iters_i_b + 400.35 cold; lines = 0.12*iters_j + 0.06*(n - 1) + 2
              lines by object: *v 0.12*iters_j + 0.06*(n - 1) + 2 (0.12*iters_j + 0.06*(n - 1) + 7 unaligned); bytes = 8*iters_j + 4*(n - 1) + 128
          note: indirect call through `before` at line 57 costs cost(before)
    "#]]);
}

#[test]
fn sort_with_known_order() {
    check("callbacks", "order_desc8", expect![[r#"
        order_desc8  :70-73  complete · 1 paths · 37.3 ms · resolution 1
          PCVs:
            iters_j    iterations of the loop at line 57 in order_ints (line 57)
            iters_i_a  iterations of the loop at line 53 in order_ints, iterations where i@L53 <= 0 (the classes sum to the trip count) (line 53)
            iters_i_b  iterations of the loop at line 53 in order_ints, iterations where i@L53 > 0 (the classes sum to the trip count) (line 53)
          always:
              instructions = 8.93*iters_j - 3.29*iters_i_a - 3.29*iters_i_b + 63.92; reads = 1.68*iters_j - 1.06*iters_i_a - 1.06*iters_i_b + 12.23; writes = 1.05*iters_j - 0.05*iters_i_a - 0.05*iters_i_b + 7.37; cycles = 4.46*iters_j - 1.65*iters_i_a - 1.65*iters_i_b + 31.96 warm / 29.46*iters_j - 1.65*iters_i_a - 1.65*iters_i_b + 519.46 cold; lines = 0.12*iters_j + 2.44
              lines by object: *v 0.12*iters_j + 2.44 (0.12*iters_j + 7.44 unaligned); bytes = 8*iters_j + 156
    "#]]);
}

#[test]
fn ops_table_from_initializer() {
    check("callbacks", "table_lookup", expect![[r#"
        table_lookup  :111-114  complete · 2 paths · 11.1 ms · resolution 1
          PCVs:
            iters_i    iterations of the loop at line 89 in scan_find (line 89, ≤ 16)
          if key == t->keys[i] && the loop at line 89 in scan_find leaves at the `return` on line 91:
              instructions = 3.35*iters_i + 3.73; reads = 0.62*iters_i + 1.68; writes = 0.05; cycles = 1.67*iters_i + 1.87 warm / 14.17*iters_i + 401.87 cold; lines = 0.06*iters_i + 2
              lines by object: *t 0.06*iters_i + 1 (0.06*iters_i + 2 unaligned), scan_ops 1; bytes = 4*iters_i + 128
          elif the loop at line 89 in scan_find ends when its condition fails:
              instructions = 54.91; reads = 10.95; writes = 0.05; cycles = 27.46 warm / 427.46 cold; lines = 2
              lines by object: *t 1 (2 unaligned), scan_ops 1; bytes = 128
          note: scan_ops starts from its initializer (callbacks.c:105) in 2 of 2 cells that no function in the program writes
    "#]]);
}

#[test]
fn ops_table_passed_in() {
    check("callbacks", "table_lookup_with", expect![[r#"
        table_lookup_with  :117-124  complete · 2 paths · 11.1 ms · resolution 1
          PCVs:
            cost(ops->find) instructions spent in the function `ops->find` points to (indirect call at line 119; its target is not known in this function) (line 119)
            cost(ops->clear) instructions spent in the function `ops->clear` points to (indirect call at line 122; its target is not known in this function) (line 122)
          if ops->find() >= 0:
              instructions = cost(ops->find) + 8.98; reads = 0.84; writes = 0.58; cycles = 0.5*cost(ops->find) + 4.49 warm / 0.5*cost(ops->find) + 204.49 cold; lines = 1
              lines by object: *ops 1; bytes = 64
          elif ops->find() < 0:
              instructions = cost(ops->find) + cost(ops->clear) + 17.27; reads = 1.68; writes = 1.16; cycles = 0.5*cost(ops->find) + 0.5*cost(ops->clear) + 8.63 warm / 0.5*cost(ops->find) + 0.5*cost(ops->clear) + 208.63 cold; lines = 1
              lines by object: *ops 1 (2 unaligned); bytes = 64
          note: indirect call through `ops->find` at line 119 costs cost(ops->find)
          note: indirect call through `ops->clear` at line 122 costs cost(ops->clear)
    "#]]);
}

#[test]
fn local_function_pointer() {
    check("callbacks", "table_lookup_mode", expect![[r#"
        table_lookup_mode  :127-134  complete · 4 paths · 26.4 ms · resolution 1
          PCVs:
            iters_i    iterations of the loop at line 89 in scan_find (line 89, ≤ 16)
          if fast != 0 && key != t->keys[key & 15]:
              instructions = 3.97; reads = 1.06; writes = 0.05; cycles = 1.99 warm / 201.99 cold; lines = 1
              lines by object: *t 1; bytes = 64
          elif fast == 0 && key == t->keys[i] && the loop at line 89 in scan_find leaves at the `return` on line 91:
              instructions = 3.35*iters_i + 4.1; reads = 0.62*iters_i + 1.06; writes = 0.05; cycles = 1.67*iters_i + 2.05 warm / 14.17*iters_i + 202.05 cold; lines = 0.06*iters_i + 1
              lines by object: *t 0.06*iters_i + 1 (0.06*iters_i + 2 unaligned); bytes = 4*iters_i + 64
          elif fast != 0 && key == t->keys[key & 15]:
              instructions = 4.99; reads = 1.06; writes = 0.05; cycles = 2.49 warm / 202.49 cold; lines = 1
              lines by object: *t 1; bytes = 64
          elif fast == 0 && the loop at line 89 in scan_find ends when its condition fails:
              instructions = 55.28; reads = 10.33; writes = 0.05; cycles = 27.64 warm / 227.64 cold; lines = 1
              lines by object: *t 1 (2 unaligned); bytes = 64
          resolutions where the interface changes: 1, 2, 52
    "#]]);
}

#[test]
fn callback_in_counted_loop() {
    check("callbacks", "sum_mapped", expect![[r#"
        sum_mapped  :137-145  complete · 2 paths · 99.6 ms · resolution 1
          PCVs:
            cost(map)  instructions spent in the function `map` points to (indirect call at line 143; its target is not known in this function) (line 143)
            n          trip count of the loop at line 142: n (line 142)
          if n <= 0:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = cost(map)*n + 10.94*n + 0.69; reads = 0.84*n; writes = 0.58*n; cycles = 0.5*cost(map)*n + 5.47*n + 0.35 warm / 0.5*cost(map)*n + 17.97*n + 0.35 cold; lines = 0.06*n
              lines by object: *v 0.06*n (0.06*n + 1 unaligned); bytes = 4*n
          note: indirect call through `map` at line 143 costs cost(map)
    "#]]);
}

#[test]
fn ebpf_bounds_check_and_percpu_array() {
    check("ebpf", "xdp_count", expect![[r#"
        xdp_count  :141-150  complete · 2 paths · 84.4 ms · resolution 1
          if packet shorter than 14 bytes && lookup(stats_map)#2 != 0:
              instructions = 17.61; reads = 5.39; writes = 2.04; cycles = 8.81 warm / 608.81 cold; lines = 3
              lines by object: *ctx 1 (2 unaligned), *lookup(stats_map) 1 (2 unaligned), action (stack) 1; bytes = 192
          elif packet at least 14 bytes && lookup(stats_map) != 0:
              instructions = 19.39; reads = 5.39; writes = 2.04; cycles = 9.7 warm / 609.7 cold; lines = 3
              lines by object: *ctx 1 (2 unaligned), *lookup(stats_map) 1 (2 unaligned), action (stack) 1; bytes = 192
          resolutions where the interface changes: 1, 2
    "#]]);
}

#[test]
fn ebpf_maps_by_type() {
    check("ebpf", "xdp_flows", expect![[r#"
        xdp_flows  :153-184  complete · 6 paths · 85.6 ms · resolution 1
          if packet shorter than 34 bytes:
              instructions = 3.35; reads = 1.24; writes = 0; cycles = 1.68 warm / 201.68 cold; lines = 1
              lines by object: *ctx 1 (2 unaligned); bytes = 64
          elif packet at least 34 bytes && eth->h_proto != 8:
              instructions = 5.06; reads = 1.85; writes = 0; cycles = 2.53 warm / 402.53 cold; lines = 2
              lines by object: *(data) 1, *ctx 1 (2 unaligned); bytes = 128
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) != 0:
              instructions = 39.03; reads = 6.4; writes = 0.58; cycles = 19.51 warm / 419.51 cold; lines = 2
              lines by object: *(data) 1, *ctx 1 (2 unaligned); bytes = 128
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) != 0 && rec->packets + 1 <= 0xf4240:
              instructions = 94.9; reads = 14.66; writes = 5.16; cycles = 47.45 warm / 847.45 cold; lines = 4
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), *lookup(flows) 1, key (stack) 1 (2 unaligned); bytes = 256
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) == 0:
              instructions = 179.07; reads = 23; writes = 20.96; cycles = 89.53 warm / 1089.53 cold; lines = 5
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), fresh (stack) 1 (2 unaligned), fresh initializer (line 174) 1 (2 unaligned), key (stack) 1 (2 unaligned); bytes = 320
          elif packet at least 34 bytes && eth->h_proto == 8 && lookup(blocked) == 0 && lookup(flows) != 0 && rec->packets + 1 > 0xf4240:
              instructions = 188.72; reads = 24.99; writes = 13.31; cycles = 94.36 warm / 894.36 cold; lines = 4
              lines by object: *(data) 1 (2 unaligned), *ctx 1 (2 unaligned), *lookup(flows) 1, key (stack) 1 (2 unaligned); bytes = 256
          note: blocked starts from its initializer (prog.c:114) in 5 of 5 cells that no function in the program writes
          resolutions where the interface changes: 1, 2, 10, 36, 92, 186
    "#]]);
}

#[test]
fn ebpf_loop_and_helpers() {
    check("ebpf", "xdp_misc", expect![[r#"
        xdp_misc  :200-219  complete · 4 paths · 37.2 ms · resolution 1
          PCVs:
            cost(add_one) instructions of one call of the callback `add_one` (`bpf_loop` at line 208 calls it once per iteration) (line 208)
          if bpf_csum_diff() == 0:
              instructions = 16*cost(add_one) + 67.6; reads = 6.29; writes = 12.17; cycles = 8*cost(add_one) + 33.8 warm / 8*cost(add_one) + 633.8 cold; lines = 3
              lines by object: after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 192
          elif bpf_csum_diff() != 0 && (bpf_ktime_get_ns() & 1) != 0:
              instructions = 16*cost(add_one) + 107.48; reads = 10.44; writes = 15.33; cycles = 8*cost(add_one) + 53.74 warm / 8*cost(add_one) + 653.74 cold; lines = 3
              lines by object: after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 192
          elif bpf_csum_diff() != 0 && (bpf_ktime_get_ns() & 1) == 0:
              instructions = 16*cost(add_one) + 114.58; reads = 12.91; writes = 16.32; cycles = 8*cost(add_one) + 57.29 warm / 8*cost(add_one) + 857.29 cold; lines = 4
              lines by object: *ctx 1, after (stack) 1, before (stack) 1, sc (stack) 1; bytes = 256
          resolutions where the interface changes: 1, 8, 47
    "#]]);
}

#[test]
fn ebpf_count_helper() {
    check("ebpf", "count", expect![[r#"
        count  :129-138  complete · 2 paths · 87.3 ms · resolution 1
          if lookup(stats_map) == 0:
              instructions = 6.45; reads = 1.24; writes = 0; cycles = 3.23 warm / 203.22 cold; lines = 1
              lines by object: *action 1; bytes = 64
          elif lookup(stats_map) != 0:
              instructions = 14.57; reads = 3.71; writes = 2; cycles = 7.29 warm / 407.29 cold; lines = 2
              lines by object: *action 1, *lookup(stats_map) 1 (2 unaligned); bytes = 128
          resolutions where the interface changes: 1, 9
    "#]]);
}

#[test]
fn gnuc_statement_expression_and_typeof() {
    check("gnuc", "clamp_len", expect![[r#"
        clamp_len  :29-33  complete · 1 paths · 7.5 ms · resolution 1
          always:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
              lines by object: none
    "#]]);
}

#[test]
fn gnuc_static_local() {
    check("gnuc", "next_id", expect![[r#"
        next_id  :36-42  complete · 1 paths · 0.9 ms · resolution 1
          always:
              instructions = 4.51; reads = 1.85; writes = 1; cycles = 2.25 warm / 202.25 cold; lines = 1
              lines by object: next_id::counter 1; bytes = 64
    "#]]);
}

#[test]
fn gnuc_builtins() {
    check("gnuc", "builtins", expect![[r#"
        builtins  :44-60  complete · 2 paths · 26.4 ms · resolution 1
          if x == 0:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
              lines by object: none
          elif x != 0:
              instructions = 10.65; reads = 0; writes = 0; cycles = 5.33 warm / 5.33 cold; lines = 0
              lines by object: none
          resolutions where the interface changes: 1, 10
    "#]]);
}

#[test]
fn gnuc_barrier_costs_nothing() {
    check("gnuc", "with_barrier", expect![[r#"
        with_barrier  :62-68  complete · 1 paths · 0.8 ms · resolution 1
          always:
              instructions = 1.9; reads = 1.24; writes = 0; cycles = 0.95 warm / 200.95 cold; lines = 1
              lines by object: *p 1; bytes = 64
    "#]]);
}

#[test]
fn gnuc_inline_asm_is_a_pcv() {
    check("gnuc", "read_tsc", expect![[r#"
        read_tsc  :70-76  complete · 1 paths · 4.9 ms · resolution 1
          PCVs:
            cost(asm@74) instructions of the inline asm at line 74 (its template is not analyzed) (line 74)
          always:
              instructions = cost(asm@74) + 9.68; reads = 0.22; writes = 0.58; cycles = 0.5*cost(asm@74) + 4.84 warm / 0.5*cost(asm@74) + 4.84 cold; lines = 0
              lines by object: none
          note: inline asm at line 74 costs cost(asm@74)
    "#]]);
}

#[test]
fn gnuc_compound_literals() {
    check("gnuc", "sum_pair", expect![[r#"
        sum_pair  :78-83  complete · 1 paths · 0.9 ms · resolution 1
          always:
              instructions = 8.31; reads = 2.51; writes = 5.62; cycles = 4.16 warm / 404.15 cold; lines = 2
              lines by object: (struct pair){…} (stack) 1, p (stack) 1; bytes = 128
    "#]]);
    check("gnuc", "pair_hi", expect![[r#"
        pair_hi  :85-88  complete · 1 paths · 0.1 ms · resolution 1
          always:
              instructions = 7.61; reads = 1.26; writes = 3.81; cycles = 3.8 warm / 203.8 cold; lines = 1
              lines by object: (struct pair){…} (stack) 1; bytes = 64
    "#]]);
}

#[test]
fn gnuc_constant_table_copied_from_rodata() {
    check("gnuc", "weight", expect![[r#"
        weight  :91-96  complete · 1 paths · 16.6 ms · resolution 1
          always:
              instructions = 2.24; reads = 3.17; writes = 7.24; cycles = 1.12 warm / 401.12 cold; lines = 2
              lines by object: w (stack) 1 (2 unaligned), w initializer (line 93) 1 (2 unaligned); bytes = 128
    "#]]);
}

#[test]
fn gnuc_vla() {
    check("gnuc", "vla_sum", expect![[r#"
        vla_sum  :106-116  complete · 2 paths · 5.3 ms · resolution 1
          PCVs:
            n          trip count of the loop at line 111: n (line 111)
            n_2        trip count of the loop at line 113: n (line 113)
          if n <= 0:
              instructions = 1.39; reads = 0; writes = 0; cycles = 0.69 warm / 0.69 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 3.68*n + 3.29*n_2 + 1.39; reads = 0.62*n_2; writes = n; cycles = 1.84*n + 1.65*n_2 + 0.69 warm / 14.34*n + 14.14*n_2 + 0.69 cold; lines = 0.06*n + 0.06*n_2
              lines by object: buf (stack) 0.06*n + 0.06*n_2 (0.06*n + 0.06*n_2 + 2 unaligned); bytes = 4*n + 4*n_2
    "#]]);
}

#[test]
fn gnuc_switch_on_enum() {
    check("gnuc", "color_cost", expect![[r#"
        color_cost  :118-129  complete · 4 paths · 55.4 ms · resolution 1
          always:
              instructions = 11.55; reads = 1.1; writes = 0; cycles = 5.77 warm / 5.77 cold; lines = 0
              lines by object: none
    "#]]);
}

#[test]
fn gnuc_unreachable_drops_the_path() {
    check("gnuc", "never", expect![[r#"
        never  :131-136  complete · 1 paths · 6.1 ms · resolution 1
          always:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
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
        call_attributed  :150-153  complete · 1 paths · 0.8 ms · resolution 1
          always:
              instructions = 4.7; reads = 0.45; writes = 0.05; cycles = 2.35 warm / 2.35 cold; lines = 0
              lines by object: none
    "#]]);
    check("gnuc", "cmp_bytes", expect![[r#"
        cmp_bytes  :155-163  complete · 1 paths · 0.1 ms · resolution 1
          always:
              instructions = 11.93; reads = 1.26; writes = 1.81; cycles = 5.96 warm / 605.97 cold; lines = 3
              lines by object: *a 1, *b 1, t (stack) 1; bytes = 192
    "#]]);
}

#[test]
fn loop_narrow_counter_is_constant() {
    // `uint8_t i; for (i = 0; i < 4; ++i)`: exactly 4 trips, no PCV; the
    // 16 bytes of v[0..4] share one line (two when v straddles one).
    check("gnuc", "sum4", expect![[r#"
        sum4  :11-19  complete · 1 paths · 50.4 ms · resolution 1
          always:
              instructions = 18.82; reads = 2.47; writes = 0; cycles = 9.41 warm / 209.41 cold; lines = 1
              lines by object: *v 1 (2 unaligned); bytes = 64
    "#]]);
}

#[test]
fn loop_pointer_streams() {
    // `*d++ = *src++` over n u64: 8 bytes a step, n/8 lines per stream.
    check("gnuc", "copy_words", expect![[r#"
        copy_words  :42-48  complete · 2 paths · 13.8 ms · resolution 1
          PCVs:
            n          trip count of the loop at line 46: n (line 46)
          if n <= 0:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 4.55*n + 0.69; reads = 0.62*n; writes = n; cycles = 2.28*n + 0.35 warm / 52.28*n + 0.35 cold; lines = 0.25*n
              lines by object: *d@L46 0.12*n (0.12*n + 1 unaligned), *src@L46 0.12*n (0.12*n + 1 unaligned); bytes = 16*n
    "#]]);
    // `p += 8` over bytes: one byte read every 8, n·8/64 lines.
    check("gnuc", "stride8", expect![[r#"
        stride8  :50-60  complete · 2 paths · 23.5 ms · resolution 1
          PCVs:
            n          trip count of the loop at line 55: n (line 55)
          if n <= 0:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
              lines by object: none
          elif n > 0:
              instructions = 3.29*n + 0.69; reads = 0.62*n; writes = 0; cycles = 1.65*n + 0.35 warm / 26.64*n + 0.35 cold; lines = 0.12*n
              lines by object: *p@L55 0.12*n (0.12*n + 1 unaligned); bytes = 8*n
    "#]]);
}

#[test]
fn loop_count_down() {
    check("gnuc", "drain", expect![[r#"
        drain  :21-28  complete · 2 paths · 39.1 ms · resolution 1
          PCVs:
            iters      iterations of the loop at line 25 (line 25)
          if n != 0:
              instructions = 2.91*iters + 1.33; reads = 0.62*iters; writes = 0; cycles = 1.45*iters + 0.66 warm / 13.95*iters + 0.66 cold; lines = 0.06*iters
              lines by object: *p@L25 0.06*iters (0.06*iters + 1 unaligned); bytes = 4*iters
          elif n == 0:
              instructions = 1.33; reads = 0; writes = 0; cycles = 0.66 warm / 0.66 cold; lines = 0
              lines by object: none
    "#]]);
    check("gnuc", "drain_do", expect![[r#"
        drain_do  :30-40  complete · 2 paths · 16.1 ms · resolution 1
          PCVs:
            iters      iterations of the loop at line 36 (line 36)
          if n == 0:
              instructions = 0.69; reads = 0; writes = 0; cycles = 0.35 warm / 0.35 cold; lines = 0
              lines by object: none
          elif n != 0:
              instructions = 3.29*iters + 3.98; reads = 0.62*iters + 0.62; writes = 0; cycles = 1.65*iters + 1.99 warm / 4.77*iters + 201.99 cold; lines = 0.02*iters + 1
              lines by object: *p@L36 0.02*iters + 1 (0.02*iters + 2 unaligned); bytes = iters + 64
    "#]]);
}
