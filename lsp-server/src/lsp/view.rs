//! What the analysis thread hands to the protocol side: plain, `Send`
//! data with byte offsets into the analyzed text (kept as a rope, so
//! positions convert exactly even when the document moved on).

use super::render;
use perfi_engine::layout::RecordLayout;
use perfi_engine::source::SourceFile;
use ropey::Rope;
use std::collections::HashMap;
use std::rc::Rc;
use tree_sitter::Node;

/// A hover target (a loop keyword, a call's callee name, a field) with an
/// optional inlay hint.
#[derive(Clone, Debug)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub hover: String,
    /// Byte offset and label of an inlay hint.
    pub hint: Option<(usize, String)>,
}

#[derive(Clone, Debug)]
pub struct FnView {
    pub name: String,
    pub name_start: usize,
    pub name_end: usize,
    pub start: usize,
    pub end: usize,
    pub status: String,
    pub hover: String,
    pub lens: String,
    pub json: serde_json::Value,
    pub python: String,
    pub text: String,
    pub loops: Vec<Mark>,
    pub calls: Vec<Mark>,
    /// Interface computed when the function sat at other lines (its body
    /// and dependencies unchanged); line numbers inside may be off until
    /// the refresh.
    pub stale: bool,
}

#[derive(Clone, Debug)]
pub struct StructView {
    pub name: String,
    pub start: usize,
    pub end: usize,
    pub lens: String,
    pub fields: Vec<Mark>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Information,
}

#[derive(Clone, Debug)]
pub struct DiagView {
    pub start: usize,
    pub end: usize,
    pub severity: Severity,
    pub message: String,
    pub code: &'static str,
    /// Related information at the same range (other slower input classes).
    pub related: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct FileView {
    pub uri: String,
    pub version: i32,
    pub rope: Rope,
    pub functions: Vec<FnView>,
    pub structs: Vec<StructView>,
    /// Field names in `a->b` / `a.b` expressions, with candidate layouts.
    pub field_uses: Vec<Mark>,
    pub diagnostics: Vec<DiagView>,
    /// Every interface is exact for this text (no refresh pending).
    pub complete: bool,
    /// Functions shown without an interface yet (a file just opened,
    /// published while its functions are analyzed): requests that need
    /// one wait for a later view.
    pub missing: usize,
}

impl FileView {
    pub fn function(&self, name: &str) -> Option<&FnView> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// Move every offset from the analyzed (preprocessed) text to the
    /// user's text, which the view's rope holds: a position inside a
    /// macro's expansion lands on the macro's use (or on the argument the
    /// token came from).
    pub fn map_offsets(&mut self, to_user: impl Fn(usize) -> usize) {
        let mark = |m: &mut Mark| {
            m.start = to_user(m.start);
            m.end = to_user(m.end).max(m.start);
            if let Some((b, _)) = &mut m.hint {
                *b = to_user(*b);
            }
        };
        for f in &mut self.functions {
            f.name_start = to_user(f.name_start);
            f.name_end = to_user(f.name_end).max(f.name_start);
            f.start = to_user(f.start);
            f.end = to_user(f.end).max(f.start);
            f.loops.iter_mut().for_each(mark);
            f.calls.iter_mut().for_each(mark);
        }
        for s in &mut self.structs {
            s.start = to_user(s.start);
            s.end = to_user(s.end).max(s.start);
            s.fields.iter_mut().for_each(mark);
        }
        self.field_uses.iter_mut().for_each(mark);
        for d in &mut self.diagnostics {
            d.start = to_user(d.start);
            d.end = to_user(d.end).max(d.start);
        }
    }
}

/// Identifier node of a (field) declarator.
fn declarator_ident(mut d: Node) -> Option<Node> {
    for _ in 0..64 {
        match d.kind() {
            "field_identifier" | "identifier" => return Some(d),
            _ => d = d.child_by_field_name("declarator").or_else(|| d.named_child(0))?,
        }
    }
    None
}

/// Pre-order walk without recursion (trees may be very deep).
fn walk(root: Node, mut f: impl FnMut(Node)) {
    let mut c = root.walk();
    loop {
        f(c.node());
        if c.goto_first_child() {
            continue;
        }
        loop {
            if c.goto_next_sibling() {
                break;
            }
            if !c.goto_parent() {
                return;
            }
        }
    }
}

fn text<'a>(n: Node, src: &'a [u8]) -> &'a str {
    n.utf8_text(src).unwrap_or("")
}

/// Struct lenses and field hovers for the layouts of this file, located in
/// its tree.
pub fn struct_views(file: &SourceFile, layouts: &[Rc<RecordLayout>]) -> Vec<StructView> {
    let src = &file.text;
    let mut out: Vec<StructView> = Vec::new();
    let mut by_node: HashMap<usize, usize> = HashMap::new();
    let root = file.tree.root_node();
    walk(root, |n| {
        if !matches!(n.kind(), "struct_specifier" | "union_specifier") || n.child_by_field_name("body").is_none() {
            return;
        }
        let line = n.start_position().row as u32 + 1;
        let name = n.child_by_field_name("name").map(|x| text(x, src).to_string());
        let cands: Vec<&Rc<RecordLayout>> = layouts.iter().filter(|l| l.line == line).collect();
        let l = match &name {
            Some(nm) => cands.iter().find(|l| l.name.ends_with(nm.as_str())).or(cands.first()),
            None => cands.first(),
        };
        // An anonymous member struct lives inside a named one: its fields
        // are reported (flattened) by the outer layout.
        if name.is_none() && has_struct_ancestor(n) {
            return;
        }
        if let Some(l) = l {
            let (s, e) = name.as_ref().and_then(|_| n.child_by_field_name("name")).map(|x| (x.start_byte(), x.end_byte())).unwrap_or((n.start_byte(), n.start_byte()));
            by_node.insert(n.id(), out.len());
            out.push(StructView { name: l.name.clone(), start: s.min(n.start_byte()), end: e, lens: render::struct_lens(l), fields: fields_of(n, l, src) });
        }
    });
    out
}

fn has_struct_ancestor(n: Node) -> bool {
    let mut p = n.parent();
    while let Some(x) = p {
        if matches!(x.kind(), "struct_specifier" | "union_specifier") {
            return true;
        }
        p = x.parent();
    }
    false
}

fn fields_of(spec: Node, l: &RecordLayout, src: &[u8]) -> Vec<Mark> {
    let mut marks = Vec::new();
    walk(spec, |n| {
        if n.kind() != "field_declaration" {
            return;
        }
        let mut c = n.walk();
        for d in n.children_by_field_name("declarator", &mut c) {
            let Some(id) = declarator_ident(d) else { continue };
            let nm = text(id, src);
            let dotted = format!(".{nm}");
            let f = l.fields.iter().find(|f| f.name == nm).or_else(|| l.fields.iter().find(|f| f.name.ends_with(&dotted)));
            if let Some(f) = f {
                marks.push(Mark { start: id.start_byte(), end: id.end_byte(), hover: render::field_text(l, f), hint: None });
            }
        }
    });
    marks
}

/// Hovers for field names used in expressions, by name (the candidates
/// are every layout of the unit with a field of that name).
pub fn field_uses(file: &SourceFile, layouts: &[Rc<RecordLayout>]) -> Vec<Mark> {
    let src = &file.text;
    let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
    for l in layouts {
        for f in &l.fields {
            let last = f.name.rsplit('.').next().unwrap_or(&f.name).to_string();
            if !last.is_empty() {
                by_name.entry(last).or_default().push(render::field_text(l, f));
            }
        }
    }
    let mut marks = Vec::new();
    walk(file.tree.root_node(), |n| {
        if n.kind() != "field_expression" {
            return;
        }
        let Some(f) = n.child_by_field_name("field") else { return };
        let Some(c) = by_name.get(text(f, src)) else { return };
        let mut hover = c.iter().take(4).cloned().collect::<Vec<_>>().join("\n\n");
        if c.len() > 4 {
            hover.push_str(&format!("\n\n… and {} more structs with this field", c.len() - 4));
        }
        marks.push(Mark { start: f.start_byte(), end: f.end_byte(), hover, hint: None });
    });
    marks
}

/// Byte offset of the end of the line holding `from` (before `\r`/`\n`).
pub fn line_end(text: &[u8], from: usize) -> usize {
    let from = from.min(text.len());
    text[from..].iter().position(|b| *b == b'\n' || *b == b'\r').map(|i| from + i).unwrap_or(text.len())
}
