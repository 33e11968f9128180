//! The IR: a control-flow graph of basic blocks per function. Expressions
//! are trees without side effects (calls and assignments are hoisted into
//! instructions); every instruction and terminator carries its span.

use crate::syntax::Span;
use serde::Serialize;

pub type BlockId = usize;
pub type LocalId = usize;

/// Scalar type of an IR value. `bits` of 1 is never used: C `_Bool` is a
/// byte holding 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Ty {
    Int { bits: u16, signed: bool },
    Ptr,
    Void,
}

impl Ty {
    pub const I32: Ty = Ty::Int { bits: 32, signed: true };
    pub const U64: Ty = Ty::Int { bits: 64, signed: false };
    pub const I64: Ty = Ty::Int { bits: 64, signed: true };
    pub fn bits(&self) -> u32 {
        match self {
            Ty::Int { bits, .. } => *bits as u32,
            Ty::Ptr => 64,
            Ty::Void => 0,
        }
    }
    pub fn signed(&self) -> bool {
        matches!(self, Ty::Int { signed: true, .. })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    And,
    Or,
    Xor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    pub fn is_compare(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }
    pub fn c(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum UnOp {
    Neg,
    Not,
    /// Logical not: 1 if zero.
    LNot,
    /// Byte swap (ntohs/htonl...), width from the type.
    Bswap,
}

/// What a memory access reads or writes, for naming symbols after the code
/// (`pkt->ip.proto`) and for per-field cache reports.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Access {
    pub text: String,
    /// (struct name, field name) when the access is a field of a record.
    pub field: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Expr {
    Const { value: i128, ty: Ty },
    Local(LocalId),
    AddrLocal(LocalId),
    AddrGlobal(String),
    Load { addr: Box<Expr>, ty: Ty, size: u8, access: Box<Access> },
    Bin { op: BinOp, a: Box<Expr>, b: Box<Expr>, ty: Ty, signed: bool },
    Un { op: UnOp, a: Box<Expr>, ty: Ty },
    Cast { a: Box<Expr>, to: Ty },
    /// Pointer plus a byte offset (already scaled).
    PtrAdd { base: Box<Expr>, offset: Box<Expr> },
}

impl Expr {
    pub fn konst(value: i128, ty: Ty) -> Expr {
        Expr::Const { value, ty }
    }
    pub fn ty(&self, locals: &[Local]) -> Ty {
        match self {
            Expr::Const { ty, .. } | Expr::Load { ty, .. } | Expr::Bin { ty, .. } | Expr::Un { ty, .. } => *ty,
            Expr::Cast { to, .. } => *to,
            Expr::Local(l) => locals.get(*l).map(|l| l.ty).unwrap_or(Ty::I64),
            Expr::AddrLocal(_) | Expr::AddrGlobal(_) | Expr::PtrAdd { .. } => Ty::Ptr,
        }
    }
    pub fn as_const(&self) -> Option<i128> {
        match self {
            Expr::Const { value, .. } => Some(*value),
            _ => None,
        }
    }
    /// Every sub-expression, this one included (iteratively: expressions
    /// from real code can be deep).
    pub fn each(&self, f: &mut impl FnMut(&Expr)) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
            match e {
                Expr::Load { addr, .. } => stack.push(addr),
                Expr::Bin { a, b, .. } => {
                    stack.push(a);
                    stack.push(b);
                }
                Expr::Un { a, .. } | Expr::Cast { a, .. } => stack.push(a),
                Expr::PtrAdd { base, offset } => {
                    stack.push(base);
                    stack.push(offset);
                }
                Expr::Const { .. } | Expr::Local(_) | Expr::AddrLocal(_) | Expr::AddrGlobal(_) => {}
            }
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub enum InstKind {
    /// Register-like local gets a value.
    Set { local: LocalId, value: Expr },
    Store { addr: Expr, value: Expr, size: u8, access: Access },
    /// Aggregate copy (`a = b` on structs).
    Copy { dst: Expr, src: Expr, size: u64 },
    /// A call. `target` is set for a call through a function pointer: the
    /// pointer's value (`callee` is then the expression's text, `cmp` or
    /// `ops->lookup`, for naming its cost when the target is not known).
    Call { dst: Option<LocalId>, callee: String, args: Vec<Expr>, target: Option<Box<Expr>> },
}

#[derive(Clone, Debug, Serialize)]
pub struct Inst {
    pub kind: InstKind,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub enum Terminator {
    Goto(BlockId),
    Branch { cond: Expr, then_bb: BlockId, else_bb: BlockId },
    Switch { value: Expr, cases: Vec<(i128, BlockId)>, default: BlockId },
    Return(Option<Expr>),
    /// End of a block that cannot be reached (after `return` in the same block).
    Unreachable,
}

#[derive(Clone, Debug, Serialize)]
pub struct Block {
    pub insts: Vec<Inst>,
    pub term: Terminator,
    pub term_span: Span,
    /// Loads of this block whose value is already in a register
    /// (`forward::forwarded_loads`, computed once after lowering).
    pub fwd_loads: u32,
    /// This block's part in a loop gcc replaces by a `memset`/`memcpy`
    /// call (`distribute::library_loops`, computed once after lowering).
    pub lib: crate::distribute::LibRole,
}

#[derive(Clone, Debug, Serialize)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
    /// Bytes the local occupies when it lives in memory.
    pub size: u64,
    /// Address taken or aggregate: lives in a stack object, not a register.
    pub in_memory: bool,
    pub is_param: bool,
    /// Pointee record of a pointer or the record of an aggregate (for naming).
    pub record: Option<String>,
    pub secret: bool,
}

/// `/* @perf pcv NAME: description [max N] */` above a loop.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PcvAnnotation {
    pub name: String,
    pub description: String,
    pub max: Option<i128>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Loop {
    pub header: BlockId,
    pub blocks: Vec<BlockId>,
    pub latches: Vec<BlockId>,
    /// Edges leaving the loop: (from inside, to outside).
    pub exits: Vec<(BlockId, BlockId)>,
    pub parent: Option<usize>,
    pub depth: u32,
    pub line: u32,
    pub keyword_span: Span,
    pub annotation: Option<PcvAnnotation>,
    /// The macro this loop came from (`list_for_each_entry`), if any.
    pub from_macro: Option<String>,
}

impl Loop {
    pub fn contains(&self, b: BlockId) -> bool {
        self.blocks.binary_search(&b).is_ok()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Function {
    pub name: String,
    pub file: String,
    pub span: Span,
    pub params: Vec<LocalId>,
    pub locals: Vec<Local>,
    pub blocks: Vec<Block>,
    pub entry: BlockId,
    pub ret: Ty,
    pub loops: Vec<Loop>,
    /// Loop index by header block.
    pub loop_of_header: Vec<Option<usize>>,
    pub calls: usize,
    /// Sizes of the objects the function names, keyed as footprints label
    /// them (`global`, `local (stack)`; not pointees, which may be arrays): a
    /// footprint never counts more lines of an object than it has.
    pub obj_sizes: std::collections::BTreeMap<String, u64>,
    /// Initializers of the globals the function names, and of the globals
    /// those initializers point to.
    pub globals: std::collections::BTreeMap<String, GlobalInit>,
    /// eBPF map definitions among the globals the function names.
    pub maps: std::collections::BTreeMap<String, MapInfo>,
    /// Constants compared with in this function, with how the user wrote
    /// them: a name (`ETH_P_IP`, `bpf_htons(ETH_P_IPV6)`, an enum
    /// constant) or None for a number literal. Conditions show a value by
    /// its name when every comparison with it used that one name.
    pub const_names: Vec<(i128, Option<String>)>,
    /// What gcc's prologue and epilogue are estimated to hold
    /// (`frame::frame_info`, computed once after lowering).
    pub frame: FrameInfo,
}

/// The estimated stack frame of a function: callee-saved registers pushed
/// in the prologue (popped in the epilogue), and whether locals live in
/// memory (a stack adjustment).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FrameInfo {
    pub saved_regs: u8,
    pub stack: bool,
}

/// An eBPF map definition the function names: `map_type` is the number in
/// `enum bpf_map_type` (1 hash, 2 array, 6 per-CPU array, 9 LRU hash, 11
/// LPM trie...), 0 when not given.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct MapInfo {
    pub map_type: u32,
    pub key_size: u64,
    pub value_size: u64,
    pub max_entries: u64,
}

/// A global's initializer as constant cells (`initializers.rs`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GlobalInit {
    pub cells: Vec<crate::initializers::InitCell>,
    pub file: String,
    pub line: u32,
}

impl Function {
    /// Every expression of the function's instructions and terminators.
    pub fn each_expr(&self, f: &mut impl FnMut(&Expr)) {
        for b in &self.blocks {
            for i in &b.insts {
                match &i.kind {
                    InstKind::Set { value, .. } => value.each(f),
                    InstKind::Store { addr, value, .. } => {
                        addr.each(f);
                        value.each(f);
                    }
                    InstKind::Copy { dst, src, .. } => {
                        dst.each(f);
                        src.each(f);
                    }
                    InstKind::Call { args, target, .. } => {
                        args.iter().for_each(|a| a.each(f));
                        if let Some(t) = target {
                            t.each(f);
                        }
                    }
                }
            }
            match &b.term {
                Terminator::Branch { cond: e, .. } | Terminator::Switch { value: e, .. } | Terminator::Return(Some(e)) => e.each(f),
                _ => {}
            }
        }
    }

    /// Innermost loop containing a block.
    pub fn innermost_loop(&self, b: BlockId) -> Option<usize> {
        self.loops.iter().enumerate().filter(|(_, l)| l.contains(b)).max_by_key(|(_, l)| l.depth).map(|(i, _)| i)
    }
}
