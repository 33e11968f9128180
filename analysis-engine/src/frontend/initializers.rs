//! Initializers of globals (`struct bpf_map m = { .type = ..., .max_entries
//! = 64 }`) as constant cells: byte offset, size and value. The executor
//! and the interpreter start a global's object from these cells for the
//! fields no code in the workspace writes (`exec/globals.rs`), so that a
//! map's type or size is a constant rather than an unknown input.
//!
//! Byte arrays initialized by a string literal get its bytes. What is not
//! understood (floats, wide strings, non-constant expressions) yields no cell: that byte range stays an
//! unknown, as without an initializer.

use crate::env::{FileCtx, TypeEnv};
use crate::syntax;
use crate::types::{CType, RecordId};
use serde::Serialize;
use tree_sitter::Node;

/// Cells beyond this many per global are dropped (large tables stay
/// unknown: reading them at symbolic indices would not benefit anyway).
pub const MAX_CELLS: usize = 1024;

/// Initializer lists nested deeper than this are not followed (C types
/// never nest that deep; a crafted `{{{{...}}}}` must not exhaust the stack).
const MAX_NESTING: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum InitValue {
    Int(i128),
    /// Address of a global plus a byte offset.
    Addr { global: String, off: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct InitCell {
    pub off: u64,
    pub size: u8,
    pub value: InitValue,
    /// The member at each level of nesting that holds the cell, as
    /// (record name, field name): a store recorded as a field access of
    /// any of them writes the cell. Empty for a scalar global.
    pub members: Vec<(String, String)>,
}

struct Walk<'e, 'c, 'f> {
    env: &'e TypeEnv,
    ctx: &'c FileCtx<'f>,
    cells: Vec<InitCell>,
    overflow: bool,
    depth: usize,
    /// String literals the initializer points to: (pseudo-global, bytes).
    strings: std::cell::RefCell<Vec<(String, Vec<InitCell>)>>,
}

impl TypeEnv {
    /// Constant cells of a global of type `ty` initialized by `value`, and
    /// the string literals they point to. `None` when the initializer has
    /// more cells than `MAX_CELLS`.
    pub(crate) fn initializer_cells(&self, ty: &CType, value: Node, ctx: &FileCtx) -> Option<(Vec<InitCell>, Vec<(String, Vec<InitCell>)>)> {
        let mut w = Walk { env: self, ctx, cells: Vec::new(), overflow: false, depth: 0, strings: Default::default() };
        w.value(ty, value, 0, &mut Vec::new());
        (!w.overflow).then(|| (w.cells, w.strings.into_inner()))
    }
}

impl Walk<'_, '_, '_> {
    fn push(&mut self, cell: InitCell) {
        if self.cells.len() >= MAX_CELLS {
            self.overflow = true;
        } else {
            self.cells.push(cell);
        }
    }

    fn value(&mut self, ty: &CType, v: Node, off: u64, members: &mut Vec<(String, String)>) {
        if self.overflow {
            return;
        }
        if self.depth >= MAX_NESTING {
            self.overflow = true;
            return;
        }
        self.depth += 1;
        self.value_at_depth(ty, v, off, members);
        self.depth -= 1;
    }

    fn value_at_depth(&mut self, ty: &CType, v: Node, off: u64, members: &mut Vec<(String, String)>) {
        match (ty, v.kind()) {
            (CType::Record(rid), "initializer_list") => self.record(*rid, v, off, members),
            (CType::Array(el, _), "initializer_list") => self.array(el, v, off, members),
            // `char t[65] = "ABC..."`: the bytes, the NUL if it fits (C11
            // 6.7.9 §14), the rest zero as for any initializer.
            (CType::Array(el, n), "string_literal" | "concatenated_string") if self.env.size_of(el) == Some(1) => {
                let Some(cells) = string_cells(v, self.ctx.src()) else { return };
                let len = n.unwrap_or(cells.len() as u64);
                for c in cells.into_iter().filter(|c| c.off < len) {
                    self.push(InitCell { off: off + c.off, members: members.clone(), ..c });
                }
            }
            // `{ 5 }` around a scalar.
            (_, "initializer_list") if ty.is_scalar() => {
                if let Some(first) = syntax::named_children(v).first() {
                    self.value(ty, *first, off, members);
                }
            }
            _ if ty.is_scalar() => self.scalar(ty, v, off, members),
            _ => {}
        }
    }

    fn scalar(&mut self, ty: &CType, v: Node, off: u64, members: &[(String, String)]) {
        let Some(size) = self.env.size_of(ty).filter(|s| matches!(s, 1 | 2 | 4 | 8)) else { return };
        if matches!(ty, CType::Float { .. }) {
            return;
        }
        let value = match self.env.eval(v, self.ctx) {
            Some(k) => InitValue::Int(crate::env::truncate(k, size as u32 * 8, false)),
            None => match self.address(v) {
                Some(a) => a,
                None => return,
            },
        };
        self.push(InitCell { off, size: size as u8, value, members: members.to_vec() });
    }

    /// `&g`, `g` (an array decaying), each possibly under casts.
    fn address(&self, v: Node) -> Option<InitValue> {
        let text = |n: Node| syntax::text(n, self.ctx.src()).into_owned();
        // Through parentheses and casts, iteratively (any depth).
        let mut v = v;
        while matches!(v.kind(), "parenthesized_expression" | "cast_expression") {
            v = if v.kind() == "cast_expression" { v.child_by_field_name("value")? } else { crate::syntax::first_code_child(v)? };
        }
        match v.kind() {
            "string_literal" | "concatenated_string" => {
                let cells = string_cells(v, self.ctx.src())?;
                let name = string_name(&self.ctx.file.path, v);
                self.strings.borrow_mut().push((name.clone(), cells));
                Some(InitValue::Addr { global: name, off: 0 })
            }
            "pointer_expression" if v.child_by_field_name("operator").map(text).as_deref() == Some("&") => {
                let arg = v.child_by_field_name("argument")?;
                let name = text(arg);
                (arg.kind() == "identifier" && (self.env.globals.contains_key(&name) || self.env.function_returns.contains_key(&name))).then(|| InitValue::Addr { global: name, off: 0 })
            }
            "identifier" => {
                let name = text(v);
                // A function's name is its address (an ops table's member).
                let Some(g) = self.env.globals.get(&name) else {
                    return self.env.function_returns.contains_key(&name).then_some(InitValue::Addr { global: name, off: 0 });
                };
                matches!(g.ty, CType::Array(..)).then(|| InitValue::Addr { global: g.name.clone(), off: 0 })
            }
            _ => None,
        }
    }

    /// Members in declaration order; designators jump, positions follow.
    /// Members without a value are zero, as C says.
    fn record(&mut self, rid: RecordId, list: Node, off: u64, members: &mut Vec<(String, String)>) {
        // A union's members overlap: which one is live is not tracked.
        if self.env.record(rid).is_union {
            return;
        }
        let Some(layout) = self.env.record_layout(rid) else { return };
        let rname = self.env.record(rid).name.clone().unwrap_or_else(|| "<anonymous>".into());
        let fields: Vec<_> = layout.members.iter().filter(|m| m.bit.is_none() || m.name.is_some()).cloned().collect();
        let mut given = vec![false; fields.len()];
        let mut next = 0usize;
        for (des, value) in entries(list) {
            let (idx, value) = if let Some(des) = des {
                // Only a single `.field` designator is followed; deeper
                // paths (`.a.b = 1`, `.a[2] = 1`) leave that member unknown.
                let name = match des.as_slice() {
                    [d] if d.kind() == "field_designator" => d.named_child(0).map(|n| syntax::text(n, self.ctx.src()).into_owned()),
                    _ => None,
                };
                let Some(i) = name.and_then(|n| fields.iter().position(|m| m.name.as_deref() == Some(n.as_str()))) else {
                    // Unknown designator: give up on the zero fill, which
                    // would claim the member it meant.
                    given.iter_mut().for_each(|g| *g = true);
                    continue;
                };
                (i, value)
            } else {
                (next, value)
            };
            let Some(m) = fields.get(idx) else { break };
            next = idx + 1;
            given[idx] = true;
            // Bitfields and anonymous members (whose fields the lowering
            // names after the outer record) stay unknown.
            let (None, Some(name)) = (m.bit, &m.name) else { continue };
            members.push((rname.clone(), name.clone()));
            self.value(&m.ty, value, off + m.offset, members);
            members.pop();
        }
        for (m, g) in fields.iter().zip(given) {
            if !g && m.bit.is_none() && m.ty.is_scalar() {
                if let (Some(n), Some(size)) = (&m.name, self.env.size_of(&m.ty).filter(|s| matches!(s, 1 | 2 | 4 | 8))) {
                    members.push((rname.clone(), n.clone()));
                    self.push(InitCell { off: off + m.offset, size: size as u8, value: InitValue::Int(0), members: members.clone() });
                    members.pop();
                }
            }
        }
    }

    /// Elements by position or `[k] =` designator; elements not given are
    /// left unknown (a large zeroed table stays lazy).
    fn array(&mut self, el: &CType, list: Node, off: u64, members: &mut Vec<(String, String)>) {
        let Some(esize) = self.env.size_of(el).filter(|s| *s > 0) else { return };
        let mut next = 0u64;
        for (des, value) in entries(list) {
            let (idx, value) = if let Some(des) = des {
                let k = match des.as_slice() {
                    [d] if d.kind() == "subscript_designator" => crate::syntax::first_code_child(*d).and_then(|e| self.env.eval(e, self.ctx)),
                    _ => None,
                };
                let Some(k) = k.and_then(|k| u64::try_from(k).ok()) else { continue };
                (k, value)
            } else {
                (next, value)
            };
            next = idx.saturating_add(1);
            let Some(at) = idx.checked_mul(esize).and_then(|d| d.checked_add(off)) else { break };
            self.value(el, value, at, members);
            if self.overflow {
                return;
            }
        }
    }
}

/// The entries of an initializer list: designators (`None` for a
/// positional entry) and the value.
fn entries(list: Node) -> Vec<(Option<Vec<Node>>, Node)> {
    let mut out = Vec::new();
    for item in syntax::named_children(list) {
        match item.kind() {
            "comment" => {}
            "initializer_pair" => {
                let Some(value) = item.child_by_field_name("value") else { continue };
                let mut cur = item.walk();
                out.push((Some(item.children_by_field_name("designator", &mut cur).collect()), value));
            }
            _ => out.push((None, item)),
        }
    }
    out
}

/// The pseudo-global a string literal is (one per literal, named after its
/// file and position, so that literals on one line stay apart).
pub fn string_name(path: &str, n: Node) -> String {
    let file = std::path::Path::new(path).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let p = n.start_position();
    format!("\"string@{file}:{}:{}\"", p.row + 1, p.column + 1)
}

/// The bytes of a string literal (or adjacent literals) as cells, with
/// the terminating NUL. `None` for wide or prefixed literals, escapes not
/// understood, or more than `MAX_CELLS` bytes.
pub fn string_cells(n: Node, src: &[u8]) -> Option<Vec<InitCell>> {
    let mut bytes: Vec<u8> = Vec::new();
    let parts: Vec<Node> = if n.kind() == "concatenated_string" { syntax::named_children(n) } else { vec![n] };
    for part in parts {
        if part.kind() != "string_literal" {
            return None;
        }
        let raw = syntax::text(part, src);
        if !raw.starts_with('"') {
            return None; // L"...", u8"...": not followed
        }
        for c in syntax::named_children(part) {
            let t = syntax::text(c, src);
            match c.kind() {
                "string_content" => bytes.extend_from_slice(t.as_bytes()),
                "escape_sequence" => bytes.push(unescape(&t)?),
                _ => return None,
            }
        }
        if bytes.len() >= MAX_CELLS {
            return None;
        }
    }
    bytes.push(0);
    Some(bytes.iter().enumerate().map(|(i, b)| InitCell { off: i as u64, size: 1, value: InitValue::Int(*b as i128), members: Vec::new() }).collect())
}

/// One C escape sequence (`\n`, `\x41`, `\101`, `\0`...) as a byte.
fn unescape(e: &str) -> Option<u8> {
    let body = e.strip_prefix('\\')?;
    let simple = match body {
        "n" => Some(b'\n'),
        "t" => Some(b'\t'),
        "r" => Some(b'\r'),
        "a" => Some(7),
        "b" => Some(8),
        "f" => Some(12),
        "v" => Some(11),
        "\\" => Some(b'\\'),
        "'" => Some(b'\''),
        "\"" => Some(b'"'),
        "?" => Some(b'?'),
        _ => None,
    };
    if simple.is_some() {
        return simple;
    }
    if let Some(hex) = body.strip_prefix('x') {
        return u32::from_str_radix(hex, 16).ok().and_then(|v| u8::try_from(v).ok());
    }
    if !body.is_empty() && body.len() <= 3 && body.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return u32::from_str_radix(body, 8).ok().and_then(|v| u8::try_from(v).ok());
    }
    None
}
