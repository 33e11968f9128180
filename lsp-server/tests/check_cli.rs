//! `perfi check --baseline REV`: regressions against a git revision, in
//! text, JSON and SARIF, with the documented exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

const SUM: &str = "unsigned sum(const unsigned *a, unsigned n)
{
    unsigned s = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        s += a[i];
    }
    return s;
}

int same(int x)
{
    return x + 1;
}
";

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(st.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&st.stderr));
}

fn repo(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("perfi-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("src")).unwrap();
    git(&d, &["init", "-q"]);
    std::fs::write(d.join("src/sum.c"), SUM).unwrap();
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "base"]);
    d
}

fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_perfi")).arg("check").args(args).current_dir(dir).output().expect("perfi runs");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into(), String::from_utf8_lossy(&o.stderr).into())
}

#[test]
fn regression_found_reported_and_cleared() {
    let d = repo("regress");
    let (code, out, err) = check(&d, &["--baseline", "HEAD"]);
    assert_eq!(code, 0, "unchanged: {out}{err}");

    let slower = SUM.replace("        s += a[i];\n", "        s += a[i];\n        s = s * 3 + 1;\n        s = s * 5 + 2;\n");
    std::fs::write(d.join("src/sum.c"), &slower).unwrap();
    std::fs::write(d.join("src/new.c"), "int fresh(int x) { return x; }\n").unwrap();
    let (code, out, err) = check(&d, &["--baseline", "HEAD"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("src/sum.c:1: warning: `sum` is slower than the baseline"), "{out}");
    assert!(!out.contains("same"), "unchanged functions are not reported: {out}");

    let (code, out, _) = check(&d, &["--baseline", "HEAD", "src", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let r = &v["regressions"][0];
    assert_eq!(r["function"], "sum");
    assert!(r["new_instructions"].as_f64().unwrap() > r["old_instructions"].as_f64().unwrap() + 10.0, "{r}");

    let (code, out, _) = check(&d, &["--baseline", "HEAD", "--format", "sarif", "--resolution", "5"]);
    assert_eq!(code, 1);
    let s: serde_json::Value = serde_json::from_str(&out).expect("sarif json");
    assert_eq!(s["version"], "2.1.0");
    assert!(s["$schema"].as_str().is_some_and(|x| x.contains("sarif")));
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "perfi");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "perfi/regression");
    let res = &run["results"][0];
    assert_eq!(res["ruleId"], "perfi/regression");
    assert_eq!(res["level"], "warning");
    assert!(res["message"]["text"].as_str().is_some_and(|t| t.contains("sum")));
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/sum.c");
    assert_eq!(loc["region"]["startLine"], 1);

    // Committed: the new text is the baseline, nothing to report.
    git(&d, &["commit", "-q", "-am", "slower"]);
    let (code, out, err) = check(&d, &["--baseline", "HEAD"]);
    assert_eq!(code, 0, "{out}{err}");
    // Against the first commit the regression is there again.
    let (code, _, _) = check(&d, &["--baseline", "HEAD~1"]);
    assert_eq!(code, 1);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn errors_exit_2() {
    let d = repo("errors");
    let (code, _, err) = check(&d, &["--baseline", "no-such-rev"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no-such-rev"), "{err}");
    let (code, _, err) = check(&d, &["--baseline", "HEAD", "missing.c"]);
    assert_eq!(code, 2, "{err}");
    let plain = std::env::temp_dir().join(format!("perfi-check-nogit-{}", std::process::id()));
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::write(plain.join("a.c"), SUM).unwrap();
    let (code, _, err) = check(&plain, &["--baseline", "HEAD"]);
    assert_eq!(code, 2, "not a repository: {err}");
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&plain);
}

/// The loop edit of the editor tests in the NAT: one finding per function,
/// the largest slowdown in the message, the other classes as SARIF
/// `relatedLocations`, text notes and JSON `classes`.
#[test]
fn one_finding_per_function_with_related_locations() {
    let d = std::env::temp_dir().join(format!("perfi-check-nat-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces/nat");
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), d.join(e.file_name())).unwrap();
        }
    }
    git(&d, &["init", "-q"]);
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "base"]);
    let text = std::fs::read_to_string(d.join("nat.c")).unwrap();
    let edited = text.replacen(
        "st->stats.chain_steps++;\n",
        "st->stats.chain_steps++;\n        st->stats.chain_steps = st->stats.chain_steps * 3 + 1;\n        st->stats.lookups = st->stats.lookups * 5 + st->stats.chain_steps;\n",
        1,
    );
    assert_ne!(text, edited, "the loop of nat_lookup_int moved");
    std::fs::write(d.join("nat.c"), edited).unwrap();

    let (code, out, err) = check(&d, &["--baseline", "HEAD", "nat.c", "--format", "sarif"]);
    assert_eq!(code, 1, "{out}{err}");
    let s: serde_json::Value = serde_json::from_str(&out).expect("sarif json");
    let results = s["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    let mut fns: Vec<String> = results.iter().map(|r| r["properties"]["function"].as_str().unwrap_or("").to_string()).collect();
    let n = fns.len();
    fns.sort();
    fns.dedup();
    assert_eq!(fns.len(), n, "one result per function: {fns:?}");
    let np = results.iter().find(|r| r["properties"]["function"] == "nat_process").expect("nat_process slower");
    let rel = np["relatedLocations"].as_array().cloned().unwrap_or_default();
    assert!(rel.len() >= 2, "{np}");
    assert_eq!(np["properties"]["slower_classes"].as_u64(), Some(rel.len() as u64 + 1));
    assert!(np["message"]["text"].as_str().is_some_and(|m| m.ends_with(&format!("and {} more input classes", rel.len()))), "{np}");
    for r in &rel {
        assert_eq!(r["physicalLocation"]["region"]["startLine"], np["locations"][0]["physicalLocation"]["region"]["startLine"]);
        assert!(r["message"]["text"].as_str().is_some_and(|m| m.starts_with("when `")), "{r}");
    }

    let (_, out, _) = check(&d, &["--baseline", "HEAD", "nat.c", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let regs = v["regressions"].as_array().cloned().unwrap_or_default();
    assert_eq!(regs.len(), n);
    let j = regs.iter().find(|r| r["function"] == "nat_process").expect("nat_process in json");
    let classes = j["classes"].as_array().cloned().unwrap_or_default();
    assert_eq!(classes.len(), rel.len() + 1);
    assert_eq!(classes[0]["case"], j["case"], "the first class is the headline");
    let slow = |c: &serde_json::Value| c["new_instructions"].as_f64().unwrap_or(0.0) - c["old_instructions"].as_f64().unwrap_or(0.0);
    assert!(classes.windows(2).all(|w| slow(&w[0]) >= slow(&w[1])), "largest slowdown first: {classes:?}");

    let (_, out, _) = check(&d, &["--baseline", "HEAD", "nat.c"]);
    assert_eq!(out.lines().filter(|l| l.contains(": warning: ")).count(), n, "{out}");
    assert_eq!(out.lines().filter(|l| l.contains(": note: when `")).count(), regs.iter().map(|r| r["classes"].as_array().map_or(0, |c| c.len().saturating_sub(1))).sum::<usize>(), "{out}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Cost follows the diff: in a tree of many folders and functions, a
/// change to one function analyzes that function and its callers only
/// (the JSON report counts them); with `--cache`, a second run takes the
/// comparison from the cache.
#[test]
fn one_function_change_analyzes_it_and_its_callers_only() {
    let d = std::env::temp_dir().join(format!("perfi-check-scale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    for m in 0..4 {
        let dir = d.join(format!("mod{m}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..3 {
            let mut text = String::new();
            for k in 0..10 {
                text.push_str(&format!("int m{m}_f{f}_{k}(int x)\n{{\n    return x + {k};\n}}\n\n"));
            }
            // A caller in another file of the folder, and an unrelated one.
            if f == 1 {
                text.push_str(&format!("int m{m}_caller(int x)\n{{\n    return m{m}_f0_3(x) * 2;\n}}\n"));
            }
            std::fs::write(dir.join(format!("f{f}.c")), text).unwrap();
        }
    }
    git(&d, &["init", "-q"]);
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "base"]);
    let p = d.join("mod2/f0.c");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replace("return x + 3;", "return x * x + 3;")).unwrap();
    let cache = std::env::temp_dir().join(format!("perfi-check-scale-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let run = || {
        let (code, out, err) = check(&d, &["--baseline", "HEAD", "--format", "json", "--cache", cache.to_str().unwrap(), "."]);
        assert!(code == 0 || code == 1, "{out}{err}");
        serde_json::from_str::<serde_json::Value>(&out).expect("json")
    };
    let v = run();
    // m2_f0_3 and its caller m2_caller; the other 119 functions are not
    // analyzed, and the three other folders are not even lowered.
    assert_eq!(v["functions_analyzed"], 2, "{v}");
    assert_eq!(v["files_skipped"], 9, "{v}");
    let again = run();
    assert_eq!(again["functions_analyzed"], 0, "{again}");
    assert_eq!(again["functions_cached"], 2, "{again}");
    assert_eq!(again["regressions"], v["regressions"]);
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&cache);
}

/// `--cache` without a folder keeps comparisons in the user's cache
/// folder (here a temporary XDG_CACHE_HOME), never in the repository,
/// and the second run takes the comparison from there.
#[test]
fn cache_without_folder_uses_the_user_cache() {
    let d = repo("usercache");
    let home = std::env::temp_dir().join(format!("perfi-check-usercache-home-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::write(d.join("src/sum.c"), SUM.replace("return x + 1;", "return x * x + 1;")).unwrap();
    let run = || {
        let o = Command::new(env!("CARGO_BIN_EXE_perfi"))
            .args(["check", "--baseline", "HEAD", "--format", "json", "--cache"])
            .env("XDG_CACHE_HOME", &home)
            .current_dir(&d)
            .output()
            .expect("perfi runs");
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("json")
    };
    let v = run();
    assert_eq!(v["functions_analyzed"], 1, "{v}");
    let stored = std::fs::read_dir(home.join("perfi/comparisons")).map(|r| r.count()).unwrap_or(0);
    assert!(stored > 0, "comparisons stored under XDG_CACHE_HOME/perfi/comparisons");
    let again = run();
    assert_eq!((again["functions_analyzed"].clone(), again["functions_cached"].clone()), (serde_json::json!(0), serde_json::json!(1)), "{again}");
    let st = Command::new("git").arg("-C").arg(&d).args(["status", "--porcelain", "--untracked-files=all"]).output().expect("git status");
    assert_eq!(String::from_utf8_lossy(&st.stdout).trim(), "M src/sum.c", "nothing written into the repository");
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&home);
}
