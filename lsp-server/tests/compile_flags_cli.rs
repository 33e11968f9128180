//! `perfi analyze` finds a file's compile flags the way clangd does, also
//! when the file is named relative to the working directory.

use std::process::Command;

/// A tree with `compile_commands.json` at its root giving `-Iinc`, and a
/// file two folders below that includes a header only that path finds and
/// calls a function its sibling defines.
fn tree(tag: &str) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("perfi-flags-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("inc")).unwrap();
    std::fs::create_dir_all(root.join("net/sub")).unwrap();
    std::fs::write(root.join("inc/ring.h"), "#define RING_SLOTS 16\nstruct ring { int slot[RING_SLOTS]; };\n").unwrap();
    std::fs::write(
        root.join("net/sub/use.c"),
        "#include <ring.h>\n\nint ring_weight(int x);\n\nint ring_sum(const struct ring *r)\n{\n    int s = 0;\n    for (int i = 0; i < RING_SLOTS; i++)\n        s += ring_weight(r->slot[i]);\n    return s;\n}\n",
    )
    .unwrap();
    std::fs::write(root.join("net/sub/weight.c"), "int ring_weight(int x)\n{\n    return x * 3 + 1;\n}\n").unwrap();
    let db = serde_json::json!([{"directory": root, "arguments": ["cc", "-Iinc", "-c", "other.c"], "file": "other.c"}]);
    std::fs::write(root.join("compile_commands.json"), db.to_string()).unwrap();
    root
}

fn analyze_in(dir: &std::path::Path, name: &str) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_perfi"))
        .args(["analyze", name, "--cost-source", "model", "--format", "json"])
        .current_dir(dir)
        .output()
        .expect("perfi runs");
    assert!(out.status.success(), "perfi analyze {name} failed: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_file_named_relative_to_the_working_directory_gets_its_flags() {
    let root = tree("rel");
    let dir = root.join("net/sub");
    for name in ["use.c", "./use.c", "../sub/use.c"] {
        let (out, err) = analyze_in(&dir, name);
        assert!(!err.contains("No such file"), "{name}: the header was not found: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let f = &v["files"][0]["functions"][0];
        assert_eq!(f["name"], "ring_sum", "{name}: {out}");
        assert_eq!(f["status"], "complete", "{name}: {f}");
        // The sibling's function is analyzed, not an unknown cost.
        assert!(!f.to_string().contains("cost(ring_weight)"), "{name}: the sibling was not loaded: {f}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
