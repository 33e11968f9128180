//! Hover targets, and answering a hover from the view of an older version
//! of the document while the analysis of the newest edit is still running:
//! outside the edited region the old view's targets are still where they
//! were, shifted by the edit's length.

use super::documents::{byte_range, position_to_byte, Encoding};
use super::view::FileView;
use perfi_engine::source::changed_region;
use ropey::Rope;
use tower_lsp_server::ls_types::*;

/// What a hover shows: the target's byte range, its markdown, and the
/// extent whose analysis it describes (a whole function for its name).
pub struct Target {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub extent: (usize, usize),
}

pub fn markdown(value: String, range: Option<Range>) -> Hover {
    Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }), range }
}

/// The innermost hover target at a byte offset of the view's text.
pub fn target_at(v: &FileView, byte: usize) -> Option<Target> {
    let within = |s: usize, e: usize| s <= byte && byte <= e && s < e;
    let mut best: Option<Target> = None;
    let mut offer = |s: usize, e: usize, text: &str, extent: (usize, usize)| {
        if within(s, e) && best.as_ref().is_none_or(|b| e - s < b.end - b.start) {
            best = Some(Target { start: s, end: e, text: text.to_string(), extent });
        }
    };
    for f in &v.functions {
        offer(f.name_start, f.name_end, &f.hover, (f.start, f.end));
        if f.start <= byte && byte <= f.end {
            for m in f.loops.iter().chain(f.calls.iter()) {
                offer(m.start, m.end, &m.hover, (f.start, f.end));
            }
        }
    }
    for s in &v.structs {
        if s.end > s.start {
            offer(s.start, s.end, &format!("**{}** — {}", s.name, s.lens), (s.start, s.end));
        }
        for m in &s.fields {
            offer(m.start, m.end, &m.hover, (s.start, s.end));
        }
    }
    for m in &v.field_uses {
        offer(m.start, m.end, &m.hover, (m.start, m.end));
    }
    best
}

pub fn hover_at(v: &FileView, byte: usize, enc: Encoding) -> Option<Hover> {
    target_at(v, byte).map(|t| markdown(t.text, Some(byte_range(&v.rope, t.start, t.end, enc))))
}

/// A hover answered from an older view, when the target lies outside the
/// edited region. `None` when the position is inside the edit (the caller
/// then waits for the analysis of the current text).
pub fn hover_from_older(v: &FileView, current: &Rope, pos: Position, enc: Encoding) -> Option<Hover> {
    let old = v.rope.to_string();
    let new = current.to_string();
    let d = changed_region(old.as_bytes(), new.as_bytes());
    let byte = position_to_byte(current, pos, enc);
    let old_byte = if byte <= d.prefix {
        byte
    } else if byte >= d.new_tail {
        byte - d.new_tail + d.old_tail
    } else {
        return None;
    };
    let t = target_at(v, old_byte)?;
    let to_new = |b: usize| if b <= d.prefix { Some(b) } else if b >= d.old_tail { Some(b - d.old_tail + d.new_tail) } else { None };
    let (start, end) = (to_new(t.start)?, to_new(t.end)?);
    let edited_inside = t.extent.0 < d.old_tail.max(d.prefix + 1) && d.prefix < t.extent.1;
    let text = if edited_inside {
        format!("{}\n\n_Re-analyzing after your latest edit: these figures are for the text before it._", t.text)
    } else {
        t.text
    };
    Some(markdown(text, Some(byte_range(current, start, end, enc))))
}
