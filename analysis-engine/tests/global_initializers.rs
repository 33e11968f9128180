//! Globals start from their initializers where no code writes the field
//! (`initializers.rs`, `globals.rs`). Expected values derived by hand from
//! the C below (x86-64 layout: int at 0, unsigned at 4 and 8, the pointer
//! aligned to 16).

use expect_test::expect;
use perfi_engine::analysis::{analyze_function, FunctionInterface, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use std::sync::Arc;

const MAP: &str = r#"
struct map { int type; unsigned max; unsigned used; unsigned char *slots; };
static unsigned char slots[8];
struct map m = { .type = 2, .max = 8, .slots = slots };

int lookup(unsigned k)
{
    if (m.type != 2)
        return -1;
    if (k >= m.max)
        return -2;
    return m.slots[k];
}

void add(void)
{
    m.used++;
}
"#;

fn load(tag: &str, src: &str) -> (Program, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("perfi-ginit-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join("m.c");
    std::fs::write(&p, src).expect("write");
    let prog = Program::load(std::slice::from_ref(&p)).expect("loads");
    let _ = std::fs::remove_dir_all(&dir);
    (prog, p)
}

fn interface(prog: &Program, name: &str) -> FunctionInterface {
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let l = fa.functions.iter().find(|l| l.info.name == name).expect("function");
    let ir = l.ir.as_ref().expect("lowers");
    let budgets = Budgets { paths: 1000, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
    analyze_function(&Arc::new(ir.clone()), &l.info, &funcs, &Config::default(), budgets, 1.0, &CancelToken::new())
}

fn conditions(i: &FunctionInterface) -> Vec<String> {
    let mut c: Vec<String> = i.cases.iter().map(|c| c.condition.clone()).collect();
    c.sort();
    c
}

#[test]
fn designated_initializer_becomes_cells() {
    let (prog, _) = load("cells", MAP);
    let f = prog.files[0].functions.iter().find(|l| l.info.name == "lookup").and_then(|l| l.ir.as_ref().ok()).expect("lowers");
    let init = f.globals.get("m").expect("m's initializer is kept");
    let cells: Vec<String> = init.cells.iter().map(|c| format!("{}+{} {:?} {:?}", c.off, c.size, c.value, c.members)).collect();
    // type and max as given, slots the address of the array, used (not
    // named) zero as C says.
    expect![[r#"
        0+4 Int(2) [("map", "type")]
        4+4 Int(8) [("map", "max")]
        16+8 Addr { global: "slots", off: 0 } [("map", "slots")]
        8+4 Int(0) [("map", "used")]"#]]
    .assert_eq(&cells.join("\n"));
}

#[test]
fn unwritten_fields_are_constants() {
    let (prog, _) = load("const", MAP);
    let i = interface(&prog, "lookup");
    // type is 2 for good: no `type != 2` case; max is 8.
    assert_eq!(conditions(&i), vec!["k < 8".to_string(), "k >= 8".to_string()]);
    assert!(i.notes.iter().any(|n| n.contains("m starts from its initializer") && n.contains("3 of 4")), "{:?}", i.notes);
}

#[test]
fn written_fields_stay_unknown() {
    // `reset` clears the whole map: nothing of the initializer holds.
    let src = format!("{MAP}\nvoid *memset(void *, int, unsigned long);\nvoid reset(void) {{ memset(&m, 0, sizeof m); }}\n");
    let (prog, _) = load("written", &src);
    let i = interface(&prog, "lookup");
    let conds = conditions(&i);
    assert_eq!(conds.len(), 3, "{conds:?}");
    assert!(conds.iter().any(|c| c.contains("m.type")), "{conds:?}");
    assert!(!i.notes.iter().any(|n| n.contains("initializer")), "{:?}", i.notes);
}

#[test]
fn string_literals_have_their_bytes() {
    // "ab\x41" is a, b, 'A', NUL: the test on names[0][2] is decided; so
    // is the one on a literal in the body. Unknown bytes would give each
    // function two cases.
    let src = r#"
static const char *const names[3] = { "ab\x41", "c\n", "" };
int first(void)
{
    const char *p = names[0];
    if (p[2] == 'A')
        return 1;
    return 0;
}
int lit(void)
{
    const char *q = "x" "yz";
    if (q[1] == 'y')
        return 2;
    return 3;
}
"#;
    let (prog, _) = load("strings", src);
    for f in ["first", "lit"] {
        let i = interface(&prog, f);
        assert_eq!(i.cases.len(), 1, "{f}: {:?}", conditions(&i));
    }
    // The literal's cells include the terminating NUL.
    let f = prog.files[0].functions.iter().find(|l| l.info.name == "first").and_then(|l| l.ir.as_ref().ok()).expect("lowers");
    let s = f.globals.iter().find(|(k, _)| k.starts_with("\"string@") && k.contains(":2:")).map(|(_, g)| g).expect("the first literal");
    let bytes: Vec<String> = s.cells.iter().map(|c| format!("{:?}", c.value)).collect();
    assert_eq!(bytes, ["Int(97)", "Int(98)", "Int(65)", "Int(0)"]);
}

#[test]
fn byte_arrays_initialized_by_a_string() {
    // `digits` holds '0'..'3' and the NUL (size from the literal);
    // `two` has room for 2 bytes: no NUL (C11 6.7.9 §14). With the bytes
    // known, each test on them is decided: one case per function.
    let src = r#"
static const char digits[] = "0123";
static const char two[2] = "ab";
int third(void)
{
    if (digits[3] == '3' && digits[4] == 0)
        return 1;
    return 0;
}
int second(void)
{
    if (two[1] == 'b')
        return 1;
    return 0;
}
"#;
    let (prog, _) = load("bytes", src);
    for f in ["third", "second"] {
        let i = interface(&prog, f);
        assert_eq!(i.cases.len(), 1, "{f}: {:?}", conditions(&i));
    }
    let cells = |fname: &str, g: &str| -> Vec<String> {
        let f = prog.files[0].functions.iter().find(|l| l.info.name == fname).and_then(|l| l.ir.as_ref().ok()).expect("lowers");
        f.globals.get(g).expect("initializer kept").cells.iter().map(|c| format!("{}:{:?}", c.off, c.value)).collect()
    };
    assert_eq!(cells("third", "digits"), ["0:Int(48)", "1:Int(49)", "2:Int(50)", "3:Int(51)", "4:Int(0)"]);
    assert_eq!(cells("second", "two"), ["0:Int(97)", "1:Int(98)"]);
}
