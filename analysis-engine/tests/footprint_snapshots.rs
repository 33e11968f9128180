//! Cache footprints of small C functions at the engine boundary. The
//! expected texts were derived by hand (the reasoning is in the comments),
//! not copied from the program's output.

use expect_test::{expect, Expect};
use perfi_engine::analysis::{analyze_function, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use std::sync::Arc;

fn footprint_of(name: &str, src: &str) -> String {
    let dir = std::env::temp_dir().join(format!("perfi-foot-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(format!("{name}.c"));
    std::fs::write(&p, src).expect("write");
    let prog = Program::load(std::slice::from_ref(&p)).expect("loads");
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let l = fa.functions.iter().find(|l| l.info.name == name).expect("function");
    let ir = l.ir.as_ref().expect("lowers");
    let budgets = Budgets { paths: 1000, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
    let iface = analyze_function(&Arc::new(ir.clone()), &l.info, &funcs, &Config::default(), budgets, 1.0, &CancelToken::new());
    let _ = std::fs::remove_dir_all(&dir);
    let mut out = String::new();
    let mut cases: Vec<_> = iface.cases.iter().collect();
    cases.sort_by(|a, b| a.condition.cmp(&b.condition));
    for c in cases {
        out.push_str(&format!("{}: {}\n", c.condition, perfi_engine::output::footprint_summary(c)));
        for f in &c.footprint.fields {
            out.push_str(&format!("  {}.{} {}{}\n", f.record, f.field, if f.read { "r" } else { "" }, if f.write { "w" } else { "" }));
        }
    }
    out
}

fn check(name: &str, src: &str, expected: Expect) {
    expected.assert_eq(&footprint_of(name, src));
}

#[test]
fn array_of_16_byte_entries() {
    // a[i].val sits at 16·i + 8: the offset moves 16 bytes per iteration,
    // a quarter of a 64-byte line, so t iterations touch 16·t/64 = 0.25·t
    // lines of *a (⌈16t/64⌉ when t is a multiple of 4). If *a does not
    // start on a line boundary the stream may touch one more line:
    // 0.25·t + 1. Bytes: 64 per line, 16·t. The loop is not entered when
    // n == 0: no memory is touched then. A counted loop's trip count is
    // written in the program's variables (README): t = n.
    check(
        "sum",
        r#"
struct ent { unsigned long key; unsigned long val; };
unsigned long sum(const struct ent *a, unsigned n)
{
    unsigned long s = 0;
    unsigned i;
    /* @perf pcv t: entries summed */
    for (i = 0; i < n; i++)
        s += a[i].val;
    return s;
}
"#,
        expect![[r#"
            n <= 0: lines by object: none
            n > 0: lines by object: *a 0.25*n (0.25*n + 1 unaligned); bytes = 16*n
              ent.val r
        "#]],
    );
}

#[test]
fn pointer_chasing() {
    // Every iteration reads n->v and n->next of a node it reached through
    // the previous node's pointer: a new object each time, both fields on
    // its first line (offsets 0 and 8), so t iterations touch t lines.
    // Aligned or not, each node is 16 bytes aligned to 8: its two fields
    // always share a line (shift 48: bytes 48..63). Not entered: nothing.
    check(
        "walk",
        r#"
struct node { struct node *next; long v; };
long walk(const struct node *n)
{
    long s = 0;
    /* @perf pcv t: nodes visited */
    while (n) {
        s += n->v;
        n = n->next;
    }
    return s;
}
"#,
        expect![[r#"
            n != 0: lines by object: *n t; bytes = 64*t
              node.next r
              node.v r
            n == 0: lines by object: none
        "#]],
    );
}

#[test]
fn struct_fields_across_lines() {
    // Layout: a at 0 (line 0), pad 8..63, b at 64 and c at 72 (line 1);
    // size 80. Reads of a and b and the write of c touch lines {0, 1}: 2
    // lines, 128 bytes. Unaligned (base aligned to 8, the largest access):
    // with the base 56 bytes into a line, a covers 56..63 (line 0), b
    // 120..127 (line 1), c 128..131 (line 2): 3 lines.
    check(
        "fields",
        r#"
struct big { unsigned long a; char pad[56]; unsigned long b; unsigned int c; };
unsigned long fields(struct big *p)
{
    p->c = 1;
    return p->a + p->b;
}
"#,
        expect![[r#"
            always: lines by object: *p 2 (3 unaligned); bytes = 128
              big.a r
              big.b r
              big.c w
        "#]],
    );
}
