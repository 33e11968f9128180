//! An on-disk cache of JSON values keyed by 64-bit keys (semantic keys of
//! functions, with the configuration and Perfi's version mixed in by the
//! caller): one small file per key under `DIR/<2 hex digits>/`. Writes go
//! to a temporary file that is renamed, so a reader never sees half a
//! file and concurrent writers do not corrupt each other. The default
//! folder is the user's cache folder (`$XDG_CACHE_HOME/perfi/...` or
//! `~/.cache/perfi/...`), never the analyzed workspace.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

pub struct DiskCache {
    dir: PathBuf,
}

/// The user's cache folder for Perfi: `$XDG_CACHE_HOME/perfi` or
/// `~/.cache/perfi`; None when neither is known.
pub fn user_cache_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return Some(PathBuf::from(x).join("perfi"));
    }
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".cache").join("perfi"))
}

impl DiskCache {
    pub fn open(dir: &Path) -> Result<DiskCache> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating the cache folder {}", dir.display()))?;
        Ok(DiskCache { dir: dir.to_path_buf() })
    }

    fn path(&self, key: u64) -> PathBuf {
        let hex = format!("{key:016x}");
        self.dir.join(&hex[..2]).join(format!("{hex}.json"))
    }

    /// The value stored under `key`; None when absent or unreadable (a
    /// damaged entry is a miss, never an error).
    pub fn get(&self, key: u64) -> Option<serde_json::Value> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        // The key is stored too: a file renamed by hand is not taken.
        if v.get("key").and_then(|k| k.as_str()) != Some(format!("{key:016x}").as_str()) {
            return None;
        }
        v.get("value").cloned()
    }

    /// The file that holds `key` (for messages).
    pub fn path_of(&self, key: u64) -> PathBuf {
        self.path(key)
    }

    /// As `get`, but a file that exists and cannot be read or decoded is
    /// an error (with its path) so that callers can say so; absent is
    /// `Ok(None)`.
    pub fn get_checked(&self, key: u64) -> Result<Option<serde_json::Value>> {
        let p = self.path(key);
        let bytes = match std::fs::read(&p) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", p.display())),
        };
        let v: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| format!("{}: not JSON", p.display()))?;
        if v.get("key").and_then(|k| k.as_str()) != Some(format!("{key:016x}").as_str()) {
            anyhow::bail!("{}: stored under another key", p.display());
        }
        Ok(v.get("value").cloned())
    }

    pub fn put(&self, key: u64, value: &serde_json::Value) -> Result<()> {
        let p = self.path(key);
        let dir = p.parent().with_context(|| format!("{}: no parent folder", p.display()))?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let tmp = dir.join(format!(".{key:016x}.{}.tmp", std::process::id()));
        let text = serde_json::to_vec(&serde_json::json!({"key": format!("{key:016x}"), "value": value}))?;
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &p).with_context(|| format!("renaming {} to {}", tmp.display(), p.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_and_damaged_entries() {
        let d = std::env::temp_dir().join(format!("perfi-disk-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let c = DiskCache::open(&d).expect("cache folder");
        assert!(c.get(7).is_none());
        c.put(7, &serde_json::json!({"a": 1})).expect("write");
        assert_eq!(c.get(7), Some(serde_json::json!({"a": 1})));
        std::fs::write(c.path(7), b"{not json").expect("damage");
        assert!(c.get(7).is_none());
        let _ = std::fs::remove_dir_all(&d);
    }
}
