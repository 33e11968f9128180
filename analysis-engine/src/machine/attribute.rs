//! Machine metrics per function symbol and source line: every decoded
//! instruction of a function symbol goes to the (file, line) of the DWARF
//! line row covering its address; a row without a line (0) takes the line
//! of the instruction before it in the same symbol, and code before any
//! line goes to the symbol's `unlined` metrics.
//!
//! Symbols are grouped by base name: gcc's out-of-line parts of a function
//! (`f.cold`, `f.part.0`, `f.isra.0`, `f.constprop.0`) belong to `f`.

use super::elf::ObjectFile;
use super::lines::{self, DebugInfo};
use super::{decode, Metrics};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    #[error("{0}")]
    Compile(#[from] super::compile::CompileError),
    #[error("{0}")]
    Elf(#[from] super::elf::ElfError),
    #[error("{0}")]
    Dwarf(#[from] super::lines::DwarfError),
    #[error("the object has no line table (was it built with -g?)")]
    NoLines,
}

/// One function's code, by source line.
#[derive(Clone, Debug, Default)]
pub struct SymbolLines {
    /// (file index into `MachineCosts::files`, line) → metrics.
    pub lines: BTreeMap<(u32, u32), Metrics>,
    /// The part of `lines` inside a machine-code loop (an address range
    /// closed by a backward jump): what runs per iteration, as opposed to
    /// code the compiler hoisted out of (or placed before) the loop.
    pub looped: BTreeMap<(u32, u32), Metrics>,
    /// `lines` split by machine-loop depth (index 0: outside loops, 1:
    /// in one loop, 2: in a loop inside another...): a line shared by an
    /// inner loop and its enclosing loop (`for (j = 0; j < n; j++)` inside
    /// another loop: the `j = 0` runs per outer iteration) gives each IR
    /// loop depth its own code (`plan::distribute`).
    pub depths: BTreeMap<(u32, u32), Vec<Metrics>>,
    /// The part of `looped` whose innermost machine loop is vectorized (it
    /// holds a load or store of 16 bytes or more), with the widest such
    /// access in bytes: one of its iterations does the work of several
    /// source iterations.
    pub vector: BTreeMap<(u32, u32), (u32, Metrics)>,
    /// `ret` instructions per line: gcc copies the epilogue to each exit,
    /// and a call runs one copy (`plan.rs` divides the closing line by it).
    pub returns: BTreeMap<(u32, u32), u32>,
    /// Code before any line row.
    pub unlined: Metrics,
    /// Instances of inlined functions in this symbol, by name.
    pub inlined: HashMap<String, u32>,
    /// Instructions decoded.
    pub instructions: usize,
}

/// Machine metrics of one compiled file. Plain data (`Send + Sync`): built
/// off the engine thread, shared by `Arc`.
#[derive(Clone, Debug, Default)]
pub struct MachineCosts {
    /// The file compiled.
    pub source: PathBuf,
    /// The command run (system compiler and arguments).
    pub command: Vec<String>,
    pub compile_ms: f64,
    /// Canonical paths of the files the line table names.
    pub files: Vec<PathBuf>,
    pub symbols: HashMap<String, SymbolLines>,
    /// Inlined instances over the whole object, by name.
    pub inlined_total: HashMap<String, u32>,
}

/// A machine-code loop: the address range from a backward jump's target
/// to the jump (jumps back to the same target are one loop, up to the
/// last of them), and the widest vector memory access inside it (0: none).
#[derive(Clone, Debug)]
struct MachineLoop {
    start: u64,
    end: u64,
    vector_bytes: u32,
}

fn machine_loops(insns: &[decode::Insn], base: u64) -> Vec<MachineLoop> {
    let mut by_start: BTreeMap<u64, u64> = BTreeMap::new();
    for i in insns {
        if let Some(t) = i.jump.filter(|t| *t <= i.addr && *t >= base) {
            let e = by_start.entry(t).or_insert(i.addr);
            *e = (*e).max(i.addr);
        }
    }
    let mut loops: Vec<MachineLoop> = by_start.into_iter().map(|(start, end)| MachineLoop { start, end, vector_bytes: 0 }).collect();
    // A vector access belongs to its innermost loop only: the loop around
    // a vectorized loop is not vectorized itself.
    for i in insns.iter().filter(|i| i.vector_mem > 0) {
        if let Some(l) = loops.iter_mut().filter(|l| l.start <= i.addr && i.addr <= l.end).min_by_key(|l| l.end - l.start) {
            l.vector_bytes = l.vector_bytes.max(i.vector_mem);
        }
    }
    loops
}

/// A symbol's base name: `f.cold`, `f.part.0`, `f.isra.0` → `f`.
pub fn base_name(sym: &str) -> &str {
    sym.split('.').next().unwrap_or(sym)
}

impl MachineCosts {
    /// Compile `input` with the system compiler and read its machine code.
    pub fn compile(input: super::compile::Input<'_>, flags: &[String], limits: super::compile::Limits) -> Result<MachineCosts, MachineError> {
        let source = match &input {
            super::compile::Input::File(p) => p.to_path_buf(),
            super::compile::Input::Buffer { path, .. } => path.to_path_buf(),
        };
        let obj = super::compile::compile(input, flags, limits)?;
        let mut mc = MachineCosts::from_object(&obj.bytes)?;
        mc.source = source;
        mc.command = obj.command;
        mc.compile_ms = obj.ms;
        Ok(mc)
    }

    /// Read an object built with `-g`.
    pub fn from_object(bytes: &[u8]) -> Result<MachineCosts, MachineError> {
        let obj = ObjectFile::parse(bytes)?;
        let dbg: DebugInfo = lines::read(&obj)?;
        if dbg.rows.is_empty() {
            return Err(MachineError::NoLines);
        }
        let files: Vec<PathBuf> = dbg.files.iter().map(|p| lines::normalize(p)).collect();
        let mut mc = MachineCosts { files, ..Default::default() };
        let funcs = obj.functions();
        for f in &funcs {
            let entry = mc.symbols.entry(base_name(&f.name).to_string()).or_default();
            let mut last: Option<(u32, u32)> = None;
            let insns = decode::decode(&f.bytes, f.addr);
            let loops = machine_loops(&insns, f.addr);
            for ins in insns {
                // Alignment padding (`nop`, `nopw`, `nopl` between an exit
                // and a loop or branch target) is not run.
                if ins.text == iced_x86::Mnemonic::Nop {
                    continue;
                }
                let around: Vec<&MachineLoop> = loops.iter().filter(|l| l.start <= ins.addr && ins.addr <= l.end).collect();
                let in_loop = !around.is_empty();
                let depth = around.len();
                let innermost_vector = around.iter().min_by_key(|l| l.end - l.start).map(|l| l.vector_bytes).unwrap_or(0);
                entry.instructions += 1;
                let i = dbg.rows.partition_point(|r| r.addr <= ins.addr);
                let row = i.checked_sub(1).and_then(|j| dbg.rows.get(j)).filter(|r| !r.end && r.line != 0);
                let key = match row {
                    Some(r) => Some((r.file, r.line)),
                    None => last,
                };
                match key {
                    Some(k) => {
                        entry.lines.entry(k).or_default().add(&ins.m);
                        if ins.text == iced_x86::Mnemonic::Ret {
                            *entry.returns.entry(k).or_default() += 1;
                        }
                        if in_loop {
                            entry.looped.entry(k).or_default().add(&ins.m);
                        }
                        let d = entry.depths.entry(k).or_default();
                        if d.len() <= depth {
                            d.resize(depth + 1, Metrics::default());
                        }
                        d[depth].add(&ins.m);
                        if innermost_vector > 0 {
                            let v = entry.vector.entry(k).or_default();
                            v.0 = v.0.max(innermost_vector);
                            v.1.add(&ins.m);
                        }
                        last = Some(k);
                    }
                    None => entry.unlined.add(&ins.m),
                }
            }
        }
        // Inlined instances: by the out-of-line function's start address.
        for (pc, name, n) in &dbg.inlined {
            if let Some(f) = funcs.iter().find(|f| f.addr <= *pc && *pc < f.addr + f.bytes.len().max(1) as u64) {
                *mc.symbols.entry(base_name(&f.name).to_string()).or_default().inlined.entry(name.clone()).or_default() += n;
            }
            *mc.inlined_total.entry(name.clone()).or_default() += n;
        }
        Ok(mc)
    }

    /// Index of a file in `files`, by canonical path.
    pub fn file_index(&self, path: &Path) -> Option<u32> {
        let p = lines::normalize(path);
        self.files.iter().position(|f| *f == p).map(|i| i as u32)
    }

    /// A readable per-line listing of a symbol (tests, `--explain`).
    pub fn listing(&self, symbol: &str) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        let Some(s) = self.symbols.get(symbol) else { return o };
        for ((f, l), m) in &s.lines {
            let name = self.files.get(*f as usize).and_then(|p| p.file_name()).map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let _ = writeln!(o, "{name}:{l}: {}", show(m));
        }
        if !s.unlined.is_zero() {
            let _ = writeln!(o, "unlined: {}", show(&s.unlined));
        }
        o
    }
}

/// `instr R reads W writes B branches M muls D divs C calls cyc cycles`.
pub fn show(m: &Metrics) -> String {
    let v = &m.0;
    let mut parts = vec![format!("{} instr", fmt(v[super::I_INSTR]))];
    for (i, n) in [(super::I_READS, "reads"), (super::I_WRITES, "writes"), (super::I_BRANCHES, "branches"), (super::I_MULS, "muls"), (super::I_DIVS, "divs"), (super::I_CALLS, "calls")] {
        if v[i] != 0.0 {
            parts.push(format!("{} {n}", fmt(v[i])));
        }
    }
    parts.push(format!("{} cycles", fmt(v[super::I_CYCLES])));
    parts.join(", ")
}

fn fmt(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}
