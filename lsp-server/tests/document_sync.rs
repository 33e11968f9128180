//! The document store against a reference model: 10,000 random edits
//! (insertions, deletions, replacements; ASCII, "é", "€", "😀", newlines)
//! sent with UTF-16 positions, and UTF-8 positions in a second run. After
//! every edit the rope must equal the model, and positions must map back.

use perfi::lsp::documents::{char_to_position, position_to_char, DocumentStore, Encoding};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const PIECES: [&str; 10] = ["a", "x = y;", "é", "€", "😀", "\n", "ab😀cd", "\n\n", "éé€", "{ }"];

/// Position of a char offset in the model, in the given encoding.
fn model_pos(model: &[char], at: usize, enc: Encoding) -> Position {
    let mut line = 0u32;
    let mut col = 0u32;
    for c in &model[..at] {
        if *c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += match enc {
                Encoding::Utf16 => c.len_utf16(),
                Encoding::Utf8 => c.len_utf8(),
            } as u32;
        }
    }
    Position { line, character: col }
}

fn replay(enc: Encoding, seed: u64) -> usize {
    let store = DocumentStore::default();
    let uri = "file:///model.c";
    store.open(uri, "", 0, "c");
    let mut model: Vec<char> = Vec::new();
    let mut rng = Rng(seed);
    let mut divergences = 0;
    for version in 1..=10_000 {
        let a = rng.below(model.len() + 1);
        let b = match rng.below(3) {
            0 => a,
            _ => (a + rng.below(6)).min(model.len()),
        };
        let text: String = if rng.below(3) == 0 && b > a { String::new() } else { PIECES[rng.below(PIECES.len())].to_string() };
        let range = Range { start: model_pos(&model, a, enc), end: model_pos(&model, b, enc) };
        let ch = TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: text.clone() };
        let changed = store.change(uri, version, &[ch], enc).expect("change applies");
        model.splice(a..b, text.chars());
        let expect: String = model.iter().collect();
        if changed.rope != expect.as_str() {
            divergences += 1;
            continue;
        }
        // Positions map both ways at a random offset.
        let at = rng.below(model.len() + 1);
        let p = model_pos(&model, at, enc);
        if position_to_char(&changed.rope, p, enc) != at || char_to_position(&changed.rope, at, enc) != p {
            divergences += 1;
        }
        if model.len() > 4000 {
            let range = Range { start: model_pos(&model, 0, enc), end: model_pos(&model, 3000, enc) };
            let ch = TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: String::new() };
            store.change(uri, version, &[ch], enc).expect("trim applies");
            model.drain(..3000);
        }
    }
    assert_eq!(store.version(uri), Some(10_000));
    divergences
}

#[test]
fn ten_thousand_random_utf16_edits_match_the_model() {
    assert_eq!(replay(Encoding::Utf16, 0x9E3779B97F4A7C15), 0);
}

#[test]
fn ten_thousand_random_utf8_edits_match_the_model() {
    assert_eq!(replay(Encoding::Utf8, 0xD1B54A32D192ED03), 0);
}

#[test]
fn out_of_range_positions_clamp() {
    let store = DocumentStore::default();
    let uri = "file:///c.c";
    store.open(uri, "ab\ncd😀\n", 1, "c");
    let r = |l1, c1, l2, c2| Range { start: Position { line: l1, character: c1 }, end: Position { line: l2, character: c2 } };
    // Past the end of a line: its end; past the last line: end of text.
    let ch = TextDocumentContentChangeEvent { range: Some(r(0, 99, 0, 99)), range_length: None, text: "!".into() };
    assert_eq!(store.change(uri, 2, &[ch], Encoding::Utf16).unwrap().rope.to_string(), "ab!\ncd😀\n");
    let ch = TextDocumentContentChangeEvent { range: Some(r(9, 0, 12, 3)), range_length: None, text: "z".into() };
    assert_eq!(store.change(uri, 3, &[ch], Encoding::Utf16).unwrap().rope.to_string(), "ab!\ncd😀\nz");
    // Inside a surrogate pair: the pair is not split.
    let ch = TextDocumentContentChangeEvent { range: Some(r(1, 3, 1, 3)), range_length: None, text: "-".into() };
    let s = store.change(uri, 4, &[ch], Encoding::Utf16).unwrap().rope.to_string();
    assert!(s == "ab!\ncd-😀\nz" || s == "ab!\ncd😀-\nz", "{s}");
    assert!(store.change("file:///nope.c", 1, &[], Encoding::Utf16).is_err());
}
