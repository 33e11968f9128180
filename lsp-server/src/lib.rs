//! `perfi`: the command line and the language server. The binary is
//! `src/main.rs`; this library holds everything so tests and benchmarks can
//! reach the document store and the protocol client.

pub mod cli;
pub mod disk_cache;
pub mod keys;
pub mod lsp;

/// Deep syntax is handled with explicit limits, but lowering and
/// exploration recurse; engine work runs on threads with this stack.
pub const STACK: usize = 256 * 1024 * 1024;
