use perfi_engine::analysis::{analyze_function, Program};
use perfi_engine::cancel::CancelToken;
use perfi_engine::config::{Budgets, Config};
use perfi_engine::cost::default_table;
use perfi_engine::interp::{check_run, Interp};
use std::path::PathBuf;
use std::sync::Arc;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let prog = Program::load(&[PathBuf::from(&args[1])]).unwrap();
    let fa = &prog.files[0];
    let funcs = prog.table_for(&fa.path);
    let l = fa.functions.iter().find(|l| l.info.name == args[2]).unwrap();
    let f = Arc::new(l.ir.clone().unwrap());
    let iface = analyze_function(&f, &l.info, &funcs, &Config::default(), Budgets::batch(), 1.0, &CancelToken::new());
    let table = default_table();
    for seed in 0..2000u64 {
        let mut it = Interp::new(&funcs, seed * 7919 + 1);
        if let Ok(run) = it.run_random(&f) {
            if let Err(e) = check_run(&iface, &run, &table) {
                println!("seed {seed}: {e}");
                let d = iface.details.as_ref().unwrap();
                for (ctx, h, sig, c) in &run.iterations {
                    let m = table.metrics(c);
                    let v = d.iter_classes.get(&(*ctx, *h, *sig)).map(|v| v.iter().map(|x| d.vars.name(*x)).collect::<Vec<_>>().join("|")).unwrap_or("?".into());
                    println!("  iter ctx {ctx:x} header {h} -> {v}: instr {}", m[0]);
                }
                println!(" trips {:?}", run.trips);
                break;
            }
        }
    }
}
