//! The C front end, in pipeline order: preprocess → sanitize and parse
//! (tree-sitter) → index → types and layouts.
//!
//! | stage | file |
//! |---|---|
//! | compile flags, include search, translation units | `workspace.rs` |
//! | kernel spellings tree-sitter cannot parse | `sanitize.rs` |
//! | tree-sitter parsing, spans | `syntax.rs`, `source.rs` |
//! | per-file index (functions, records, globals, includes) | `index.rs` |
//! | types, type environment, constant expressions | `types.rs`, `env.rs` |
//! | initializers of globals | `initializers.rs` |
//! | x86-64 SysV layouts | `layout.rs` |

pub mod env;
pub mod index;
pub mod initializers;
pub mod layout;
pub mod sanitize;
pub mod source;
pub mod syntax;
pub mod types;
pub mod preprocess;
pub mod workspace;
