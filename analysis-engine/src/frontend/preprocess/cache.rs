//! The header cache: the result of including a header in a given state.
//!
//! Key: the header's path as found, its content hash, the hash of the
//! incoming macro table (kept up to date on every define/undef, so O(1)),
//! the hash of the `#pragma once` set, the include depth, the search-path
//! slot it was found in, and the options' hash. Value: the macro
//! definitions and undefinitions it performed (replayed on a hit), its
//! pieces (shared `Arc`s), diagnostics, the files it read with their
//! content hashes (checked on a hit, so an edited nested header is a miss),
//! the include guards and `#pragma once` files it added. Results that used
//! `__COUNTER__`, `__BASE_FILE__`, `__INCLUDE_LEVEL__` or `#pragma
//! push_macro`, or that hit a limit, are not cached.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::expand::MacroOp;
use super::{Diagnostic, Piece};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub path: PathBuf,
    pub content: u64,
    pub macros: u64,
    pub once: u64,
    pub depth: usize,
    pub dir_idx: Option<usize>,
    pub opts: u64,
}

pub(super) struct Entry {
    pub ops: Vec<MacroOp>,
    pub pieces: Vec<Arc<Piece>>,
    pub diags: Vec<Diagnostic>,
    pub reads: Vec<(PathBuf, u64)>,
    pub guards: Vec<(PathBuf, Arc<[u8]>)>,
    pub once: Vec<PathBuf>,
    pub tokens: usize,
    pub includes: usize,
}

/// Shared between runs and threads (`Arc<HeaderCache>`).
pub struct HeaderCache {
    map: Mutex<HashMap<Key, Arc<Entry>>>,
    max_entries: usize,
}

impl Default for HeaderCache {
    fn default() -> Self {
        HeaderCache::new()
    }
}

impl HeaderCache {
    pub fn new() -> HeaderCache {
        HeaderCache { map: Mutex::new(HashMap::new()), max_entries: 20_000 }
    }

    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.map.lock() {
            m.clear();
        }
    }

    pub(super) fn get(&self, k: &Key) -> Option<Arc<Entry>> {
        self.map.lock().ok()?.get(k).cloned()
    }

    pub(super) fn put(&self, k: Key, e: Arc<Entry>) {
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= self.max_entries {
                m.clear();
            }
            m.insert(k, e);
        }
    }
}
