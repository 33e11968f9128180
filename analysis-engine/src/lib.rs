//! Perfi's analysis engine: C front end, layouts, IR, symbolic execution,
//! cost and cache models, performance interfaces. Knows nothing of LSP.

pub mod analysis;
pub mod annotations;
pub mod cancel;
pub mod cliffs;
pub mod solver;
pub mod term;
pub mod config;
pub mod contracts;
pub mod cost;
pub mod cost_table;
pub mod distribute;
pub mod forward;
pub mod frame;
pub mod poly;
pub mod regress;
pub mod exec;
pub mod frontend;
pub mod footprint;
pub mod globals;
pub mod hotfields;
pub mod interface;
pub mod interp;
pub mod ir;
pub mod loops;
pub mod machine;
pub mod output;
pub mod lower;
pub mod lazy;

// The front end's modules keep their short paths (`crate::syntax`, ...).
pub use frontend::{env, index, initializers, layout, sanitize, source, syntax, types, workspace};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}: tree-sitter could not parse the file")]
    Parse(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}
