//! Pairs of C functions that must lower to the same IR.
//!
//! - Comments are named children in tree-sitter's tree wherever they
//!   appear; lowering must skip them. `else /* done */ break;` once lowered
//!   as an empty else (the kernel's `sort_r` then never left its loop), and
//!   `return /* x */ v;` as a `return;`.
//! - `(typeof(len))(x)` parses as a call of `typeof(len)`; it is a cast to
//!   the type of `len`, as `(typeof(len))1` is (both once lowered as calls
//!   through an unknown pointer or casts to a pointer).

use perfi_engine::analysis::Program;
use perfi_engine::ir::Function;

const PLAIN: &str = r#"
unsigned long heap_walk(unsigned long num, unsigned long size)
{
	unsigned long n = num * size, a = (num / 2) * size, x = 0;
	for (;;) {
		if (a)
			a -= size;
		else if (n -= size)
			x++;
		else
			break;
	}
	return x;
}
int pick(int v, int w)
{
	if (v > w)
		return (v - w);
	else
		return w;
}
"#;

const COMMENTED: &str = r#"
unsigned long heap_walk(unsigned long num, unsigned long size)
{
	unsigned long n = num * size, a = (num / 2) * size, x = 0;
	for (;;) {
		if (a) /* building */
			a -= size;
		else if (n -= size) // sorting
			x++;
		else /* complete */
			break;
	}
	return /* how many */ x;
}
int pick(int v, int w)
{
	if (v > w)
		return ( /* positive */ v - w);
	else // not greater
		return /* the other */ w;
}
"#;

/// The IR without spans: instruction kinds and terminators per block.
fn shape(f: &Function) -> String {
    f.blocks.iter().enumerate().map(|(i, b)| format!("bb{i}: {:?} -> {:?}\n", b.insts.iter().map(|i| &i.kind).collect::<Vec<_>>(), b.term)).collect()
}

fn lowered(src: &str) -> Vec<(String, String)> {
    // Tests run in parallel threads of one process: one folder per call.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("perfi-lowering-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("walk.c");
    std::fs::write(&path, src).expect("write");
    let prog = Program::load(&[path]).expect("loads");
    let mut out = Vec::new();
    for fa in &prog.files {
        for l in &fa.functions {
            let ir = l.ir.as_ref().unwrap_or_else(|e| panic!("{} not lowered: {e}", l.info.name));
            out.push((l.info.name.clone(), shape(ir)));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    out
}

const TYPEOF_PLAIN: &str = r#"
typedef unsigned long uptr;
unsigned sum_pairs(const void *buf, unsigned long len)
{
	const void *end = (void *)((uptr)buf + (unsigned long)((len) & (~((unsigned long)1))));
	unsigned sum = 0;
	for (; buf != end; buf = (void *)((uptr)buf + 2))
		sum += *(const unsigned short *)buf;
	return sum;
}
"#;

const TYPEOF_CAST: &str = r#"
typedef unsigned long uptr;
unsigned sum_pairs(const void *buf, unsigned long len)
{
	const void *end = (void *)((uptr)buf + (typeof(len))((len) & (~((__typeof__(len))1))));
	unsigned sum = 0;
	for (; buf != end; buf = (void *)((uptr)buf + 2))
		sum += *(const unsigned short *)buf;
	return sum;
}
"#;

fn same_ir(a: &str, b: &str, count: usize) {
    let one = lowered(a);
    let two = lowered(b);
    assert_eq!(one.len(), count);
    assert_eq!(two.len(), count);
    for ((n1, a), (n2, b)) in one.iter().zip(two.iter()) {
        assert_eq!(n1, n2);
        assert_eq!(a, b, "`{n1}` lowers differently");
    }
}

#[test]
fn typeof_casts_are_casts() {
    same_ir(TYPEOF_PLAIN, TYPEOF_CAST, 1);
}

#[test]
fn comments_between_tokens_do_not_change_the_ir() {
    let plain = lowered(PLAIN);
    let commented = lowered(COMMENTED);
    assert_eq!(plain.len(), 2);
    for ((n1, a), (n2, b)) in plain.iter().zip(commented.iter()) {
        assert_eq!(n1, n2);
        assert_eq!(a, b, "`{n1}` lowers differently with comments");
    }
    // The break is a jump out of the loop: some block returns after it.
    assert!(plain[0].1.contains("Return(Some(Local("), "{}", plain[0].1);
}
