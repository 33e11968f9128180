//! Caps that keep preprocessing bounded on any input.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// files larger than this are not read (checked on the metadata first)
    pub max_file_bytes: u64,
    /// nested `#include` depth (gcc's is 200)
    pub max_include_depth: usize,
    /// `#include`s performed in one run (stops fan-out blow-ups)
    pub max_includes: usize,
    /// tokens produced by one macro use at top level
    pub max_expansion_tokens: usize,
    /// nesting of macro uses inside macro arguments (each level is a
    /// recursive expansion; keeps the stack small)
    pub max_expansion_depth: usize,
    /// tokens of the whole output (all pieces)
    pub max_total_tokens: usize,
    /// nesting of `#if`
    pub max_if_depth: usize,
    /// nesting of parentheses and operators in an `#if` expression
    pub max_expr_depth: usize,
    /// wall time of one run; stops with a Limit diagnostic
    pub time_limit: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 << 20,
            max_include_depth: 200,
            max_includes: 20_000,
            max_expansion_tokens: 1 << 20,
            max_expansion_depth: 200,
            max_total_tokens: 4 << 20,
            max_if_depth: 4096,
            max_expr_depth: 256,
            time_limit: Duration::from_secs(20),
        }
    }
}
