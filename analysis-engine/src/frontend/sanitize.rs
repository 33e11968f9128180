//! A length-preserving rewrite of kernel and eBPF spellings that tree-sitter
//! cannot parse without a preprocessor. Every byte keeps its position, so
//! spans in the rewritten text are spans in the user's text. What was
//! rewritten is kept as markers that the type environment and the lowering
//! read back (a `__packed` becomes a packed attribute, a
//! `list_for_each_entry(...)` becomes a `for` whose origin is remembered).

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkerKind {
    Packed,
    /// Alignment expression text (`8`, `SMP_CACHE_BYTES`), or "64" for
    /// `____cacheline_aligned`.
    Aligned(String),
    /// A kernel iteration macro turned into a `for`; holds the macro name.
    LoopMacro(String),
    /// `struct`/`union` keyword blanked inside container_of-like arguments.
    TypeKeyword(String),
}

#[derive(Clone, Debug)]
pub struct Marker {
    pub byte: usize,
    pub kind: MarkerKind,
}

pub struct Sanitized {
    pub text: Vec<u8>,
    pub markers: Vec<Marker>,
}

const BLANK_WORDS: &[&str] = &[
    "__always_inline", "__rcu", "__read_mostly", "__user", "__iomem", "__force", "__must_check",
    "noinline", "__maybe_unused", "__init", "__exit", "__cold", "__hot", "notrace", "__bitwise",
    "__percpu", "__noinline", "__inline", "__weak",
];
const CACHELINE_WORDS: &[&str] = &["____cacheline_aligned", "____cacheline_aligned_in_smp", "__cacheline_aligned", "__cacheline_aligned_in_smp"];
const CONTAINER_MACROS: &[&str] = &["container_of", "list_entry", "list_first_entry", "list_last_entry", "hlist_entry", "list_next_entry", "hlist_entry_safe", "list_first_entry_or_null"];

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Index just past the `)` matching the `(` at `open`, or None.
fn matching_paren(t: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0i64;
    let mut i = open;
    while i < t.len() {
        match t[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' | b'\'' => i = skip_quoted(t, i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn skip_quoted(t: &[u8], start: usize) -> usize {
    let q = t[start];
    let mut i = start + 1;
    while i < t.len() && t[i] != q && t[i] != b'\n' {
        if t[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i.min(t.len().saturating_sub(1))
}

fn blank(t: &mut [u8], from: usize, to: usize) {
    for b in &mut t[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn next_non_space(t: &[u8], mut i: usize) -> usize {
    while i < t.len() && (t[i] == b' ' || t[i] == b'\t' || t[i] == b'\n' || t[i] == b'\r') {
        i += 1;
    }
    i
}

pub fn sanitize(src: &[u8]) -> Sanitized {
    let mut t = src.to_vec();
    let mut markers = Vec::new();
    let mut i = 0usize;
    let mut line_start = true;
    while i < t.len() {
        let b = t[i];
        if b == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if line_start && b == b'#' {
            // Preprocessor line (with continuations): leave untouched.
            while i < t.len() && !(t[i] == b'\n' && t[i.saturating_sub(1)] != b'\\') {
                i += 1;
            }
            continue;
        }
        if !b.is_ascii_whitespace() {
            line_start = false;
        }
        if b == b'/' && t.get(i + 1) == Some(&b'/') {
            while i < t.len() && t[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if b == b'/' && t.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < t.len() && !(t[i] == b'*' && t[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if b == b'"' || b == b'\'' {
            i = skip_quoted(&t, i) + 1;
            continue;
        }
        if is_ident_byte(b) && (i == 0 || !is_ident_byte(t[i - 1])) {
            let start = i;
            while i < t.len() && is_ident_byte(t[i]) {
                i += 1;
            }
            let word = String::from_utf8_lossy(&t[start..i]).into_owned();
            rewrite_word(&mut t, &mut markers, start, i, &word);
            continue;
        }
        i += 1;
    }
    Sanitized { text: t, markers }
}

fn rewrite_word(t: &mut Vec<u8>, markers: &mut Vec<Marker>, start: usize, end: usize, word: &str) {
    if word == "__packed" {
        blank(t, start, end);
        markers.push(Marker { byte: start, kind: MarkerKind::Packed });
    } else if CACHELINE_WORDS.contains(&word) {
        blank(t, start, end);
        markers.push(Marker { byte: start, kind: MarkerKind::Aligned("64".into()) });
    } else if BLANK_WORDS.contains(&word) {
        blank(t, start, end);
    } else if word == "__aligned" || word == "SEC" {
        let open = next_non_space(t, end);
        if t.get(open) == Some(&b'(') {
            if let Some(close) = matching_paren(t, open) {
                if word == "__aligned" {
                    let arg = String::from_utf8_lossy(&t[open + 1..close - 1]).trim().to_string();
                    markers.push(Marker { byte: start, kind: MarkerKind::Aligned(arg) });
                }
                blank(t, start, close);
            }
        }
    } else if word == "__builtin_offsetof" {
        // tree-sitter knows `offsetof(type, member)` only under that name.
        blank(t, start, end);
        t[start..start + 8].copy_from_slice(b"offsetof");
    } else if word == "__attribute__" || word == "__attribute" {
        // `__attribute__((section(".maps"), used))` after a declarator or
        // between specifiers trips tree-sitter (a top-level declaration
        // followed by a function reads as an old-style definition). Blank
        // it unless it says something about layout, which env.rs reads;
        // a layout attribute after a declarator becomes a marker.
        let open = next_non_space(t, end);
        if t.get(open) == Some(&b'(') {
            if let Some(close) = matching_paren(t, open) {
                let inner = String::from_utf8_lossy(&t[open..close]).into_owned();
                let layout = ["packed", "aligned", "mode", "vector_size", "transparent_union"].iter().any(|w| inner.contains(w));
                if !layout {
                    blank(t, start, close);
                } else {
                    blank_trailing_attribute(t, markers, start, end);
                }
            }
        }
    } else if is_loop_macro(word) {
        rewrite_loop_macro(t, markers, start, end, word);
    } else if CONTAINER_MACROS.contains(&word) {
        let open = next_non_space(t, end);
        if t.get(open) == Some(&b'(') {
            if let Some(close) = matching_paren(t, open) {
                blank_type_keywords(t, markers, open, close);
            }
        }
    }
}

/// `__attribute__((...))` after a declarator (`} map __attribute__((section(".maps")));`,
/// `char lic[] __attribute__((section("license"))) = "GPL";`): a GNU
/// position tree-sitter-c cannot parse, which macros such as libbpf's
/// `SEC(...)` produce. Blanked; `aligned(N)` and `packed` are kept as
/// markers like the kernel's `__aligned(N)`.
fn blank_trailing_attribute(t: &mut [u8], markers: &mut Vec<Marker>, start: usize, end: usize) {
    let before = t[..start].iter().rposition(|b| !b.is_ascii_whitespace()).map(|k| t[k]);
    if !before.is_some_and(|b| is_ident_byte(b) || b == b']') {
        return;
    }
    let open = next_non_space(t, end);
    if t.get(open) != Some(&b'(') {
        return;
    }
    let Some(close) = matching_paren(t, open) else { return };
    let after = next_non_space(t, close);
    let follows = t.get(after).copied();
    let chained = t[after..].starts_with(b"__attribute");
    if !(matches!(follows, Some(b';' | b'=' | b',')) || chained) {
        return;
    }
    let args = String::from_utf8_lossy(&t[open..close]).into_owned();
    if let Some(k) = args.find("aligned") {
        let rest = &args[k + "aligned".len()..];
        let rest = rest.trim_start_matches('_').trim_start();
        let n = rest.strip_prefix('(').and_then(|r| r.split(')').next()).map(|n| n.trim().to_string());
        markers.push(Marker { byte: start, kind: MarkerKind::Aligned(n.unwrap_or_else(|| "16".into())) });
    }
    if args.contains("packed") {
        markers.push(Marker { byte: start, kind: MarkerKind::Packed });
    }
    blank(t, start, close);
}

pub fn is_loop_macro(word: &str) -> bool {
    (word.starts_with("list_for_each") || word.starts_with("hlist_for_each") || word.starts_with("bpf_for_each"))
        && !word.ends_with("_h")
        && word != "bpf_for_each_map_elem"
}

/// `list_for_each_entry(pos, head, member)` → `for                (pos; head; member)`:
/// the macro name becomes `for` and the first and last top-level commas
/// become semicolons, which keeps every byte in place.
fn rewrite_loop_macro(t: &mut [u8], markers: &mut Vec<Marker>, start: usize, end: usize, word: &str) {
    let open = next_non_space(t, end);
    if t.get(open) != Some(&b'(') {
        return;
    }
    let Some(close) = matching_paren(t, open) else { return };
    let mut commas = Vec::new();
    let mut depth = 0;
    for (k, &c) in t[open..close].iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 1 => commas.push(open + k),
            _ => {}
        }
    }
    if commas.len() < 2 {
        return;
    }
    blank_type_keywords(t, markers, open, close);
    t[commas[0]] = b';';
    if let Some(&last) = commas.last() {
        t[last] = b';';
    }
    blank(t, start, end);
    t[start..start + 3].copy_from_slice(b"for");
    markers.push(Marker { byte: start, kind: MarkerKind::LoopMacro(word.to_string()) });
}

fn blank_type_keywords(t: &mut [u8], markers: &mut Vec<Marker>, open: usize, close: usize) {
    let mut k = open;
    while k < close {
        for kw in ["struct", "union"] {
            let n = kw.len();
            if k + n < close
                && &t[k..k + n] == kw.as_bytes()
                && !is_ident_byte(t[k + n])
                && (k == 0 || !is_ident_byte(t[k - 1]))
            {
                blank(t, k, k + n);
                markers.push(Marker { byte: k, kind: MarkerKind::TypeKeyword(kw.to_string()) });
            }
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn attributes_after_declarators_are_blanked() {
        let src = b"struct { int a; } m __attribute__((section(\".maps\"), used));\nchar l[] __attribute__((section(\"license\"))) = \"GPL\";\nstruct s { int a; } __attribute__((packed));\n";
        let s = super::sanitize(src);
        let text = String::from_utf8_lossy(&s.text);
        assert!(!text.lines().next().unwrap_or("").contains("__attribute__"), "{text}");
        assert!(!text.lines().nth(1).unwrap_or("").contains("__attribute__"), "{text}");
        // After a struct body tree-sitter reads it: kept.
        assert!(text.lines().nth(2).unwrap_or("").contains("__attribute__((packed))"), "{text}");
        assert_eq!(s.text.len(), src.len());
    }

    use super::*;

    #[test]
    fn keeps_length_and_records_markers() {
        let src = b"struct a { u32 x __aligned(8); } __packed;\nvoid f(void){ list_for_each_entry(p, &h, node) { } }\n";
        let s = sanitize(src);
        assert_eq!(s.text.len(), src.len());
        let text = String::from_utf8(s.text).unwrap();
        assert!(text.contains("for                (p; &h; node)"), "{text}");
        assert!(!text.contains("__packed"));
        assert_eq!(s.markers.len(), 3);
    }

    #[test]
    fn leaves_defines_alone() {
        let src = b"#define list_for_each_entry(a, b, c) for (;;)\n";
        assert_eq!(sanitize(src).text, src.to_vec());
    }
}
