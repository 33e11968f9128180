//! The type environment of a translation unit: records, typedefs, enum
//! constants, object-like defines and globals, from a file and the quoted
//! headers it includes. Resolves type syntax to `CType` and evaluates
//! integer constant expressions.

use crate::index::top_items;
use crate::sanitize::MarkerKind;
use crate::source::SourceFile;
use crate::syntax;
use crate::types::*;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

#[derive(Clone, Debug, Default)]
pub struct Attrs {
    pub packed: bool,
    pub aligned: Option<u64>,
}

impl Attrs {
    fn merge(&mut self, o: Attrs) {
        self.packed |= o.packed;
        if let Some(a) = o.aligned {
            self.aligned = Some(self.aligned.map_or(a, |b| b.max(a)));
        }
    }
}

#[derive(Clone, Debug)]
pub struct Global {
    pub name: String,
    pub ty: CType,
    pub is_const: bool,
    pub file: String,
    pub line: u32,
    /// Constant cells of its initializer (`initializers.rs`); `None`
    /// without one (or when it is too large to follow).
    pub init: Option<Vec<crate::initializers::InitCell>>,
}

#[derive(Clone, Debug)]
pub struct Declared {
    pub name: Option<String>,
    pub ty: CType,
    pub attrs: Attrs,
}

#[derive(Default, Clone)]
pub struct TypeEnv {
    pub records: Vec<Record>,
    tags: HashMap<String, RecordId>,
    typedefs: HashMap<String, CType>,
    pub enum_consts: HashMap<String, i128>,
    pub defines: HashMap<String, String>,
    /// Function-like macros: parameters and body, for constant expressions.
    pub fn_macros: HashMap<String, (Vec<String>, String)>,
    pub globals: HashMap<String, Global>,
    /// Function prototypes and definitions: return type by name.
    pub function_returns: HashMap<String, CType>,
    define_cache: RefCell<HashMap<String, Option<i128>>>,
    define_stack: RefCell<HashSet<String>>,
    pub(crate) layout_cache: RefCell<HashMap<RecordId, std::rc::Rc<crate::layout::RecordLayout>>>,
}

/// Per-file context for resolution: text and rewrite markers.
pub struct FileCtx<'a> {
    pub file: &'a SourceFile,
}

impl<'a> FileCtx<'a> {
    pub fn src(&self) -> &'a [u8] {
        &self.file.text
    }
    fn text(&self, n: Node) -> String {
        syntax::text(n, &self.file.text).into_owned()
    }
    fn line(&self, n: Node) -> u32 {
        n.start_position().row as u32 + 1
    }
}

impl TypeEnv {
    pub fn new() -> TypeEnv {
        TypeEnv::default()
    }

    pub fn add_define(&mut self, name: &str, text: &str) {
        self.defines.insert(name.to_string(), text.to_string());
        self.define_cache.borrow_mut().clear();
    }

    /// Register everything a file declares at top level, in order.
    pub fn add_file(&mut self, file: &SourceFile) {
        let ctx = FileCtx { file };
        for item in top_items(file.tree.root_node()) {
            if item.has_error() && item.kind() != "function_definition" {
                // Still try: tree-sitter errors are often local.
            }
            match item.kind() {
                "preproc_def" => {
                    if let Some(name) = item.child_by_field_name("name") {
                        let text = item.child_by_field_name("value").map(|v| ctx.text(v)).unwrap_or_default();
                        self.add_define(&ctx.text(name), text.trim());
                    }
                }
                "preproc_function_def" => {
                    if let (Some(name), Some(params)) = (item.child_by_field_name("name"), item.child_by_field_name("parameters")) {
                        let ps: Vec<String> = syntax::named_children(params).iter().map(|p| ctx.text(*p)).collect();
                        let body = item.child_by_field_name("value").map(|v| ctx.text(v)).unwrap_or_default();
                        self.fn_macros.insert(ctx.text(name), (ps, body.trim().to_string()));
                    }
                }
                "type_definition" => self.add_typedef(item, &ctx),
                "declaration" => self.add_declaration(item, &ctx),
                "struct_specifier" | "union_specifier" | "enum_specifier" => {
                    self.resolve_specifier(item, &ctx, Some(item));
                }
                "function_definition" => {
                    if let Some(t) = item.child_by_field_name("type") {
                        let base = self.resolve_specifier(t, &ctx, None);
                        if let Some(d) = item.child_by_field_name("declarator") {
                            let decl = self.declarator(base, Some(d), &ctx);
                            if let (Some(n), CType::Func(ret)) = (decl.name, decl.ty) {
                                self.function_returns.insert(n, *ret);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn add_typedef(&mut self, item: Node, ctx: &FileCtx) {
        let Some(t) = item.child_by_field_name("type") else { return };
        let base = self.resolve_specifier(t, ctx, Some(item));
        let mut cursor = item.walk();
        let decls: Vec<Node> = item.children_by_field_name("declarator", &mut cursor).collect();
        for d in decls {
            let decl = self.declarator(base.clone(), Some(d), ctx);
            if let Some(name) = decl.name {
                if let CType::Record(id) = decl.ty {
                    if self.records[id].name.is_none() && self.records[id].typedef_name.is_none() {
                        self.records[id].typedef_name = Some(name.clone());
                        self.layout_cache.borrow_mut().remove(&id);
                    }
                }
                self.typedefs.insert(name, decl.ty);
            }
        }
    }

    fn add_declaration(&mut self, item: Node, ctx: &FileCtx) {
        let Some(t) = item.child_by_field_name("type") else { return };
        let base = self.resolve_specifier(t, ctx, Some(item));
        let is_const = syntax::named_children(item).iter().any(|c| c.kind() == "type_qualifier" && ctx.text(*c) == "const");
        let mut cursor = item.walk();
        let decls: Vec<Node> = item.children_by_field_name("declarator", &mut cursor).collect();
        for d in decls {
            let decl = self.declarator(base.clone(), Some(d), ctx);
            let Some(name) = decl.name else { continue };
            match decl.ty {
                CType::Func(ret) => {
                    self.function_returns.insert(name, *ret);
                }
                ty => {
                    // `int a[] = {1,2,3}`: size from the initializer.
                    let ty = match (ty, d.child_by_field_name("value")) {
                        (CType::Array(el, None), Some(v)) if v.kind() == "initializer_list" => {
                            CType::Array(el, Some(v.named_child_count() as u64))
                        }
                        (ty, _) => ty,
                    };
                    let init = d.child_by_field_name("value").and_then(|v| self.initializer_cells(&ty, v, ctx));
                    let init = init.map(|(cells, strings)| {
                        // String literals become read-only pseudo-globals.
                        for (sname, scells) in strings {
                            let sty = CType::Array(Box::new(CType::int(1, true)), Some(scells.len() as u64));
                            let sg = Global { name: sname.clone(), ty: sty, is_const: true, file: ctx.file.path.clone(), line: ctx.line(item), init: Some(scells) };
                            self.globals.insert(sname, sg);
                        }
                        cells
                    });
                    // `extern` declarations after the definition keep its initializer.
                    let init = init.or_else(|| self.globals.get(&name).filter(|g| g.ty == ty).and_then(|g| g.init.clone()));
                    let g = Global { name: name.clone(), ty, is_const, file: ctx.file.path.clone(), line: ctx.line(item), init };
                    self.globals.insert(name, g);
                }
            }
        }
    }

    pub fn typedef(&self, name: &str) -> Option<CType> {
        self.typedefs.get(name).cloned().or_else(|| builtin_typedef(name))
    }

    pub fn tag(&self, name: &str) -> Option<RecordId> {
        self.tags.get(name).copied()
    }

    pub fn record(&self, id: RecordId) -> &Record {
        &self.records[id]
    }

    /// Resolve a type specifier node. `owner` is the declaration or
    /// typedef that holds it (attributes after a struct body sit there).
    pub fn resolve_specifier(&mut self, spec: Node, ctx: &FileCtx, owner: Option<Node>) -> CType {
        match spec.kind() {
            "primitive_type" => primitive(&ctx.text(spec)).unwrap_or(CType::Unknown(ctx.text(spec))),
            "sized_type_specifier" => {
                let base = spec.child_by_field_name("type").map(|t| self.resolve_specifier(t, ctx, None));
                let words: Vec<String> = syntax::children(spec).iter().filter(|c| !c.is_named()).map(|c| ctx.text(*c)).collect();
                let words: Vec<&str> = words.iter().map(|s| s.as_str()).collect();
                sized(&words, base)
            }
            "type_identifier" => {
                let n = ctx.text(spec);
                self.typedef(&n).unwrap_or(CType::Unknown(n))
            }
            "struct_specifier" | "union_specifier" => self.record_specifier(spec, ctx, owner),
            "enum_specifier" => {
                if let Some(body) = spec.child_by_field_name("body") {
                    self.add_enum(body, ctx);
                }
                let packed = self.specifier_attrs(spec, ctx, owner).packed;
                CType::Enum { bytes: if packed { 1 } else { 4 } }
            }
            _ => CType::Unknown(ctx.text(spec)),
        }
    }

    fn add_enum(&mut self, body: Node, ctx: &FileCtx) {
        let mut next: i128 = 0;
        for e in syntax::named_children(body) {
            if e.kind() != "enumerator" {
                continue;
            }
            let Some(n) = e.child_by_field_name("name") else { continue };
            if let Some(v) = e.child_by_field_name("value") {
                if let Some(x) = self.eval(v, ctx) {
                    next = x;
                }
            }
            self.enum_consts.insert(ctx.text(n), next);
            next += 1;
        }
    }

    /// Attributes of a struct/union/enum: `__attribute__` inside the
    /// specifier, and kernel spellings before its body or after it.
    fn specifier_attrs(&mut self, spec: Node, ctx: &FileCtx, owner: Option<Node>) -> Attrs {
        let mut a = Attrs::default();
        for c in syntax::named_children(spec) {
            if c.kind() == "attribute_specifier" {
                a.merge(self.attribute(c, ctx));
            }
        }
        if let Some(body) = spec.child_by_field_name("body") {
            a.merge(self.markers(ctx, spec.start_byte(), body.start_byte()));
            // Kernel spellings after the body run up to the `;` that ends
            // the declaration (which tree-sitter may leave outside `owner`).
            let text = ctx.src();
            let semi = text[body.end_byte()..].iter().position(|b| *b == b';').map(|p| body.end_byte() + p);
            let end = owner.map(|o| o.end_byte()).unwrap_or(spec.end_byte()).max(semi.unwrap_or(0));
            a.merge(self.markers(ctx, body.end_byte(), end));
            if let Some(o) = owner {
                for c in syntax::named_children(o) {
                    if c.kind() == "attribute_specifier" {
                        a.merge(self.attribute(c, ctx));
                    }
                }
            }
        }
        a
    }

    fn markers(&self, ctx: &FileCtx, from: usize, to: usize) -> Attrs {
        let mut a = Attrs::default();
        for m in ctx.file.markers_in(from, to) {
            match &m.kind {
                MarkerKind::Packed => a.packed = true,
                MarkerKind::Aligned(e) => {
                    let v = self.eval_text(e).map(|v| v as u64).unwrap_or(16);
                    a.merge(Attrs { packed: false, aligned: Some(v) });
                }
                _ => {}
            }
        }
        a
    }

    /// `__attribute__((packed, aligned(8)))`.
    fn attribute(&self, node: Node, ctx: &FileCtx) -> Attrs {
        let mut a = Attrs::default();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "identifier" if matches!(ctx.text(n).as_str(), "packed" | "__packed__") => a.packed = true,
                "identifier" if matches!(ctx.text(n).as_str(), "aligned" | "__aligned__") => {
                    a.merge(Attrs { packed: false, aligned: Some(16) })
                }
                "call_expression" => {
                    let f = n.child_by_field_name("function").map(|f| ctx.text(f)).unwrap_or_default();
                    if f == "aligned" || f == "__aligned__" {
                        let v = n
                            .child_by_field_name("arguments")
                            .and_then(crate::syntax::first_code_child)
                            .and_then(|x| self.eval(x, ctx))
                            .map(|v| v as u64)
                            .unwrap_or(16);
                        a.merge(Attrs { packed: false, aligned: Some(v) });
                    }
                }
                _ => stack.extend(syntax::named_children(n)),
            }
        }
        a
    }

    /// A record with no fields yet (a forward declaration, or one whose
    /// body is read next), at `spec`.
    fn empty_record(&mut self, name: Option<String>, is_union: bool, spec: Node, ctx: &FileCtx) -> RecordId {
        self.push_record(Record {
            name,
            is_union,
            fields: vec![],
            packed: false,
            aligned: None,
            complete: false,
            typedef_name: None,
            file: ctx.file.path.clone(),
            line: ctx.line(spec),
        })
    }

    fn record_specifier(&mut self, spec: Node, ctx: &FileCtx, owner: Option<Node>) -> CType {
        let is_union = spec.kind() == "union_specifier";
        let name = spec.child_by_field_name("name").map(|n| ctx.text(n));
        let Some(body) = spec.child_by_field_name("body") else {
            // Reference or forward declaration.
            if let Some(n) = &name {
                if let Some(id) = self.tags.get(n) {
                    return CType::Record(*id);
                }
                let id = self.empty_record(Some(n.clone()), is_union, spec, ctx);
                self.tags.insert(n.clone(), id);
                return CType::Record(id);
            }
            return CType::Unknown("anonymous record".into());
        };
        let attrs = self.specifier_attrs(spec, ctx, owner);
        // Reuse a forward-declared id so earlier pointers see the body.
        let id = match name.as_ref().and_then(|n| self.tags.get(n).copied()) {
            Some(id) if !self.records[id].complete => id,
            _ => self.empty_record(name.clone(), is_union, spec, ctx),
        };
        if let Some(n) = &name {
            self.tags.insert(n.clone(), id);
        }
        let fields = self.fields(body, ctx);
        let r = &mut self.records[id];
        r.fields = fields;
        r.packed = attrs.packed;
        r.aligned = attrs.aligned;
        r.complete = true;
        r.line = ctx.line(spec);
        self.layout_cache.borrow_mut().remove(&id);
        CType::Record(id)
    }

    fn push_record(&mut self, r: Record) -> RecordId {
        self.records.push(r);
        self.records.len() - 1
    }

    fn fields(&mut self, body: Node, ctx: &FileCtx) -> Vec<Field> {
        let mut out = Vec::new();
        let mut items = syntax::named_children(body);
        items.reverse();
        while let Some(fd) = items.pop() {
            match fd.kind() {
                "field_declaration" => self.field_declaration(fd, ctx, &mut out),
                "preproc_ifdef" | "preproc_if" => {
                    let alt = fd.child_by_field_name("alternative").map(|a| a.id());
                    let mut kids: Vec<Node> = syntax::named_children(fd).into_iter().filter(|k| Some(k.id()) != alt).collect();
                    kids.reverse();
                    items.extend(kids);
                }
                _ => {}
            }
        }
        out
    }

    fn field_declaration(&mut self, fd: Node, ctx: &FileCtx, out: &mut Vec<Field>) {
        let Some(t) = fd.child_by_field_name("type") else { return };
        let base = self.resolve_specifier(t, ctx, None);
        let mut attrs = Attrs::default();
        for c in syntax::named_children(fd) {
            if c.kind() == "attribute_specifier" {
                attrs.merge(self.attribute(c, ctx));
            }
        }
        // Kernel spellings inside this field but not inside a nested body.
        let nested_body = t.child_by_field_name("body");
        for m in ctx.file.markers_in(fd.start_byte(), fd.end_byte()) {
            if nested_body.is_some_and(|b| m.byte >= b.start_byte() && m.byte < b.end_byte()) {
                continue;
            }
            match &m.kind {
                MarkerKind::Packed => attrs.packed = true,
                MarkerKind::Aligned(e) => attrs.merge(Attrs { packed: false, aligned: Some(self.eval_text(e).map(|v| v as u64).unwrap_or(16)) }),
                _ => {}
            }
        }
        let mut started = false;
        for c in syntax::children(fd) {
            if Some(c) == fd.child_by_field_name("type") {
                continue;
            }
            match c.kind() {
                "bitfield_clause" => {
                    let w = crate::syntax::first_code_child(c).and_then(|e| self.eval(e, ctx)).unwrap_or(0) as u64;
                    if !started {
                        out.push(Field { name: None, ty: base.clone(), bits: Some(w), aligned: None, packed: attrs.packed });
                    } else if let Some(last) = out.last_mut() {
                        last.bits = Some(w);
                    }
                    started = false;
                }
                ";" | "," | "comment" | "attribute_specifier" | "type_qualifier" | "storage_class_specifier" => {
                    if c.kind() == "," {
                        started = false;
                    }
                }
                _ if c.is_named() && is_field_declarator(c.kind()) => {
                    let mut decl = if c.is_missing() {
                        Declared { name: None, ty: base.clone(), attrs: Attrs::default() }
                    } else {
                        self.declarator(base.clone(), Some(c), ctx)
                    };
                    decl.attrs.merge(attrs.clone());
                    out.push(Field { name: decl.name, ty: decl.ty, bits: None, aligned: decl.attrs.aligned, packed: decl.attrs.packed });
                    started = true;
                }
                _ => {}
            }
        }
        // Anonymous struct/union member: `union { ... };`
        if fd.child_by_field_name("declarator").is_none() && nested_body.is_some() && !has_bitfield(fd) {
            out.push(Field { name: None, ty: base, bits: None, aligned: attrs.aligned, packed: attrs.packed });
        }
    }

    /// Follow a declarator from the outside in, building the type.
    pub fn declarator(&mut self, base: CType, node: Option<Node>, ctx: &FileCtx) -> Declared {
        let mut ty = base;
        let mut attrs = Attrs::default();
        let mut cur = node;
        for _ in 0..syntax::MAX_DEPTH {
            let Some(d) = cur else { return Declared { name: None, ty, attrs } };
            match d.kind() {
                "identifier" | "field_identifier" | "type_identifier" => {
                    return Declared { name: Some(ctx.text(d)), ty, attrs };
                }
                "pointer_declarator" | "abstract_pointer_declarator" => {
                    ty = CType::Ptr(Box::new(ty));
                    cur = d.child_by_field_name("declarator");
                }
                "array_declarator" | "abstract_array_declarator" => {
                    let n = d.child_by_field_name("size").and_then(|s| self.eval(s, ctx)).map(|v| v.max(0) as u64);
                    ty = CType::Array(Box::new(ty), n);
                    cur = d.child_by_field_name("declarator");
                }
                "function_declarator" | "abstract_function_declarator" => {
                    ty = CType::Func(Box::new(ty));
                    cur = d.child_by_field_name("declarator");
                }
                "init_declarator" | "attributed_declarator" => {
                    for c in syntax::named_children(d) {
                        if c.kind() == "attribute_declaration" || c.kind() == "attribute_specifier" {
                            attrs.merge(self.attribute(c, ctx));
                        }
                    }
                    cur = d.child_by_field_name("declarator").or_else(|| d.named_child(0));
                }
                "parenthesized_declarator" | "abstract_parenthesized_declarator" => {
                    cur = syntax::named_children(d).into_iter().find(|c| c.kind() != "attribute_specifier");
                }
                _ => return Declared { name: None, ty, attrs },
            }
        }
        Declared { name: None, ty, attrs }
    }

    /// The type named by a `type_descriptor` (casts, sizeof, offsetof).
    pub fn type_descriptor(&mut self, td: Node, ctx: &FileCtx) -> CType {
        let Some(t) = td.child_by_field_name("type") else { return CType::Unknown(ctx.text(td)) };
        let base = self.resolve_specifier(t, ctx, None);
        self.declarator(base, td.child_by_field_name("declarator"), ctx).ty
    }

    /// Read-only resolution for expression contexts (no new records).
    pub fn type_descriptor_ro(&self, td: Node, ctx: &FileCtx) -> Option<CType> {
        let t = td.child_by_field_name("type")?;
        let base = match t.kind() {
            "primitive_type" => primitive(&ctx.text(t))?,
            "sized_type_specifier" => {
                let words: Vec<String> = syntax::children(t).iter().filter(|c| !c.is_named()).map(|c| ctx.text(*c)).collect();
                let words: Vec<&str> = words.iter().map(|s| s.as_str()).collect();
                let b = t.child_by_field_name("type").and_then(|x| primitive(&ctx.text(x)));
                sized(&words, b)
            }
            "type_identifier" => self.typedef(&ctx.text(t))?,
            "struct_specifier" | "union_specifier" => CType::Record(self.tag(&ctx.text(t.child_by_field_name("name")?))?),
            "enum_specifier" => CType::Enum { bytes: 4 },
            _ => return None,
        };
        let mut ty = base;
        let mut cur = td.child_by_field_name("declarator");
        for _ in 0..syntax::MAX_DEPTH {
            let Some(d) = cur else { return Some(ty) };
            match d.kind() {
                "abstract_pointer_declarator" => ty = CType::Ptr(Box::new(ty)),
                "abstract_array_declarator" => {
                    let n = d.child_by_field_name("size").and_then(|s| self.eval(s, ctx)).map(|v| v.max(0) as u64);
                    ty = CType::Array(Box::new(ty), n);
                }
                "abstract_function_declarator" => ty = CType::Func(Box::new(ty)),
                "abstract_parenthesized_declarator" => {}
                _ => return None,
            }
            cur = d.child_by_field_name("declarator").or_else(|| if d.kind() == "abstract_parenthesized_declarator" { d.named_child(0) } else { None });
        }
        Some(ty)
    }

    /// Integer constant expression value, if it has one.
    pub fn eval(&self, e: Node, ctx: &FileCtx) -> Option<i128> {
        self.eval_depth(e, ctx, 0)
    }

    fn eval_depth(&self, e: Node, ctx: &FileCtx, depth: usize) -> Option<i128> {
        if depth > 200 {
            return None;
        }
        let d = depth + 1;
        match e.kind() {
            "number_literal" => parse_int_literal(&ctx.text(e)),
            "char_literal" => parse_char_literal(&ctx.text(e)),
            "true" => Some(1),
            "false" => Some(0),
            "parenthesized_expression" => self.eval_depth(crate::syntax::first_code_child(e)?, ctx, d),
            "identifier" => {
                let n = ctx.text(e);
                self.enum_consts.get(&n).copied().or_else(|| self.define_value(&n)).or_else(|| builtin_constant(&n))
            }
            "unary_expression" => {
                let v = self.eval_depth(e.child_by_field_name("argument")?, ctx, d)?;
                let op = ctx.text(e.child_by_field_name("operator")?);
                Some(match op.as_str() {
                    "-" => v.wrapping_neg(),
                    "+" => v,
                    "~" => !v,
                    "!" => (v == 0) as i128,
                    _ => return None,
                })
            }
            "binary_expression" => {
                let a = self.eval_depth(e.child_by_field_name("left")?, ctx, d)?;
                let b = self.eval_depth(e.child_by_field_name("right")?, ctx, d)?;
                let op = ctx.text(e.child_by_field_name("operator")?);
                binop_const(&op, a, b)
            }
            "conditional_expression" => {
                let c = self.eval_depth(e.child_by_field_name("condition")?, ctx, d)?;
                let side = if c != 0 { "consequence" } else { "alternative" };
                self.eval_depth(e.child_by_field_name(side)?, ctx, d)
            }
            "cast_expression" => {
                let v = self.eval_depth(e.child_by_field_name("value")?, ctx, d)?;
                let ty = e.child_by_field_name("type").and_then(|t| self.type_descriptor_ro(t, ctx));
                Some(match ty {
                    Some(CType::Int { bytes, signed }) => truncate(v, bytes as u32 * 8, signed),
                    _ => v,
                })
            }
            "sizeof_expression" => {
                if let Some(t) = e.child_by_field_name("type") {
                    let ty = self.type_descriptor_ro(t, ctx)?;
                    return self.size_of(&ty).map(|s| s as i128);
                }
                let v = e.child_by_field_name("value")?;
                let v = if v.kind() == "parenthesized_expression" { crate::syntax::first_code_child(v)? } else { v };
                if v.kind() == "identifier" {
                    // `sizeof(__u32)` parses as an expression when the
                    // parser cannot know `__u32` names a type.
                    let name = ctx.text(v);
                    let ty = match self.globals.get(&name) {
                        Some(g) => g.ty.clone(),
                        None => self.typedef(&name)?,
                    };
                    return self.size_of(&ty).map(|s| s as i128);
                }
                None
            }
            "call_expression" => {
                let name = ctx.text(e.child_by_field_name("function")?);
                let (params, body) = self.fn_macros.get(&name)?.clone();
                let args: Vec<String> = syntax::named_children(e.child_by_field_name("arguments")?).iter().map(|a| ctx.text(*a)).collect();
                if args.len() != params.len() || depth > 50 {
                    return None;
                }
                let mut out = String::new();
                // Substitute whole identifiers only.
                let bytes = body.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
                        let st = i;
                        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                            i += 1;
                        }
                        let w = &body[st..i];
                        match params.iter().position(|p| p == w) {
                            Some(k) => out.push_str(&format!("({})", args[k])),
                            None => out.push_str(w),
                        }
                    } else {
                        out.push(bytes[i] as char);
                        i += 1;
                    }
                }
                self.eval_text(&out)
            }
            "alignof_expression" => {
                let t = e.child_by_field_name("type")?;
                let ty = self.type_descriptor_ro(t, ctx)?;
                self.align_of(&ty).map(|s| s as i128)
            }
            "offsetof_expression" => {
                let t = self.type_descriptor_ro(e.child_by_field_name("type")?, ctx)?;
                let member = ctx.text(e.child_by_field_name("member")?);
                let CType::Record(id) = t else { return None };
                self.find_field(id, &member).map(|(off, _)| off as i128)
            }
            _ => None,
        }
    }

    /// Offset of a member designator such as `tuplehash[1].node` in a record.
    pub fn member_path_offset(&self, rid: RecordId, path: &str) -> Option<(u64, CType)> {
        let mut off = 0u64;
        let mut ct = CType::Record(rid);
        for part in path.split('.') {
            let part = part.trim();
            let (name, idx) = match part.split_once('[') {
                Some((n, rest)) => (n.trim(), Some(rest.trim_end_matches(']').trim())),
                None => (part, None),
            };
            let CType::Record(r) = ct else { return None };
            let (o, t) = self.find_field(r, name)?;
            off += o;
            ct = t;
            if let Some(ix) = idx {
                let k = self.eval_text(ix)? as u64;
                let CType::Array(el, _) = ct else { return None };
                off += k * self.size_of(&el)?;
                ct = *el;
            }
        }
        Some((off, ct))
    }

    /// Evaluate the replacement text of a define, or any expression text.
    pub fn eval_text(&self, text: &str) -> Option<i128> {
        let wrapped = format!("int __perfi_probe = ({text});\n");
        let file = SourceFile::parse("<define>", wrapped.as_bytes()).ok()?;
        let root = file.tree.root_node();
        let decl = root.named_child(0)?;
        let init = decl.child_by_field_name("declarator")?.child_by_field_name("value")?;
        let ctx = FileCtx { file: &file };
        self.eval(init, &ctx)
    }

    pub fn define_value(&self, name: &str) -> Option<i128> {
        if let Some(v) = self.define_cache.borrow().get(name) {
            return *v;
        }
        let text = self.defines.get(name)?.clone();
        if !self.define_stack.borrow_mut().insert(name.to_string()) {
            return None; // self-referential define
        }
        let v = if text.is_empty() { None } else { self.eval_text(&text) };
        self.define_stack.borrow_mut().remove(name);
        self.define_cache.borrow_mut().insert(name.to_string(), v);
        v
    }
}

fn is_field_declarator(kind: &str) -> bool {
    matches!(
        kind,
        "field_identifier" | "pointer_declarator" | "array_declarator" | "function_declarator" | "parenthesized_declarator" | "attributed_declarator"
    )
}

fn has_bitfield(fd: Node) -> bool {
    syntax::named_children(fd).iter().any(|c| c.kind() == "bitfield_clause")
}

/// Limits from <stdint.h> and <limits.h>, and error numbers, whose
/// headers we never read.
pub fn builtin_constant(name: &str) -> Option<i128> {
    Some(match name {
        "UINT8_MAX" | "UCHAR_MAX" => 0xff,
        "UINT16_MAX" | "USHRT_MAX" => 0xffff,
        "UINT32_MAX" | "UINT_MAX" => 0xffff_ffff,
        "UINT64_MAX" | "SIZE_MAX" | "ULONG_MAX" | "ULLONG_MAX" | "U64_MAX" => u64::MAX as i128,
        "INT8_MAX" | "SCHAR_MAX" => 127,
        "INT16_MAX" | "SHRT_MAX" => 32767,
        "INT32_MAX" | "INT_MAX" => i32::MAX as i128,
        "INT64_MAX" | "LONG_MAX" | "LLONG_MAX" => i64::MAX as i128,
        "INT8_MIN" => -128,
        "INT16_MIN" => -32768,
        "INT32_MIN" | "INT_MIN" => i32::MIN as i128,
        "INT64_MIN" | "LONG_MIN" => i64::MIN as i128,
        "U8_MAX" => 0xff,
        "U16_MAX" => 0xffff,
        "U32_MAX" => 0xffff_ffff,
        "CHAR_BIT" | "BITS_PER_BYTE" => 8,
        "NULL" => 0,
        // Linux error numbers (<asm-generic/errno*.h>): kernel code returns
        // `-EINVAL` and the like without our seeing its headers.
        "EPERM" => 1,
        "ENOENT" => 2,
        "ESRCH" => 3,
        "EINTR" => 4,
        "EIO" => 5,
        "ENXIO" => 6,
        "E2BIG" => 7,
        "EBADF" => 9,
        "EAGAIN" => 11,
        "ENOMEM" => 12,
        "EACCES" => 13,
        "EFAULT" => 14,
        "EBUSY" => 16,
        "EEXIST" => 17,
        "ENODEV" => 19,
        "EINVAL" => 22,
        "ENOSPC" => 28,
        "ERANGE" => 34,
        "ENOSYS" => 38,
        "ENODATA" => 61,
        "EPROTO" => 71,
        "EOVERFLOW" => 75,
        "EMSGSIZE" => 90,
        "EPROTONOSUPPORT" => 93,
        "EOPNOTSUPP" => 95,
        "EAFNOSUPPORT" => 97,
        "EADDRINUSE" => 98,
        "ENOBUFS" => 105,
        "ETIMEDOUT" => 110,
        "EALREADY" => 114,
        "EINPROGRESS" => 115,
        "ENOTSUPP" => 524,
        _ => return None,
    })
}

pub fn truncate(v: i128, bits: u32, signed: bool) -> i128 {
    if bits >= 128 {
        return v;
    }
    let mask = (1i128 << bits) - 1;
    let u = v & mask;
    if signed && bits > 0 && (u >> (bits - 1)) & 1 == 1 {
        u - (1i128 << bits)
    } else {
        u
    }
}

pub fn binop_const(op: &str, a: i128, b: i128) -> Option<i128> {
    Some(match op {
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" => a.checked_div(b)?,
        "%" => a.checked_rem(b)?,
        "<<" => a.checked_shl(u32::try_from(b).ok().filter(|s| *s < 127)?)?,
        ">>" => a >> u32::try_from(b).ok().filter(|s| *s < 127)?,
        "&" => a & b,
        "|" => a | b,
        "^" => a ^ b,
        "&&" => (a != 0 && b != 0) as i128,
        "||" => (a != 0 || b != 0) as i128,
        "==" => (a == b) as i128,
        "!=" => (a != b) as i128,
        "<" => (a < b) as i128,
        "<=" => (a <= b) as i128,
        ">" => (a > b) as i128,
        ">=" => (a >= b) as i128,
        _ => return None,
    })
}

pub fn parse_int_literal(t: &str) -> Option<i128> {
    let s = t.trim().replace('\'', "");
    let s = s.trim_end_matches(|c: char| matches!(c, 'u' | 'U' | 'l' | 'L'));
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (b, 2)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    i128::from_str_radix(digits, radix).ok()
}

pub fn parse_char_literal(t: &str) -> Option<i128> {
    let inner = t.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut chars = inner.chars();
    let c = chars.next()?;
    if c != '\\' {
        return Some(c as i128);
    }
    let e = chars.next()?;
    Some(match e {
        'n' => 10,
        't' => 9,
        'r' => 13,
        '0' => {
            let rest: String = chars.collect();
            if rest.is_empty() {
                0
            } else {
                i128::from_str_radix(&rest, 8).ok()?
            }
        }
        '\\' => 92,
        '\'' => 39,
        '"' => 34,
        'x' => i128::from_str_radix(&chars.collect::<String>(), 16).ok()?,
        _ => e as i128,
    })
}

