//! Configuration: `perfi.toml` (all keys optional), hardware presets and
//! analysis budgets.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Hardware {
    pub name: String,
    /// Cycles per instruction for plain work.
    pub cpi: f64,
    pub mul: f64,
    pub div: f64,
    pub l1: f64,
    pub l2: f64,
    pub llc: f64,
    pub dram: f64,
    pub line: u64,
    pub l1_size: u64,
    pub l2_size: u64,
    pub llc_size: u64,
}

/// Presets. Figures are typical published latencies for each class of
/// core (e.g. Intel's optimization manual and Agner Fog's instruction
/// tables for mul/div; 7-cpu.com style cache latency measurements).
pub fn presets() -> Vec<Hardware> {
    vec![
        Hardware { name: "generic-x86-64".into(), cpi: 0.5, mul: 3.0, div: 26.0, l1: 4.0, l2: 14.0, llc: 42.0, dram: 200.0, line: 64, l1_size: 32 << 10, l2_size: 1 << 20, llc_size: 16 << 20 },
        Hardware { name: "skylake-server".into(), cpi: 0.4, mul: 3.0, div: 26.0, l1: 4.0, l2: 14.0, llc: 50.0, dram: 220.0, line: 64, l1_size: 32 << 10, l2_size: 1 << 20, llc_size: 38 << 20 },
        Hardware { name: "icelake-server".into(), cpi: 0.35, mul: 3.0, div: 15.0, l1: 5.0, l2: 14.0, llc: 60.0, dram: 230.0, line: 64, l1_size: 48 << 10, l2_size: 5 << 19, llc_size: 54 << 20 },
        Hardware { name: "zen3".into(), cpi: 0.35, mul: 3.0, div: 14.0, l1: 4.0, l2: 12.0, llc: 46.0, dram: 190.0, line: 64, l1_size: 32 << 10, l2_size: 512 << 10, llc_size: 32 << 20 },
    ]
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Budgets {
    /// Complete paths explored per function.
    pub paths: usize,
    /// Total solver time per function.
    pub solver_ms: u64,
    /// Wall time per function.
    pub wall_ms: u64,
    /// Timeout of one solver query.
    pub query_ms: u32,
}

impl Budgets {
    /// While typing: answer fast, partial if need be.
    pub fn interactive() -> Budgets {
        Budgets { paths: 2048, solver_ms: 300, wall_ms: 500, query_ms: 50 }
    }
    /// Command line and CI.
    pub fn batch() -> Budgets {
        Budgets { paths: 20000, solver_ms: 10_000, wall_ms: 20_000, query_ms: 100 }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Contract {
    #[serde(default)]
    pub args: Vec<String>,
    pub instructions: Option<String>,
    pub memory_reads: Option<String>,
    pub memory_writes: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PcvConfig {
    pub name: Option<String>,
    pub description: Option<String>,
    pub max: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SecretConfig {
    #[serde(default)]
    pub params: Vec<String>,
    #[serde(default)]
    pub fields: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct BudgetOverrides {
    paths: Option<usize>,
    solver_ms: Option<u64>,
    wall_ms: Option<u64>,
}

/// The file as written by users.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    resolution: Option<f64>,
    hardware: Option<String>,
    #[serde(default, rename = "hardware-models")]
    _unused: Option<toml::Value>,
    #[serde(default)]
    budgets: Option<BudgetOverrides>,
    #[serde(default)]
    secret: Option<SecretConfig>,
    #[serde(default)]
    contracts: BTreeMap<String, Contract>,
    #[serde(default)]
    pcv: BTreeMap<String, PcvConfig>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Config {
    pub resolution: f64,
    pub hardware: Hardware,
    pub budgets: Budgets,
    pub secret: SecretConfig,
    pub contracts: BTreeMap<String, Contract>,
    /// Keyed by "file.c:LINE" (file name, not path).
    pub pcv: BTreeMap<String, PcvConfig>,
    /// Where the configuration came from, for messages.
    pub source: Option<PathBuf>,
    /// Machine-code costs of the analyzed file (`machine/`), when compiled:
    /// functions found in it are costed from their machine code, the others
    /// by the model.
    #[serde(skip)]
    pub machine: Option<std::sync::Arc<crate::machine::MachineCosts>>,
    /// Why the analyzed file has no machine-code costs (refused command,
    /// no compiler, compile error), shown with `cost_source: model`.
    #[serde(skip)]
    pub machine_note: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            resolution: 10.0,
            hardware: presets().remove(0),
            budgets: Budgets::batch(),
            secret: SecretConfig::default(),
            contracts: BTreeMap::new(),
            pcv: BTreeMap::new(),
            source: None,
            machine: None,
            machine_note: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {msg}")]
    Invalid { path: String, msg: String },
    #[error("unknown hardware model `{0}` (known: {1})")]
    UnknownHardware(String, String),
}

impl Config {
    /// Find `perfi.toml` walking up from `start` (a file or folder).
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let mut dir = if start.is_dir() { Some(start.to_path_buf()) } else { start.parent().map(|p| p.to_path_buf()) };
        while let Some(d) = dir {
            let c = d.join("perfi.toml");
            if c.is_file() {
                return Some(c);
            }
            dir = d.parent().map(|p| p.to_path_buf());
        }
        None
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Invalid { path: path.display().to_string(), msg: e.to_string() })?;
        let mut c = Config::from_toml(&text).map_err(|msg| ConfigError::Invalid { path: path.display().to_string(), msg })?;
        c.source = Some(path.to_path_buf());
        Ok(c)
    }

    pub fn from_toml(text: &str) -> Result<Config, String> {
        let raw: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let mut cfg = Config::default();
        let mut custom: Vec<Hardware> = Vec::new();
        // [hardware.NAME] tables and `hardware = "NAME"` share a key.
        let mut hw_name: Option<String> = None;
        let mut rest = toml::Table::new();
        for (k, v) in raw {
            if k == "hardware" {
                match v {
                    toml::Value::String(s) => hw_name = Some(s),
                    toml::Value::Table(t) => {
                        for (name, spec) in t {
                            let base = presets().remove(0);
                            let mut h: toml::Table = toml::Value::try_from(&base).map_err(|e| e.to_string())?.as_table().cloned().unwrap_or_default();
                            if let toml::Value::Table(st) = spec {
                                for (sk, sv) in st {
                                    if !h.contains_key(&sk) {
                                        return Err(format!("[hardware.{name}]: unknown key `{sk}`"));
                                    }
                                    let sv = match sv {
                                        toml::Value::Integer(i) if sk != "line" && !sk.ends_with("_size") => toml::Value::Float(i as f64),
                                        other => other,
                                    };
                                    h.insert(sk, sv);
                                }
                            }
                            h.insert("name".into(), toml::Value::String(name.clone()));
                            let hw: Hardware = toml::Value::Table(h).try_into().map_err(|e: toml::de::Error| format!("[hardware.{name}]: {e}"))?;
                            custom.push(hw);
                        }
                    }
                    _ => return Err("`hardware` must be a name or a table".into()),
                }
            } else {
                rest.insert(k, v);
            }
        }
        let fc: FileConfig = toml::Value::Table(rest).try_into().map_err(|e: toml::de::Error| e.to_string())?;
        if let Some(r) = fc.resolution {
            if !(r > 0.0 && r.is_finite()) {
                return Err(format!("resolution must be positive, got {r}"));
            }
            cfg.resolution = r;
        }
        let name = hw_name.or_else(|| if custom.len() == 1 { Some(custom[0].name.clone()) } else { None });
        if let Some(n) = name {
            cfg.hardware = custom.iter().chain(presets().iter()).find(|h| h.name == n).cloned().ok_or_else(|| {
                let known: Vec<String> = custom.iter().chain(presets().iter()).map(|h| h.name.clone()).collect();
                format!("unknown hardware model `{n}` (known: {})", known.join(", "))
            })?;
        }
        if let Some(b) = fc.budgets {
            if let Some(p) = b.paths {
                cfg.budgets.paths = p;
            }
            if let Some(s) = b.solver_ms {
                cfg.budgets.solver_ms = s;
            }
            if let Some(w) = b.wall_ms {
                cfg.budgets.wall_ms = w;
            }
        }
        cfg.secret = fc.secret.unwrap_or_default();
        cfg.contracts = fc.contracts;
        cfg.pcv = fc.pcv;
        Ok(cfg)
    }

    pub fn set_hardware(&mut self, name: &str) -> Result<(), ConfigError> {
        match presets().into_iter().find(|h| h.name == name) {
            Some(h) => {
                self.hardware = h;
                Ok(())
            }
            None if self.hardware.name == name => Ok(()),
            None => Err(ConfigError::UnknownHardware(name.into(), presets().iter().map(|h| h.name.clone()).collect::<Vec<_>>().join(", "))),
        }
    }

    /// A stable fingerprint for caches keyed by configuration.
    pub fn fingerprint(&self) -> u64 {
        crate::syntax::fnv1a(serde_json::to_string(self).unwrap_or_default().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_the_documented_example() {
        let c = Config::from_toml(
            r#"
resolution = 10
[hardware.my-box]
cpi = 0.5
mul = 3
div = 26
l1 = 4
l2 = 14
llc = 42
dram = 200
line = 64
l1_size = 49152
l2_size = 2097152
llc_size = 33554432
[budgets]
paths = 4096
solver_ms = 200
wall_ms = 2000
[secret]
params = ["key", "RoundKey"]
fields = ["aes_ctx.round_key"]
[contracts.memcpy]
args = ["dst", "src", "n"]
instructions = "6 + n/16"
[pcv]
"nat.c:88" = { name = "t", description = "bucket traversals", max = 16 }
"#,
        )
        .unwrap();
        assert_eq!(c.hardware.name, "my-box");
        assert_eq!(c.hardware.l1_size, 49152);
        assert_eq!(c.budgets.paths, 4096);
        assert_eq!(c.secret.params.len(), 2);
        assert_eq!(c.pcv["nat.c:88"].max, Some(16));
        assert_eq!(Config::from_toml("hardware = \"zen3\"").unwrap().hardware.name, "zen3");
        assert!(Config::from_toml("resolution = -1").is_err());
        assert!(Config::from_toml("bogus = 1").is_err());
        assert!(Config::from_toml("hardware = \"nope\"").unwrap_err().contains("unknown hardware"));
    }
}
