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

/// The most a cache folder keeps: `PERFI_CACHE_MAX_MB` (MiB), else 1 GiB.
pub fn max_bytes() -> u64 {
    std::env::var("PERFI_CACHE_MAX_MB").ok().and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(1024).saturating_mul(1 << 20)
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
        self.touch(key);
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

    /// Keep the folder under `max_bytes`: past it, entries are removed
    /// oldest first (by modification time; a hit refreshes it, `touch`)
    /// until it holds three quarters of `max_bytes`. Temporary files of
    /// writers that died are removed when older than an hour. Returns the
    /// number of files removed and the bytes kept.
    pub fn prune(&self, max_bytes: u64) -> Result<(usize, u64)> {
        let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> = Vec::new();
        let mut removed = 0;
        let now = std::time::SystemTime::now();
        let rd = std::fs::read_dir(&self.dir).with_context(|| format!("reading {}", self.dir.display()))?;
        for sub in rd.flatten() {
            // Only the two-hex-digit folders this cache writes.
            let name = sub.file_name();
            if name.len() != 2 || !sub.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Ok(files) = std::fs::read_dir(sub.path()) else { continue };
            for f in files.flatten() {
                let Ok(md) = f.metadata() else { continue };
                if !md.is_file() {
                    continue;
                }
                let when = md.modified().unwrap_or(now);
                let fname = f.file_name();
                let fname = fname.to_string_lossy();
                // Only names this cache writes (`--cache DIR` may be any
                // folder): `<16 hex>.json` in the folder of its first two
                // digits, and `.<16 hex>.<pid>.tmp`.
                let hex16 = |h: &str| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()) && h.starts_with(&*name.to_string_lossy());
                if let Some(h) = fname.strip_prefix('.').and_then(|r| r.split('.').next()).filter(|_| fname.ends_with(".tmp")) {
                    if hex16(h) && now.duration_since(when).is_ok_and(|d| d.as_secs() > 3600) && std::fs::remove_file(f.path()).is_ok() {
                        removed += 1;
                    }
                    continue;
                }
                if fname.strip_suffix(".json").is_some_and(hex16) {
                    entries.push((when, md.len(), f.path()));
                }
            }
        }
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        if total <= max_bytes {
            return Ok((removed, total));
        }
        entries.sort_by_key(|e| e.0);
        let target = max_bytes / 4 * 3;
        for (_, len, p) in entries {
            if total <= target {
                break;
            }
            if std::fs::remove_file(&p).is_ok() {
                total = total.saturating_sub(len);
                removed += 1;
            }
        }
        Ok((removed, total))
    }

    /// `prune` on a thread of its own (at start-up: a large folder takes a
    /// while to list), to the size `max_bytes()` allows.
    pub fn prune_in_background(&self) {
        let c = DiskCache { dir: self.dir.clone() };
        let _ = std::thread::Builder::new().name("perfi-cache-prune".into()).spawn(move || c.prune(max_bytes()));
    }

    /// Mark `key` as used now (pruning removes the least recently used).
    pub fn touch(&self, key: u64) {
        if let Ok(f) = std::fs::File::options().append(true).open(self.path(key)) {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
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
    #[test]
    fn pruning_removes_the_least_recently_used_entries() {
        let d = std::env::temp_dir().join(format!("perfi-disk-prune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let c = DiskCache::open(&d).expect("cache folder");
        let t0 = std::time::SystemTime::now() - std::time::Duration::from_secs(1000);
        for k in 0..10u64 {
            c.put(k, &serde_json::json!({"pad": "x".repeat(200)})).expect("write");
            let f = std::fs::File::options().append(true).open(c.path(k)).expect("open");
            f.set_modified(t0 + std::time::Duration::from_secs(k * 10)).expect("mtime");
        }
        // Entry 0, the oldest written, was just used.
        assert!(c.get(0).is_some());
        let one = std::fs::metadata(c.path(5)).expect("entry").len();
        let (removed, kept) = c.prune(one * 6).expect("prune");
        // Down to three quarters of six entries: four remain.
        assert_eq!(removed, 6);
        assert!(kept <= one * 6 / 4 * 3, "{kept}");
        let left: Vec<u64> = (0..10).filter(|k| c.path(*k).exists()).collect();
        assert_eq!(left, vec![0, 7, 8, 9]);
        // A file this cache did not write is never removed.
        std::fs::write(d.join("00").join("notes.json"), "{}").expect("write");
        assert!(c.prune(1).is_ok());
        assert!(d.join("00").join("notes.json").exists());
        // Under the limit: nothing is removed.
        assert_eq!(c.prune(one * 100).expect("prune").0, 0);
        let _ = std::fs::remove_dir_all(&d);
    }
}
