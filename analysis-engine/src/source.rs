//! A parsed C file: the user's bytes, the sanitized text tree-sitter saw,
//! and the tree.

use crate::sanitize::{sanitize, Marker};
use crate::syntax;
use tree_sitter::Tree;

pub struct SourceFile {
    pub path: String,
    /// Sanitized text (same length and positions as the user's bytes).
    pub text: Vec<u8>,
    pub markers: Vec<Marker>,
    pub tree: Tree,
    /// `@perf` comments, found once: every loop asks for its annotation.
    pub(crate) perf_comments: std::sync::OnceLock<Vec<crate::annotations::PerfComment>>,
}

impl SourceFile {
    pub fn parse(path: impl Into<String>, bytes: &[u8]) -> Result<SourceFile, crate::EngineError> {
        let path = path.into();
        let s = sanitize(bytes);
        let tree = syntax::parse(&s.text, None).ok_or_else(|| crate::EngineError::Parse(path.clone()))?;
        Ok(SourceFile { path, text: s.text, markers: s.markers, tree, perf_comments: Default::default() })
    }

    pub fn markers_in(&self, from: usize, to: usize) -> impl Iterator<Item = &Marker> {
        self.markers.iter().filter(move |m| m.byte >= from && m.byte < to)
    }
}
