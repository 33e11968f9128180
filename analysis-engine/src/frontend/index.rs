//! Per-file index: what a file declares, found syntactically.

use crate::source::SourceFile;
use crate::syntax::{self, Span};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

#[derive(Clone, Debug, Serialize)]
pub struct Param {
    pub name: String,
    pub ty: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct FunctionInfo {
    pub name: String,
    pub params: Vec<Param>,
    pub return_type: String,
    pub range: Span,
    pub name_span: Span,
    pub body_hash: u64,
    pub is_static: bool,
    /// First syntax error inside the function (line, column), if any.
    pub error: Option<(u32, u32)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Define {
    pub name: String,
    pub text: String,
    pub line: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Include {
    pub spelled: String,
    pub system: bool,
    pub resolved: Option<PathBuf>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FileIndex {
    pub path: String,
    pub functions: Vec<FunctionInfo>,
    pub records: Vec<(String, u32)>,
    pub typedefs: Vec<String>,
    pub defines: Vec<Define>,
    pub enum_constants: Vec<String>,
    pub globals: Vec<(String, u32)>,
    pub includes: Vec<Include>,
}

/// Top-level items, looking through include guards and the first branch of
/// preprocessor conditionals (there is no preprocessor to choose for us).
pub fn top_items(root: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut stack: Vec<Node> = syntax::named_children(root);
    stack.reverse();
    while let Some(n) = stack.pop() {
        match n.kind() {
            "preproc_ifdef" | "preproc_if" => {
                let alt = n.child_by_field_name("alternative").map(|a| a.id());
                let mut kids: Vec<Node> = syntax::named_children(n).into_iter().filter(|k| Some(k.id()) != alt).collect();
                kids.reverse();
                stack.extend(kids);
            }
            _ => out.push(n),
        }
    }
    out
}

pub fn function_name_node(def: Node) -> Option<Node> {
    let mut d = def.child_by_field_name("declarator")?;
    loop {
        match d.kind() {
            "function_declarator" => {
                let inner = d.child_by_field_name("declarator")?;
                if inner.kind() == "identifier" {
                    return Some(inner);
                }
                d = inner;
            }
            "pointer_declarator" | "parenthesized_declarator" | "attributed_declarator" => {
                d = d.child_by_field_name("declarator").or_else(|| d.named_child(0))?;
            }
            "identifier" => return Some(d),
            _ => return None,
        }
    }
}

pub fn function_declarator(def: Node) -> Option<Node> {
    let mut d = def.child_by_field_name("declarator")?;
    loop {
        if d.kind() == "function_declarator" {
            return Some(d);
        }
        d = d.child_by_field_name("declarator").or_else(|| d.named_child(0))?;
    }
}

fn include_dirs_for(file: &Path, extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = file.parent() {
        dirs.push(d.to_path_buf());
    }
    dirs.extend(extra.iter().cloned());
    dirs
}

pub fn index_file(file: &SourceFile, include_paths: &[PathBuf]) -> FileIndex {
    let src = &file.text;
    let mut idx = FileIndex { path: file.path.clone(), ..Default::default() };
    let root = file.tree.root_node();
    let dirs = include_dirs_for(Path::new(&file.path), include_paths);
    for item in top_items(root) {
        let line = item.start_position().row as u32 + 1;
        match item.kind() {
            "function_definition" => {
                if let Some(f) = function_info(item, src) {
                    idx.functions.push(f);
                }
            }
            "preproc_def" => {
                if let Some(name) = item.child_by_field_name("name") {
                    let text = item.child_by_field_name("value").map(|v| syntax::text(v, src).trim().to_string()).unwrap_or_default();
                    idx.defines.push(Define { name: syntax::text(name, src).into_owned(), text, line });
                }
            }
            "preproc_include" => {
                if let Some(p) = item.child_by_field_name("path") {
                    let raw = syntax::text(p, src).into_owned();
                    let system = p.kind() == "system_lib_string";
                    let spelled = raw.trim_matches(|c| c == '"' || c == '<' || c == '>').to_string();
                    // `<...>` is searched in the `-I` directories only (as
                    // gcc does), never in the system's; `"..."` in the
                    // file's folder first.
                    let search: &[PathBuf] = if system { include_paths } else { &dirs };
                    let resolved = search.iter().map(|d| d.join(&spelled)).find(|c| c.is_file());
                    idx.includes.push(Include { spelled, system, resolved, line });
                }
            }
            "declaration" | "type_definition" => collect_decl_names(item, src, &mut idx),
            "struct_specifier" | "union_specifier" | "enum_specifier" => collect_specifier_names(item, src, &mut idx),
            _ => {}
        }
    }
    idx
}

fn function_info(def: Node, src: &[u8]) -> Option<FunctionInfo> {
    let name_node = function_name_node(def)?;
    let decl = function_declarator(def)?;
    let mut params = Vec::new();
    if let Some(list) = decl.child_by_field_name("parameters") {
        for p in syntax::named_children(list) {
            if p.kind() != "parameter_declaration" {
                continue;
            }
            let ty = p.child_by_field_name("type").map(|t| syntax::text(t, src).into_owned()).unwrap_or_default();
            let name = p.child_by_field_name("declarator").and_then(|d| declarator_name(d, src)).unwrap_or_default();
            if ty == "void" && name.is_empty() {
                continue;
            }
            params.push(Param { name, ty });
        }
    }
    let return_type = def.child_by_field_name("type").map(|t| syntax::text(t, src).into_owned()).unwrap_or_default();
    let body = def.child_by_field_name("body");
    let body_hash = body.map(|b| syntax::fnv1a(&src[b.byte_range()])).unwrap_or(0);
    let is_static = syntax::named_children(def)
        .iter()
        .any(|c| c.kind() == "storage_class_specifier" && syntax::text(*c, src) == "static");
    let error = syntax::first_error(def).map(|e| syntax::line_col(e.start_position()));
    Some(FunctionInfo {
        name: syntax::text(name_node, src).into_owned(),
        params,
        return_type,
        range: Span::of(def),
        name_span: Span::of(name_node),
        body_hash,
        is_static,
        error,
    })
}

pub fn declarator_name(mut d: Node, src: &[u8]) -> Option<String> {
    for _ in 0..syntax::MAX_DEPTH {
        match d.kind() {
            "identifier" | "field_identifier" | "type_identifier" => return Some(syntax::text(d, src).into_owned()),
            _ => d = d.child_by_field_name("declarator").or_else(|| d.named_child(0))?,
        }
    }
    None
}

fn collect_specifier_names(spec: Node, src: &[u8], idx: &mut FileIndex) {
    let line = spec.start_position().row as u32 + 1;
    if spec.kind() == "enum_specifier" {
        if let Some(list) = spec.child_by_field_name("body") {
            for e in syntax::named_children(list) {
                if let Some(n) = e.child_by_field_name("name") {
                    idx.enum_constants.push(syntax::text(n, src).into_owned());
                }
            }
        }
    } else if spec.child_by_field_name("body").is_some() {
        let name = spec.child_by_field_name("name").map(|n| syntax::text(n, src).into_owned()).unwrap_or_else(|| "<anonymous>".into());
        idx.records.push((name, line));
    }
}

fn collect_decl_names(item: Node, src: &[u8], idx: &mut FileIndex) {
    let line = item.start_position().row as u32 + 1;
    if let Some(t) = item.child_by_field_name("type") {
        collect_specifier_names(t, src, idx);
    }
    let mut cursor = item.walk();
    for d in item.children_by_field_name("declarator", &mut cursor) {
        let Some(name) = declarator_name(d, src) else { continue };
        if item.kind() == "type_definition" {
            idx.typedefs.push(name);
        } else if !is_function_declarator(d) {
            idx.globals.push((name, line));
        }
    }
}

fn is_function_declarator(d: Node) -> bool {
    let mut d = d;
    for _ in 0..syntax::MAX_DEPTH {
        match d.kind() {
            "function_declarator" => return true,
            "init_declarator" | "attributed_declarator" => match d.child_by_field_name("declarator") {
                Some(x) => d = x,
                None => return false,
            },
            _ => return false,
        }
    }
    false
}
