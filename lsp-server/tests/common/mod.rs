//! Helpers shared by the protocol tests: start `perfi lsp` over pipes,
//! open documents, find positions.
#![allow(dead_code)]

use perfi::lsp::rpc_client::{file_uri, LspClient};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const T: Duration = Duration::from_secs(60);

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("perfi-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

pub fn caps(utf8: bool) -> Value {
    let encs = if utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) };
    json!({
        "general": {"positionEncodings": encs},
        "window": {"workDoneProgress": true},
        "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]},
                         "publishDiagnostics": {"versionSupport": true}},
    })
}

/// The interface cache of the servers the tests start: one folder per
/// test process, never the user's.
pub fn test_cache_home() -> PathBuf {
    std::env::temp_dir().join(format!("perfi-lsp-test-cache-{}", std::process::id()))
}

pub fn start(root: &Path, options: Value) -> (LspClient, Value) {
    start_with_cache(root, options, &test_cache_home())
}

/// `start` with `XDG_CACHE_HOME` set to `cache_home`.
pub fn start_with_cache(root: &Path, options: Value, cache_home: &Path) -> (LspClient, Value) {
    let mut c = LspClient::spawn_env(Path::new(env!("CARGO_BIN_EXE_perfi")), &["lsp", "--stdio"], Some(root), &[("XDG_CACHE_HOME", cache_home.as_os_str())]).expect("perfi lsp starts");
    let init = c.initialize(&file_uri(root), options, caps(false)).expect("initialize answers");
    (c, init)
}

pub fn open(c: &mut LspClient, path: &Path, text: &str) -> String {
    let uri = file_uri(path);
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}})).expect("didOpen");
    uri
}

/// (line, UTF-16 column) of the first occurrence of `needle` (+ `skip` chars).
pub fn find(text: &str, needle: &str, skip: usize) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let col_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col: usize = text[col_start..at].encode_utf16().count() + skip;
    (line, col as u32)
}

pub fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

pub fn hover(c: &mut LspClient, uri: &str, line: u32, col: u32) -> Value {
    c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos(line, col)}), T).expect("hover answers")
}

pub fn hover_text(r: &Value) -> String {
    r.pointer("/result/contents/value").and_then(|v| v.as_str()).unwrap_or("").to_string()
}

/// Wait for publishDiagnostics of `uri` at `version`.
pub fn diagnostics(c: &mut LspClient, uri: &str, version: i64) -> Vec<Value> {
    let u = uri.to_string();
    let r = c
        .wait_notification(T, |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str() && m["params"]["version"].as_i64() == Some(version)
        })
        .expect("server alive")
        .unwrap_or_else(|| panic!("no diagnostics for version {version} within {T:?}"));
    r.msg["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
}

/// Diagnostics of `uri` at `version` until `pred` holds (the server may
/// publish a version twice: first the edited function, then its callers).
/// Returns the last set seen.
pub fn diagnostics_until(c: &mut LspClient, uri: &str, version: i64, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + T;
    let mut last = Vec::new();
    let u = uri.to_string();
    while std::time::Instant::now() < deadline {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let r = c
            .wait_notification(left, |m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str() && m["params"]["version"].as_i64() == Some(version)
            })
            .expect("server alive");
        let Some(r) = r else { break };
        last = r.msg["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
        if pred(&last) {
            return last;
        }
    }
    last
}

pub fn warnings(d: &[Value]) -> Vec<String> {
    d.iter().filter(|x| x["severity"] == 2).map(|x| x["message"].as_str().unwrap_or("").to_string()).collect()
}

pub fn change(c: &mut LspClient, uri: &str, version: i64, range: Option<((u32, u32), (u32, u32))>, text: &str) {
    let ch = match range {
        Some((a, b)) => json!({"range": {"start": pos(a.0, a.1), "end": pos(b.0, b.1)}, "text": text}),
        None => json!({"text": text}),
    };
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [ch]})).expect("didChange");
}

/// A child's stdout and stderr, read on threads while it runs (a large
/// output would otherwise fill the pipe and block the child).
pub struct Drain {
    out: std::thread::JoinHandle<Vec<u8>>,
    err: std::thread::JoinHandle<Vec<u8>>,
}

impl Drain {
    pub fn start(child: &mut std::process::Child) -> Drain {
        use std::io::Read;
        let mut out = child.stdout.take().expect("stdout piped");
        let mut err = child.stderr.take().expect("stderr piped");
        let out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = out.read_to_end(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            s
        });
        Drain { out, err }
    }

    /// (stdout, stderr) once the child has exited.
    pub fn finish(self) -> (String, String) {
        let out = self.out.join().unwrap_or_default();
        let err = self.err.join().unwrap_or_default();
        (String::from_utf8_lossy(&out).into(), String::from_utf8_lossy(&err).into())
    }
}
