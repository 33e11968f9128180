//! Editor settings and how they combine with `perfi.toml`.
//!
//! Settings arrive in `initializationOptions`, then, from a client that
//! supports it, by `workspace/configuration` (section `perfi`, pulled after
//! `initialized` and on every `workspace/didChangeConfiguration`); from
//! other clients in the `didChangeConfiguration` payload, either at the top
//! level or under a `perfi` key. A pulled section is the whole truth: a key
//! it leaves out (or null) goes back to its default, so unsetting a setting
//! in the editor works without a restart; pushed settings are merged. They override the `perfi.toml` found above each file (or
//! at the workspace root). The server always starts from interactive
//! budgets; `budgets` in the settings override them.

use anyhow::{Context, Result};
use perfi_engine::config::{Budgets, Config};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BaselineMode {
    /// The file at git HEAD (the text at open when not in git).
    #[default]
    Git,
    /// The text when the document was opened.
    Open,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BudgetSettings {
    pub paths: Option<usize>,
    #[serde(alias = "solver_ms")]
    pub solver_ms: Option<u64>,
    #[serde(alias = "wall_ms")]
    pub wall_ms: Option<u64>,
    #[serde(alias = "query_ms")]
    pub query_ms: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub resolution: Option<f64>,
    pub hardware: Option<String>,
    pub baseline: BaselineMode,
    pub inlay_hints: bool,
    pub budgets: BudgetSettings,
    /// Keep interfaces in the user's cache folder between sessions
    /// (`interface_cache.rs`); `perfi.diskCache: false` turns it off.
    pub disk_cache: bool,
    /// Workspace root, for a `perfi.toml` there.
    pub root: Option<PathBuf>,
    /// `auto` (default): after the last keystroke, compile the file with
    /// the system compiler in the background and refine with machine-code
    /// costs; `model`: never compile.
    pub machine_code: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { resolution: None, hardware: None, baseline: BaselineMode::Git, inlay_hints: true, budgets: BudgetSettings::default(), disk_cache: true, root: None, machine_code: true }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    resolution: Option<f64>,
    hardware: Option<String>,
    baseline: Option<BaselineMode>,
    #[serde(alias = "inlay_hints")]
    inlay_hints: Option<bool>,
    budgets: Option<BudgetSettings>,
    #[serde(alias = "disk_cache")]
    disk_cache: Option<bool>,
    cost_source: Option<String>,
}

impl Settings {
    /// Merge a settings object (`{perfi: {...}}` or `{...}`); keys that are
    /// absent keep their value. Errors name the offending key.
    pub fn merge(&mut self, value: &serde_json::Value) -> Result<()> {
        let v = value.get("perfi").unwrap_or(value);
        if v.is_null() {
            return Ok(());
        }
        let raw: Raw = serde_json::from_value(v.clone()).context("invalid perfi settings")?;
        if let Some(r) = raw.resolution {
            anyhow::ensure!(r > 0.0 && r.is_finite(), "resolution must be a positive number, got {r}");
            self.resolution = Some(r);
        }
        if let Some(c) = raw.cost_source {
            anyhow::ensure!(c == "auto" || c == "model", "costSource must be \"auto\" or \"model\", got {c:?}");
            self.machine_code = c == "auto";
        }
        if let Some(h) = raw.hardware {
            self.hardware = Some(h);
        }
        if let Some(b) = raw.baseline {
            self.baseline = b;
        }
        if let Some(i) = raw.inlay_hints {
            self.inlay_hints = i;
        }
        if let Some(b) = raw.budgets {
            self.budgets = b;
        }
        if let Some(d) = raw.disk_cache {
            self.disk_cache = d;
        }
        Ok(())
    }

    /// The settings a pulled `perfi` section gives: defaults (with this
    /// root) and the section. None when the client has no such section
    /// (null or not an object): the settings stay as they are.
    pub fn replaced(&self, section: &serde_json::Value) -> Result<Option<Settings>> {
        if !section.is_object() {
            return Ok(None);
        }
        let mut s = Settings { root: self.root.clone(), ..Settings::default() };
        s.merge(section)?;
        Ok(Some(s))
    }

    pub fn budgets(&self) -> Budgets {
        let mut b = Budgets::interactive();
        let s = &self.budgets;
        b.paths = s.paths.unwrap_or(b.paths).max(1);
        b.solver_ms = s.solver_ms.unwrap_or(b.solver_ms);
        b.wall_ms = s.wall_ms.unwrap_or(b.wall_ms);
        b.query_ms = s.query_ms.unwrap_or(b.query_ms).max(1);
        b
    }

    /// The configuration for a file: its `perfi.toml` (else the root's),
    /// then these settings. A broken `perfi.toml` or an unknown hardware
    /// name gives the defaults and a message.
    pub fn config_for(&self, file: &Path) -> (Config, Option<String>) {
        let mut warning = None;
        let found = Config::discover(file).or_else(|| self.root.as_ref().map(|r| r.join("perfi.toml")).filter(|p| p.is_file()));
        let mut cfg = match found {
            Some(p) => match Config::load(&p) {
                Ok(c) => c,
                Err(e) => {
                    warning = Some(format!("perfi.toml ignored: {e}"));
                    Config::default()
                }
            },
            None => Config::default(),
        };
        if let Some(r) = self.resolution {
            cfg.resolution = r;
        }
        if let Some(h) = &self.hardware {
            if let Err(e) = cfg.set_hardware(h) {
                warning = Some(e.to_string());
            }
        }
        cfg.budgets = self.budgets();
        (cfg, warning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_nested_and_flat() {
        let mut s = Settings::default();
        s.merge(&json!({"perfi": {"resolution": 5, "inlayHints": false, "baseline": "open"}})).unwrap();
        assert_eq!(s.resolution, Some(5.0));
        assert!(!s.inlay_hints);
        assert_eq!(s.baseline, BaselineMode::Open);
        s.merge(&json!({"hardware": "zen3", "budgets": {"wallMs": 100}})).unwrap();
        assert_eq!(s.hardware.as_deref(), Some("zen3"));
        assert_eq!(s.budgets().wall_ms, 100);
        assert!(s.merge(&json!({"resolution": -1})).is_err());
        assert!(s.merge(&json!({"baseline": "nope"})).is_err());
    }

    #[test]
    fn a_pulled_section_replaces_the_settings() {
        let mut s = Settings { root: Some(PathBuf::from("/w")), ..Settings::default() };
        s.merge(&json!({"resolution": 5, "inlayHints": false})).unwrap();
        // What VS Code answers for the section: every key, unset ones null.
        let pulled = json!({"resolution": null, "hardware": "zen3", "baseline": "git", "inlayHints": true,
                            "budgets": {"paths": null, "wallMs": 200}, "serverPath": "", "trace": {"server": "off"}});
        let r = s.replaced(&pulled).unwrap().expect("an object replaces");
        assert_eq!(r.resolution, None, "null: back to perfi.toml's value");
        assert_eq!(r.hardware.as_deref(), Some("zen3"));
        assert!(r.inlay_hints);
        assert_eq!(r.budgets().wall_ms, 200);
        assert_eq!(r.root, Some(PathBuf::from("/w")));
        assert_eq!(s.replaced(&json!(null)).unwrap(), None, "no section: unchanged");
        assert!(s.replaced(&json!({"resolution": 0})).is_err());
    }
}
