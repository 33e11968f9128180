//! The editor on a large tree (`make bench-scale`, issue 16): the real
//! `perfi lsp` over stdio, rooted at a folder of a kernel tree.
//!
//! Two sessions share one interface cache (a fresh `XDG_CACHE_HOME` per
//! run of this program, so the first session is cold):
//! 1. cold: once workspace indexing has started (`$/progress` begin: no
//!    file indexed yet, so the header caches are cold), open FILE and measure the time to its first
//!    publishDiagnostics, to the first code lens that shows an interface
//!    (the client declares lens refresh support, so partial lenses are
//!    answered), to a hover on that function answering with its
//!    interface, and to the end of the file's run (`$/perfi/runStats`);
//!    then the time until indexing is done (`$/perfi/indexStats`).
//! 2. warm: a second server over the same cache: open FILE right after
//!    `initialized`, the same times, and the time to indexing done.
//!
//! Prints one markdown row per session, with the server's peak RSS
//! (VmHWM); each figure also goes to stderr as soon as it is known.
//! Usage: bench_scale_lsp ROOT FILE [LABEL]; PERFI_BIN (default
//! target/release/perfi); BENCH_SCALE_LSP_TIMEOUT (s per wait, default
//! 1800); PERFI_INDEX_NICE is passed to the server (see `lsp/pool.rs`).

use anyhow::{bail, Context, Result};
use perfi::lsp::rpc_client::{file_uri, LspClient};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Default)]
struct Row {
    first_publish: Option<f64>,
    first_interface: Option<f64>,
    hover: Option<f64>,
    file_done: Option<f64>,
    file_stats: Value,
    index_done: Option<f64>,
    index: Value,
    rss_mb: Option<f64>,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn fmt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
}

/// A lens that shows an interface (not `perfi: <why not>`), and where.
fn interface_lens(r: &Value) -> Option<Value> {
    r["result"].as_array()?.iter().find(|l| l["command"]["command"] == "perfi.showInterface" && l["command"]["title"].as_str().is_some_and(|t| !t.is_empty() && !t.starts_with("perfi:"))).cloned()
}

fn session(bin: &Path, root: &Path, file: &Path, cache_home: &Path, cold: bool, timeout: Duration) -> Result<Row> {
    let mut c = LspClient::spawn_env(bin, &["lsp", "--stdio"], Some(root), &[("XDG_CACHE_HOME", cache_home.as_os_str())])?;
    let caps = json!({
        "window": {"workDoneProgress": true},
        "workspace": {"codeLens": {"refreshSupport": true}},
        "textDocument": {"publishDiagnostics": {"versionSupport": true}, "hover": {"contentFormat": ["markdown"]}},
    });
    let t_start = Instant::now();
    c.initialize(&file_uri(root), json!({"perfi": {"baseline": "open"}}), caps)?;
    let mut row = Row::default();
    if cold {
        // Open as soon as indexing begins.
        let begun = c.wait_notification(timeout, |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin")?;
        if begun.is_none() {
            bail!("indexing reported no progress within {timeout:?}");
        }
    }
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let uri = file_uri(file);
    let t0 = Instant::now();
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}}))?;
    let deadline = t0 + timeout;
    let u = uri.clone();
    // Publications until the run ends; a lens request after each one.
    while row.file_done.is_none() && Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        let Some(m) = c.wait_notification(left, |m| {
            (m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str()) || (m["method"] == "$/perfi/runStats" && m["params"]["uri"] == u.as_str())
        })?
        else {
            break;
        };
        let at = secs(m.at.duration_since(t0));
        if m.msg["method"] == "$/perfi/runStats" {
            row.file_done = Some(at);
            row.file_stats = m.msg["params"].clone();
            eprintln!("bench_scale_lsp: file done at {at:.2} s: {}", row.file_stats);
            break;
        }
        if row.first_publish.is_none() {
            eprintln!("bench_scale_lsp: first publish at {at:.2} s");
        }
        row.first_publish.get_or_insert(at);
        if row.first_interface.is_none() {
            let r = c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), timeout)?;
            if let Some(lens) = interface_lens(&r) {
                row.first_interface = Some(secs(t0.elapsed()));
                let pos = lens["range"]["start"].clone();
                let h = c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos}), timeout)?;
                let md = h.pointer("/result/contents/value").and_then(|v| v.as_str()).unwrap_or("");
                if md.contains("paths") {
                    row.hover = Some(secs(t0.elapsed()));
                }
                eprintln!("bench_scale_lsp: first interface (lens) at {} s, hover with it at {} s", fmt(row.first_interface), fmt(row.hover));
            }
        }
    }
    if row.first_interface.is_none() {
        let r = c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), timeout)?;
        if interface_lens(&r).is_some() {
            row.first_interface = Some(secs(t0.elapsed()));
        }
    }
    let idx = c.wait_notification(timeout, |m| m["method"] == "$/perfi/indexStats")?;
    if let Some(m) = idx {
        row.index_done = Some(secs(m.at.duration_since(t_start)));
        row.index = m.msg["params"].clone();
        eprintln!("bench_scale_lsp: indexing done at {} s: {}", fmt(row.index_done), row.index);
    }
    row.rss_mb = vm_hwm_kb(c.pid()).map(|k| k as f64 / 1024.0);
    let _ = c.shutdown(Duration::from_secs(10));
    Ok(row)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        bail!("usage: bench_scale_lsp ROOT FILE [LABEL]");
    }
    let root = PathBuf::from(&args[1]);
    let file = PathBuf::from(&args[2]);
    let label = args.get(3).cloned().unwrap_or_else(|| root.display().to_string());
    let bin = std::env::var_os("PERFI_BIN").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/perfi"));
    let timeout = Duration::from_secs(std::env::var("BENCH_SCALE_LSP_TIMEOUT").ok().and_then(|v| v.parse().ok()).unwrap_or(1800));
    let cache_home = std::env::temp_dir().join(format!("perfi-bench-scale-lsp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache_home);
    std::fs::create_dir_all(&cache_home)?;
    let today = {
        let o = std::process::Command::new("date").args(["-u", "+%Y-%m-%d"]).output()?;
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    println!("| date | tree | session | files indexed | functions | analyzed | from cache | indexing done s | {name}: first publish s | first interface s | hover s | file done s (analyzed / from cache) | peak RSS MB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (cold, sname) in [(true, "1st start (cold cache), file opened while indexing"), (false, "2nd start (warm disk cache), file opened at once")] {
        match session(&bin, &root, &file, &cache_home, cold, timeout) {
            Ok(r) => {
                let i = &r.index;
                let fs = &r.file_stats;
                println!(
                    "| {today} | {label} | {sname} | {} | {} | {} | {} | {} | {} | {} | {} | {} ({} / {}) | {} |",
                    i["files"], i["functions"], i["analyzed"], i["fromCache"], fmt(r.index_done), fmt(r.first_publish), fmt(r.first_interface), fmt(r.hover), fmt(r.file_done), fs["analyzed"], fs["fromCache"], fmt(r.rss_mb)
                );
            }
            Err(e) => println!("| {today} | {label} | {sname} | error: {e:#} |"),
        }
    }
    let _ = std::fs::remove_dir_all(&cache_home);
    Ok(())
}
