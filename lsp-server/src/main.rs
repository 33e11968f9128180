//! `perfi`: performance interfaces for C, on the command line and as a
//! language server.

use clap::{Parser, Subcommand};
use perfi::cli;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "perfi", version, about = "Performance interfaces for C code")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Analyze functions and print their performance interfaces.
    Analyze(cli::analyze::Args),
    /// Print struct layouts: offsets, sizes, cache lines, holes.
    Layout(cli::layout::Args),
    /// Compare every function with its version at a git revision; exit 1 on a regression.
    Check(cli::check::Args),
    /// Serve the Language Server Protocol over stdin/stdout.
    Lsp(perfi::lsp::Args),
}

use perfi::STACK;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new().stack_size(STACK).spawn(move || match cli.cmd {
        Cmd::Analyze(a) => cli::analyze::run(a),
        Cmd::Layout(a) => cli::layout::run(a),
        Cmd::Check(a) => cli::check::run(a),
        Cmd::Lsp(a) => perfi::lsp::run(a),
    });
    let result = match worker {
        Ok(h) => h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("internal error (panic); please report it"))),
        Err(e) => Err(anyhow::anyhow!("cannot start worker thread: {e}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("perfi: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
