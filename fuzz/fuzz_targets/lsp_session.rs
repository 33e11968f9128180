//! Arbitrary sessions against the language server, in process: `serve`
//! runs over an in-memory duplex stream exactly as `perfi lsp` runs over
//! stdio (document store, analysis thread, cancellation, rendering,
//! handlers). A session is a sequence of opens, incremental and full
//! edits (at any position, in or out of range), hovers, lenses, inlay
//! hints, commands, settings changes, closes and raw, possibly malformed,
//! JSON-RPC bodies. Findings: a panic (libFuzzer's hook aborts even on
//! panics a guard would catch), a request not answered within a minute,
//! an internal-error reply, or a server that does not stop after `exit`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const ROOT: &str = "file:///nonexistent-perfi-fuzz";
const DOCS: [&str; 3] = ["a.c", "b.c", "common.h"];
const ANSWER: Duration = Duration::from_secs(60);

// Seed texts the edits start from, so mutations stay close to C the
// engine lowers and analyzes (a header shared by both .c files, calls
// between them, loops, a struct spanning cache lines).
const SEEDS: [&str; 4] = [
    "#include \"common.h\"\nstruct flow { unsigned int key; unsigned char pad[60]; int next; };\n\
int lookup(struct flow *t, int n, unsigned int k) {\n  for (int i = 0; i < n; i++) {\n    if (t[i].key == k)\n      return i;\n  }\n  return -1;\n}\n\
int process(struct flow *t, int n, unsigned int k) {\n  int r = lookup(t, n, k);\n  if (r < 0 && n > 4)\n    return clamp(n);\n  return r;\n}\n",
    "#include \"common.h\"\nint walk(int *a, int n) {\n  int s = 0;\n  while (n-- > 0) {\n    if (a[n] & 1) s += a[n]; else s ^= n;\n  }\n  return s;\n}\n\
int sw(int x) {\n  switch (x) { case 1: return 3; case 2: x *= 7; /* fall through */ default: return x / 3; }\n}\n",
    "#ifndef COMMON_H\n#define COMMON_H\n#define LIMIT 16\nstatic inline int clamp(int v) { return v > LIMIT ? LIMIT : v; }\nstruct hdr { unsigned short len; unsigned char proto; } __attribute__((packed));\n#endif\n",
    "int f(int a, int b) {\n  if (a > b) { if (a > 2 * b) return 1; return 2; }\n  return g(a) + f(b, a);\n}\nint g(int x) { return x ? f(x - 1, x) : 0; }\n",
];

// Tokens an edit inserts, to make syntactically interesting text likelier
// than arbitrary strings do.
const TOKENS: [&str; 24] = [
    "{", "}", "(", ")", ";", "\n", "if (a) ", "else ", "for (;;) ", "while (n) ", "return ", "int x = 0;", "x++;", "goto L; L: ;",
    "struct s { int a; char b; };", "\"é€😀\"", "/*", "*/", "#define M(a) a\n", "#include \"common.h\"\n", "lookup(t, n, k)", "\r\n", "\u{0}", "break;",
];

#[derive(Arbitrary, Debug)]
enum Piece {
    Token(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Open { doc: u8, seed: u8 },
    Edit { doc: u8, start: (u16, u16), end: (u16, u16), text: Piece },
    Replace { doc: u8, text: Piece },
    Hover { doc: u8, line: u16, col: u16 },
    Lens { doc: u8 },
    Hints { doc: u8, from: u16, to: u16 },
    ShowInterface { doc: u8, name: u8 },
    Interface { doc: u8, name: u8 },
    Pin { doc: u8 },
    Export { doc: u8 },
    Close { doc: u8 },
    Settings { resolution: u8, hints: bool },
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Session {
    utf8: bool,
    ops: Vec<Op>,
}

const NAMES: [&str; 7] = ["lookup", "process", "walk", "sw", "f", "g", "clamp"];

fn uri(doc: u8) -> String {
    format!("{ROOT}/{}", DOCS[doc as usize % DOCS.len()])
}

fn piece(p: &Piece) -> String {
    match p {
        Piece::Token(t) => TOKENS[*t as usize % TOKENS.len()].to_string(),
        Piece::Text(s) => s.chars().take(256).collect(),
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime"))
}

struct Client {
    w: WriteHalf<DuplexStream>,
    rx: UnboundedReceiver<Value>,
    next_id: i64,
}

async fn frame(w: &mut WriteHalf<DuplexStream>, body: &[u8]) {
    let head = format!("Content-Length: {}\r\n\r\n", body.len());
    // The server may have stopped reading (after a raw `exit`-like
    // body it rejects, it still reads; a failed write is a finding only
    // through the missing answer that follows).
    let _ = w.write_all(head.as_bytes()).await;
    let _ = w.write_all(body).await;
    let _ = w.flush().await;
}

/// Reads the server's messages: responses go to the client; the server's
/// own requests are answered with null so it never waits on us.
async fn reader(r: ReadHalf<DuplexStream>, to_client: tokio::sync::mpsc::UnboundedSender<Value>, answers: tokio::sync::mpsc::UnboundedSender<Value>) {
    let mut r = BufReader::new(r);
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            match r.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.strip_prefix("Content-Length:") {
                len = v.trim().parse::<usize>().ok();
            }
        }
        let Some(len) = len else { panic!("server sent a message without Content-Length") };
        let mut buf = vec![0u8; len];
        if r.read_exact(&mut buf).await.is_err() {
            return;
        }
        let msg: Value = serde_json::from_slice(&buf).unwrap_or_else(|e| panic!("server sent invalid JSON ({e})"));
        if msg.get("method").is_some() && msg.get("id").is_some() {
            let _ = answers.send(json!({"jsonrpc": "2.0", "id": msg["id"], "result": null}));
        } else if msg.get("id").is_some() {
            let _ = to_client.send(msg);
        }
    }
}

impl Client {
    async fn send(&mut self, v: Value) {
        frame(&mut self.w, v.to_string().as_bytes()).await;
    }
    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }
    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        let wait = async {
            while let Some(m) = self.rx.recv().await {
                if m["id"] == id {
                    return m;
                }
            }
            panic!("server closed the stream before answering {method}");
        };
        let m = tokio::time::timeout(ANSWER, wait).await.unwrap_or_else(|_| panic!("{method} not answered within {ANSWER:?}"));
        let msg = m.pointer("/error/message").and_then(|x| x.as_str()).unwrap_or("");
        assert!(!msg.contains("internal error"), "{method} answered an internal error: {msg}");
        m
    }
}

async fn session(s: Session) {
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (sr, sw) = tokio::io::split(server_io);
    let server = tokio::spawn(perfi::lsp::serve(sr, sw));
    let (cr, cw) = tokio::io::split(client_io);
    let (tx, rx) = unbounded_channel();
    let (atx, mut arx) = unbounded_channel::<Value>();
    tokio::spawn(reader(cr, tx, atx));
    let mut c = Client { w: cw, rx, next_id: 1_000_000 };
    let encs = if s.utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) };
    let opts = json!({"perfi": {"baseline": "open", "budgets": {"paths": 64, "solverMs": 100, "wallMs": 200, "queryMs": 20}}});
    c.request("initialize", json!({"processId": null, "rootUri": ROOT, "initializationOptions": opts, "capabilities": {"general": {"positionEncodings": encs}}})).await;
    c.notify("initialized", json!({})).await;
    let mut versions = [0i32; 3];
    for op in s.ops.iter().take(48) {
        while let Ok(a) = arx.try_recv() {
            c.send(a).await;
        }
        match op {
            Op::Open { doc, seed } => {
                let i = *doc as usize % 3;
                versions[i] += 1;
                let text = SEEDS[*seed as usize % SEEDS.len()];
                c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri(*doc), "languageId": "c", "version": versions[i], "text": text}})).await;
            }
            Op::Edit { doc, start, end, text } => {
                let i = *doc as usize % 3;
                versions[i] += 1;
                let range = json!({"start": {"line": start.0, "character": start.1}, "end": {"line": end.0, "character": end.1}});
                c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri(*doc), "version": versions[i]}, "contentChanges": [{"range": range, "text": piece(text)}]})).await;
            }
            Op::Replace { doc, text } => {
                let i = *doc as usize % 3;
                versions[i] += 1;
                c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri(*doc), "version": versions[i]}, "contentChanges": [{"text": piece(text)}]})).await;
            }
            Op::Hover { doc, line, col } => {
                c.request("textDocument/hover", json!({"textDocument": {"uri": uri(*doc)}, "position": {"line": line, "character": col}})).await;
            }
            Op::Lens { doc } => {
                c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri(*doc)}})).await;
            }
            Op::Hints { doc, from, to } => {
                let range = json!({"start": {"line": from, "character": 0}, "end": {"line": to, "character": 0}});
                c.request("textDocument/inlayHint", json!({"textDocument": {"uri": uri(*doc)}, "range": range})).await;
            }
            Op::ShowInterface { doc, name } => {
                let args = json!([uri(*doc), NAMES[*name as usize % NAMES.len()]]);
                c.request("workspace/executeCommand", json!({"command": "perfi.showInterface", "arguments": args})).await;
            }
            Op::Interface { doc, name } => {
                c.request("perfi/interface", json!({"uri": uri(*doc), "function": NAMES[*name as usize % NAMES.len()]})).await;
            }
            Op::Pin { doc } => {
                c.request("workspace/executeCommand", json!({"command": "perfi.pinBaseline", "arguments": [uri(*doc)]})).await;
            }
            Op::Export { doc } => {
                c.request("workspace/executeCommand", json!({"command": "perfi.exportPython", "arguments": [uri(*doc)]})).await;
            }
            Op::Close { doc } => {
                c.notify("textDocument/didClose", json!({"textDocument": {"uri": uri(*doc)}})).await;
            }
            Op::Settings { resolution, hints } => {
                c.notify("workspace/didChangeConfiguration", json!({"settings": {"perfi": {"resolution": resolution, "inlayHints": hints}}})).await;
            }
            Op::Raw(body) => {
                // A raw `exit` or `shutdown` would end the session early and
                // turn every later request into a false "not answered".
                let lower = String::from_utf8_lossy(body).to_lowercase();
                if !lower.contains("exit") && !lower.contains("shutdown") {
                    frame(&mut c.w, body).await;
                }
            }
        }
    }
    // After all that, the server still answers and stops when told to.
    c.request("shutdown", Value::Null).await;
    c.notify("exit", Value::Null).await;
    let _ = c.w.shutdown().await;
    match tokio::time::timeout(ANSWER, server).await {
        Ok(Ok(Ok(_))) => {}
        Ok(Ok(Err(e))) => panic!("serve failed: {e:#}"),
        Ok(Err(e)) => panic!("server task failed: {e}"),
        Err(_) => panic!("server did not stop within {ANSWER:?} after exit"),
    }
}

fuzz_target!(|s: Session| {
    runtime().block_on(session(s));
});
