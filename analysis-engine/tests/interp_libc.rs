//! The concrete interpreter returns what the C library's string functions
//! return (their cost stays the interface's `cost(f)`), so a measured run
//! follows the path the compiled code follows. The test: a lookup in a
//! table through strchr takes the found case for a byte in the table and
//! the not-found case for one that is not, and strlen/strcmp/memchr give
//! their ISO C values (seen through the cases the runs take).

use perfi_engine::analysis::{analyze_function, analyze_function_with_signatures, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::interp::{check_run, predict, Interp};
use std::sync::Arc;

const SRC: &str = r#"
char *strchr(const char *s, int c);
unsigned long strlen(const char *s);
int strcmp(const char *a, const char *b);
void *memchr(const void *s, int c, unsigned long n);
static const char table[] = "ABCDEFGH";
int position(const char *src)
{
	const char *p = strchr(table, src[0]);
	if (p == 0)
		return -1;
	return p - table;
}
int classify(const char *s)
{
	if (strlen(s) != 3)
		return 0;
	if (strcmp(s, "abc") < 0)
		return 1;
	if (memchr(s, 'z', 3) != 0)
		return 2;
	return 3;
}
char g_hit[2] = "D";
char g_miss[2] = "!";
char g_low[4] = "abb";
char g_z[4] = "xzy";
char g_mid[4] = "abd";
int hit(void) { return position(g_hit); }
int miss(void) { return position(g_miss); }
int low(void) { return classify(g_low); }
int z(void) { return classify(g_z); }
int mid(void) { return classify(g_mid); }
"#;

#[test]
fn string_functions_return_their_values() {
    let dir = std::env::temp_dir().join(format!("perfi-interp-libc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("lookup.c");
    std::fs::write(&path, SRC).expect("write");
    let prog = Program::load(std::slice::from_ref(&path)).expect("loads");
    let _ = std::fs::remove_dir_all(&dir);
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let ir = |name: &str| Arc::new(fa.functions.iter().find(|l| l.info.name == name).and_then(|l| l.ir.as_ref().ok()).expect("lowers").clone());
    let run = |driver: &str, measured: &str| {
        let l = fa.functions.iter().find(|l| l.info.name == measured).expect("function");
        let budgets = Budgets { paths: 1000, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
        let iface = analyze_function(&ir(measured), &l.info, &funcs, &Config::default(), budgets, 1.0, &CancelToken::new());
        let mut it = Interp::new(&funcs, 7);
        let run = it.run_measured(&ir(driver), measured).expect("runs");
        let case = predict(&iface, &run).expect("a case").0;
        (run.sig, case)
    };
    let (hit, miss) = (run("hit", "position"), run("miss", "position"));
    assert!(hit.1.contains("!= 0"), "{}", hit.1);
    assert!(miss.1.contains("== 0"), "{}", miss.1);
    // "abb" < "abc" returns at once; "xzy" > "abc" holds a 'z'; "abd" >
    // "abc" holds none: three different paths (the last two cost the same,
    // so they may share a case).
    let (low, z, mid) = (run("low", "classify"), run("z", "classify"), run("mid", "classify"));
    assert!(low.1.contains("strcmp() < 0"), "{}", low.1);
    assert!(z.1.contains("strcmp() >= 0"), "{}", z.1);
    assert!(low.0 != z.0 && z.0 != mid.0 && low.0 != mid.0, "three paths");
}

/// A function with neither a body nor a contract costs `cost(name)` per
/// call in the interface. A caller that knows what one call costs (the
/// accuracy harness measures library callees under callgrind) prices the
/// run: the PCV takes that value and the run's instructions grow by calls
/// × price, so the interface's prediction and the cost model applied to
/// the run still agree (`check_run`), and the difference between priced
/// and unpriced predictions is exactly calls × price.
#[test]
fn unknown_callees_are_priced_per_call() {
    const LOOP: &str = r#"
int ext_weight(int c);
int total(const unsigned char *s, int n)
{
	int t = 0;
	for (int i = 0; i < n; i++)
		t += ext_weight(s[i]);
	return t;
}
unsigned char g_buf[8] = "abcdefg";
int drive(void) { return total(g_buf, 5); }
"#;
    let dir = std::env::temp_dir().join(format!("perfi-interp-unknown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("weights.c");
    std::fs::write(&path, LOOP).expect("write");
    let prog = Program::load(std::slice::from_ref(&path)).expect("loads");
    let _ = std::fs::remove_dir_all(&dir);
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let ir = |name: &str| Arc::new(fa.functions.iter().find(|l| l.info.name == name).and_then(|l| l.ir.as_ref().ok()).expect("lowers").clone());
    let l = fa.functions.iter().find(|l| l.info.name == "total").expect("function");
    let budgets = Budgets { paths: 1000, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
    let iface = analyze_function_with_signatures(&ir("total"), &l.info, &funcs, &Config::default(), budgets, 1.0, &CancelToken::new());
    let d = iface.details.as_ref().expect("details");
    assert!(d.vars.list.iter().any(|v| v.name == "cost(ext_weight)"), "the interface names cost(ext_weight)");
    let mut it = Interp::new(&funcs, 3);
    let unpriced = it.run_measured(&ir("drive"), "total").expect("runs");
    assert_eq!(unpriced.unknown_calls.get("ext_weight"), Some(&5), "one call per byte");
    let table = perfi_engine::cost::default_table();
    check_run(&iface, &unpriced, &table).expect("consistent unpriced");
    let mut priced = unpriced.clone();
    priced.price_unknown(&std::collections::HashMap::from([("ext_weight".to_string(), 11.0)]));
    check_run(&iface, &priced, &table).expect("consistent priced");
    let (a, b) = (predict(&iface, &unpriced).expect("case").1[0], predict(&iface, &priced).expect("case").1[0]);
    assert!((b - a - 5.0 * 11.0).abs() < 1e-9, "priced {b} = unpriced {a} + 5 calls x 11");
}

/// gcc's bit-search builtins have their values in the interpreter (they
/// were random numbers): a halving loop started from `1 << fls(x)` or
/// `1 << ctz(x)` runs as often as the compiled code does. Each driver's
/// loop halves `m` down to 0: log2(m) + 1 iterations.
#[test]
fn bit_builtins_have_their_values() {
    const BITS: &str = r#"
unsigned halvings_from_top(unsigned long x)
{
	unsigned long m = 1UL << (63 - __builtin_clzl(x));
	unsigned n = 0;
	while (m != 0) {
		n += (unsigned)(m & 1);
		m >>= 1;
	}
	return n;
}
unsigned halvings_from_top32(unsigned x)
{
	unsigned m = 1U << (31 - __builtin_clz(x));
	unsigned n = 0;
	while (m != 0) {
		n += m & 1;
		m >>= 1;
	}
	return n;
}
unsigned halvings_from_low(unsigned long x)
{
	unsigned long m = 1UL << __builtin_ctzl(x);
	unsigned n = 0;
	while (m != 0) {
		n += (unsigned)(m & 1);
		m >>= 1;
	}
	return n;
}
unsigned halvings_popcount(unsigned long x)
{
	unsigned long m = 1UL << __builtin_popcountl(x);
	unsigned n = 0;
	while (m != 0) {
		n += (unsigned)(m & 1);
		m >>= 1;
	}
	return n;
}
unsigned g_r;
void top(void) { g_r = halvings_from_top(40); }
void top32(void) { g_r = halvings_from_top32(40); }
void low(void) { g_r = halvings_from_low(0x100); }
void pop(void) { g_r = halvings_popcount(0xf0f0); }
"#;
    let dir = std::env::temp_dir().join(format!("perfi-interp-bits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bits.c");
    std::fs::write(&path, BITS).expect("write");
    let prog = Program::load(std::slice::from_ref(&path)).expect("loads");
    let _ = std::fs::remove_dir_all(&dir);
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let ir = |name: &str| Arc::new(fa.functions.iter().find(|l| l.info.name == name).and_then(|l| l.ir.as_ref().ok()).expect("lowers").clone());
    let iterations = |driver: &str, measured: &str| -> u64 {
        let mut it = Interp::new(&funcs, 5);
        let run = it.run_measured(&ir(driver), measured).expect("runs");
        run.iter_counts.values().sum::<u64>()
    };
    // 40 = 0b101000: top bit 5, m = 32 → 6 halvings; 0x100: lowest bit 8,
    // m = 256 → 9; popcount(0xf0f0) = 8, m = 256 → 9.
    assert_eq!(iterations("top", "halvings_from_top"), 6);
    assert_eq!(iterations("top32", "halvings_from_top32"), 6);
    assert_eq!(iterations("low", "halvings_from_low"), 9);
    assert_eq!(iterations("pop", "halvings_popcount"), 9);
}
