//! The language server over pipes: initialize, hover, code lens, inlay
//! hints, `perfi/interface`, commands, edits and regression diagnostics,
//! errors for bad requests. Small C snippets keep the analysis fast; the
//! NAT test workspace checks real code.

mod common;

use common::*;
use serde_json::json;

const SUM: &str = "unsigned sum(const unsigned *a, unsigned n)
{
    unsigned s = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        s += a[i];
    }
    return s;
}

unsigned twice(const unsigned *a, unsigned n)
{
    return sum(a, n) + sum(a, n);
}

struct pair {
    unsigned char tag;
    unsigned long value;
};
";

fn nat() -> (std::path::PathBuf, String) {
    let dir = repo().join("test-workspaces/nat");
    let text = std::fs::read_to_string(dir.join("nat.c")).expect("nat.c");
    (dir, text)
}

#[test]
fn initialize_advertises_features_and_encodings() {
    let dir = temp_dir("init");
    let (c, init) = start(&dir, json!({}));
    let cp = &init["result"]["capabilities"];
    assert_eq!(cp["positionEncoding"], "utf-16");
    assert_eq!(cp["textDocumentSync"]["change"], 2, "incremental sync: {cp}");
    assert_eq!(cp["hoverProvider"], true);
    assert!(cp["codeLensProvider"].is_object());
    assert_eq!(cp["inlayHintProvider"], true);
    let cmds: Vec<&str> = cp["executeCommandProvider"]["commands"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    for want in ["perfi.showInterface", "perfi.pinBaseline", "perfi.exportPython"] {
        assert!(cmds.contains(&want), "{want} missing from {cmds:?}");
    }
    assert_eq!(init["result"]["serverInfo"]["name"], "perfi");
    assert_eq!(c.shutdown(T).expect("exits"), Some(0));

    // UTF-8 when the client offers it.
    let mut c = perfi::lsp::rpc_client::LspClient::spawn_env(std::path::Path::new(env!("CARGO_BIN_EXE_perfi")), &["lsp"], Some(&dir), &[("XDG_CACHE_HOME", common::test_cache_home().as_os_str())]).unwrap();
    let init = c.initialize(&perfi::lsp::rpc_client::file_uri(&dir), json!({}), caps(true)).unwrap();
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    c.shutdown(T).unwrap();
}

#[test]
fn hover_code_lens_hints_and_interface_on_nat() {
    let (dir, text) = nat();
    let (mut c, _) = start(&dir, json!({}));
    let uri = open(&mut c, &dir.join("nat.c"), &text);

    // Hover on a function name: the table with formulas and the PCVs.
    let (l, col) = find(&text, "nat_lookup_int(struct", 3);
    let h = hover_text(&hover(&mut c, &uri, l, col));
    assert!(h.contains("nat_lookup_int"), "{h}");
    assert!(h.contains("| case | instructions"), "{h}");
    assert!(h.contains("PCVs"), "{h}");
    assert!(h.contains("*c_") || h.contains("c_a"), "formula over the chain PCVs expected: {h}");
    // Formulas such as `11.49*c_a + 27.4*c_b` sit in code spans: no
    // underscore or asterisk outside them reads as emphasis.
    assert_eq!(emphasis_outside_code(&h), None, "{h}");
    assert!(h.contains("*c_a"), "the formula is shown as written: {h}");

    // Hover on the loop keyword: its PCVs.
    let (l, col) = find(&text, "while (idx != NAT_NIL)", 1);
    let h = hover_text(&hover(&mut c, &uri, l, col));
    assert!(h.contains("loop at line") && h.contains("instr/iter"), "{h}");

    // Hover on a call: the callee's interface.
    let (l, col) = find(&text, "uint32_t h = nat_flow_hash(key);", 15);
    let h = hover_text(&hover(&mut c, &uri, l, col));
    assert!(h.contains("call to `nat_flow_hash`"), "{h}");

    // Hover on a struct field used in an expression: offset and line.
    let (l, col) = find(&text, "st->stats.lookups++", 5);
    let h = hover_text(&hover(&mut c, &uri, l, col));
    assert!(h.contains("offset") && h.contains("cache line"), "{h}");

    // Code lens above every function.
    let r = c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), T).unwrap();
    let lenses = r["result"].as_array().expect("lenses").clone();
    assert!(lenses.len() >= 10, "{r}");
    let titles: Vec<String> = lenses.iter().map(|l| l["command"]["title"].as_str().unwrap_or("").to_string()).collect();
    assert!(titles.iter().any(|t| t.starts_with("≈ ") && t.contains(" instr · ") && t.contains("lines")), "{titles:?}");
    // The lens of the chain walk: cost at the PCVs = 1 plus a slope per
    // unit of each (`≈ 136 + 27·c_b + 11·c_a instr`), never ∞.
    let lookup = lenses.iter().find(|l| l["command"]["arguments"][1] == "nat_lookup_int").expect("lens of nat_lookup_int");
    let t = lookup["command"]["title"].as_str().unwrap_or("");
    assert!(t.starts_with("≈ ") && t.contains("·c_a") && t.contains("·c_b") && t.contains(" instr · "), "{t}");
    assert!(titles.iter().all(|t| !t.contains('∞')), "{titles:?}");
    // ∞ is in the hover, which names the PCV without a bound.
    let (l, col) = find(&text, "nat_lookup_int(struct", 3);
    let h = hover_text(&hover(&mut c, &uri, l, col));
    assert!(h.contains("up to ∞") && h.contains("no upper bound"), "{h}");
    let lens = lenses.iter().find(|l| l["command"]["arguments"][1] == "nat_flow_hash").expect("lens of nat_flow_hash");
    assert_eq!(lens["command"]["command"], "perfi.showInterface");

    // Inlay hints at loops and calls.
    let r = c.request("textDocument/inlayHint", json!({"textDocument": {"uri": uri}, "range": {"start": pos(0, 0), "end": pos(10000, 0)}}), T).unwrap();
    let labels: Vec<String> = r["result"].as_array().expect("hints").iter().map(|h| h["label"].as_str().unwrap_or("").to_string()).collect();
    assert!(labels.iter().any(|l| l.starts_with("× ")), "{labels:?}");
    assert!(labels.iter().any(|l| l.starts_with('+') && l.ends_with("instr")), "{labels:?}");

    // perfi/interface: the JSON of `perfi analyze --format json`.
    let r = c.request("perfi/interface", json!({"uri": uri, "function": "nat_lookup_ext"}), T).unwrap();
    let f = &r["result"];
    assert_eq!(f["name"], "nat_lookup_ext", "{r}");
    assert!(f["cases"].as_array().is_some_and(|c| !c.is_empty()), "{r}");
    assert!(f["cases"][0]["instructions"]["text"].is_string(), "{r}");

    // showInterface and exportPython.
    let r = c.request("workspace/executeCommand", json!({"command": "perfi.showInterface", "arguments": [uri, "nat_flow_hash"]}), T).unwrap();
    assert!(r["result"]["markdown"].as_str().is_some_and(|m| m.contains("nat_flow_hash")), "{r}");
    let r = c.request("workspace/executeCommand", json!({"command": "perfi.exportPython", "arguments": [uri]}), T).unwrap();
    let py = r["result"].as_str().unwrap_or("");
    assert!(py.contains("def nat_flow_hash(inputs"), "{}", &py[..py.len().min(500)]);

    // Workspace indexing reported progress: create, begin, end.
    assert!(c.server_requests.iter().any(|m| m["method"] == "window/workDoneProgress/create"), "no progress token created");
    let end = c.wait_notification(T, |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end").unwrap();
    assert!(end.is_some(), "indexing progress did not end");
    assert_eq!(c.shutdown(T).unwrap(), Some(0));
}

fn lens_titles(c: &mut perfi::lsp::rpc_client::LspClient, uri: &str) -> Vec<String> {
    let r = c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}), T).unwrap();
    r["result"].as_array().unwrap().iter().map(|l| l["command"]["title"].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn struct_lens_and_field_hover() {
    let dir = temp_dir("struct");
    let path = dir.join("s.c");
    std::fs::write(&path, SUM).unwrap();
    let (mut c, _) = start(&dir, json!({}));
    let uri = open(&mut c, &path, SUM);
    let titles = lens_titles(&mut c, &uri);
    assert!(titles.iter().any(|t| t.starts_with("size 16 B · 1 cache line")), "{titles:?}");
    let (l, col) = find(SUM, "unsigned long value", 15);
    let h = hover_text(&hover(&mut c, &uri, l, col));
    assert!(h.contains("offset 8, size 8"), "{h}");
    c.shutdown(T).unwrap();
}

/// `get` reads `value` in its one case, `put` reads and writes it: `value`
/// is hot (both cases), `tag` only in `put` (half of them: hot too), and
/// the pad between them keeps them on different lines.
const HOT: &str = "struct rec {
    unsigned char tag;
    unsigned char pad[100];
    unsigned long value;
};

unsigned long get(const struct rec *r)
{
    return r->value;
}

void put(struct rec *r, unsigned long v)
{
    r->tag = 1;
    r->value = v;
}
";

#[test]
fn struct_lens_shows_hot_lines() {
    let dir = temp_dir("hot");
    let path = dir.join("hot.c");
    std::fs::write(&path, HOT).unwrap();
    let (mut c, _) = start(&dir, json!({}));
    let uri = open(&mut c, &path, HOT);
    let titles = lens_titles(&mut c, &uri);
    let lens = titles.iter().find(|t| t.starts_with("size 112 B")).unwrap_or_else(|| panic!("no struct lens: {titles:?}"));
    // tag at offset 0 (line 0), value at offset 104 (line 1): two lines,
    // one when reordered (value next to tag).
    assert!(lens.contains("· hot: 2 fields on 2 lines (1 reordered) · 2 cases"), "{lens}");
    c.shutdown(T).unwrap();
}

/// Three statements added to the loop body of `sum`.
const SLOWER: &str = "        s = s * 3 + 1;\n        s = s * 5 + 2;\n        s = s * 7 + 3;\n";

#[test]
fn edits_give_a_regression_warning_that_clears_on_undo() {
    let dir = temp_dir("regress");
    let path = dir.join("sum.c");
    std::fs::write(&path, SUM).unwrap();
    let (mut c, _) = start(&dir, json!({"baseline": "open"}));
    let uri = open(&mut c, &path, SUM);
    let d = diagnostics(&mut c, &uri, 1);
    assert!(warnings(&d).is_empty(), "{d:?}");

    // Type the new statements character by character (versions 2..).
    let (line, _) = find(SUM, "        s += a[i];", 0);
    let mut version = 1;
    let (mut l, mut col) = (line + 1, 0u32);
    for ch in SLOWER.chars() {
        version += 1;
        change(&mut c, &uri, version, Some(((l, col), (l, col))), &ch.to_string());
        if ch == '\n' {
            l += 1;
            col = 0;
        } else {
            col += ch.len_utf16() as u32;
        }
    }
    let d = diagnostics_until(&mut c, &uri, version, |d| warnings(d).len() == 2);
    let w = warnings(&d);
    // `sum` got slower, and so did `twice`, which calls it twice.
    assert_eq!(w.len(), 2, "warnings for `sum` and `twice` expected: {d:?}");
    assert!(w.iter().any(|m| m.contains("`sum` is slower than the baseline when `n > 0`") && m.contains("→") && m.contains("witness: `n = 16`")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("`twice` is slower")), "{w:?}");
    // The warning sits on the function name.
    let reg = d.iter().find(|x| x["severity"] == 2).unwrap();
    assert_eq!(reg["range"]["start"], pos(0, 9));

    // The hover shows the new per-iteration cost at the loop.
    let text_now = SUM.replacen("        s += a[i];\n", &format!("        s += a[i];\n{SLOWER}"), 1);
    let (fl, fc) = find(&text_now, "for (i", 0);
    let h = hover_text(&hover(&mut c, &uri, fl, fc));
    assert!(h.contains("instr/iter"), "{h}");

    // Undo: delete the three lines in one change.
    version += 1;
    change(&mut c, &uri, version, Some(((line + 1, 0), (line + 4, 0))), "");
    let d = diagnostics_until(&mut c, &uri, version, |d| warnings(d).is_empty());
    assert!(warnings(&d).is_empty(), "cleared after undo: {d:?}");

    // Redo, then pin the slower text as the baseline: the warning goes.
    version += 1;
    change(&mut c, &uri, version, Some(((line + 1, 0), (line + 1, 0))), SLOWER);
    assert_eq!(warnings(&diagnostics_until(&mut c, &uri, version, |d| warnings(d).len() == 2)).len(), 2);
    let r = c.request("workspace/executeCommand", json!({"command": "perfi.pinBaseline", "arguments": [uri]}), T).unwrap();
    assert!(r.get("error").is_none(), "{r}");
    let d = diagnostics_until(&mut c, &uri, version, |d| warnings(d).is_empty());
    assert!(warnings(&d).is_empty(), "pinned: {d:?}");
    c.shutdown(T).unwrap();
}

#[test]
fn full_text_changes_and_settings() {
    let dir = temp_dir("settings");
    let path = dir.join("sum.c");
    let (mut c, _) = start(&dir, json!({"perfi": {"resolution": 5, "inlayHints": true}}));
    let uri = open(&mut c, &path, "int f(int x) { return x + 1; }\n");
    assert!(diagnostics(&mut c, &uri, 1).is_empty());
    change(&mut c, &uri, 2, None, SUM);
    let _ = diagnostics(&mut c, &uri, 2);
    let r = c.request("perfi/interface", json!({"uri": uri, "function": "sum"}), T).unwrap();
    assert_eq!(r["result"]["name"], "sum", "{r}");
    let r = c.request("perfi/interface", json!({"uri": uri, "function": "f"}), T).unwrap();
    assert!(r.get("error").is_some(), "f is gone: {r}");

    let all = json!({"textDocument": {"uri": uri}, "range": {"start": pos(0, 0), "end": pos(100, 0)}});
    let r = c.request("textDocument/inlayHint", all.clone(), T).unwrap();
    assert!(r["result"].as_array().is_some_and(|h| !h.is_empty()), "{r}");
    c.notify("workspace/didChangeConfiguration", json!({"settings": {"perfi": {"inlayHints": false}}})).unwrap();
    let r = c.request("textDocument/inlayHint", all, T).unwrap();
    assert_eq!(r["result"], json!([]), "hints switched off: {r}");
    // A bad setting is reported, not fatal.
    c.notify("workspace/didChangeConfiguration", json!({"settings": {"perfi": {"resolution": "ten"}}})).unwrap();
    let h = hover(&mut c, &uri, 0, 10);
    assert!(hover_text(&h).contains("sum"), "{h}");
    c.shutdown(T).unwrap();
}

#[test]
fn bad_requests_get_errors_and_the_server_stays_up() {
    let dir = temp_dir("errors");
    let (mut c, _) = start(&dir, json!({}));
    let r = c.request("perfi/noSuchMethod", json!({}), T).unwrap();
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let ghost = "file:///nonexistent/ghost.c";
    let r = hover(&mut c, ghost, 0, 0);
    assert!(r["error"]["message"].as_str().is_some_and(|m| m.contains("not open")), "{r}");
    let r = c.request("perfi/interface", json!({"uri": ghost, "function": "f"}), T).unwrap();
    assert!(r.get("error").is_some(), "{r}");
    let r = c.request("textDocument/codeLens", json!({"textDocument": {"uri": ghost}}), T).unwrap();
    assert!(r.get("error").is_some(), "{r}");
    let r = c.request("perfi/interface", json!({"bogus": 1}), T).unwrap();
    assert!(r.get("error").is_some(), "{r}");
    let r = c.request("workspace/executeCommand", json!({"command": "perfi.nope", "arguments": []}), T).unwrap();
    assert!(r.get("error").is_some(), "{r}");
    let r = c.request("workspace/executeCommand", json!({"command": "perfi.exportPython", "arguments": []}), T).unwrap();
    assert!(r.get("error").is_some(), "{r}");
    // A change for a document that is not open, positions far out of range.
    change(&mut c, ghost, 3, Some(((9, 9), (99, 99))), "x");
    let path = dir.join("ok.c");
    let uri = open(&mut c, &path, "int g(int x) { return x * 3; }\n");
    change(&mut c, &uri, 2, Some(((99, 0), (120, 7))), "\nint h(void) { return 1; }\n");
    let d = diagnostics(&mut c, &uri, 2);
    assert!(warnings(&d).is_empty(), "{d:?}");
    let r = c.request("perfi/interface", json!({"uri": uri, "function": "h"}), T).unwrap();
    assert_eq!(r["result"]["name"], "h", "{r}");
    // Hostile text: deep nesting and an unfinished function.
    let deep = format!("int k(int x) {{ return {}x{}; }}\nint broken(int y) {{ while (y", "(".repeat(5000), ")".repeat(5000));
    change(&mut c, &uri, 3, None, &deep);
    let _ = diagnostics(&mut c, &uri, 3);
    let r = hover(&mut c, &uri, 0, 5);
    assert!(r.get("result").is_some(), "{r}");
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}})).unwrap();
    let r = hover(&mut c, &uri, 0, 5);
    assert!(r.get("error").is_some(), "closed: {r}");
    assert_eq!(c.shutdown(T).unwrap(), Some(0));
}

/// The first `*` or `_` that markdown could read as emphasis: outside code
/// spans, not escaped, and not part of a `**bold**` label.
fn emphasis_outside_code(md: &str) -> Option<String> {
    let b: Vec<char> = md.chars().collect();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            '\\' => i += 2,
            '`' => {
                let close = b[i + 1..].iter().position(|&c| c == '`')?;
                i += close + 2;
            }
            '*' if b.get(i + 1) == Some(&'*') => i += 2,
            '*' | '_' => return Some(b[i.saturating_sub(30)..(i + 30).min(b.len())].iter().collect()),
            _ => i += 1,
        }
    }
    None
}

#[test]
fn the_emphasis_check_sees_emphasis() {
    assert_eq!(emphasis_outside_code("**f** `11.49*c_a` \\_x"), None);
    assert!(emphasis_outside_code("| 11.49*c_a + 27.4*c_b |").is_some());
    assert!(emphasis_outside_code("`a` c_a").is_some());
}

#[test]
fn one_warning_per_function_with_the_other_classes_related() {
    let (dir, text) = nat();
    let (mut c, _) = start(&dir, json!({"perfi": {"baseline": "open"}}));
    let uri = open(&mut c, &dir.join("nat.c"), &text);
    assert!(warnings(&diagnostics(&mut c, &uri, 1)).is_empty());
    // The loop edit of the VS Code test: more work per chain step.
    let (l, _) = find(&text, "st->stats.chain_steps++;", 0);
    let edit = "        st->stats.chain_steps = st->stats.chain_steps * 3 + 1;\n        st->stats.lookups = st->stats.lookups * 5 + st->stats.chain_steps;\n";
    change(&mut c, &uri, 2, Some(((l + 1, 0), (l + 1, 0))), edit);
    let d = diagnostics_until(&mut c, &uri, 2, |d| {
        let w = warnings(d);
        w.iter().any(|m| m.contains("`nat_process`")) && w.iter().any(|m| m.contains("`nat_lookup_int`"))
    });
    let regs: Vec<&serde_json::Value> = d.iter().filter(|x| x["severity"] == 2).collect();
    let names: Vec<String> = regs.iter().filter_map(|x| x["message"].as_str()).filter_map(|m| m.split('`').nth(1)).map(String::from).collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(names.len(), unique.len(), "one warning per function: {names:?}");
    assert!(unique.contains(&"nat_process".to_string()) && unique.contains(&"nat_lookup_int".to_string()), "{names:?}");
    // nat_process has several slower classes: the largest first, the
    // others as related information at the same range, counted.
    let np = regs.iter().find(|x| x["message"].as_str().is_some_and(|m| m.starts_with("`nat_process`"))).expect("nat_process warning");
    let msg = np["message"].as_str().unwrap_or("");
    let related = np["relatedInformation"].as_array().cloned().unwrap_or_default();
    assert!(related.len() >= 2, "{np}");
    assert!(msg.ends_with(&format!("and {} more input classes", related.len())), "{msg}");
    let slow = |m: &str| -> Option<f64> {
        let (a, b) = m.split_once(" instructions (witness")?.0.rsplit_once(" → ")?;
        Some(b.trim().parse::<f64>().ok()? - a.rsplit(' ').next()?.trim().parse::<f64>().ok()?)
    };
    let first = slow(msg).expect("old → new in the message");
    for r in &related {
        assert_eq!(r["location"]["uri"], uri.as_str());
        assert_eq!(r["location"]["range"], np["range"]);
        let m = r["message"].as_str().unwrap_or("");
        assert!(m.starts_with("when `") && m.contains("witness"), "{m}");
        let d = slow(m).expect("old → new in the related message");
        assert!(d <= first + 0.1, "the largest slowdown comes first: {first} < {d} ({m})");
    }
    // The hover lists the slower classes too, formulas in code spans.
    let (l, col) = find(&text, "nat_process(struct", 3);
    let l = l + 2; // below the two inserted lines
    let hr = hover(&mut c, &uri, l, col);
    let h = hover_text(&hr);
    assert!(h.contains("Slower than the baseline"), "{hr}");
    assert!(h.contains("Slower than the baseline") && h.contains(&format!("in {} input classes", related.len() + 1)), "{h}");
    assert_eq!(emphasis_outside_code(&h), None, "{h}");
    c.shutdown(T).unwrap();
}

#[test]
fn settings_are_pulled_with_workspace_configuration() {
    let dir = temp_dir("pull");
    let path = dir.join("sum.c");
    std::fs::write(&path, SUM).unwrap();
    let mut c = perfi::lsp::rpc_client::LspClient::spawn_env(std::path::Path::new(env!("CARGO_BIN_EXE_perfi")), &["lsp"], Some(&dir), &[("XDG_CACHE_HOME", common::test_cache_home().as_os_str())]).unwrap();
    c.configuration = json!({"resolution": 7, "inlayHints": true, "serverPath": ""});
    let mut cp = caps(false);
    cp["workspace"] = json!({"configuration": true, "didChangeConfiguration": {"dynamicRegistration": true}});
    // initializationOptions say 5; the pulled section (7) wins.
    c.initialize(&perfi::lsp::rpc_client::file_uri(&dir), json!({"perfi": {"resolution": 5}}), cp).unwrap();
    let uri = open(&mut c, &path, SUM);
    let resolution_in_hover = |c: &mut perfi::lsp::rpc_client::LspClient, want: &str| {
        let deadline = std::time::Instant::now() + T;
        loop {
            let h = hover_text(&hover(c, &uri, 0, 10));
            if h.contains(want) || std::time::Instant::now() > deadline {
                return h;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    let h = resolution_in_hover(&mut c, "resolution 7 ");
    assert!(h.contains("resolution 7 "), "{h}");
    let asked = c.server_requests.iter().find(|m| m["method"] == "workspace/configuration").expect("the server asked for its settings");
    assert_eq!(asked["params"]["items"][0]["section"], "perfi");
    let reg = c.server_requests.iter().find(|m| m["method"] == "client/registerCapability").expect("didChangeConfiguration registered");
    assert_eq!(reg["params"]["registrations"][0]["method"], "workspace/didChangeConfiguration");

    // The user changes a setting: the client says so (payload null, as
    // vscode-languageclient sends it) and the server asks again.
    c.configuration = json!({"resolution": 3, "inlayHints": false});
    c.notify("workspace/didChangeConfiguration", json!({"settings": null})).unwrap();
    let h = resolution_in_hover(&mut c, "resolution 3 ");
    assert!(h.contains("resolution 3 "), "{h}");
    let all = json!({"textDocument": {"uri": uri}, "range": {"start": pos(0, 0), "end": pos(100, 0)}});
    let r = c.request("textDocument/inlayHint", all, T).unwrap();
    assert_eq!(r["result"], json!([]), "hints switched off by the pulled settings: {r}");
    // Unset in the editor (null): back to the default 10, no restart.
    c.configuration = json!({"resolution": null});
    c.notify("workspace/didChangeConfiguration", json!({"settings": {"perfi": {}}})).unwrap();
    let h = resolution_in_hover(&mut c, "resolution 10 ");
    assert!(h.contains("resolution 10 "), "{h}");
    assert!(c.server_requests.iter().filter(|m| m["method"] == "workspace/configuration").count() >= 3);
    c.shutdown(T).unwrap();
}
