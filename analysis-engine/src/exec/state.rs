//! Execution state: values, memory objects, frames, path condition, cost.

use crate::cost::{NEXTRA, NFEAT};
use crate::ir::{BlockId, Function, LocalId};
use crate::poly::Poly;
use crate::term::TermId;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

pub type ObjId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    Int(TermId),
    /// Object and byte offset (a 64-bit term).
    Ptr { obj: ObjId, off: TermId },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjKind {
    /// Pointee of a pointer parameter.
    Param,
    Global,
    /// A stack object (aggregate or address-taken local).
    Local,
    /// Reached through a pointer read from memory.
    Lazy,
    /// Made from an integer (`(void *)(long)ctx->data`).
    FromInt,
    /// Returned by an external function (map lookup).
    External,
}

#[derive(Clone, Debug)]
pub struct Cell {
    pub off: TermId,
    pub size: u8,
    pub val: Value,
}

#[derive(Clone, Debug)]
pub struct CopyRec {
    pub dst: u64,
    pub len: u64,
    pub src: ObjId,
    pub src_off: u64,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub name: String,
    /// Symbolic address of byte 0 (for pointer comparisons and NULL tests).
    pub base: TermId,
    pub kind: ObjKind,
    pub cells: Vec<Cell>,
    /// Constant byte ranges [start, end) filled with a byte (memset).
    pub fills: Vec<(u64, u64, u8)>,
    pub copies: Vec<CopyRec>,
    /// Times this object was havocked by a summarized loop.
    pub generation: u32,
    /// Cells whose value differs between merged paths: unknown when read.
    pub poison: Vec<(TermId, u8)>,
    /// Suffix for names of values read after a havoc (`@L88`).
    pub havoc_tag: String,
    pub secret: bool,
    /// For the object a summarized loop makes from a pointer it advances
    /// (`*p++`): the object the pointer pointed into when the loop began.
    /// Its lines are that object's lines (footprints name it so).
    pub origin: Option<ObjId>,
}

#[derive(Clone, Debug, Default)]
pub struct Memory {
    pub objs: Vec<Rc<Object>>,
}

impl Memory {
    pub fn get(&self, id: ObjId) -> &Object {
        &self.objs[id]
    }
    pub fn get_mut(&mut self, id: ObjId) -> &mut Object {
        Rc::make_mut(&mut self.objs[id])
    }
    pub fn add(&mut self, o: Object) -> ObjId {
        self.objs.push(Rc::new(o));
        self.objs.len() - 1
    }
}

#[derive(Clone, Debug)]
pub struct Frame {
    pub func: Arc<Function>,
    pub locals: Vec<Option<Value>>,
    pub local_obj: Vec<Option<ObjId>>,
    /// Where to continue in the caller: block, next instruction, result local.
    pub ret_to: Option<(BlockId, usize, Option<LocalId>)>,
    pub ctx: u64,
}

/// What a path's condition says, for display: conditions on inputs, and
/// how summarized loops were left.
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    Cond(TermId),
    LoopExit { line: u32, func: String, how: String },
    LoopSkipped { line: u32, func: String },
}

/// Cost of a path so far: features (to be weighted by the cost table),
/// extra metric terms from contracts, and cache lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Cost {
    pub feat: Vec<Poly>,
    pub extra: Vec<Poly>,
    /// Lines touched by summarized loops (scaled by their PCVs).
    pub loop_lines: Poly,
    /// The same per object: (lines, extra lines when the object is not
    /// line-aligned: one per strided stream).
    pub loop_objs: BTreeMap<String, (Poly, f64)>,
    /// Lines of objects that loops index at bounded offsets (`tbl[h & 63]`,
    /// a global table at an index from a call): at most the lines the
    /// offsets can reach, however many iterations run. Not scaled by
    /// enclosing loops; loops that index the same object share them (max).
    pub caps: BTreeMap<String, f64>,
}

impl Default for Cost {
    fn default() -> Self {
        Cost { feat: vec![Poly::default(); NFEAT], extra: vec![Poly::default(); NEXTRA], loop_lines: Poly::default(), loop_objs: BTreeMap::new(), caps: BTreeMap::new() }
    }
}

impl Cost {
    pub fn add(&mut self, o: &Cost) {
        for i in 0..NFEAT {
            self.feat[i].add(&o.feat[i]);
        }
        for i in 0..NEXTRA {
            self.extra[i].add(&o.extra[i]);
        }
        self.loop_lines.add(&o.loop_lines);
        for (k, (p, x)) in &o.loop_objs {
            let e = self.loop_objs.entry(k.clone()).or_default();
            e.0.add(p);
            e.1 += x;
        }
        for (k, c) in &o.caps {
            let e = self.caps.entry(k.clone()).or_insert(0.0);
            *e = e.max(*c);
        }
    }
    pub fn add_counts(&mut self, c: &crate::cost::Counts) {
        for i in 0..NFEAT {
            if c.0[i] != 0.0 {
                self.feat[i].c += c.0[i];
            }
        }
    }
    /// Add machine-code metrics (constants) to the extra slots.
    pub fn add_machine(&mut self, m: &crate::machine::Metrics) {
        for i in 0..NEXTRA {
            if m.0[i] != 0.0 {
                self.extra[i].c += m.0[i];
            }
        }
    }
    pub fn map(&self, f: &dyn Fn(&Poly) -> Poly) -> Cost {
        Cost { feat: self.feat.iter().map(f).collect(), extra: self.extra.iter().map(f).collect(), loop_lines: f(&self.loop_lines), loop_objs: self.loop_objs.iter().map(|(k, (p, x))| (k.clone(), (f(p), *x))).collect(), caps: self.caps.clone() }
    }
    pub fn fingerprint(&self) -> u64 {
        let mut h = super::merge::shape_hash(self);
        for p in self.feat.iter().chain(self.extra.iter()) {
            h = super::mix(h, p.c.to_bits());
        }
        h
    }
}

/// A line of an object touched by a path: constant line index, or a
/// symbolic offset term (one line each).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineKey {
    Const(i64),
    Sym(TermId),
}

#[derive(Clone, Debug)]
pub struct State {
    pub frames: Vec<Frame>,
    pub block: BlockId,
    pub inst: usize,
    pub prev: Option<BlockId>,
    pub pc: Vec<TermId>,
    pub display: Vec<Atom>,
    pub cost: Cost,
    pub mem: Memory,
    /// Path signatures (several once paths were merged).
    pub sig: Vec<u64>,
    pub lines: BTreeSet<(ObjId, LineKey)>,
    /// Byte spans and fields accessed (cache projections).
    pub obs: super::observe::PathObs,
    pub finished: bool,
    pub ret: Option<Value>,
    /// Set when the path hit something the analysis does not follow.
    pub incomplete: Option<String>,
    /// Objects stored to (for loop summaries: what a loop writes).
    pub written: std::collections::BTreeSet<ObjId>,
    /// Block of the last `return` executed (identifies loop exits by return).
    pub last_return: Option<BlockId>,
}

impl State {
    pub fn mix_sig(&mut self, tok: u64) {
        for s in self.sig.iter_mut() {
            *s = super::mix(*s, tok);
        }
    }
    pub fn frame(&self) -> &Frame {
        &self.frames[self.frames.len() - 1]
    }
    pub fn frame_mut(&mut self) -> &mut Frame {
        let n = self.frames.len() - 1;
        &mut self.frames[n]
    }
}
