//! Decoding and classifying machine instructions (`iced-x86`): per
//! instruction, the metrics it counts (one instruction; its memory reads
//! and writes as iced reports the memory it uses, stack accesses of push,
//! pop, call and ret included; conditional/indirect branches, calls and
//! returns; multiplies; divides) and its cycles (`latency.rs`).
//!
//! Memory operations are counted per used memory operand: a read-modify-
//! write operand (`add [m], r`) counts one read and one write.

use super::latency::{cycles, Class};
use super::Metrics;
use iced_x86::{Decoder, DecoderOptions, FlowControl, Instruction, InstructionInfoFactory, Mnemonic, OpAccess};

/// One decoded instruction: address, length and metrics.
#[derive(Clone, Debug)]
pub struct Insn {
    pub addr: u64,
    pub len: u32,
    pub text: Mnemonic,
    pub m: Metrics,
    /// Target of a direct jump (conditional or not; not calls).
    pub jump: Option<u64>,
    /// Bytes of a memory operand of 16 bytes or more (a packed vector
    /// load or store: `movups`, `movdqu`, `vmovdqu`), else 0. A loop
    /// holding one is taken for a vectorized loop (`attribute.rs`).
    pub vector_mem: u32,
}

/// Decode `bytes` (the code of one function at `addr`). Bytes that do not
/// decode are skipped one instruction at a time (iced reports them as
/// `INVALID` with a length).
pub fn decode(bytes: &[u8], addr: u64) -> Vec<Insn> {
    let mut decoder = Decoder::with_ip(64, bytes, addr, DecoderOptions::NONE);
    let mut info = InstructionInfoFactory::new();
    let mut out = Vec::new();
    let mut ins = Instruction::default();
    while decoder.can_decode() {
        decoder.decode_out(&mut ins);
        if ins.is_invalid() {
            continue;
        }
        let jump = matches!(ins.flow_control(), FlowControl::ConditionalBranch | FlowControl::UnconditionalBranch).then(|| ins.near_branch_target()).filter(|t| *t != 0);
        let size = if ins.op_count() > 0 && (0..ins.op_count()).any(|i| ins.op_kind(i) == iced_x86::OpKind::Memory) { ins.memory_size().size() as u32 } else { 0 };
        let vector_mem = if size >= 16 { size } else { 0 };
        out.push(Insn { addr: ins.ip(), len: ins.len() as u32, text: ins.mnemonic(), m: classify(&ins, &mut info), jump, vector_mem });
    }
    out
}

/// The metrics of one instruction.
pub fn classify(ins: &Instruction, info: &mut InstructionInfoFactory) -> Metrics {
    let mut m = Metrics::default();
    m.0[super::I_INSTR] = 1.0;
    let (mut reads, mut writes) = (0.0, 0.0);
    for u in info.info(ins).used_memory() {
        match u.access() {
            OpAccess::Read | OpAccess::CondRead => reads += 1.0,
            OpAccess::Write | OpAccess::CondWrite => writes += 1.0,
            OpAccess::ReadWrite | OpAccess::ReadCondWrite => {
                reads += 1.0;
                writes += 1.0;
            }
            OpAccess::None | OpAccess::NoMemAccess => {}
        }
    }
    m.0[super::I_READS] = reads;
    m.0[super::I_WRITES] = writes;
    let flow = ins.flow_control();
    let mnem = ins.mnemonic();
    let mul = matches!(mnem, Mnemonic::Imul | Mnemonic::Mul | Mnemonic::Mulx);
    let div = matches!(mnem, Mnemonic::Div | Mnemonic::Idiv);
    match flow {
        FlowControl::ConditionalBranch | FlowControl::IndirectBranch | FlowControl::Return => m.0[super::I_BRANCHES] = 1.0,
        FlowControl::Call | FlowControl::IndirectCall => {
            m.0[super::I_BRANCHES] = 1.0;
            m.0[super::I_CALLS] = 1.0;
        }
        _ => {}
    }
    if mul {
        m.0[super::I_MULS] = 1.0;
    }
    if div {
        m.0[super::I_DIVS] = 1.0;
    }
    let vector = (0..ins.op_count()).any(|i| ins.op_register(i).is_vector_register());
    let class = if div {
        Class::Div
    } else if mul {
        Class::Mul
    } else if ins.is_string_instruction() || matches!(mnem, Mnemonic::Cpuid | Mnemonic::Mfence | Mnemonic::Lfence | Mnemonic::Sfence | Mnemonic::Pause) {
        Class::Microcoded
    } else {
        match flow {
            FlowControl::Call | FlowControl::IndirectCall | FlowControl::Return => Class::CallRet,
            FlowControl::IndirectBranch => Class::IndirectBranch,
            FlowControl::ConditionalBranch | FlowControl::UnconditionalBranch => Class::Branch,
            _ if reads > 0.0 && writes > 0.0 => Class::LoadStore,
            _ if writes > 0.0 => Class::Store,
            _ if reads > 0.0 => Class::Load,
            _ if vector => Class::Vector,
            _ => Class::Alu,
        }
    };
    m.0[super::I_CYCLES] = cycles(class);
    m.with_shares()
}
