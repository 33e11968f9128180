//! A small blocking LSP client over a child process's stdin/stdout, for
//! the protocol tests and `bench_lsp` (which also drives clangd with it).
//! It answers the server's own requests (`window/workDoneProgress/create`,
//! refreshes, `workspace/configuration`) and keeps every message it saw.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A message from the server with the time it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub at: Instant,
    pub msg: Value,
}

pub struct LspClient {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Received>,
    next_id: i64,
    /// Notifications and server requests not consumed yet, in order.
    pub pending: Vec<Received>,
    /// Every server request seen (method names), e.g. for progress checks.
    pub server_requests: Vec<Value>,
    /// The answer to `workspace/configuration` for section `perfi` (other
    /// sections get null).
    pub configuration: Value,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len: Option<usize> = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("Content-Length:") {
            len = v.trim().parse().ok();
        }
    }
    let mut buf = vec![0u8; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl LspClient {
    pub fn spawn(program: &Path, args: &[&str], cwd: Option<&Path>) -> Result<LspClient> {
        Self::spawn_env(program, args, cwd, &[])
    }

    /// As `spawn`, with these environment variables set for the child
    /// (`XDG_CACHE_HOME` for the interface cache, say).
    pub fn spawn_env(program: &Path, args: &[&str], cwd: Option<&Path>, env: &[(&str, &std::ffi::OsStr)]) -> Result<LspClient> {
        let mut cmd = Command::new(program);
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(d) = cwd {
            cmd.current_dir(d);
        }
        let mut child = cmd.spawn().with_context(|| format!("starting {}", program.display()))?;
        let stdin = child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut r) {
                if tx.send(Received { at: Instant::now(), msg }).is_err() {
                    break;
                }
            }
        });
        Ok(LspClient { child, stdin, rx, next_id: 1, pending: Vec::new(), server_requests: Vec::new(), configuration: Value::Null })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn send(&mut self, msg: &Value) -> Result<()> {
        let body = serde_json::to_string(msg)?;
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())?;
        self.stdin.flush()?;
        Ok(())
    }

    /// Send `body` as one framed message, as is (malformed-input tests).
    pub fn send_raw(&mut self, body: &[u8]) -> Result<()> {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len())?;
        self.stdin.write_all(body)?;
        self.stdin.flush()?;
        Ok(())
    }

    /// Write bytes to the server's input with no framing at all.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.stdin.write_all(bytes)?;
        self.stdin.flush()?;
        Ok(())
    }

    pub fn notify(&mut self, method: &str, params: Value) -> Result<()> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// Send a request; returns its id.
    pub fn request_async(&mut self, method: &str, params: Value) -> Result<i64> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        Ok(id)
    }

    /// Send a request and wait for its response (the whole response
    /// object: `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value> {
        let id = self.request_async(method, params)?;
        Ok(self.wait_response(id, timeout)?.msg)
    }

    fn answer_server_request(&mut self, m: &Value) -> Result<()> {
        let id = m.get("id").cloned().unwrap_or(Value::Null);
        let method = m.get("method").and_then(|x| x.as_str()).unwrap_or("");
        let result = match method {
            "workspace/configuration" => {
                let items = m.pointer("/params/items").and_then(|i| i.as_array()).cloned().unwrap_or_default();
                Value::Array(items.iter().map(|i| if i["section"] == "perfi" { self.configuration.clone() } else { Value::Null }).collect())
            }
            _ => Value::Null,
        };
        self.server_requests.push(m.clone());
        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}))
    }

    /// Next message from the server (answering its requests on the way).
    fn next(&mut self, deadline: Instant) -> Result<Option<Received>> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(r) => {
                if r.msg.get("method").is_some() && r.msg.get("id").is_some() {
                    self.answer_server_request(&r.msg)?;
                }
                Ok(Some(r))
            }
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => bail!("the server closed its output"),
        }
    }

    pub fn wait_response(&mut self, id: i64, timeout: Duration) -> Result<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let Some(r) = self.next(deadline)? else { bail!("no response to request {id} within {timeout:?}") };
            if r.msg.get("method").is_none() && r.msg.get("id").and_then(|i| i.as_i64()) == Some(id) {
                return Ok(r);
            }
            self.pending.push(r);
        }
    }

    /// Wait for a notification matching `pred` (already received ones
    /// first); it is removed from `pending`.
    pub fn wait_notification(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Result<Option<Received>> {
        if let Some(i) = self.pending.iter().position(|r| pred(&r.msg)) {
            return Ok(Some(self.pending.remove(i)));
        }
        let deadline = Instant::now() + timeout;
        while let Some(r) = self.next(deadline)? {
            if pred(&r.msg) {
                return Ok(Some(r));
            }
            self.pending.push(r);
        }
        Ok(None)
    }

    /// Receive whatever arrives within `d` into `pending`.
    pub fn drain(&mut self, d: Duration) -> Result<()> {
        let deadline = Instant::now() + d;
        while let Some(r) = self.next(deadline)? {
            self.pending.push(r);
        }
        Ok(())
    }

    pub fn initialize(&mut self, root_uri: &str, options: Value, capabilities: Value) -> Result<Value> {
        let r = self.request(
            "initialize",
            json!({"processId": std::process::id(), "rootUri": root_uri, "capabilities": capabilities, "initializationOptions": options,
                   "workspaceFolders": [{"uri": root_uri, "name": "root"}]}),
            Duration::from_secs(30),
        )?;
        self.notify("initialized", json!({}))?;
        Ok(r)
    }

    /// `shutdown` then `exit`; waits for the process (killing it after
    /// `timeout`). Returns its exit code.
    pub fn shutdown(mut self, timeout: Duration) -> Result<Option<i32>> {
        let _ = self.request("shutdown", Value::Null, timeout);
        let _ = self.notify("exit", Value::Null);
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.try_wait()? {
                return Ok(st.code());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                bail!("the server did not exit within {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `file://` URI of an absolute path (percent-encoding what URIs need).
pub fn file_uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => s.push(b as char),
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}
