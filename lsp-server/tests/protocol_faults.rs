//! Protocol faults: after each, the server must still answer a valid
//! request (`alive`), and when the client goes away it must exit by
//! itself within a deadline instead of hanging or spinning.

mod common;

use common::{hover, hover_text, start, T};
use perfi::lsp::rpc_client::{file_uri, LspClient};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SHORT: Duration = Duration::from_secs(30);

const SRC: &str = "int add(int a, int b) {\n  if (a > b) return a - b;\n  return a + b;\n}\n";

/// A workspace with one file, opened; returns (client, uri, folder).
fn opened(name: &str) -> (LspClient, String, PathBuf) {
    let d = common::temp_dir(&format!("faults-{name}"));
    let path = d.join("add.c");
    std::fs::write(&path, SRC).expect("write");
    let (mut c, _) = start(&d, json!({"perfi": {"baseline": "open"}}));
    let uri = common::open(&mut c, &path, SRC);
    (c, uri, d)
}

/// The server answers a valid hover on `add` correctly.
fn alive(c: &mut LspClient, uri: &str) {
    let h = hover(c, uri, 0, 5);
    assert!(hover_text(&h).contains("add"), "no valid answer after the fault: {h}");
}

fn error_code(r: &Value) -> i64 {
    r.pointer("/error/code").and_then(|v| v.as_i64()).unwrap_or_else(|| panic!("expected an error, got {r}"))
}

/// The next response with `"id": null` (what JSON-RPC sends when the
/// request's id could not be read).
fn null_id_error(c: &mut LspClient) -> Value {
    let r = c.wait_notification(SHORT, |m| m.get("id") == Some(&Value::Null) && m.get("error").is_some()).expect("server alive");
    r.unwrap_or_else(|| panic!("no error reply within {SHORT:?}")).msg
}

#[test]
fn malformed_json_rpc() {
    let (mut c, uri, _) = opened("malformed");
    alive(&mut c, &uri);
    // Not JSON at all: a parse error.
    c.send_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": ").expect("send");
    assert_eq!(error_code(&null_id_error(&mut c)), -32700);
    alive(&mut c, &uri);
    // JSON, but not a JSON-RPC message.
    c.send_raw(b"[1, 2, 3]").expect("send");
    let e = error_code(&null_id_error(&mut c));
    assert!(e == -32600 || e == -32700, "code {e}");
    alive(&mut c, &uri);
    // Bytes that are not UTF-8.
    c.send_raw(b"\xff\xfe\x00garbage").expect("send");
    assert_eq!(error_code(&null_id_error(&mut c)), -32700);
    alive(&mut c, &uri);
    // A request whose params have the wrong shape: invalid params, by id.
    let r = c.request("textDocument/hover", json!({"textDocument": 42, "position": "here"}), T).expect("answer");
    assert_eq!(error_code(&r), -32602, "{r}");
    let r = c.request("perfi/interface", json!([1, 2]), T).expect("answer");
    assert_eq!(error_code(&r), -32602, "{r}");
    alive(&mut c, &uri);
    // A header without a length, then a good message: the server resyncs.
    c.send_bytes(b"Content-Type: text/plain\r\n\r\n").expect("send");
    alive(&mut c, &uri);
    assert_eq!(c.shutdown(T).expect("exit"), Some(0));
}

#[test]
fn unknown_methods() {
    let (mut c, uri, _) = opened("unknown");
    let r = c.request("perfi/noSuchThing", json!({"x": 1}), T).expect("answer");
    assert_eq!(error_code(&r), -32601, "{r}");
    let r = c.request("workspace/executeCommand", json!({"command": "perfi.noSuchCommand", "arguments": []}), T).expect("answer");
    assert!(r["error"]["message"].as_str().is_some_and(|m| m.contains("unknown command")), "{r}");
    // Unknown notifications are ignored, as the protocol asks.
    c.notify("perfi/whatever", json!({})).expect("notify");
    c.notify("$/somethingOptional", json!({})).expect("notify");
    alive(&mut c, &uri);
    assert_eq!(c.shutdown(T).expect("exit"), Some(0));
}

#[test]
fn documents_never_opened() {
    let (mut c, uri, d) = opened("unopened");
    let other = file_uri(&d.join("never.c"));
    let td = json!({"uri": other});
    let requests = [
        ("textDocument/hover", json!({"textDocument": td, "position": {"line": 0, "character": 0}})),
        ("textDocument/codeLens", json!({"textDocument": td})),
        ("textDocument/inlayHint", json!({"textDocument": td, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}})),
        ("perfi/interface", json!({"uri": other, "function": "add"})),
        ("workspace/executeCommand", json!({"command": "perfi.showInterface", "arguments": [other, "add"]})),
        ("workspace/executeCommand", json!({"command": "perfi.exportPython", "arguments": [other]})),
        ("workspace/executeCommand", json!({"command": "perfi.pinBaseline", "arguments": [other]})),
    ];
    for (m, p) in requests {
        let r = c.request(m, p, T).expect("answer");
        assert!(r["error"]["message"].as_str().is_some_and(|s| s.contains("not open")), "{m}: {r}");
    }
    // Notifications about it are ignored without harm.
    common::change(&mut c, &other, 2, None, "int x;");
    c.notify("textDocument/didClose", json!({"textDocument": td})).expect("close");
    alive(&mut c, &uri);
    assert_eq!(c.shutdown(T).expect("exit"), Some(0));
}

#[test]
fn positions_out_of_range() {
    let (mut c, uri, _) = opened("positions");
    for (line, ch) in [(0u64, 100_000u64), (10_000, 0), (u32::MAX as u64, u32::MAX as u64)] {
        let r = c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": ch}}), T).expect("answer");
        // Clamped to the end of the line or of the text: an answer, not an error.
        assert!(r.get("result").is_some(), "hover at {line}:{ch}: {r}");
    }
    // Negative and overflowing numbers are invalid params.
    let r = c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}}), T).expect("answer");
    assert_eq!(error_code(&r), -32602, "{r}");
    let r = c.request("textDocument/inlayHint", json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 99, "character": 0}, "end": {"line": 0, "character": 0}}}), T).expect("answer");
    assert!(r.get("result").is_some(), "{r}");
    // Edits beyond the end (and with start after end) are clamped; the
    // text stays consistent: appending a function after "the end" works.
    common::change(&mut c, &uri, 2, Some(((500, 0), (400, 3))), "\nint sub(int a) { return a - 1; }\n");
    common::diagnostics(&mut c, &uri, 2);
    let r = c.request("perfi/interface", json!({"uri": uri, "function": "sub"}), T).expect("answer");
    assert_eq!(r["result"]["name"], "sub", "{r}");
    alive(&mut c, &uri);
    assert_eq!(c.shutdown(T).expect("exit"), Some(0));
}

#[test]
fn files_deleted_on_disk() {
    let d = common::temp_dir("faults-deleted");
    std::fs::write(d.join("lim.h"), "#define LIM 8\nstatic inline int lim(int v) { return v > LIM ? LIM : v; }\n").expect("write");
    std::fs::write(d.join("other.c"), "int twice(int x) { return 2 * x; }\n").expect("write");
    let src = "#include \"lim.h\"\nint add(int a, int b) {\n  return lim(a) + twice(b);\n}\n";
    let path = d.join("add.c");
    std::fs::write(&path, src).expect("write");
    // Baseline from git: the folder is not a repository, and then is gone.
    let (mut c, _) = start(&d, json!({"perfi": {"baseline": "git"}}));
    let uri = common::open(&mut c, &path, src);
    common::diagnostics(&mut c, &uri, 1);
    // Everything on disk goes away, the workspace folder included.
    std::fs::remove_dir_all(&d).expect("remove");
    common::change(&mut c, &uri, 2, None, &format!("{src}int more(int a) {{ return add(a, a); }}\n"));
    common::diagnostics(&mut c, &uri, 2);
    let h = hover(&mut c, &uri, 1, 5);
    assert!(hover_text(&h).contains("add"), "{h}");
    let r = c.request("workspace/executeCommand", json!({"command": "perfi.exportPython", "arguments": [uri]}), T).expect("answer");
    assert!(r["result"].as_str().is_some_and(|p| p.contains("def more")), "{r}");
    // Nothing was written back: the folder is still gone.
    assert!(!d.exists(), "the server recreated {}", d.display());
    assert_eq!(c.shutdown(T).expect("exit"), Some(0));
}

/// A server started by hand, so the test can close its stdin (and stdout)
/// like a crashed editor would.
fn raw_server(root: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_perfi")).args(["lsp", "--stdio"]).current_dir(root).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("perfi lsp starts")
}

fn frame(v: &Value) -> Vec<u8> {
    let b = v.to_string();
    format!("Content-Length: {}\r\n\r\n{b}", b.len()).into_bytes()
}

/// The 64-branch function of the pathological suite: its analysis runs to
/// the wall budget, so requests about it wait.
fn slow_source() -> String {
    let mut s = String::from("int f(const int *a) {\n  int s = 0;\n");
    for i in 0..64 {
        s.push_str(&format!("  if (a[{i}] > {i}) {{ s += a[{}] * {}; s ^= {i}; }}\n", 63 - i, i + 2));
    }
    s.push_str("  return s;\n}\n");
    s
}

/// Wait for exit; returns (exit code, seconds) or fails after `limit`.
fn exits_within(child: &mut std::process::Child, limit: Duration) -> (Option<i32>, f64) {
    let t = Instant::now();
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            return (st.code(), t.elapsed().as_secs_f64());
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not exit within {limit:?} after its client went away");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn busy_session(child: &mut std::process::Child, root: &Path, budgets: Value) -> std::process::ChildStdin {
    use std::io::Write;
    let path = root.join("slow.c");
    let text = slow_source();
    std::fs::write(&path, &text).expect("write");
    let uri = file_uri(&path);
    let mut stdin = child.stdin.take().expect("stdin");
    let msgs = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "rootUri": file_uri(root), "capabilities": {}, "initializationOptions": {"perfi": {"baseline": "open", "budgets": budgets}}}}),
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}}}),
        // Waits for the analysis that is running.
        json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}}}),
    ];
    for m in msgs {
        stdin.write_all(&frame(&m)).expect("write");
    }
    stdin.flush().expect("flush");
    stdin
}

#[test]
fn client_disappears_mid_request() {
    let root = common::temp_dir("faults-gone");
    // Its stdin closes while a hover waits for a long analysis.
    let mut child = raw_server(&root);
    let stdin = busy_session(&mut child, &root, json!({"wallMs": 20000, "solverMs": 20000, "paths": 1000000}));
    std::thread::sleep(Duration::from_millis(300));
    drop(stdin);
    let (code, secs) = exits_within(&mut child, Duration::from_secs(10));
    eprintln!("stdin closed mid-request: exit {code:?} after {secs:.2} s");
    // Not after a `shutdown`: a failure status, per the protocol.
    assert_eq!(code, Some(1));

    // Both its pipes close: the answer cannot be written either.
    let mut child = raw_server(&root);
    let stdin = busy_session(&mut child, &root, json!({"wallMs": 20000, "solverMs": 20000, "paths": 1000000}));
    std::thread::sleep(Duration::from_millis(300));
    drop(child.stdout.take());
    drop(stdin);
    let (code, secs) = exits_within(&mut child, Duration::from_secs(10));
    eprintln!("stdin and stdout closed mid-request: exit {code:?} after {secs:.2} s");
    assert!(code.is_some(), "killed by a signal instead of exiting");
}

#[test]
fn shutdown_during_analysis() {
    let d = common::temp_dir("faults-shutdown");
    let path = d.join("slow.c");
    let text = slow_source();
    std::fs::write(&path, &text).expect("write");
    // Batch-sized budgets: the analysis would run for 20 s.
    let (mut c, _) = start(&d, json!({"perfi": {"baseline": "open", "budgets": {"wallMs": 20000, "solverMs": 20000, "paths": 1000000}}}));
    let uri = common::open(&mut c, &path, &text);
    let pending = c.request_async("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}})).expect("hover");
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let r = c.request("shutdown", Value::Null, SHORT).expect("shutdown answered");
    assert!(r.get("error").is_none(), "{r}");
    let secs = t.elapsed().as_secs_f64();
    eprintln!("shutdown answered after {secs:.2} s during an analysis");
    assert!(secs < 5.0, "shutdown took {secs} s");
    // After shutdown, requests are refused (not hung), as the protocol says.
    let r = c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), SHORT).expect("answer");
    assert_eq!(error_code(&r), -32600, "{r}");
    let _ = pending;
    // `shutdown` again is refused by the server, then `exit`; the process
    // must be gone well within the deadline, with status 0.
    let t = Instant::now();
    assert_eq!(c.shutdown(SHORT).expect("exits"), Some(0));
    eprintln!("exit after shutdown: {:.2} s", t.elapsed().as_secs_f64());
}
