//! Secret dependence: the table-based cipher of test-workspaces/cipher/
//! must be flagged (its S-box lookups are indexed by key-dependent state,
//! filled in another function) and the constant-time build must not be.
//! Plus a branch on a secret configured in perfi.toml, and a field.

use perfi_engine::analysis::{analyze_function, FunctionInterface, Program, Status};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn analyze_all(files: &[PathBuf], cfg: &Config) -> Vec<FunctionInterface> {
    let prog = Program::load(files).expect("sources load");
    let budgets = Budgets { paths: 4096, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
    let mut out = Vec::new();
    for fa in &prog.files {
        let funcs = prog.table_for(&fa.path);
        for l in &fa.functions {
            let Ok(ir) = &l.ir else { panic!("{} does not lower", l.info.name) };
            out.push(analyze_function(&Arc::new(ir.clone()), &l.info, &funcs, cfg, budgets, 10.0, &CancelToken::new()));
        }
    }
    out
}

fn get<'a>(all: &'a [FunctionInterface], name: &str) -> &'a FunctionInterface {
    all.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no function {name}"))
}

#[test]
fn table_cipher_flagged_constant_time_cipher_not() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces/cipher/cipher.c");
    let all = analyze_all(&[file], &Config::default());
    for f in &all {
        assert_eq!(f.status, Status::Complete, "{}: {:?}", f.name, f.reason);
    }

    // The state is filled from the round keys by add_round_key and used as
    // a table index by sub_bytes_table: found in the caller, through both.
    let enc = get(&all, "cipher_encrypt_table");
    let hit = enc.secret_findings.iter().find(|s| s.kind == "address" && s.expr.contains("cipher_sbox[")).unwrap_or_else(|| panic!("no S-box finding in {:?}", enc.secret_findings));
    assert_eq!(hit.function, "sub_bytes_table");
    assert_eq!(hit.secret, "round_key");
    assert!(hit.chain.iter().any(|c| c.starts_with("block")), "chain goes through the state buffer: {:?}", hit.chain);
    assert!(hit.chain.len() >= 3);

    let exp = get(&all, "cipher_expand_key_table");
    assert!(exp.secret_findings.iter().any(|s| s.kind == "address" && s.expr.contains("cipher_sbox[") && s.secret == "key"), "{:?}", exp.secret_findings);

    for name in ["cipher_encrypt_ct", "cipher_expand_key_ct", "sbox_ct", "sub_bytes_ct"] {
        let f = get(&all, name);
        assert!(f.secret_findings.is_empty(), "{name} should be constant-time: {:?}", f.secret_findings);
    }
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("perfi-secret-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(format!("{name}.c"));
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn configured_secrets_give_branch_and_field_findings() {
    let src = r#"
struct ctx { unsigned char pad[8]; unsigned char round_key[16]; };
unsigned char table[256];
int check(const unsigned char *pin, int n) {
    if (pin[0] == 7)      /* a branch on the secret */
        return 1;
    return n;
}
int use_ctx(const struct ctx *c, int i) {
    return table[c->round_key[3]] + table[c->pad[i & 7]];
}
"#;
    let p = scratch("cfg", src);
    let mut cfg = Config::default();
    cfg.secret.params = vec!["pin".into()];
    cfg.secret.fields = vec!["ctx.round_key".into()];
    let all = analyze_all(&[p.clone()], &cfg);
    let check = get(&all, "check");
    assert_eq!(check.secret_findings.len(), 1, "{:?}", check.secret_findings);
    assert_eq!(check.secret_findings[0].kind, "branch");
    assert_eq!(check.secret_findings[0].line, 5);
    let uc = get(&all, "use_ctx");
    // Only the lookup indexed by the secret field, not the one by `pad`.
    assert_eq!(uc.secret_findings.len(), 1, "{:?}", uc.secret_findings);
    assert!(uc.secret_findings[0].expr.contains("round_key"));
    let _ = std::fs::remove_dir_all(p.parent().unwrap_or(Path::new("/nonexistent")));
}
