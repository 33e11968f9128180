//! Pathological code: each input is generated here, run through the
//! `perfi` binary (or `perfi lsp`) as a child process, and must end within
//! a deadline with the status the case calls for (partial with its reason,
//! unsupported with its construct, or complete), with the child's peak
//! RSS under 1 GiB. `cargo test --release --test pathological --
//! --nocapture` prints each case's time and peak RSS (README figures).

mod common;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GIB_KB: u64 = 1 << 20;
/// Per process; generous because CI runs test binaries side by side on 2
/// cores. The per-function analysis budgets are far smaller.
const DEADLINE: Duration = Duration::from_secs(180);
/// Interactive budgets give each function 500 ms of wall time, checked
/// between paths; loop summaries and merging can overrun it, but not by
/// this much.
const PER_FUNCTION_MS: f64 = 20_000.0;

struct Run {
    code: i32,
    out: String,
    err: String,
    secs: f64,
    /// VmHWM of the process, polled every 10 ms until it exits.
    peak_kb: u64,
    /// wait4's ru_maxrss: an upper bound (on Linux it also counts the
    /// test process's memory the child had between fork and exec).
    bound_kb: u64,
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let st = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    st.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok())
}

/// Run `perfi ARGS` to the end, reading its output while it runs, and
/// return its exit code, output, wall time and peak RSS. Kills it and
/// fails at the deadline.
fn run(args: &[&str], cwd: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_perfi")).args(args).current_dir(cwd).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("perfi starts");
    let drain = common::Drain::start(&mut child);
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let mut peak_kb = 0;
    loop {
        peak_kb = peak_kb.max(vm_hwm_kb(pid as u32).unwrap_or(0));
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data; wait4 fills it for our own child.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        assert!(r >= 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if r == pid {
            let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -libc::WTERMSIG(status) };
            let (out, err) = drain.finish();
            return Run { code, out, err, secs: start.elapsed().as_secs_f64(), peak_kb, bound_kb: ru.ru_maxrss as u64 };
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("perfi {args:?} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn dir(name: &str) -> PathBuf {
    common::temp_dir(&format!("patho-{name}"))
}

/// `perfi analyze FILE --budgets interactive --format json` (plus
/// `extra`): checks exit, panic, deadline and memory; returns the
/// functions of FILE by name.
fn analyze(case: &str, file_name: &str, bytes: &[u8], extra: &[&str]) -> (Vec<Value>, Run) {
    let d = dir(case);
    let path = d.join(file_name);
    std::fs::write(&path, bytes).expect("write input");
    let p = path.to_string_lossy().into_owned();
    let mut args = vec!["analyze", p.as_str(), "--budgets", "interactive", "--format", "json"];
    args.extend_from_slice(extra);
    let r = run(&args, &d);
    eprintln!("{case}: {} bytes, {:.2} s, peak RSS {} KiB (bound {} KiB)", bytes.len(), r.secs, r.peak_kb, r.bound_kb);
    assert!(!r.err.contains("panicked"), "{case}: perfi panicked: {}", r.err);
    assert_eq!(r.code, 0, "{case}: exit {}: {}", r.code, r.err);
    assert!(r.peak_kb > 0, "{case}: no VmHWM read");
    assert!(r.peak_kb < GIB_KB && r.bound_kb < GIB_KB, "{case}: peak RSS {} KiB (bound {} KiB) is over 1 GiB", r.peak_kb, r.bound_kb);
    let v: Value = serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("{case}: invalid JSON ({e})"));
    let funcs = v["files"].as_array().and_then(|f| f.first()).and_then(|f| f["functions"].as_array()).cloned().unwrap_or_default();
    for f in &funcs {
        let ms = f["analysis_ms"].as_f64().unwrap_or(0.0);
        eprintln!("  {} {} {} ({} paths, {ms:.0} ms)", f["name"].as_str().unwrap_or("?"), f["status"].as_str().unwrap_or("?"), f["reason"].as_str().unwrap_or(""), f["paths"]);
        assert!(ms < PER_FUNCTION_MS, "{case}: {} took {ms} ms", f["name"]);
        let status = f["status"].as_str().unwrap_or("");
        // A partial or unsupported result always says why.
        if status != "complete" {
            assert!(f["reason"].as_str().is_some_and(|r| !r.is_empty()), "{case}: {status} without a reason: {f}");
        }
    }
    (funcs, r)
}

fn function<'a>(funcs: &'a [Value], name: &str) -> &'a Value {
    funcs.iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("no function {name} in {funcs:?}"))
}

fn pcv_names(f: &Value) -> Vec<String> {
    f["pcvs"].as_array().map(|a| a.iter().filter_map(|p| p["name"].as_str().map(String::from)).collect()).unwrap_or_default()
}

/// 2^64 paths: 64 independent branches whose costs all differ.
fn sixty_four_ifs() -> String {
    let mut s = String::from("int f(const int *a) {\n  int s = 0;\n");
    for i in 0..64 {
        s.push_str(&format!("  if (a[{i}] > {i}) {{ s += a[{}] * {}; s ^= {i}; }}\n", 63 - i, i + 2));
    }
    s.push_str("  return s;\n}\n");
    s
}

#[test]
fn sixty_four_sequential_ifs_end_partial_within_budget() {
    let (funcs, _) = analyze("ifs", "ifs.c", sixty_four_ifs().as_bytes(), &[]);
    let f = function(&funcs, "f");
    // 2^64 paths cannot be explored one by one: either paths merged at
    // the resolution (neighbouring costs differ by less than 10) keep it
    // small enough to complete, or the budget stops it and says so. Which
    // one depends on the machine's load.
    match f["status"].as_str() {
        Some("complete") => assert!(f["cases"].as_array().is_some_and(|c| !c.is_empty()), "{f}"),
        Some("partial") => assert!(f["reason"].as_str().unwrap_or("").contains("budget"), "{f}"),
        other => panic!("status {other:?}: {f}"),
    }
}

#[test]
fn ten_thousand_deep_nesting_is_unsupported_with_reason() {
    let n = 10_000;
    let src = format!("int f(int a) {{\n{}a++;\n{}return a;\n}}\nint g(int b) {{ return b + 1; }}\n", "if (a) {\n".repeat(n), "}\n".repeat(n));
    let (funcs, _) = analyze("nest", "nest.c", src.as_bytes(), &[]);
    let f = function(&funcs, "f");
    assert_eq!(f["status"], "unsupported", "{f}");
    assert!(f["reason"].as_str().unwrap_or("").contains("nesting deeper than"), "{f}");
    // The rest of the file is still analyzed.
    assert_eq!(function(&funcs, "g")["status"], "complete");
}

#[test]
fn initializers_nested_twenty_thousand_deep() {
    // Global initializers are read for their constant cells: braces and
    // parentheses this deep must not exhaust the stack, and what cannot be
    // read stays unknown (the branch on `x` keeps both ways).
    let n = 20_000;
    let src = format!(
        "int x = {}1{};\nint f(void) {{ if (x) return 1; return 0; }}\nstruct s {{ int a; }} g = {{ .a = {}3{} }};\nint h(int k) {{ if (k > g.a) return 1; return 0; }}\n",
        "{".repeat(n),
        "}".repeat(n),
        "(".repeat(n),
        ")".repeat(n)
    );
    let (funcs, _) = analyze("deepinit", "deepinit.c", src.as_bytes(), &["--resolution", "1"]);
    assert_eq!(function(&funcs, "f")["status"], "complete");
    assert_eq!(function(&funcs, "h")["status"], "complete");
}

#[test]
fn twenty_thousand_line_function() {
    let mut src = String::from("int f(int a, int b) {\n");
    for i in 0..20_000 {
        src.push_str(&format!("  a = a * {} + (b >> {});\n", i % 7 + 1, i % 5));
    }
    src.push_str("  return a;\n}\n");
    let (funcs, _) = analyze("long", "long.c", src.as_bytes(), &[]);
    let f = function(&funcs, "f");
    // Straight-line code has one path: a budget is no excuse here.
    assert_eq!(f["status"], "complete", "{f}");
    assert_eq!(f["paths"], 1, "{f}");
    assert_eq!(f["range"]["end_line"], 20_003);
}

#[test]
fn loop_nest_twelve_deep() {
    let mut src = String::from("int f(const int *a, int n) {\n  int s = 0;\n");
    for i in 0..12 {
        src.push_str(&format!("{}for (int i{i} = 0; i{i} < n; i{i}++)\n", "  ".repeat(i + 1)));
    }
    src.push_str("              s += a[i0 ^ i11];\n  return s;\n}\n");
    let (funcs, _) = analyze("loops", "loops.c", src.as_bytes(), &[]);
    let f = function(&funcs, "f");
    let status = f["status"].as_str().unwrap_or("");
    assert!(status == "complete" || status == "partial", "{f}");
    // Summarized, not unrolled: the trip counts are variables of the formula.
    let text = f["cases"].to_string();
    assert!(f["cases"].as_array().is_some_and(|c| !c.is_empty()), "{f}");
    assert!(text.contains('n') || !pcv_names(f).is_empty(), "the formula does not depend on the loops: {text}");
}

#[test]
fn mutual_recursion_costs_a_pcv() {
    let src = "int odd(unsigned n);\nint even(unsigned n) { if (n == 0) return 1; return odd(n - 1); }\nint odd(unsigned n) { if (n == 0) return 0; return even(n - 1); }\n";
    let (funcs, _) = analyze("rec", "rec.c", src.as_bytes(), &[]);
    for (name, other) in [("even", "odd"), ("odd", "even")] {
        let f = function(&funcs, name);
        assert_eq!(f["status"], "complete", "{f}");
        // The cycle is cut: some call in it costs cost(...) instead of
        // being inlined forever.
        let pcvs = pcv_names(f);
        assert!(pcvs.iter().any(|p| p == &format!("cost({name})") || p == &format!("cost({other})")), "{name}: {pcvs:?}");
    }
}

/// A generated file of `n` small functions and structs.
fn many_functions(bytes: usize) -> (String, usize) {
    let mut s = String::with_capacity(bytes + 256);
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(&format!(
            "struct s{i} {{ int a; char b; long c; }};\nint fn{i}(struct s{i} *p, int x) {{\n  if (x > {i}) return p->a + x;\n  for (int k = 0; k < x; k++) p->c += k;\n  return p->b;\n}}\n"
        ));
        i += 1;
    }
    (s, i)
}

#[test]
fn five_megabyte_file() {
    let (src, n) = many_functions(5 << 20);
    let last = format!("fn{}", n - 1);
    // The whole file is parsed, indexed and lowered; one function analyzed.
    let (funcs, _) = analyze("big", "big.c", src.as_bytes(), &["--function", &last]);
    assert_eq!(funcs.len(), 1);
    assert_eq!(function(&funcs, &last)["status"], "complete");
    // Every struct laid out.
    let d = dir("big-layout");
    let path = d.join("big.c");
    std::fs::write(&path, &src).expect("write");
    let r = run(&["layout", &path.to_string_lossy(), "--format", "json"], &d);
    eprintln!("big layout: {:.2} s, peak RSS {} KiB (bound {} KiB)", r.secs, r.peak_kb, r.bound_kb);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.peak_kb < GIB_KB && r.bound_kb < GIB_KB, "layout: peak RSS {} KiB (bound {} KiB)", r.peak_kb, r.bound_kb);
    let v: Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(v["structs"].as_array().map(|a| a.len()), Some(n));
}

/// Kernel-style code with the kernel's macros and types but none of its
/// headers (they are system includes, which Perfi does not read).
const KERNEL: &str = r#"#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/spinlock.h>

struct flow_entry {
	struct list_head node;
	u32 key;
	__be16 port;
	u64 hits;
} __packed;

struct flow_table {
	spinlock_t lock;
	struct list_head buckets[64];
	unsigned int count ____cacheline_aligned;
};

static inline u32 bucket_of(u32 key)
{
	return (key * 2654435761u) >> 26;
}

static struct flow_entry *flow_find(struct flow_table *t, u32 key)
{
	struct flow_entry *e;

	list_for_each_entry(e, &t->buckets[bucket_of(key)], node) {
		if (likely(READ_ONCE(e->key) == key))
			return e;
	}
	return NULL;
}

int flow_hit(struct flow_table *t, u32 key, __be16 port)
{
	struct flow_entry *e;
	int ret = -ENOENT;

	spin_lock_bh(&t->lock);
	e = flow_find(t, key);
	if (e && ntohs(port) == ntohs(e->port)) {
		WRITE_ONCE(e->hits, e->hits + 1);
		ret = 0;
	} else if (unlikely(!e)) {
		pr_debug("miss %u\n", key);
	}
	spin_unlock_bh(&t->lock);
	return min(ret, 0);
}
"#;

#[test]
fn kernel_code_without_its_headers() {
    // As is: the types only the headers define (`spinlock_t`, `struct
    // list_head`) are unknown, so functions using their members are
    // unsupported, each with the construct and its position; the rest is
    // analyzed.
    let (funcs, _) = analyze("kernel", "flow.c", KERNEL.as_bytes(), &[]);
    assert_eq!(funcs.len(), 3, "{funcs:?}");
    assert_eq!(function(&funcs, "bucket_of")["status"], "complete");
    for f in &funcs {
        if f["status"] == "unsupported" {
            let r = f["reason"].as_str().unwrap_or("");
            assert!(r.contains(" at ") && (r.contains("list_for_each_entry") || r.contains("lock")), "{f}");
        }
    }
    // With just those two types declared, the macros themselves
    // (list_for_each_entry, likely, READ_ONCE, WRITE_ONCE, ntohs, min,
    // pr_debug, -ENOENT) are understood and every function is analyzed.
    let with_types = format!("typedef struct {{ int raw; }} spinlock_t;\nstruct list_head {{ struct list_head *next, *prev; }};\n{KERNEL}");
    let (funcs, _) = analyze("kernel-types", "flow.c", with_types.as_bytes(), &[]);
    for name in ["bucket_of", "flow_find", "flow_hit"] {
        let f = function(&funcs, name);
        let status = f["status"].as_str().unwrap_or("");
        assert!(status == "complete" || status == "partial", "{name}: {f}");
    }
    // The list walk is a loop with a PCV, not an unknown call.
    assert!(pcv_names(function(&funcs, "flow_find")).iter().any(|p| !p.starts_with("cost(")), "{}", function(&funcs, "flow_find"));
    // Unknown kernel functions cost a PCV each.
    let hit = pcv_names(function(&funcs, "flow_hit"));
    assert!(hit.iter().any(|p| p == "cost(spin_lock_bh)"), "{hit:?}");
}

#[test]
fn non_utf8_bytes_everywhere() {
    // Latin-1 in a comment and a string, a lone continuation byte in an
    // identifier position, an overlong encoding, UTF-16 surrogate halves.
    let mut src: Vec<u8> = b"/* r\xe9seau \xe0 la fa\xe7on */\nint ok(int a) {\n  const char *s = \"\xff\xfe\";\n  return a + s[0];\n}\n".to_vec();
    src.extend_from_slice(b"int bad\x80name(int b) { return b; }\n");
    src.extend_from_slice(b"int also_ok(int c) { /* \xc0\xaf \xed\xa0\x80 */ if (c) return 1; return 2; }\n");
    let (funcs, _) = analyze("utf8", "latin1.c", &src, &[]);
    assert_eq!(function(&funcs, "ok")["status"], "complete");
    assert_eq!(function(&funcs, "also_ok")["status"], "complete");
    assert_eq!(function(&funcs, "also_ok")["paths"], 2);
    // The identifier broken by a stray byte is a syntax error, reported.
    assert!(function(&funcs, "name")["reason"].as_str().is_some_and(|r| r.contains("syntax error at 6:")), "{funcs:?}");
}

/// The language server gets a slow file, then edits while the analysis of
/// each version runs; it must settle on the last version (diagnostics and
/// hover for it), and stay under 1 GiB.
#[test]
fn file_changing_while_it_is_analyzed() {
    let d = dir("changing");
    let path = d.join("live.c");
    let slow = sixty_four_ifs();
    std::fs::write(&path, &slow).expect("write");
    let (mut c, _) = common::start(&d, json!({"perfi": {"baseline": "open"}}));
    let uri = common::open(&mut c, &path, &slow);
    let mut version = 1;
    // Each edit lands while the previous version is being analyzed (an
    // analysis of this file runs to its 500 ms budget); the file on disk
    // is rewritten too, as a build or a checkout would.
    for i in 0..20 {
        std::thread::sleep(Duration::from_millis(60));
        version += 1;
        let text = format!("{slow}int h{i}(int x) {{ return x * {i}; }}\n");
        common::change(&mut c, &uri, version, None, &text);
        std::fs::write(&path, format!("int disk{i}(void) {{ return {i}; }}\n")).expect("rewrite");
    }
    version += 1;
    let last = "int final_fn(int x) {\n  if (x > 3) return x * 2;\n  return 0;\n}\n";
    common::change(&mut c, &uri, version, None, last);
    common::diagnostics(&mut c, &uri, version as i64);
    let h = common::hover(&mut c, &uri, 0, 6);
    let text = common::hover_text(&h);
    assert!(text.contains("final_fn"), "hover after the last edit: {h}");
    let pid = c.pid();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("server status");
    let hwm: u64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok()).expect("VmHWM");
    eprintln!("changing: server peak RSS {hwm} KiB");
    assert!(hwm < GIB_KB, "server peak RSS {hwm} KiB");
    assert_eq!(c.shutdown(common::T).expect("shutdown"), Some(0));
}

/// Preprocessor bad input through the binary (issue 12, item 6): each file
/// ends quickly with a note on stderr, no panic, bounded memory, and the
/// function after the bad construct still gets an interface.
#[test]
fn preprocessor_bad_input_is_a_note_and_the_rest_is_analyzed() {
    let fifo_dir = dir("pp-fifo");
    let fifo = fifo_dir.join("pipe.h");
    let _ = std::fs::remove_file(&fifo);
    let made_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let mut doubling = String::new();
    doubling.push_str("#define D0(x) x x\n");
    for k in 1..=24 {
        doubling.push_str(&format!("#define D{k}(x) D{}(x) D{}(x)\n", k - 1, k - 1));
    }
    doubling.push_str("int bomb[] = { D24(1,) };\n");
    let mut cases: Vec<(&str, String)> = vec![
        ("pp-recursive", "#define A B\n#define B A\n#define F(x) G(x)\n#define G(x) F(x)\nint a = A + F(1);\n".into()),
        ("pp-doubling", doubling),
        ("pp-cycle", "#include __FILE__\n".into()),
        ("pp-directory", "#include \"/tmp\"\n".into()),
        ("pp-dev-zero", "#include \"/dev/zero\"\n".into()),
        ("pp-unterminated-if", "#if 1\nint x;\n#ifdef Y\n".into()),
        ("pp-open-quote", "#include \"never_closed.h\nint y;\n".into()),
        ("pp-comment-backslash", "int z;\n/* never closed \\\n".into()),
    ];
    if made_fifo {
        cases.push(("pp-fifo", format!("#include \"{}\"\n", fifo.display())));
    }
    for (case, prelude) in cases {
        let src = format!("{prelude}\nint after(int v)\n{{\n    return v + 1;\n}}\n");
        let (funcs, r) = analyze(case, "bad.c", src.as_bytes(), &[]);
        assert!(r.secs < 60.0, "{case}: {} s", r.secs);
        assert!(r.err.contains("perfi: note:") || case == "pp-recursive", "{case}: no preprocessor note: {}", r.err);
        if case != "pp-comment-backslash" && case != "pp-unterminated-if" {
            let f = function(&funcs, "after");
            assert_eq!(f["status"], "complete", "{case}: {f}");
        }
    }
}
