//! Developer probe (ignored): prints the interfaces of every function of
//! the C file named by PERFI_PROBE.
use perfi_engine::analysis::{analyze_function, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use std::sync::Arc;

#[test]
#[ignore]
fn probe() {
    let Ok(p) = std::env::var("PERFI_PROBE") else { return };
    let p = std::path::PathBuf::from(p);
    let prog = Program::load(std::slice::from_ref(&p)).expect("loads");
    for fa in &prog.files {
        let funcs = prog.table_for(&fa.path);
        for l in &fa.functions {
            match &l.ir {
                Err(e) => println!("{}: {e}", l.info.name),
                Ok(ir) => {
                    if std::env::var("PERFI_PROBE_IR").is_ok_and(|f| f == l.info.name) {
                        println!("{:#?}", ir.blocks);
                    }
                    let budgets = Budgets { paths: 4000, solver_ms: 20_000, wall_ms: 20_000, query_ms: 2000 };
                    let iface = analyze_function(&Arc::new(ir.clone()), &l.info, &funcs, &Config::default(), budgets, 1.0, &CancelToken::new());
                    println!("{}", perfi_engine::output::text("", &iface, 1.0));
                }
            }
        }
    }
}
