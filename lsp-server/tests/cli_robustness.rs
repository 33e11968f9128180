//! No input makes `perfi` panic or hang: each hostile file gets a result or
//! a clear error, within a deadline.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn perfi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_perfi"))
}

/// Run with a deadline; returns (exit code, stdout, stderr). The output is
/// read while the process runs (a large output would otherwise fill the
/// pipe and block the child until the deadline).
fn run_with_deadline(mut cmd: Command, deadline: Duration) -> (i32, String, String) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("perfi starts");
    let drain = common::Drain::start(&mut child);
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let (out, err) = drain.finish();
            return (status.code().unwrap_or(-1), out, err);
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            panic!("perfi did not finish within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn check_file(name: &str, bytes: &[u8]) {
    let dir = std::env::temp_dir().join(format!("perfi-robust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    for sub in ["analyze", "layout"] {
        for fmt in ["text", "json"] {
            let mut c = perfi();
            c.arg(sub).arg(&path).arg("--format").arg(fmt);
            let (code, out, err) = run_with_deadline(c, Duration::from_secs(120));
            assert!(!err.contains("panicked"), "{name}: {sub} panicked: {err}");
            assert_eq!(code, 0, "{name}: {sub} --format {fmt} failed: {err}");
            if fmt == "json" {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{name}: {sub} printed invalid JSON: {e}"));
                assert!(v.is_object());
            }
        }
    }
}

#[test]
fn empty_file() {
    check_file("empty.c", b"");
}

#[test]
fn random_bytes() {
    // Deterministic xorshift bytes: a mix of everything.
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    check_file("random.c", &bytes);
}

#[test]
fn invalid_utf8_inside_a_function() {
    let mut src = b"int f(int a) {\n  /* \xff\xfe */ return a + 1;\n}\nint g(void) { return \"\xc3\x28\"[0]; }\n".to_vec();
    src.extend_from_slice(&[0xed, 0xa0, 0x80, b'\n']);
    check_file("utf8.c", &src);
}

#[test]
fn one_megabyte_line_of_parentheses() {
    let mut src = b"int f(void) { return ".to_vec();
    src.extend(std::iter::repeat_n(b'(', 500_000));
    src.push(b'1');
    src.extend(std::iter::repeat_n(b')', 500_000));
    src.extend_from_slice(b"; }\n");
    check_file("parens.c", &src);
    // The function must be reported, with a reason, not silently dropped.
    let dir = std::env::temp_dir().join(format!("perfi-robust-{}", std::process::id()));
    let mut c = perfi();
    c.arg("analyze").arg(dir.join("parens.c"));
    let (_, out, _) = run_with_deadline(c, Duration::from_secs(120));
    assert!(out.lines().any(|l| l.starts_with("f ") && l.contains("unsupported:")), "{out}");
}

#[test]
fn only_open_braces() {
    check_file("braces.c", &vec![b'{'; 100_000]);
}

#[test]
fn missing_path_is_a_clear_error() {
    let mut c = perfi();
    c.arg("analyze").arg(Path::new("/nonexistent/perfi/file.c"));
    let (code, _, err) = run_with_deadline(c, Duration::from_secs(30));
    assert_eq!(code, 2);
    assert!(err.contains("no such file"), "{err}");
}

#[test]
fn workspace_functions_are_all_lowered_or_explained() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces");
    let mut c = perfi();
    c.arg("analyze").arg(&root).arg("--format").arg("json");
    let (code, out, err) = run_with_deadline(c, Duration::from_secs(900));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut n = 0;
    for f in v["files"].as_array().unwrap() {
        for func in f["functions"].as_array().unwrap() {
            n += 1;
            let status = func["status"].as_str().unwrap();
            assert!(status != "unsupported" || func["reason"].as_str().is_some_and(|r| r.contains(" at ")), "{func}");
        }
    }
    assert!(n > 50, "only {n} functions found");
}

/// `perfi analyze ... | head`: the reader leaves early; perfi exits 0 and
/// says nothing (it panicked on the broken pipe before).
#[test]
fn a_reader_that_leaves_early_is_not_an_error() {
    use std::io::Read;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces/nat");
    let mut child = perfi().arg("analyze").arg(&root).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("perfi starts");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    out.read_exact(&mut first).expect("some output");
    drop(out);
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
    let status = child.wait().expect("perfi ends");
    assert!(status.success(), "exit {status:?}, stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
}
