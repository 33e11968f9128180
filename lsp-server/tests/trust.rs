//! The server never runs code from the workspace and never writes into it
//! unless told to. The workspace here is a git repository whose own
//! configuration asks git to run its programs (an fsmonitor hook, a
//! textconv filter for .c files) and holds a Makefile and a script: after
//! a full session (baseline from git, edits, every request and command)
//! none of them has run and every file is byte for byte as before.
//! (`git show REV:FILE` triggers neither hook even unhardened; `git
//! status` or a diff would run both, and this test would catch it.)

mod common;

use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git").arg("-C").arg(dir).args(args).env("GIT_AUTHOR_NAME", "t").env("GIT_AUTHOR_EMAIL", "t@t").env("GIT_COMMITTER_NAME", "t").env("GIT_COMMITTER_EMAIL", "t@t").status().expect("git runs");
    assert!(st.success(), "git {args:?}");
}

/// Every file under `dir` (except .git's internals that git itself
/// rewrites) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).expect("under dir").to_string_lossy().into_owned();
            if p.is_dir() {
                if rel != ".git" {
                    stack.push(p);
                }
            } else {
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

#[test]
fn a_session_runs_nothing_from_the_workspace_and_writes_nothing() {
    let d = common::temp_dir("trust");
    let marker = d.join("RAN");
    let hook = d.join("hook.sh");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\ncat \"$1\" 2>/dev/null\n", marker.display())).expect("write hook");
    Command::new("chmod").arg("+x").arg(&hook).status().expect("chmod");
    std::fs::write(d.join("Makefile"), format!("all:\n\ttouch '{}'\n", marker.display())).expect("write");
    let src = "int add(int a, int b) {\n  if (a > b) return a - b;\n  return a + b;\n}\n";
    let path = d.join("add.c");
    std::fs::write(&path, src).expect("write");
    std::fs::write(d.join(".gitattributes"), "*.c diff=run\n").expect("write");
    git(&d, &["init", "-q"]);
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "base"]);
    // Set after the commit, so that only the server's git calls could
    // trigger them.
    let h = hook.to_string_lossy().into_owned();
    git(&d, &["config", "core.fsmonitor", &h]);
    git(&d, &["config", "diff.run.textconv", &h]);
    let before = snapshot(&d);

    let (mut c, _) = common::start(&d, json!({"perfi": {"baseline": "git"}}));
    let uri = common::open(&mut c, &path, src);
    common::diagnostics(&mut c, &uri, 1);
    common::change(&mut c, &uri, 2, Some(((2, 2), (2, 2))), "a = a * b / 3;\n  ");
    common::diagnostics(&mut c, &uri, 2);
    let h = common::hover(&mut c, &uri, 0, 5);
    assert!(common::hover_text(&h).contains("add"), "{h}");
    for (cmd, args) in [("perfi.showInterface", json!([uri, "add"])), ("perfi.exportPython", json!([uri])), ("perfi.pinBaseline", json!([uri]))] {
        let r = c.request("workspace/executeCommand", json!({"command": cmd, "arguments": args}), common::T).expect("answer");
        assert!(r.get("result").is_some(), "{cmd}: {r}");
    }
    c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), common::T).expect("lens");
    assert_eq!(c.shutdown(common::T).expect("exit"), Some(0));

    assert!(!marker.exists(), "a program from the workspace ran");
    assert_eq!(snapshot(&d), before, "the workspace changed");
}

/// A `compile_commands.json` that names another compiler (a script in the
/// workspace), a plugin and another toolchain directory: neither the
/// language server nor `perfi analyze` runs any of them, and nothing is
/// written into the workspace (docs/machine-code.md: only the system
/// compiler with the safe flags may ever be run, and a command naming a
/// plugin or another toolchain is not compiled at all).
#[test]
fn a_compile_command_naming_another_compiler_or_a_plugin_is_never_run() {
    let d = common::temp_dir("trust-cc");
    let marker = d.join("RAN");
    for name in ["evilcc", "bin/gcc", "bin/cc1", "bin/as"] {
        let p = d.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).expect("write script");
        Command::new("chmod").arg("+x").arg(&p).status().expect("chmod");
    }
    // Not a real plugin: if anything tried to load it, gcc would fail, but
    // the script compilers above would have left the marker first.
    std::fs::write(d.join("evil.so"), b"not a plugin").expect("write");
    let src = "int add(int a, int b) {\n  if (a > b) return a - b;\n  return a + b;\n}\n";
    let path = d.join("add.c");
    std::fs::write(&path, src).expect("write");
    let db = json!([
        {"directory": d.to_string_lossy(), "file": "add.c",
         "arguments": ["./evilcc", "-fplugin=./evil.so", "-B./bin", "-wrapper", "./evilcc", "-O2", "-c", "add.c"]}
    ]);
    std::fs::write(d.join("compile_commands.json"), db.to_string()).expect("write db");
    let before = snapshot(&d);

    let (mut c, _) = common::start(&d, json!({}));
    let uri = common::open(&mut c, &path, src);
    common::diagnostics(&mut c, &uri, 1);
    let h = common::hover(&mut c, &uri, 0, 5);
    assert!(common::hover_text(&h).contains("add"), "{h}");
    c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), common::T).expect("lens");
    assert_eq!(c.shutdown(common::T).expect("exit"), Some(0));

    // The hover says the model's costs stay, and why (give the server's
    // background compile time to have been refused).
    std::thread::sleep(std::time::Duration::from_millis(50));
    let out = Command::new(env!("CARGO_BIN_EXE_perfi")).arg("analyze").arg(&path).current_dir(&d).output().expect("perfi runs");
    assert!(out.status.success(), "perfi analyze: {}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(env!("CARGO_BIN_EXE_perfi")).args(["analyze", "--format", "json"]).arg(&path).current_dir(&d).output().expect("perfi runs");
    assert!(out.status.success(), "perfi analyze: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = &v["files"][0]["functions"][0];
    assert_eq!(f["cost_source"], "model", "{f}");
    let note = f["cost_source_note"].as_str().unwrap_or_default();
    assert!(note.contains("-fplugin") && note.contains("not compiled"), "the reason names the refused flag: {note}");
    // Asking for machine code only is an error that says why.
    let out = Command::new(env!("CARGO_BIN_EXE_perfi")).args(["analyze", "--cost-source", "machine-code"]).arg(&path).current_dir(&d).output().expect("perfi runs");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("-fplugin"), "{}", String::from_utf8_lossy(&out.stderr));

    assert!(!marker.exists(), "a compiler, wrapper or toolchain named by the workspace ran");
    assert_eq!(snapshot(&d), before, "the workspace changed");
}

/// A compile command that names another compiler but nothing dangerous:
/// its safe flags are used with the system compiler (never `./evilcc`),
/// the costs come from the machine code, the hover says so, and the
/// workspace is untouched.
#[test]
fn another_compiler_is_replaced_by_the_system_one() {
    if perfi_engine::machine::compile::system_compiler().is_none() {
        return;
    }
    let d = common::temp_dir("trust-cc2");
    let marker = d.join("RAN");
    let evil = d.join("evilcc");
    std::fs::write(&evil, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).expect("write script");
    Command::new("chmod").arg("+x").arg(&evil).status().expect("chmod");
    let src = "int add(int a, int b) {\n  if (a > b) return a - b;\n  return a + b;\n}\n";
    let path = d.join("add.c");
    std::fs::write(&path, src).expect("write");
    let db = json!([{"directory": d.to_string_lossy(), "file": "add.c", "arguments": ["./evilcc", "-DX=1", "-O2", "-c", "add.c"]}]);
    std::fs::write(d.join("compile_commands.json"), db.to_string()).expect("write db");
    let before = snapshot(&d);

    let out = Command::new(env!("CARGO_BIN_EXE_perfi")).args(["analyze", "--format", "json"]).arg(&path).current_dir(&d).output().expect("perfi runs");
    assert!(out.status.success(), "perfi analyze: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["files"][0]["functions"][0]["cost_source"], "machine-code", "{v}");

    // The server: the model first, then (after the background compile)
    // lenses and hover that say `machine code`.
    let (mut c, _) = common::start(&d, json!({}));
    let uri = common::open(&mut c, &path, src);
    common::diagnostics(&mut c, &uri, 1);
    let t = std::time::Instant::now();
    let mut title = String::new();
    while t.elapsed() < std::time::Duration::from_secs(20) {
        let r = c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), common::T).expect("lens");
        title = r["result"][0]["command"]["title"].as_str().unwrap_or_default().to_string();
        if title.ends_with("machine code") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(title.ends_with("machine code"), "{title}");
    let h = common::hover(&mut c, &uri, 0, 5);
    assert!(common::hover_text(&h).contains("costs from the machine code"), "{h}");
    assert_eq!(c.shutdown(common::T).expect("exit"), Some(0));

    assert!(!marker.exists(), "the compiler named by the workspace ran");
    assert_eq!(snapshot(&d), before, "the workspace changed");
}
