//! The on-disk interface cache through the real server: a first session
//! indexes the workspace and writes the cache (in `XDG_CACHE_HOME`, not
//! the workspace); a second session serves the opened file's interfaces
//! without analyzing anything; corrupt cache files are ignored with a log
//! message; `diskCache: false` writes nothing.

mod common;

use common::*;
use perfi::lsp::rpc_client::LspClient;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const A: &str = "int add3(int x)\n{\n    return x + 3;\n}\n\nint sum(const int *p, int n)\n{\n    int s = 0;\n    for (int i = 0; i < n; i++)\n        s += p[i];\n    return s;\n}\n\nint twice_sum(const int *p, int n)\n{\n    return add3(sum(p, n)) * 2;\n}\n";
const B: &str = "int mul(int a, int b)\n{\n    if (a > 10)\n        return a * b;\n    return b;\n}\n\nint mul2(int a)\n{\n    return mul(a, 2);\n}\n";

fn workspace(name: &str) -> PathBuf {
    let d = temp_dir(name);
    std::fs::write(d.join("a.c"), A).expect("write a.c");
    std::fs::create_dir_all(d.join("sub")).expect("mkdir");
    std::fs::write(d.join("sub/b.c"), B).expect("write b.c");
    d
}

fn json_files(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(json_files(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out
}

fn index_stats(c: &mut LspClient) -> Value {
    c.wait_notification(T, |m| m["method"] == "$/perfi/indexStats").expect("server alive").expect("indexing ends").msg["params"].clone()
}

fn run_stats(c: &mut LspClient, uri: &str) -> Value {
    let u = uri.to_string();
    c.wait_notification(T, |m| m["method"] == "$/perfi/runStats" && m["params"]["uri"] == u.as_str() && m["params"]["version"] == 1)
        .expect("server alive")
        .expect("a run of the opened file")
        .msg["params"]
        .clone()
}

fn hover_sum(c: &mut LspClient, uri: &str) -> String {
    let (l, col) = find(A, "sum(const", 1);
    hover_text(&hover(c, uri, l, col))
}

#[test]
fn second_start_serves_interfaces_from_the_disk_cache() {
    let ws = workspace("icache");
    let home = temp_dir("icache-home");
    let opts = json!({"perfi": {"baseline": "open"}});

    // First session: indexing analyzes the 5 functions and writes them.
    let (mut c, _) = start_with_cache(&ws, opts.clone(), &home);
    let st = index_stats(&mut c);
    assert_eq!(st["functions"], 5, "{st}");
    assert_eq!(st["analyzed"], 5, "{st}");
    assert_eq!(st["fromCache"], 0, "{st}");
    let files = json_files(&home.join("perfi/interfaces"));
    let text = |f: &PathBuf| std::fs::read_to_string(f).unwrap_or_default();
    assert_eq!(files.iter().filter(|f| text(f).contains("\"rendered\"")).count(), 5, "one cache file per function: {files:?}");
    assert_eq!(files.iter().filter(|f| text(f).contains("\"text_hash\"")).count(), 2, "one record per .c file: {files:?}");
    assert!(json_files(&ws).is_empty(), "nothing written into the workspace");
    c.shutdown(T).expect("shutdown");

    // Second session: the opened file and the index come from the cache.
    let (mut c, _) = start_with_cache(&ws, opts.clone(), &home);
    let uri = open(&mut c, &ws.join("a.c"), A);
    let rs = run_stats(&mut c, &uri);
    assert_eq!(rs["analyzed"], 0, "{rs}");
    assert_eq!(rs["fromCache"], 3, "{rs}");
    let h = hover_sum(&mut c, &uri);
    assert!(h.contains("**`sum`**") && h.contains("paths"), "an interface in the hover: {h}");
    let st = index_stats(&mut c);
    assert_eq!((st["analyzed"].clone(), st["fromCache"].clone()), (json!(0), json!(5)), "{st}");
    c.shutdown(T).expect("shutdown");

    // Corrupt every cache file: ignored with a message, analyzed again,
    // and the files rewritten.
    for (i, f) in json_files(&home.join("perfi/interfaces")).iter().enumerate() {
        let junk: &[u8] = if i % 2 == 0 { b"{\"key\": \"x\", trunc" } else { b"\x00\xff not json at all" };
        std::fs::write(f, junk).expect("damage");
    }
    let (mut c, _) = start_with_cache(&ws, opts.clone(), &home);
    let uri = open(&mut c, &ws.join("a.c"), A);
    let rs = run_stats(&mut c, &uri);
    assert_eq!(rs["analyzed"].as_u64().unwrap_or(0) + rs["fromCache"].as_u64().unwrap_or(0), 3, "{rs}");
    let h = hover_sum(&mut c, &uri);
    assert!(h.contains("**`sum`**") && h.contains("paths"), "an interface in the hover: {h}");
    let st = index_stats(&mut c);
    assert_eq!(st["functions"], 5, "{st}");
    let logged = c.wait_notification(T, |m| m["method"] == "window/logMessage" && m["params"]["message"].as_str().is_some_and(|s| s.contains("ignoring"))).expect("server alive");
    assert!(logged.is_some(), "a log message names the ignored cache file");
    c.shutdown(T).expect("shutdown");

    // The rewritten cache serves the next session again.
    let (mut c, _) = start_with_cache(&ws, opts.clone(), &home);
    let st = index_stats(&mut c);
    assert_eq!((st["analyzed"].clone(), st["fromCache"].clone()), (json!(0), json!(5)), "{st}");
    c.shutdown(T).expect("shutdown");

    // A file changed on disk between sessions: its changed function and
    // that function's caller are analyzed again, the rest is cached.
    std::fs::write(ws.join("sub/b.c"), B.replace("return a * b;", "return a * b + 1;")).expect("edit b.c");
    let (mut c, _) = start_with_cache(&ws, opts, &home);
    let st = index_stats(&mut c);
    assert_eq!((st["analyzed"].clone(), st["fromCache"].clone()), (json!(2), json!(3)), "{st}");
    c.shutdown(T).expect("shutdown");
    let _ = std::fs::remove_dir_all(&ws);
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn disk_cache_off_writes_nothing() {
    let ws = workspace("icache-off");
    let home = temp_dir("icache-off-home");
    let (mut c, _) = start_with_cache(&ws, json!({"perfi": {"diskCache": false}}), &home);
    let uri = open(&mut c, &ws.join("a.c"), A);
    let st = index_stats(&mut c);
    assert_eq!(st["functions"], 5, "{st}");
    let h = hover_sum(&mut c, &uri);
    assert!(h.contains("**`sum`**"), "{h}");
    c.shutdown(T).expect("shutdown");
    assert!(json_files(&home).is_empty(), "diskCache false: no cache file");
    let _ = std::fs::remove_dir_all(&ws);
    let _ = std::fs::remove_dir_all(&home);
}

/// A file the indexing never reaches (opened from outside the workspace
/// folder) gets its record from its own first run, so that the next
/// start shows its interfaces before anything is lowered.
#[test]
fn a_file_opened_outside_the_indexed_folder_gets_its_record() {
    let ws = workspace("icache-rec");
    let other = temp_dir("icache-rec-other");
    let c_path = other.join("c.c");
    std::fs::write(&c_path, A).expect("write c.c");
    let home = temp_dir("icache-rec-home");
    let (mut c, _) = start_with_cache(&ws, json!({"perfi": {"baseline": "open"}}), &home);
    let st = index_stats(&mut c);
    assert_eq!(st["functions"], 5, "{st}");
    let uri = open(&mut c, &c_path, A);
    let rs = run_stats(&mut c, &uri);
    assert_eq!(rs["analyzed"].as_u64().unwrap_or(0) + rs["fromCache"].as_u64().unwrap_or(0), 3, "{rs}");
    c.shutdown(T).expect("shutdown");
    let records: Vec<String> = json_files(&home.join("perfi/interfaces")).iter().map(|f| std::fs::read_to_string(f).unwrap_or_default()).filter(|t| t.contains("\"text_hash\"")).collect();
    let mine = records.iter().filter(|t| t.contains(&*c_path.to_string_lossy())).count();
    assert_eq!(mine, 1, "one record for the file opened outside the folder: {records:?}");
    assert!(json_files(&other).is_empty(), "nothing written beside the file");
    let _ = std::fs::remove_dir_all(&ws);
    let _ = std::fs::remove_dir_all(&other);
    let _ = std::fs::remove_dir_all(&home);
}
