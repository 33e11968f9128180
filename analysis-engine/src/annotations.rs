//! `@perf` annotations in comments.

use crate::ir::PcvAnnotation;
use crate::source::SourceFile;
use crate::syntax;
use std::sync::OnceLock;
use tree_sitter::{Query, QueryCursor, StreamingIterator};

fn perf_query() -> Option<&'static Query> {
    static Q: OnceLock<Option<Query>> = OnceLock::new();
    Q.get_or_init(|| syntax::query(syntax::PERF_COMMENTS_QUERY)).as_ref()
}

/// A `@perf` comment: (start line, end line, byte range, text).
pub type PerfComment = (u32, u32, std::ops::Range<usize>, String);

/// Every `@perf` comment of the file.
pub fn perf_comments(file: &SourceFile) -> Vec<PerfComment> {
    file.perf_comments.get_or_init(|| find_perf_comments(file)).clone()
}

fn find_perf_comments(file: &SourceFile) -> Vec<PerfComment> {
    let Some(q) = perf_query() else { return vec![] };
    let mut cursor = QueryCursor::new();
    let mut out = Vec::new();
    let mut it = cursor.matches(q, file.tree.root_node(), file.text.as_slice());
    while let Some(m) = it.next() {
        for c in m.captures() {
            let n = c.node;
            out.push((
                n.start_position().row as u32 + 1,
                n.end_position().row as u32 + 1,
                n.byte_range(),
                syntax::text(n, &file.text).into_owned(),
            ));
        }
    }
    out
}

/// Parse `@perf pcv NAME: description [max N]`.
pub fn parse_pcv(text: &str) -> Option<PcvAnnotation> {
    let body = text.trim_start_matches("/*").trim_end_matches("*/").trim_start_matches("//").trim();
    let rest = body.strip_prefix("@perf")?.trim_start().strip_prefix("pcv")?.trim_start();
    let (name, desc) = match rest.split_once(':') {
        Some((n, d)) => (n.trim(), d.trim()),
        None => (rest.trim(), ""),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let mut description = desc.to_string();
    let mut max = None;
    if let Some(i) = desc.rfind("max ") {
        let tail = desc[i + 4..].trim().trim_end_matches(|c| c == ']' || c == ')' || c == '.');
        if let Ok(v) = tail.parse::<i128>() {
            max = Some(v);
            description = desc[..i].trim().trim_end_matches(|c| c == ',' || c == '[' || c == '(' || c == ';').trim().to_string();
        }
    }
    Some(PcvAnnotation { name: name.to_string(), description, max })
}

/// The pcv annotation whose comment ends on the line above `line` (or on it).
pub fn pcv_above(file: &SourceFile, line: u32) -> Option<PcvAnnotation> {
    perf_comments(file)
        .into_iter()
        .filter(|(_, end, _, _)| *end + 1 == line || *end == line)
        .find_map(|(_, _, _, t)| parse_pcv(&t))
}

/// Names of declarations marked `/* @perf secret */` (the comment directly
/// before or after the declared name on the same line).
pub fn secret_lines(file: &SourceFile) -> Vec<u32> {
    perf_comments(file).into_iter().filter(|(_, _, _, t)| t.contains("@perf secret")).map(|(s, _, _, _)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_pcv_with_bound() {
        let a = parse_pcv("/* @perf pcv e: expired flows, max 64 */").unwrap();
        assert_eq!(a.name, "e");
        assert_eq!(a.description, "expired flows");
        assert_eq!(a.max, Some(64));
        assert!(parse_pcv("/* @perf secret */").is_none());
    }
}
