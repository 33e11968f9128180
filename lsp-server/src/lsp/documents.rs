//! Open documents: a rope per document, its version, and conversions
//! between LSP positions (UTF-16 or UTF-8 code units) and offsets.
//!
//! Lines end at `\n`, `\r\n` or `\r` (ropey without `unicode_lines`), as
//! in the LSP specification. Positions past the end of a line clamp to the
//! line's end; lines past the end of the document clamp to its end.

use anyhow::{bail, Result};
use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    pub fn lsp_name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        }
    }
}

/// Number of chars of line `line` without its terminator.
fn line_content_chars(rope: &Rope, line: usize) -> usize {
    let l = rope.line(line);
    let n = l.len_chars();
    if n == 0 {
        return 0;
    }
    match l.char(n - 1) {
        '\n' if n >= 2 && l.char(n - 2) == '\r' => n - 2,
        '\n' | '\r' => n - 1,
        _ => n,
    }
}

/// Char index of an LSP position.
pub fn position_to_char(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let len = line_content_chars(rope, line);
    let end = start + len;
    let col = pos.character as usize;
    match enc {
        Encoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(start);
            let end_cu = rope.char_to_utf16_cu(end);
            let cu = (start_cu + col).min(end_cu);
            rope.utf16_cu_to_char(cu).clamp(start, end)
        }
        Encoding::Utf8 => {
            let start_b = rope.char_to_byte(start);
            let end_b = rope.char_to_byte(end);
            let b = (start_b + col).min(end_b);
            rope.byte_to_char(b).clamp(start, end)
        }
    }
}

pub fn char_to_position(rope: &Rope, ch: usize, enc: Encoding) -> Position {
    let ch = ch.min(rope.len_chars());
    let line = rope.char_to_line(ch);
    let start = rope.line_to_char(line);
    let col = match enc {
        Encoding::Utf16 => rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(start),
        Encoding::Utf8 => rope.char_to_byte(ch) - rope.char_to_byte(start),
    };
    Position { line: line as u32, character: col as u32 }
}

/// Position of a byte offset (rounded down to a char boundary).
pub fn byte_to_position(rope: &Rope, byte: usize, enc: Encoding) -> Position {
    let b = byte.min(rope.len_bytes());
    char_to_position(rope, rope.byte_to_char(b), enc)
}

pub fn position_to_byte(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    rope.char_to_byte(position_to_char(rope, pos, enc))
}

pub fn byte_range(rope: &Rope, start: usize, end: usize, enc: Encoding) -> Range {
    Range { start: byte_to_position(rope, start, enc), end: byte_to_position(rope, end, enc) }
}

/// End of the line holding `byte`, without its terminator, as a byte offset.
pub fn line_end_byte(rope: &Rope, byte: usize) -> usize {
    let ch = rope.byte_to_char(byte.min(rope.len_bytes()));
    let line = rope.char_to_line(ch);
    rope.char_to_byte(rope.line_to_char(line) + line_content_chars(rope, line))
}

#[derive(Clone, Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub language_id: String,
}

impl Document {
    pub fn new(text: &str, version: i32, language_id: &str) -> Document {
        Document { rope: Rope::from_str(text), version, language_id: language_id.to_string() }
    }

    /// Apply one change; returns the byte offset where it starts.
    pub fn apply(&mut self, range: Option<Range>, text: &str, enc: Encoding) -> usize {
        match range {
            None => {
                self.rope = Rope::from_str(text);
                0
            }
            Some(r) => {
                let a = position_to_char(&self.rope, r.start, enc);
                let b = position_to_char(&self.rope, r.end, enc).max(a);
                self.rope.remove(a..b);
                self.rope.insert(a, text);
                self.rope.char_to_byte(a)
            }
        }
    }
}

/// The store shared by all handlers. Every operation is synchronous: a
/// `didChange` is applied completely before its handler awaits anything.
#[derive(Default)]
pub struct DocumentStore {
    docs: DashMap<String, Document>,
}

/// What a change left: the new text and where the last edit happened.
pub struct Changed {
    pub rope: Rope,
    pub version: i32,
    pub edit_byte: Option<usize>,
}

impl DocumentStore {
    pub fn open(&self, uri: &str, text: &str, version: i32, language_id: &str) -> Rope {
        let d = Document::new(text, version, language_id);
        let rope = d.rope.clone();
        self.docs.insert(uri.to_string(), d);
        rope
    }

    pub fn change(&self, uri: &str, version: i32, changes: &[TextDocumentContentChangeEvent], enc: Encoding) -> Result<Changed> {
        let Some(mut d) = self.docs.get_mut(uri) else { bail!("didChange for a document that is not open: {uri}") };
        let mut edit_byte = None;
        for c in changes {
            edit_byte = Some(d.apply(c.range, &c.text, enc));
        }
        d.version = version;
        Ok(Changed { rope: d.rope.clone(), version, edit_byte })
    }

    pub fn close(&self, uri: &str) -> bool {
        self.docs.remove(uri).is_some()
    }

    pub fn get(&self, uri: &str) -> Option<Document> {
        self.docs.get(uri).map(|d| d.clone())
    }

    pub fn version(&self, uri: &str) -> Option<i32> {
        self.docs.get(uri).map(|d| d.version)
    }

    pub fn uris(&self) -> Vec<String> {
        self.docs.iter().map(|e| e.key().clone()).collect()
    }

    pub fn text(&self, uri: &str) -> Option<String> {
        self.docs.get(uri).map(|d| d.rope.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_surrogates_and_clamping() {
        let r = Rope::from_str("a😀b\r\nxé\n");
        assert_eq!(position_to_char(&r, pos(0, 3), Encoding::Utf16), 2);
        assert_eq!(position_to_char(&r, pos(0, 99), Encoding::Utf16), 3);
        assert_eq!(position_to_char(&r, pos(1, 2), Encoding::Utf16), 7);
        assert_eq!(position_to_char(&r, pos(9, 0), Encoding::Utf16), r.len_chars());
        assert_eq!(char_to_position(&r, 2, Encoding::Utf16), pos(0, 3));
        assert_eq!(char_to_position(&r, 2, Encoding::Utf8), pos(0, 5));
        assert_eq!(position_to_char(&r, pos(1, 3), Encoding::Utf8), 7);
        assert_eq!(line_end_byte(&r, 0), 6);
    }
}
