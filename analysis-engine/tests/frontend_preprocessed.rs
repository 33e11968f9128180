//! The front end reads a file the way the compiler does: `#if` chains pick
//! the branch gcc picks (given the file's flags), macros expand (a macro
//! used as a table lookup is a load, not a call), line numbers stay the
//! user's, and a missing header is a diagnostic that leaves the rest of
//! the file analyzed.

use perfi_engine::analysis::{analyze_function, FunctionInterface, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::frontend::preprocess::DiagKind;
use std::path::PathBuf;
use std::sync::Arc;

/// A block cipher's key schedule in the style of small AES libraries: the
/// number of rounds comes from an `#if`/`#elif`/`#else` chain over the
/// key size macros, and the S-box is read through a function-like macro.
const ROUNDS: &str = r#"
#include <stdint.h>

#if defined(KEY256) && (KEY256 == 1)
    #define NROUNDS 14
#elif defined(KEY192) && (KEY192 == 1)
    #define NROUNDS 12
#else
    #define NROUNDS 10
#endif

#define SBOX(x) (table[(x)])

static const uint8_t table[256] = { 1, 2, 3 };

void mix(uint8_t *state)
{
    for (int round = 1; round < NROUNDS; ++round) {
        state[round & 15] ^= SBOX(state[(round + 1) & 15]);
    }
}

uint8_t lookup(uint8_t v)
{
    return SBOX(v);
}
"#;

struct Tmp(PathBuf);

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Write `src` as `f.c` in a fresh folder, with `flags` in a
/// `compile_flags.txt` beside it when given.
fn workspace(tag: &str, src: &str, flags: Option<&str>) -> (Tmp, PathBuf) {
    let dir = std::env::temp_dir().join(format!("perfi-fe-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join("f.c");
    std::fs::write(&p, src).expect("write source");
    if let Some(f) = flags {
        std::fs::write(dir.join("compile_flags.txt"), f).expect("write flags");
    }
    (Tmp(dir), p)
}

fn interface(prog: &Program, name: &str) -> FunctionInterface {
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let l = fa.functions.iter().find(|l| l.info.name == name).expect("function");
    let ir = l.ir.as_ref().unwrap_or_else(|e| panic!("{name} lowers: {e}"));
    let budgets = Budgets { paths: 1000, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
    analyze_function(&Arc::new(ir.clone()), &l.info, &funcs, &Config::default(), budgets, 1.0, &CancelToken::new())
}

/// Instructions of the function's single case (the loop has a constant
/// trip count, so there is one).
fn instructions(tag: &str, flags: Option<&str>) -> f64 {
    let (_t, p) = workspace(tag, ROUNDS, flags);
    let prog = Program::load(&[p]).expect("loads");
    let i = interface(&prog, "mix");
    assert_eq!(i.cases.len(), 1, "one case: {:?}", i.cases.iter().map(|c| &c.condition).collect::<Vec<_>>());
    let f = &i.cases[0].metrics["instructions"];
    assert!(f.poly.terms.is_empty(), "a constant, the trip count coming from the macro: {}", f.text);
    f.poly.c
}

#[test]
fn if_chain_picks_the_branch_gcc_picks() {
    // 10, 12 and 14 rounds: 9, 11 and 13 iterations of the same body, so
    // the costs are equally spaced, and more rounds cost more.
    let c10 = instructions("r10", None);
    let c12 = instructions("r12", Some("-DKEY192=1\n"));
    let c14 = instructions("r14", Some("-DKEY256=1\n"));
    assert!(c12 > c10 && c14 > c12, "10 rounds {c10}, 12 rounds {c12}, 14 rounds {c14}");
    assert!(((c14 - c12) - (c12 - c10)).abs() < 1e-6, "equal steps: {c10} {c12} {c14}");
    // `-DKEY256=0` is defined but not 1: the chain goes on to the `#else`.
    let c0 = instructions("r0", Some("-DKEY256=0\n"));
    assert!((c0 - c10).abs() < 1e-6, "-DKEY256=0 reads as 10 rounds: {c0} vs {c10}");
}

#[test]
fn a_macro_table_lookup_is_a_load() {
    let (_t, p) = workspace("sbox", ROUNDS, None);
    let prog = Program::load(&[p]).expect("loads");
    let i = interface(&prog, "lookup");
    assert!(i.pcvs.is_empty(), "no cost(SBOX) PCV: {:?}", i.pcvs.iter().map(|v| &v.name).collect::<Vec<_>>());
    let reads = i.cases[0].metrics["memory_reads"].poly.c;
    // (The model's weight per read is fitted, not 1: positive is what a
    // load gives and an unknown call does not.)
    assert!(reads > 0.0, "the table read is a memory read: {reads}");
    let calls = i.cases[0].metrics["calls"].poly.c;
    assert_eq!(calls, 0.0, "no call");
}

#[test]
fn lines_are_the_users_lines() {
    // A long expansion and a multi-line macro use must not move the
    // functions after them.
    let src = "#define LONG_NAME_EXPANDS_TO_A_LOT (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12)\n\
               #define ADD(a, b) \\\n  ((a) + (b))\n\
               int g = LONG_NAME_EXPANDS_TO_A_LOT;\n\
               int h(int x) { return ADD(x,\n   1); }\n\
               \n\
               int k(int y)\n{\n    return y * LONG_NAME_EXPANDS_TO_A_LOT;\n}\n";
    let (_t, p) = workspace("lines", src, None);
    let prog = Program::load(&[p]).expect("loads");
    let fa = &prog.files[0];
    let lines: Vec<(String, u32, u32)> = fa.functions.iter().map(|l| (l.info.name.clone(), l.info.range.start_line, l.info.range.end_line)).collect();
    assert_eq!(lines, vec![("h".to_string(), 5, 6), ("k".to_string(), 8, 11)]);
    // The offsets of `k`'s name map back to the user's text.
    let main = fa.unit.main();
    let k = fa.functions.iter().find(|l| l.info.name == "k").expect("k");
    let at = main.user_byte(k.info.name_span.start_byte as usize);
    assert_eq!(&src.as_bytes()[at..at + 1], b"k");
}

#[test]
fn a_missing_header_is_a_diagnostic_and_the_rest_is_analyzed() {
    let src = "#include <perfi_no_such_header.h>\n\
               int ok(int a) { return a + 1; }\n\
               int needs(struct from_header *h) { return h->field; }\n";
    let (_t, p) = workspace("missing", src, None);
    let prog = Program::load(&[p]).expect("loads");
    let fa = &prog.files[0];
    let d = fa.unit.diagnostics.iter().find(|d| matches!(&d.kind, DiagKind::MissingInclude { name } if name.contains("perfi_no_such_header.h")));
    let d = d.expect("a missing-include diagnostic");
    assert_eq!(d.line, 1);
    let ok = fa.functions.iter().find(|l| l.info.name == "ok").expect("ok");
    assert!(ok.ir.is_ok(), "ok lowers");
    let needs = fa.functions.iter().find(|l| l.info.name == "needs").expect("needs");
    let why = needs.ir.as_ref().err().expect("needs is unsupported");
    assert!(why.contains("perfi_no_such_header.h"), "the reason names the header: {why}");
}
