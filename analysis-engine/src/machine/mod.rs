//! Costs from the machine code (issue 14, item 1).
//!
//! Only the first step exists so far: deciding what may be compiled and
//! how (`compile`). The analyzed workspace's compile command is never run
//! as given: the system compiler is, with the safe part of the flags, into
//! a temporary directory. Disassembly, DWARF line attribution and the
//! per-path costs are not implemented yet (see docs/machine-code.md).

pub mod compile;
