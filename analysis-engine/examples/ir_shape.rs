//! Print each function's IR blocks and loops (a debugging aid):
//! `cargo run -p perfi-engine --example ir_shape -- file.c`.
use perfi_engine::analysis::Program;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: ir_shape FILE.c");
        std::process::exit(2);
    };
    let prog = match Program::load(&[std::path::PathBuf::from(path)]) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for fa in &prog.files {
        for l in &fa.functions {
            println!("== {}", l.info.name);
            match &l.ir {
                Ok(f) => {
                    for (i, b) in f.blocks.iter().enumerate() {
                        println!("bb{i}:");
                        for inst in &b.insts {
                            println!("    {:?}", inst.kind);
                        }
                        println!("    -> {:?}", b.term);
                    }
                    for lp in &f.loops {
                        println!("loop header bb{} blocks {:?} latches {:?} exits {:?}", lp.header, lp.blocks, lp.latches, lp.exits);
                    }
                }
                Err(e) => println!("not lowered: {e}"),
            }
        }
    }
}
