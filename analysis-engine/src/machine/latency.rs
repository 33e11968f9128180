//! Cycles per machine instruction class: a per-class cost table in the
//! spirit of llvm-mca/uiCA, for a generic recent x86-64 core (Skylake /
//! Zen 3 class), with no scheduling model: the cycles of a block are the
//! sum of its instructions' costs.
//!
//! Sources: Agner Fog, "Instruction tables" (lists of instruction
//! latencies, throughputs and micro-operation breakdowns for Intel, AMD and
//! VIA CPUs), the Skylake and Zen 3 sections; uops.info measurements of the
//! same instructions. Each class costs its reciprocal throughput (what a
//! stream of independent instructions of the class costs per instruction),
//! except multiplies and divides, which cost their latency: their result
//! is almost always used by the next instructions (the same choice the
//! model's hardware presets make for `mul` and `div`).

/// The classes the decoder sorts instructions into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Register ALU, moves, lea, setcc, cmov, nop: 4 per cycle (p0156).
    Alu,
    /// An instruction that reads memory (load, or ALU with a memory
    /// source): 2 loads per cycle (p23).
    Load,
    /// A store (mov to memory, push): 1 per cycle (p4 on Skylake).
    Store,
    /// Read-modify-write of memory: load + ALU + store, bound by the store.
    LoadStore,
    /// Conditional or unconditional direct jump: 2 per cycle (p06), taken
    /// jumps 1 per cycle; 0.5 as a mix.
    Branch,
    /// Indirect jump (jump tables).
    IndirectBranch,
    /// call / ret pair halves: about 2 cycles each (Agner Fog: CALL near
    /// reciprocal throughput 2-3, RET 1-2).
    CallRet,
    /// Integer multiply: latency 3 (IMUL r64, r64 on Skylake and Zen 3).
    Mul,
    /// Integer divide: latency 26 for 32-bit DIV on Skylake (Zen 3: 10-14;
    /// 64-bit on Skylake 35-88); 26 as the generic figure, as
    /// `config::presets` uses.
    Div,
    /// SSE/AVX arithmetic and shuffles: 2-3 per cycle.
    Vector,
    /// String instructions (`rep movs/stos`), `cpuid`, fences and other
    /// microcoded instructions: a flat 10.
    Microcoded,
}

/// Cycles of one instruction of `class`.
pub fn cycles(class: Class) -> f64 {
    match class {
        Class::Alu => 0.25,
        Class::Load => 0.5,
        Class::Store => 1.0,
        Class::LoadStore => 1.0,
        Class::Branch => 0.5,
        Class::IndirectBranch => 2.0,
        Class::CallRet => 2.0,
        Class::Mul => 3.0,
        Class::Div => 26.0,
        Class::Vector => 0.5,
        Class::Microcoded => 10.0,
    }
}
