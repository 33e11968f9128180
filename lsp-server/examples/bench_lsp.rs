//! `make bench-lsp`: replay typing sessions against `perfi lsp` over stdio
//! and report keystroke → publishDiagnostics (for that version) and hover
//! latencies, and the server's peak RSS. When `clangd` is installed, the
//! same session runs against it for comparison.
//!
//! Two sessions: a copy of test-workspaces/nat/nat.c (our own code), and a
//! copy (in a temporary folder) of a real XDP program from the kernel
//! tree, `tools/testing/selftests/bpf/progs/xdpwall.c` of Debian's
//! linux-source-6.1, which includes `<linux/bpf.h>`, `<bpf/bpf_helpers.h>`
//! and the kernel's network headers (read from linux-libc-dev and
//! libbpf-dev). Each: at four functions, type a statement and delete it
//! again with backspace, at 10 keystrokes per second; every 10th
//! keystroke also asks for a hover on the edited function's name.
//!
//! Environment: PERFI_BIN (default target/release/perfi), BENCH_RATE
//! (keystrokes per second, default 10).

use anyhow::{Context, Result};
use perfi::lsp::rpc_client::{file_uri, LspClient};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A typing session: the file typed into, the statement typed, and (line
/// after which to type, function whose name is hovered).
struct Session {
    name: &'static str,
    file: &'static str,
    snippet: &'static str,
    sites: [(&'static str, &'static str); 4],
}

const NAT: Session = Session {
    name: "nat.c (test-workspaces/nat)",
    file: "nat.c",
    snippet: "        st->stats.lookups += idx * 3;\n",
    sites: [
        ("st->stats.chain_steps++;", "nat_lookup_int("),
        ("idx = f->ext_next;", "nat_lookup_ext("),
        ("expired++;", "nat_expire_flows("),
        ("f->ext_port = (uint16_t)(st->cfg.port_base + idx);", "nat_insert("),
    ],
};

/// Relative to the extracted linux-source-6.1 (`make bench-lsp` extracts it).
const XDPWALL: &str = "tools/testing/selftests/bpf/progs/xdpwall.c";

const BPF: Session = Session {
    name: "xdpwall.c (linux-source-6.1 BPF selftest)",
    file: "xdpwall.c",
    snippet: "\tinfo->sport += info->dport * 3;\n",
    sites: [
        ("info->dport = bpf_ntohs(tcp->dest);", "parse_tcp("),
        ("struct udphdr *udp = transport_hdr;", "parse_udp("),
        ("void *encap_data = udp + 1;", "parse_gue_v6("),
        ("struct ipv6hdr *ip6h = data + sizeof(struct ethhdr);", "parse_ipv6_gue("),
    ],
};

#[derive(Clone)]
enum Op {
    Insert { at: usize, text: char },
    Delete { at: usize },
}

/// The keystrokes of the session, as char offsets into the evolving text,
/// with the function to hover at each step.
fn session(s: &Session, text: &str) -> Vec<(Op, &'static str)> {
    let mut ops = Vec::new();
    let snippet = s.snippet;
    for (anchor, func) in s.sites {
        let Some(i) = text.find(anchor) else { continue };
        let line_end = text[i..].find('\n').map(|j| i + j + 1).unwrap_or(text.len());
        let at = text[..line_end].chars().count();
        for (k, ch) in snippet.chars().enumerate() {
            ops.push((Op::Insert { at: at + k, text: ch }, func));
        }
        for k in (0..snippet.chars().count()).rev() {
            ops.push((Op::Delete { at: at + k }, func));
        }
    }
    ops
}

fn pos_of(text: &[char], at: usize) -> Value {
    let mut line = 0;
    let mut col = 0;
    for c in &text[..at] {
        if *c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += c.len_utf16();
        }
    }
    json!({"line": line, "character": col})
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

struct Report {
    name: String,
    initial_ms: f64,
    /// Per version: keystroke → its first publishDiagnostics.
    diag: Vec<f64>,
    /// Per version: keystroke → its last publishDiagnostics (a server may
    /// publish a version again when more of the file is analyzed).
    diag_last: Vec<f64>,
    published: usize,
    versions: usize,
    hover: Vec<f64>,
    rss_kb: Option<u64>,
    /// perfi only: last keystroke → code lenses saying `machine code`
    /// (the background compile and re-analysis), or why not.
    machine_ms: Option<Result<f64, String>>,
}

fn run(name: &str, sess: &Session, program: &Path, args: &[&str], root: &Path, rate: f64) -> Result<Report> {
    let path = root.join(sess.file);
    let original = std::fs::read_to_string(&path)?;
    // A fresh interface cache: every run measures analysis, not a cache
    // an earlier run filled.
    let cache_home = std::env::temp_dir().join(format!("perfi-bench-lsp-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache_home);
    let mut c = LspClient::spawn_env(program, args, Some(root), &[("XDG_CACHE_HOME", cache_home.as_os_str())])?;
    let uri = file_uri(&path);
    let caps = json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}, "hover": {"contentFormat": ["markdown"]}}});
    c.initialize(&file_uri(root), json!({"perfi": {"baseline": "open"}}), caps)?;
    let t0 = Instant::now();
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": original}}))?;
    let u = uri.clone();
    let first = c
        .wait_notification(Duration::from_secs(120), |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str())?
        .context("no diagnostics after opening")?;
    let initial_ms = first.at.duration_since(t0).as_secs_f64() * 1000.0;
    // Warm the hover path too.
    let _ = c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}), Duration::from_secs(60));
    c.pending.clear();

    let mut text: Vec<char> = original.chars().collect();
    let ops = session(sess, &original);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let mut sent: HashMap<i64, Instant> = HashMap::new();
    let mut hovers: HashMap<i64, Instant> = HashMap::new();
    let mut hover = Vec::new();
    let mut version = 1i64;
    let start = Instant::now();
    // Version → (first, last) publication latency.
    let mut by_version: HashMap<i64, (f64, f64)> = HashMap::new();
    let collect = |c: &mut LspClient, sent: &HashMap<i64, Instant>, hovers: &mut HashMap<i64, Instant>, diag: &mut HashMap<i64, (f64, f64)>, hover: &mut Vec<f64>| {
        for r in std::mem::take(&mut c.pending) {
            let m = &r.msg;
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str() {
                if let Some(v) = m["params"]["version"].as_i64() {
                    if let Some(t) = sent.get(&v) {
                        let ms = r.at.duration_since(*t).as_secs_f64() * 1000.0;
                        diag.entry(v).and_modify(|e| e.1 = ms).or_insert((ms, ms));
                    }
                }
            } else if m.get("method").is_none() {
                if let Some(t) = m["id"].as_i64().and_then(|id| hovers.remove(&id)) {
                    hover.push(r.at.duration_since(t).as_secs_f64() * 1000.0);
                }
            }
        }
    };
    for (k, (op, func)) in ops.iter().enumerate() {
        let due = start + interval * k as u32;
        c.drain(due.saturating_duration_since(Instant::now()))?;
        collect(&mut c, &sent, &mut hovers, &mut by_version, &mut hover);
        version += 1;
        let change = match op {
            Op::Insert { at, text: ch } => {
                let p = pos_of(&text, *at);
                text.insert(*at, *ch);
                json!({"range": {"start": p, "end": p}, "text": ch.to_string()})
            }
            Op::Delete { at } => {
                let (a, b) = (pos_of(&text, *at), pos_of(&text, at + 1));
                text.remove(*at);
                json!({"range": {"start": a, "end": b}, "text": ""})
            }
        };
        sent.insert(version, Instant::now());
        c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}))?;
        if k % 10 == 5 {
            let s: String = text.iter().collect();
            if let Some(i) = s.find(func) {
                let at = s[..i].chars().count() + 2;
                let id = c.request_async("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos_of(&text, at)}))?;
                hovers.insert(id, Instant::now());
            }
        }
    }
    // The last version's diagnostics and outstanding hovers.
    let last = version;
    let u = uri.clone();
    if let Some(r) = c.wait_notification(Duration::from_secs(60), |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str() && m["params"]["version"].as_i64() == Some(last))? {
        c.pending.push(r);
    }
    // perfi: the machine-code refinement of the last version, polled
    // through code lenses (every 50 ms, up to 20 s after the last keystroke).
    let machine_ms = if name.starts_with("perfi") {
        let t_last = sent.get(&last).copied().unwrap_or_else(Instant::now);
        let mut got = Err("no code lens said `machine code` within 20 s".to_string());
        while t_last.elapsed() < Duration::from_secs(20) {
            let r = c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), Duration::from_secs(30))?;
            let titles: Vec<String> = r["result"].as_array().map(|a| a.iter().filter_map(|l| l["command"]["title"].as_str().map(String::from)).collect()).unwrap_or_default();
            if titles.iter().any(|t| t.ends_with(" · machine code")) {
                got = Ok(t_last.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(got)
    } else {
        None
    };
    c.drain(Duration::from_millis(500))?;
    collect(&mut c, &sent, &mut hovers, &mut by_version, &mut hover);
    let rss_kb = vm_hwm_kb(c.pid());
    let published = by_version.len();
    let diag: Vec<f64> = by_version.values().map(|x| x.0).collect();
    let diag_last: Vec<f64> = by_version.values().map(|x| x.1).collect();
    let _ = c.shutdown(Duration::from_secs(10));
    Ok(Report { name: name.into(), initial_ms, diag, diag_last, published, versions: ops.len(), hover, rss_kb, machine_ms })
}

fn print(r: &mut Report) {
    let (d50, d95, dmax) = (percentile(&mut r.diag, 0.5), percentile(&mut r.diag, 0.95), r.diag.iter().cloned().fold(f64::NAN, f64::max));
    let (h50, h95, hmax) = (percentile(&mut r.hover, 0.5), percentile(&mut r.hover, 0.95), r.hover.iter().cloned().fold(f64::NAN, f64::max));
    println!("{}", r.name);
    println!("  open → first diagnostics     {:8.1} ms", r.initial_ms);
    println!("  keystroke → diagnostics      p50 {d50:8.1} ms   p95 {d95:8.1} ms   max {dmax:8.1} ms   ({} of {} versions published; first publication of each)", r.published, r.versions);
    let (l50, l95) = (percentile(&mut r.diag_last, 0.5), percentile(&mut r.diag_last, 0.95));
    println!("  keystroke → last publication p50 {l50:8.1} ms   p95 {l95:8.1} ms   (the version published again as more of the file is analyzed)");
    println!("  hover                        p50 {h50:8.1} ms   p95 {h95:8.1} ms   max {hmax:8.1} ms   ({} hovers)", r.hover.len());
    match &r.machine_ms {
        Some(Ok(ms)) => println!("  last keystroke → machine code {ms:7.1} ms   (background compile with the system compiler and re-analysis; goal ≤ 2000 ms)"),
        Some(Err(e)) => println!("  last keystroke → machine code  n/a: {e}"),
        None => {}
    }
    match r.rss_kb {
        Some(k) => println!("  peak RSS (VmHWM)             {:8.1} MB", k as f64 / 1024.0),
        None => println!("  peak RSS (VmHWM)             n/a"),
    }
}

fn copy_nat() -> Result<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces/nat");
    let dst = std::env::temp_dir().join(format!("perfi-bench-{}", std::process::id())).join("nat");
    std::fs::create_dir_all(&dst)?;
    for e in std::fs::read_dir(&src)? {
        let e = e?;
        if e.path().is_file() {
            std::fs::copy(e.path(), dst.join(e.file_name()))?;
        }
    }
    Ok(dst)
}

/// The BPF program, copied into a temporary folder (the installed tree is
/// never written), with the flags its build uses for clangd and perfi.
fn copy_bpf() -> Result<Option<PathBuf>> {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let src = home.join(".cache/perfi/linux-source-6.1").join(XDPWALL);
    if !src.is_file() {
        return Ok(None);
    }
    let dst = std::env::temp_dir().join(format!("perfi-bench-{}", std::process::id())).join("bpf");
    std::fs::create_dir_all(&dst)?;
    std::fs::copy(&src, dst.join(BPF.file))?;
    std::fs::write(dst.join("compile_flags.txt"), "-target\nbpf\n-O2\n-I/usr/include/x86_64-linux-gnu\n")?;
    Ok(Some(dst))
}

fn compare(sess: &Session, bin: &Path, root: &Path, rate: f64) -> Result<()> {
    let n = session(sess, &std::fs::read_to_string(root.join(sess.file))?).len();
    println!("typing session: {n} keystrokes at {rate}/s into {} (hover every 10th)\n", sess.name);
    let mut perfi = run("perfi lsp", sess, bin, &["lsp", "--stdio"], root, rate)?;
    print(&mut perfi);
    let clangd = std::process::Command::new("clangd").arg("--version").output().is_ok();
    if clangd {
        let mut c = run("clangd", sess, Path::new("clangd"), &["--log=error"], root, rate)?;
        println!();
        print(&mut c);
        let ratio = |a: &mut Vec<f64>, b: &mut Vec<f64>, p: f64| percentile(a, p) / percentile(b, p);
        println!("\nperfi / clangd");
        println!("  diagnostics  p50 ×{:.2}  p95 ×{:.2}", ratio(&mut perfi.diag, &mut c.diag, 0.5), ratio(&mut perfi.diag, &mut c.diag, 0.95));
        println!("  hover        p50 ×{:.2}  p95 ×{:.2}", ratio(&mut perfi.hover, &mut c.hover, 0.5), ratio(&mut perfi.hover, &mut c.hover, 0.95));
        if let (Some(a), Some(b)) = (perfi.rss_kb, c.rss_kb) {
            println!("  peak RSS     ×{:.2}", a as f64 / b as f64);
        }
    } else {
        println!("\n(clangd not installed: no comparison)");
    }
    Ok(())
}

fn main() -> Result<()> {
    let bin = std::env::var_os("PERFI_BIN").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/perfi"));
    anyhow::ensure!(bin.is_file(), "{} not found: build it first (cargo build --release)", bin.display());
    let rate: f64 = std::env::var("BENCH_RATE").ok().and_then(|r| r.parse().ok()).unwrap_or(10.0);
    let only_bpf = std::env::args().any(|a| a == "--bpf-only");
    let root = copy_nat()?;
    if !only_bpf {
        compare(&NAT, &bin, &root, rate)?;
    }
    match copy_bpf()? {
        Some(bpf) => {
            println!("\n----------------------------------------------------------------\n");
            compare(&BPF, &bin, &bpf, rate)?;
        }
        None => println!("\n(linux-source-6.1 not extracted in ~/.cache/perfi: no BPF session; `make bench-lsp` extracts it)"),
    }
    let _ = std::fs::remove_dir_all(root.parent().unwrap_or(&root));
    Ok(())
}
