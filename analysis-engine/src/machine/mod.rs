//! Costs from the machine code (issue 14, item 1; docs/machine-code.md).
//!
//! Stages, one file each:
//! - `compile`: what may be compiled and how (system compiler, safe flags,
//!   temp dir, empty environment, time and size bounds);
//! - `elf`: the object's function symbols and relocated debug sections
//!   (`object`);
//! - `lines`: the DWARF line table and inlined instances (`gimli`);
//! - `decode`: instructions and what each counts (`iced-x86`);
//! - `latency`: cycles per instruction class;
//! - `attribute`: machine metrics per function symbol and source line;
//! - `plan`: those metrics mapped onto a function's IR blocks, consulted
//!   by the explorer and the interpreter alike.

pub mod attribute;
pub mod compile;
pub mod decode;
pub mod elf;
pub mod latency;
pub mod lines;
pub mod plan;

pub use attribute::MachineCosts;
pub use plan::{FnPlan, How, Plan};

use crate::cost::{NEXTRA, X_CYCLES, X_MDIVS, X_MINSTR, X_MMULS};

pub const I_INSTR: usize = 0;
pub const I_READS: usize = 1;
pub const I_WRITES: usize = 2;
pub const I_BRANCHES: usize = 3;
pub const I_MULS: usize = 4;
pub const I_DIVS: usize = 5;
pub const I_CALLS: usize = 6;
pub const I_CYCLES: usize = X_CYCLES;

/// Machine metrics in `Cost::extra` order: the `METRICS`, then cycles and
/// the machine share of instructions, multiplies and divides.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics(pub [f64; NEXTRA]);

impl Metrics {
    pub fn add(&mut self, o: &Metrics) {
        for i in 0..NEXTRA {
            self.0[i] += o.0[i];
        }
    }
    pub fn add_scaled(&mut self, o: &Metrics, k: f64) {
        for i in 0..NEXTRA {
            self.0[i] += o.0[i] * k;
        }
    }
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|x| *x == 0.0)
    }
    /// Copy instructions, multiplies and divides into their machine-share
    /// slots (done once per decoded instruction).
    pub fn with_shares(mut self) -> Metrics {
        self.0[X_MINSTR] = self.0[I_INSTR];
        self.0[X_MMULS] = self.0[I_MULS];
        self.0[X_MDIVS] = self.0[I_DIVS];
        self
    }
}

/// Where a function's costs come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CostSource {
    #[default]
    Model,
    MachineCode,
}

impl CostSource {
    pub fn name(self) -> &'static str {
        match self {
            CostSource::Model => "model",
            CostSource::MachineCode => "machine-code",
        }
    }
}
