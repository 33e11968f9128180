//! Parsing with tree-sitter-c and small helpers over syntax nodes.

use tree_sitter::{Language, Node, Parser, Point, Query, Tree};

/// Queries the front end runs; kept as data in `grammars/`.
pub const PERF_COMMENTS_QUERY: &str = include_str!("../../../grammars/perf-comments.scm");

/// Deepest syntax nesting we walk recursively. Deeper code is reported as
/// unsupported instead of risking the stack.
pub const MAX_DEPTH: usize = 400;

pub fn language() -> Language {
    tree_sitter_c::LANGUAGE.into()
}

/// Parse C source. tree-sitter never fails on bad input; it returns a tree
/// with ERROR nodes. `None` only if the parser itself could not run.
pub fn parse(src: &[u8], old: Option<&Tree>) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&language()).ok()?;
    parser.parse(src, old)
}

pub fn query(source: &str) -> Option<Query> {
    Query::new(&language(), source).ok()
}

pub fn text<'a>(node: Node, src: &'a [u8]) -> std::borrow::Cow<'a, str> {
    String::from_utf8_lossy(&src[node.byte_range()])
}

/// 1-based line and column of a point, as users read them.
pub fn line_col(p: Point) -> (u32, u32) {
    (p.row as u32 + 1, p.column as u32 + 1)
}

/// Source span: byte range plus 1-based start/end lines and columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start_byte: u32,
    pub end_byte: u32,
    pub start_line: u32,
    pub start_col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Span {
    pub fn of(node: Node) -> Span {
        let (sl, sc) = line_col(node.start_position());
        let (el, ec) = line_col(node.end_position());
        Span {
            start_byte: node.start_byte() as u32,
            end_byte: node.end_byte() as u32,
            start_line: sl,
            start_col: sc,
            end_line: el,
            end_col: ec,
        }
    }
    pub fn loc(&self) -> String {
        format!("{}:{}", self.start_line, self.start_col)
    }
}

pub fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The first named child that is code, not a comment: tree-sitter keeps
/// comments as named children wherever they appear (`else /* done */
/// break;`, `return /* none */ x;`).
pub fn first_code_child<'t>(node: Node<'t>) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let first = node.named_children(&mut cursor).find(|c| c.kind() != "comment");
    first
}

pub fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

/// First ERROR or MISSING node inside `node`, found without recursion so
/// that deeply nested input cannot overflow the stack.
pub fn first_error(node: Node) -> Option<Node> {
    if !node.has_error() {
        return None;
    }
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            return Some(n);
        }
        if n.has_error() {
            let mut kids = children(n);
            kids.reverse();
            stack.extend(kids);
        }
    }
    None
}

/// Depth of the deepest descendant, computed iteratively with a cap.
pub fn depth_exceeds(node: Node, cap: usize) -> bool {
    let mut cursor = node.walk();
    let mut depth = 0usize;
    loop {
        if cursor.goto_first_child() {
            depth += 1;
            if depth > cap {
                return true;
            }
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
            depth -= 1;
        }
    }
}

/// Stable 64-bit FNV-1a hash (std's hasher is randomized per process).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}
