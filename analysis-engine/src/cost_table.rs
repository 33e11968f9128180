//! The cost table: metric weights per feature. Written by
//! `perfi calibrate` from valgrind measurements of gcc -O2 drivers; the
//! numbers below are the initial hand-set table (one x86-64 instruction per
//! operation, loads and stores as memory operations) until calibrated.
//!
//! Feature order: Alu, Mul, Div, DivConst, Load, Store, Move, Cast, Lea,
//! Branch, Switch, Call, Ret, CopyWord, ExternCall.
//! Metric order: instructions, memory reads, memory writes, branches,
//! multiplies, divides, calls.

use crate::cost::{CostTable, NFEAT, NMET};

pub fn table() -> CostTable {
    let weights: [[f64; NFEAT]; NMET] = [
        // instructions
        [1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 0.5, 0.5, 1.0, 1.0, 3.0, 2.0, 1.0, 2.0, 2.0],
        // memory reads
        [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0],
        // memory writes
        [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
        // branches
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        // multiplies
        [0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        // divides
        [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        // calls
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    ];
    let entry: [f64; NMET] = [2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    CostTable { weights, entry }
}
