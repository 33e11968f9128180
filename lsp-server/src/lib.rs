//! `perfi`: the command line and the language server. The binary is
//! `src/main.rs`; this library holds everything so tests and benchmarks can
//! reach the document store and the protocol client.

pub mod cli;
pub mod keys;
pub mod lsp;
