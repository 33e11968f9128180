//! A parsed C file: the sanitized text tree-sitter saw, the tree, and —
//! when the text is a preprocessed piece — the map back to the user's
//! bytes.

use crate::frontend::preprocess::Piece;
use crate::sanitize::{sanitize, Marker};
use crate::syntax;
use std::sync::Arc;
use tree_sitter::Tree;

pub struct SourceFile {
    pub path: String,
    /// Sanitized text: the same length and positions as the user's bytes
    /// (`parse`), or as the preprocessed piece (`from_piece`), whose lines
    /// are the user's lines and whose offsets map back through `piece`.
    pub text: Vec<u8>,
    pub markers: Vec<Marker>,
    pub tree: Tree,
    /// `@perf` comments, found once: every loop asks for its annotation.
    pub(crate) perf_comments: std::sync::OnceLock<Vec<crate::annotations::PerfComment>>,
    /// The functions the file defines, indexed once: a header's piece is
    /// shared by every unit and keystroke that includes it.
    functions: std::sync::OnceLock<Vec<crate::index::FunctionInfo>>,
    /// The user's bytes, for a file parsed from them (`parse`, `reparse`).
    pub user: Option<Arc<[u8]>>,
    /// The preprocessed piece this file was parsed from (`from_piece`).
    pub piece: Option<Arc<Piece>>,
}

impl SourceFile {
    pub fn parse(path: impl Into<String>, bytes: &[u8]) -> Result<SourceFile, crate::EngineError> {
        let path = path.into();
        let s = sanitize(bytes);
        let tree = syntax::parse(&s.text, None).ok_or_else(|| crate::EngineError::Parse(path.clone()))?;
        Ok(SourceFile { path, text: s.text, markers: s.markers, tree, perf_comments: Default::default(), functions: Default::default(), user: Some(Arc::from(bytes)), piece: None })
    }

    /// The user's bytes of a file, not parsed yet: what `build_unit`
    /// preprocesses (and then parses, as pieces). Saves a parse of the raw
    /// text, which a large file pays in memory (its tree).
    pub fn unparsed(path: impl Into<String>, bytes: &[u8]) -> Result<SourceFile, crate::EngineError> {
        let path = path.into();
        let tree = syntax::parse(b"", None).ok_or_else(|| crate::EngineError::Parse(path.clone()))?;
        Ok(SourceFile { path, text: bytes.to_vec(), markers: Vec::new(), tree, perf_comments: Default::default(), functions: Default::default(), user: Some(Arc::from(bytes)), piece: None })
    }

    /// A preprocessed piece (a file's text with directives blanked and
    /// macros expanded, lines kept), sanitized and parsed.
    pub fn from_piece(piece: Arc<Piece>) -> Result<SourceFile, crate::EngineError> {
        let path = piece.path.to_string_lossy().into_owned();
        let s = sanitize(&piece.text);
        let tree = syntax::parse(&s.text, None).ok_or_else(|| crate::EngineError::Parse(path.clone()))?;
        Ok(SourceFile { path, text: s.text, markers: s.markers, tree, perf_comments: Default::default(), functions: Default::default(), user: None, piece: Some(piece) })
    }

    /// The functions this file defines (its index's, computed once).
    pub fn functions(&self) -> &[crate::index::FunctionInfo] {
        self.functions.get_or_init(|| crate::index::index_file(self, &[]).functions)
    }

    /// The offset in the user's text of the file of an offset in `text`
    /// (a byte a macro produced maps to the macro's use, or to the macro
    /// argument it came from).
    pub fn user_byte(&self, b: usize) -> usize {
        match &self.piece {
            Some(p) => p.map.to_user(b),
            None => b,
        }
    }

    /// The offset in `text` of an offset in the user's text (the start of
    /// the expansion for an offset inside a macro use).
    pub fn text_byte(&self, user: usize) -> usize {
        match &self.piece {
            Some(p) => p.map.from_user(user),
            None => user,
        }
    }

    /// The user's text of `text[start..end]`, as written (macro names,
    /// not their expansions), when the file is a preprocessed piece with
    /// the user's bytes and the range maps back to a non-empty span;
    /// None otherwise (the caller shows the analyzed text).
    pub fn user_slice(&self, start: usize, end: usize) -> Option<String> {
        let (piece, user) = (self.piece.as_ref()?, self.user.as_ref()?);
        let (us, ue) = (piece.map.to_user(start), piece.map.to_user(end));
        if us >= ue || ue > user.len() {
            return None;
        }
        Some(String::from_utf8_lossy(&user[us..ue]).into_owned())
    }

    /// The user's bytes of this file, when known (the main file of a unit
    /// and files parsed from bytes).
    pub fn user_text(&self) -> &[u8] {
        self.user.as_deref().unwrap_or(&self.text)
    }

    /// The file after an edit, reparsed incrementally: the edit is the
    /// region where the old and new (sanitized) texts differ, and the old
    /// tree, told about it with `InputEdit`, lets tree-sitter reuse every
    /// subtree outside it.
    pub fn reparse(&self, bytes: &[u8]) -> Result<SourceFile, crate::EngineError> {
        let s = sanitize(bytes);
        let (old, new) = (&self.text, &s.text);
        let d = changed_region(old, new);
        let edit = tree_sitter::InputEdit {
            start_byte: d.prefix,
            old_end_byte: d.old_tail,
            new_end_byte: d.new_tail,
            start_position: point_at(old, d.prefix),
            old_end_position: point_at(old, d.old_tail),
            new_end_position: point_at(new, d.new_tail),
        };
        let mut tree = self.tree.clone();
        tree.edit(&edit);
        let tree = syntax::parse(new, Some(&tree)).ok_or_else(|| crate::EngineError::Parse(self.path.clone()))?;
        Ok(SourceFile { path: self.path.clone(), text: s.text, markers: s.markers, tree, perf_comments: Default::default(), functions: Default::default(), user: Some(Arc::from(bytes)), piece: None })
    }

    pub fn markers_in(&self, from: usize, to: usize) -> impl Iterator<Item = &Marker> {
        self.markers.iter().filter(move |m| m.byte >= from && m.byte < to)
    }
}

/// Where two texts differ: they agree on `old[..prefix]` and on
/// `old[old_tail..]` == `new[new_tail..]` (the two never overlap).
#[derive(Debug, PartialEq)]
pub struct Changed {
    pub prefix: usize,
    pub old_tail: usize,
    pub new_tail: usize,
}

pub fn changed_region(old: &[u8], new: &[u8]) -> Changed {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old.iter().rev().zip(new.iter().rev()).take(room).take_while(|(a, b)| a == b).count();
    Changed { prefix, old_tail: old.len() - suffix, new_tail: new.len() - suffix }
}

/// Row and byte column of a byte offset, as tree-sitter counts them.
fn point_at(text: &[u8], byte: usize) -> tree_sitter::Point {
    let before = &text[..byte.min(text.len())];
    let row = before.iter().filter(|b| **b == b'\n').count();
    let column = before.iter().rev().take_while(|b| **b != b'\n').count();
    tree_sitter::Point { row, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The incremental parse must give the same tree as a parse from
    /// scratch, for edits at the start, inside and at the end.
    #[test]
    fn changed_region_finds_the_edit() {
        assert_eq!(changed_region(b"abcdef", b"abXYdef"), Changed { prefix: 2, old_tail: 3, new_tail: 4 });
        assert_eq!(changed_region(b"abc", b"abc"), Changed { prefix: 3, old_tail: 3, new_tail: 3 });
        // Repeated letters: prefix and suffix never overlap.
        assert_eq!(changed_region(b"aaa", b"aaaa"), Changed { prefix: 3, old_tail: 3, new_tail: 4 });
        assert_eq!(changed_region(b"abc", b""), Changed { prefix: 0, old_tail: 3, new_tail: 0 });
    }

    #[test]
    fn reparse_equals_full_parse() {
        let base = "int f(int a)\n{\n    return a + 1;\n}\n\nint g(void) { return 2; }\n";
        let edits = [
            "int f(int a)\n{\n    int b = a * 3;\n    return a + b;\n}\n\nint g(void) { return 2; }\n",
            "/* c */\nint f(int a)\n{\n    return a + 1;\n}\n\nint g(void) { return 2; }\n",
            "int f(int a)\n{\n    return a + 1;\n}\n\nint g(void) { return 2; }\nint h;\n",
            "int f(int a)\n{\n    return a +",
        ];
        let old = SourceFile::parse("t.c", base.as_bytes()).unwrap();
        for e in edits {
            let inc = old.reparse(e.as_bytes()).unwrap();
            let full = SourceFile::parse("t.c", e.as_bytes()).unwrap();
            assert_eq!(inc.tree.root_node().to_sexp(), full.tree.root_node().to_sexp(), "edit: {e:?}");
        }
    }
}
