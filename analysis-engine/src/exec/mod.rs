//! Symbolic execution over the IR (KLEE-style pieces):
//! - `state.rs`: values, lazily initialized memory, frames, path state;
//! - `explore.rs`: the executor and its depth-first searcher;
//! - `summarize.rs`: loops as PCVs (trip counts, per-class iterations);
//! - `vars.rs`: the registry of PCVs and other formula variables;
//! - `render.rs`: terms as C-like text.
//! The solver sits behind `crate::solver`.

pub mod dnf;
pub mod explore;
pub mod merge;
pub mod observe;
pub mod render;
pub mod state;
pub mod static_init;
pub mod summarize;
pub mod vars;

/// Stable 64-bit mixing for path signatures.
pub fn mix(h: u64, x: u64) -> u64 {
    let mut z = h ^ x.wrapping_add(0x9e3779b97f4a7c15).wrapping_add(h << 6).wrapping_add(h >> 2);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

/// Decision tokens shared by the explorer and the concrete interpreter, so
/// that a concrete run can be matched to the symbolic path it followed.
pub mod token {
    use super::mix;
    pub fn branch(ctx: u64, block: usize, taken: u64) -> u64 {
        mix(mix(mix(1, ctx), block as u64), taken)
    }
    pub fn loop_zero(ctx: u64, header: usize) -> u64 {
        mix(mix(mix(2, ctx), header as u64), 0)
    }
    /// Leaving a summarized loop by the edge from `from` to `to`
    /// (`to == usize::MAX` for a return inside the loop).
    pub fn loop_exit(ctx: u64, header: usize, from: usize, to: usize) -> u64 {
        mix(mix(mix(mix(3, ctx), header as u64), from as u64), to as u64)
    }
    /// Context of an inlined call: caller context and call site.
    pub fn call_ctx(ctx: u64, func: &str, site_byte: u32) -> u64 {
        mix(mix(ctx, crate::syntax::fnv1a(func.as_bytes())), site_byte as u64)
    }
}
