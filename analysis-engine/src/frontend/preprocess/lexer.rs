//! Preprocessing tokens over raw bytes (the input need not be UTF-8).
//!
//! Backslash-newline splices are removed before lexing; each token keeps
//! the byte offset of its first and one past its last byte in the raw text.
//! Comments are whitespace. The lexer never fails: an unterminated literal
//! ends at the end of its line, an unterminated comment at the end of the
//! file (reported through `Lexed::unterminated_comment`), any other byte is
//! a one-byte `Other` token. Every loop advances at least one byte.

use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ident,
    Number,
    Char,
    Str,
    Punct,
    Other,
    /// `##` operand that turned out empty (only inside macro substitution).
    Placemarker,
}

pub const BOL: u8 = 1; // first token of a line
pub const SPACE: u8 = 2; // whitespace (or a comment) before it
pub const NOEXPAND: u8 = 4; // painted blue: never expanded again

pub const NOPOS: u32 = u32::MAX;

pub type HideSet = Option<Arc<[u32]>>;

#[derive(Clone, Debug)]
pub struct Tok {
    pub kind: Kind,
    pub text: Arc<[u8]>,
    /// raw byte offset in its file, or NOPOS for tokens made by a macro
    pub pos: u32,
    pub end: u32,
    pub flags: u8,
    pub hs: HideSet,
}

impl Tok {
    pub fn new(kind: Kind, text: &[u8]) -> Tok {
        Tok { kind, text: Arc::from(text), pos: NOPOS, end: NOPOS, flags: 0, hs: None }
    }
    pub fn is(&self, s: &str) -> bool {
        matches!(self.kind, Kind::Punct | Kind::Ident) && &*self.text == s.as_bytes()
    }
    pub fn is_punct(&self, s: &str) -> bool {
        self.kind == Kind::Punct && &*self.text == s.as_bytes()
    }
    pub fn bol(&self) -> bool {
        self.flags & BOL != 0
    }
    pub fn space(&self) -> bool {
        self.flags & SPACE != 0
    }
}

pub struct Lexed {
    pub toks: Vec<Tok>,
    pub unterminated_comment: Option<u32>,
}

/// The text with splices removed, and where each removed splice was.
struct Clean {
    bytes: Vec<u8>,
    /// (clean offset at which raw bytes were skipped, total raw bytes skipped so far)
    splices: Vec<(u32, u32)>,
}

impl Clean {
    fn new(raw: &[u8]) -> Clean {
        if !raw.contains(&b'\\') {
            return Clean { bytes: raw.to_vec(), splices: Vec::new() };
        }
        let mut bytes = Vec::with_capacity(raw.len());
        let mut splices = Vec::new();
        let mut skipped = 0u32;
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'\\' {
                let n = if raw.get(i + 1) == Some(&b'\n') {
                    2
                } else if raw.get(i + 1) == Some(&b'\r') && raw.get(i + 2) == Some(&b'\n') {
                    3
                } else {
                    0
                };
                if n > 0 {
                    skipped += n as u32;
                    splices.push((bytes.len() as u32, skipped));
                    i += n;
                    continue;
                }
            }
            bytes.push(raw[i]);
            i += 1;
        }
        Clean { bytes, splices }
    }
    /// Raw offset of clean offset `c` (a byte, not the end of a token).
    fn raw(&self, c: usize) -> u32 {
        let c = c as u32;
        let k = self.splices.partition_point(|&(at, _)| at <= c);
        if k == 0 { c } else { c + self.splices[k - 1].1 }
    }
    /// Raw offset just past the byte before clean offset `c`.
    fn raw_end(&self, c: usize) -> u32 {
        if c == 0 { 0 } else { self.raw(c - 1) + 1 }
    }
}

const PUNCTS: [&str; 54] = [
    "%:%:", "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=",
    "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##", "<:", ":>", "<%", "%>", "%:", "[", "]", "(", ")", "{",
    "}", ".", "&", "*", "+", "-", "~", "!", "/", "%", "<", ">", "^", "|", "?", ":", ";", "=", ",", "#",
];

pub fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}
pub fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

pub fn lex(raw: &[u8]) -> Lexed {
    let cl = Clean::new(raw);
    let s = &cl.bytes;
    let mut toks = Vec::new();
    let mut i = 0usize;
    let mut flags = BOL;
    let mut unterminated_comment = None;
    while i < s.len() {
        let b = s[i];
        if b == b'\n' {
            flags = BOL;
            i += 1;
            continue;
        }
        if b == b' ' || b == b'\t' || b == b'\r' || b == 0x0c || b == 0x0b {
            flags |= SPACE;
            i += 1;
            continue;
        }
        if b == b'/' && s.get(i + 1) == Some(&b'/') {
            while i < s.len() && s[i] != b'\n' {
                i += 1;
            }
            flags |= SPACE;
            continue;
        }
        if b == b'/' && s.get(i + 1) == Some(&b'*') {
            let start = i;
            i += 2;
            loop {
                if i + 1 >= s.len() {
                    unterminated_comment = Some(cl.raw(start));
                    i = s.len();
                    break;
                }
                if s[i] == b'*' && s[i + 1] == b'/' {
                    i += 2;
                    break;
                }
                i += 1;
            }
            flags |= SPACE;
            continue;
        }
        let start = i;
        let kind = lex_one(s, &mut i);
        let i_end = i.max(start + 1).min(s.len());
        i = i_end;
        toks.push(Tok {
            kind,
            text: Arc::from(&s[start..i_end]),
            pos: cl.raw(start),
            end: cl.raw_end(i_end),
            flags,
            hs: None,
        });
        flags = 0;
    }
    Lexed { toks, unterminated_comment }
}

/// Lexes one token starting at `*i` (not whitespace); advances `*i`.
fn lex_one(s: &[u8], i: &mut usize) -> Kind {
    let b = s[*i];
    let start = *i;
    // literals with an encoding prefix
    let prefix_len = if b == b'u' && s.get(start + 1) == Some(&b'8') {
        2
    } else if b == b'L' || b == b'u' || b == b'U' {
        1
    } else {
        0
    };
    if let Some(&q) = s.get(start + prefix_len) {
        if (q == b'"' || q == b'\'') && (prefix_len > 0 || b == q) {
            *i = start + prefix_len + 1;
            while *i < s.len() && s[*i] != q && s[*i] != b'\n' {
                if s[*i] == b'\\' && *i + 1 < s.len() && s[*i + 1] != b'\n' {
                    *i += 1;
                }
                *i += 1;
            }
            if *i < s.len() && s[*i] == q {
                *i += 1;
                return if q == b'"' { Kind::Str } else { Kind::Char };
            }
            // unterminated: gcc makes it one token up to the end of the line
            return Kind::Other;
        }
    }
    if is_ident_start(b) {
        while *i < s.len() && is_ident_char(s[*i]) {
            *i += 1;
        }
        return Kind::Ident;
    }
    if b.is_ascii_digit() || (b == b'.' && s.get(start + 1).is_some_and(|c| c.is_ascii_digit())) {
        *i += 1;
        while *i < s.len() {
            let c = s[*i];
            let sign = (c == b'+' || c == b'-') && matches!(s[*i - 1], b'e' | b'E' | b'p' | b'P');
            if sign || is_ident_char(c) || c == b'.' {
                *i += 1;
            } else if c == b'\'' && s.get(*i + 1).is_some_and(|d| is_ident_char(*d)) {
                *i += 2;
            } else {
                break;
            }
        }
        return Kind::Number;
    }
    for p in PUNCTS {
        if s[start..].starts_with(p.as_bytes()) {
            *i += p.len();
            return Kind::Punct;
        }
    }
    *i += 1;
    Kind::Other
}

/// Lexes a spelling that must be exactly one token (for `##`).
pub fn lex_single(text: &[u8]) -> Option<Kind> {
    if text.is_empty() {
        return Some(Kind::Placemarker);
    }
    let mut i = 0;
    let k = lex_one(text, &mut i);
    (i == text.len() && !text.iter().any(|c| c.is_ascii_whitespace())).then_some(k)
}

/// End of the logical line (raw offset of its terminating newline, or the
/// end of the text) starting the search at raw offset `from`: skips
/// comments and splices.
pub fn line_end(raw: &[u8], from: usize) -> usize {
    let mut i = from.min(raw.len());
    while i < raw.len() {
        match raw[i] {
            b'\n' => return i,
            b'\\' if raw.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' if raw.get(i + 1) == Some(&b'\r') && raw.get(i + 2) == Some(&b'\n') => i += 3,
            b'/' if raw.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < raw.len() && !(raw[i] == b'*' && raw.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(raw.len());
            }
            b'/' if raw.get(i + 1) == Some(&b'/') => {
                while i < raw.len() {
                    if raw[i] == b'\n' && !(i > 0 && raw[i - 1] == b'\\') {
                        return i;
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    raw.len()
}

/// Whether two adjacent spellings need a space so they re-lex the same.
pub fn needs_space(prev: &[u8], next: &[u8]) -> bool {
    let (Some(&a), Some(&b)) = (prev.last(), next.first()) else { return false };
    if is_ident_char(a) && (is_ident_char(b) || b == b'\'' || b == b'"') {
        return true;
    }
    if (is_ident_char(a) || a == b'.') && (b == b'.' || b == b'+' || b == b'-') {
        return true;
    }
    let p = b"+-*/%<>=!&|^#.:";
    if p.contains(&a) && p.contains(&b) {
        return true;
    }
    a == b'/' && b == b'*'
}
