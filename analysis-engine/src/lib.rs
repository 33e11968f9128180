//! Perfi's analysis engine: C front end, layouts, IR, symbolic execution,
//! cost and cache models, performance interfaces. Knows nothing of LSP.

pub mod analysis;
pub mod annotations;
pub mod contracts;
pub mod env;
pub mod index;
pub mod ir;
pub mod layout;
pub mod loops;
pub mod lower;
pub mod sanitize;
pub mod source;
pub mod syntax;
pub mod types;
pub mod workspace;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}: tree-sitter could not parse the file")]
    Parse(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}
