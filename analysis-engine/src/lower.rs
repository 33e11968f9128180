//! Lowering a function's syntax tree to the IR.

use crate::env::{FileCtx, TypeEnv};
use crate::ir::*;
use crate::sanitize::MarkerKind;
use crate::syntax::{self, Span};
use crate::types::CType;
use std::collections::HashMap;
use tree_sitter::Node;

#[derive(Debug, Clone, thiserror::Error)]
#[error("unsupported: {what} at {line}:{col}")]
pub struct Unsupported {
    pub what: String,
    pub line: u32,
    pub col: u32,
}

type R<T> = Result<T, Unsupported>;

fn unsupported<T>(what: impl Into<String>, n: Node) -> R<T> {
    let (line, col) = syntax::line_col(n.start_position());
    Err(Unsupported { what: what.into(), line, col })
}

/// A value-producing expression with its C type.
#[derive(Clone, Debug)]
struct Val {
    e: Expr,
    ct: CType,
}

/// Something assignable.
#[derive(Clone, Debug)]
enum Place {
    Local(LocalId, CType),
    Mem { addr: Expr, ct: CType, access: Access, bit: Option<(u64, u64)> },
}

#[derive(Default)]
struct Scope {
    vars: HashMap<String, LocalId>,
    /// Static locals: the name of the function-scoped global (`next_id::counter`).
    statics: HashMap<String, String>,
}

struct LoopTargets {
    brk: BlockId,
    cont: Option<BlockId>,
}

pub struct Lowerer<'a, 'e> {
    env: &'e mut TypeEnv,
    ctx: FileCtx<'a>,
    f: Function,
    cur: BlockId,
    scopes: Vec<Scope>,
    local_types: Vec<CType>,
    targets: Vec<LoopTargets>,
    labels: HashMap<String, BlockId>,
    loop_meta: Vec<(BlockId, Span, Option<String>)>,
    depth: usize,
}

pub fn lower_function<'a>(env: &mut TypeEnv, file: &'a crate::source::SourceFile, def: Node<'a>) -> R<Function> {
    if syntax::depth_exceeds(def, syntax::MAX_DEPTH) {
        return unsupported(format!("nesting deeper than {}", syntax::MAX_DEPTH), def);
    }
    if let Some(e) = syntax::first_error(def) {
        // `goto *p` (GNU computed goto) does not parse: say what it is.
        let line_text = file.text.split(|b| *b == b'\n').nth(e.start_position().row).map(|l| String::from_utf8_lossy(l).into_owned()).unwrap_or_default();
        if let Some(k) = line_text.find("goto") {
            if line_text[k + 4..].trim_start().starts_with('*') {
                return unsupported("computed goto (`goto *EXPR`: the jump target is an address held in a variable)", e);
            }
        }
        return unsupported(if e.is_missing() { format!("syntax error (missing {})", e.kind()) } else { "syntax error".to_string() }, e);
    }
    let ctx = FileCtx { file };
    let name = crate::index::function_name_node(def).map(|n| syntax::text(n, &file.text).into_owned()).unwrap_or_default();
    let ret_ct = {
        let base = match def.child_by_field_name("type") {
            Some(t) => env.resolve_specifier(t, &ctx, None),
            None => CType::int(4, true),
        };
        match env.declarator(base, def.child_by_field_name("declarator"), &ctx).ty {
            CType::Func(r) => *r,
            other => other,
        }
    };
    let mut lw = Lowerer {
        env,
        ctx,
        f: Function {
            name,
            file: file.path.clone(),
            span: Span::of(def),
            params: vec![],
            locals: vec![],
            blocks: vec![],
            entry: 0,
            ret: Ty::Void,
            loops: vec![],
            loop_of_header: vec![],
            calls: 0,
            obj_sizes: Default::default(),
            globals: Default::default(),
            maps: Default::default(),
            const_names: Vec::new(),
            frame: Default::default(),
        },
        cur: 0,
        scopes: vec![Scope::default()],
        local_types: vec![],
        targets: vec![],
        labels: HashMap::new(),
        loop_meta: vec![],
        depth: 0,
    };
    lw.f.ret = lw.scalar_ty(&ret_ct);
    lw.cur = lw.new_block();
    lw.params(def)?;
    let body = def.child_by_field_name("body").ok_or(Unsupported { what: "function without body".into(), line: 0, col: 0 })?;
    lw.stmt(body)?;
    let end = Span::of(body);
    lw.terminate(Terminator::Return(if lw.f.ret == Ty::Void { None } else { Some(Expr::konst(0, lw.f.ret)) }), end);
    let loop_meta = std::mem::take(&mut lw.loop_meta);
    let mut f = lw.f;
    crate::loops::find_loops(&mut f, &loop_meta, file);
    f.frame = crate::frame::frame_info(&f);
    for (b, n) in crate::forward::forwarded_loads(&f).into_iter().enumerate() {
        f.blocks[b].fwd_loads = n;
    }
    for (b, role) in crate::distribute::library_loops(&f).into_iter().enumerate() {
        f.blocks[b].lib = role;
    }
    Ok(f)
}

impl<'a, 'e> Lowerer<'a, 'e> {
    fn src(&self) -> &'a [u8] {
        self.ctx.src()
    }
    fn text(&self, n: Node) -> String {
        syntax::text(n, self.src()).into_owned()
    }
    /// How the user wrote `n` (macro names kept), for access paths that
    /// name symbols in conditions; the analyzed text when that is not known.
    fn shown(&self, n: Node) -> String {
        self.ctx.file.user_slice(n.start_byte(), n.end_byte()).unwrap_or_else(|| self.text(n))
    }
    /// Record how a constant operand of a comparison was written: its
    /// value and, when the user wrote a name (a macro, an enum constant, a
    /// byte swap of one) rather than a number, that name.
    fn note_const_name(&mut self, n: Node, e: &Expr) {
        let Some(v) = const_value(e) else { return };
        let shown = self.shown(n);
        let shown = shown.trim();
        let literal = shown.chars().next().is_none_or(|c| c.is_ascii_digit() || c == '\'' || c == '-' || c == '(');
        let name = (!literal && shown.len() <= 48 && !shown.contains('\n')).then(|| shown.to_string());
        self.f.const_names.push((v, name));
    }
    fn new_block(&mut self) -> BlockId {
        self.f.blocks.push(Block { insts: vec![], term: Terminator::Unreachable, term_span: Span::default(), fwd_loads: 0, lib: Default::default() });
        self.f.blocks.len() - 1
    }
    fn terminate(&mut self, t: Terminator, span: Span) {
        let b = &mut self.f.blocks[self.cur];
        if matches!(b.term, Terminator::Unreachable) {
            b.term = t;
            b.term_span = span;
        }
        // Code after a terminator goes to a fresh unreachable block.
        self.cur = self.new_block();
    }
    fn goto(&mut self, target: BlockId, span: Span) {
        self.terminate(Terminator::Goto(target), span);
    }
    fn switch_to(&mut self, b: BlockId) {
        self.cur = b;
    }
    fn emit(&mut self, kind: InstKind, span: Span) {
        if let InstKind::Call { .. } = kind {
            self.f.calls += 1;
        }
        self.f.blocks[self.cur].insts.push(Inst { kind, span });
    }

    pub fn scalar_ty(&self, ct: &CType) -> Ty {
        match ct {
            CType::Void => Ty::Void,
            CType::Bool => Ty::Int { bits: 8, signed: false },
            CType::Int { bytes, signed } => Ty::Int { bits: *bytes as u16 * 8, signed: *signed },
            CType::Enum { bytes } => Ty::Int { bits: *bytes as u16 * 8, signed: false },
            CType::Ptr(_) | CType::Array(..) | CType::Func(_) => Ty::Ptr,
            CType::Float { bytes } => Ty::Int { bits: (*bytes as u16 * 8).min(64), signed: true },
            CType::Record(_) | CType::Unknown(_) => Ty::Int { bits: 64, signed: true },
        }
    }

    /// Keep the initializer of a global the function names, and of the
    /// globals it points to (the executor creates those on first use).
    fn note_global_init(&mut self, name: &str) {
        let mut todo = vec![name.to_string()];
        while let Some(n) = todo.pop() {
            if self.f.globals.contains_key(&n) {
                continue;
            }
            let Some(g) = self.env.globals.get(&n) else { continue };
            let Some(cells) = &g.init else { continue };
            for c in cells {
                if let crate::initializers::InitValue::Addr { global, .. } = &c.value {
                    todo.push(global.clone());
                }
            }
            self.f.globals.insert(n, crate::ir::GlobalInit { cells: cells.clone(), file: g.file.clone(), line: g.line });
        }
    }

    /// An eBPF map definition: BTF style (`int (*type)[BPF_MAP_TYPE_HASH];
    /// int (*max_entries)[64]; __u32 *key; struct v *value;`, what libbpf's
    /// `__uint`/`__type` expand to: the numbers are array sizes of the
    /// members' types) or legacy `struct bpf_map_def` (from the initializer).
    fn note_map(&mut self, name: &str) {
        if self.f.maps.contains_key(name) {
            return;
        }
        let Some(g) = self.env.globals.get(name) else { return };
        let CType::Record(rid) = g.ty.clone() else { return };
        let init = g.init.clone();
        let Some(layout) = self.env.record_layout(rid) else { return };
        let mut info = MapInfo::default();
        let mut any = false;
        for m in &layout.members {
            let Some(mname) = &m.name else { continue };
            let CType::Ptr(p) = &m.ty else { continue };
            match (mname.as_str(), p.as_ref()) {
                ("type", CType::Array(_, Some(k))) => info.map_type = *k as u32,
                ("max_entries", CType::Array(_, Some(k))) => info.max_entries = *k,
                ("key_size", CType::Array(_, Some(k))) => info.key_size = *k,
                ("value_size", CType::Array(_, Some(k))) => info.value_size = *k,
                ("key", t) => info.key_size = self.env.size_of(t).unwrap_or(0),
                ("value", t) => info.value_size = self.env.size_of(t).unwrap_or(0),
                _ => continue,
            }
            any = true;
        }
        let legacy = self.env.record(rid).name.as_deref() == Some("bpf_map_def");
        if legacy {
            for c in init.iter().flatten() {
                let crate::initializers::InitValue::Int(v) = c.value else { continue };
                match c.members.last().map(|(_, f)| f.as_str()) {
                    Some("type") => info.map_type = v as u32,
                    Some("key_size") => info.key_size = v as u64,
                    Some("value_size") => info.value_size = v as u64,
                    Some("max_entries") => info.max_entries = v as u64,
                    _ => continue,
                }
                any = true;
            }
        }
        if any {
            self.f.maps.insert(name.to_string(), info);
        }
    }

    fn record_name(&self, ct: &CType) -> Option<String> {
        let inner = match ct {
            CType::Ptr(p) => p.as_ref(),
            CType::Array(el, _) => el.as_ref(),
            other => other,
        };
        match inner {
            CType::Record(id) => self.env.records.get(*id).map(|r| r.display_name()),
            _ => None,
        }
    }

    fn add_local(&mut self, name: &str, ct: CType, is_param: bool) -> LocalId {
        let ty = self.scalar_ty(&ct);
        let aggregate = matches!(ct, CType::Record(_) | CType::Array(..));
        let size = self.env.size_of(&ct).unwrap_or(8);
        let record = self.record_name(&ct);
        if aggregate {
            self.f.obj_sizes.insert(format!("{name} (stack)"), size);
        }
        self.f.locals.push(Local { name: name.to_string(), ty, size, in_memory: aggregate, is_param, record, secret: false });
        self.local_types.push(ct);
        let id = self.f.locals.len() - 1;
        if let Some(s) = self.scopes.last_mut() {
            s.vars.insert(name.to_string(), id);
        }
        id
    }

    fn temp(&mut self, ct: CType) -> LocalId {
        let ty = self.scalar_ty(&ct);
        self.f.locals.push(Local { name: format!("tmp{}", self.f.locals.len()), ty, size: 8, in_memory: false, is_param: false, record: None, secret: false });
        self.local_types.push(ct);
        self.f.locals.len() - 1
    }

    fn lookup(&self, name: &str) -> Option<LocalId> {
        for s in self.scopes.iter().rev() {
            if let Some(l) = s.vars.get(name) {
                return Some(*l);
            }
            if s.statics.contains_key(name) {
                return None;
            }
        }
        None
    }

    /// The function-scoped global a static local's name stands for.
    fn lookup_static(&self, name: &str) -> Option<String> {
        for s in self.scopes.iter().rev() {
            if s.vars.contains_key(name) {
                return None;
            }
            if let Some(g) = s.statics.get(name) {
                return Some(g.clone());
            }
        }
        None
    }

    fn params(&mut self, def: Node) -> R<()> {
        let Some(decl) = crate::index::function_declarator(def) else { return unsupported("function declarator", def) };
        let Some(list) = decl.child_by_field_name("parameters") else { return Ok(()) };
        for p in syntax::named_children(list) {
            match p.kind() {
                "parameter_declaration" => {}
                "variadic_parameter" => return unsupported("variadic function", p),
                _ => continue,
            }
            let Some(t) = p.child_by_field_name("type") else { continue };
            let base = self.env.resolve_specifier(t, &self.ctx, None);
            let d = self.env.declarator(base, p.child_by_field_name("declarator"), &self.ctx);
            let Some(name) = d.name else { continue };
            // Array parameters are pointers.
            let ct = match d.ty {
                CType::Array(el, _) => CType::Ptr(el),
                other => other,
            };
            if ct == CType::Void {
                continue;
            }
            let id = self.add_local(&name, ct, true);
            self.f.locals[id].secret = self.marked_secret(p);
            self.f.params.push(id);
        }
        Ok(())
    }

    /// `/* @perf secret */` on a parameter: the comment sits in its
    /// declaration or between it and the neighbouring `,` / `(` / `)`.
    fn marked_secret(&self, p: Node) -> bool {
        let text = &self.ctx.file.text;
        let (s, e) = (p.start_byte(), p.end_byte().min(text.len()));
        let s = s.min(e);
        let before = text[..s].iter().rposition(|c| *c == b',' || *c == b'(').map(|i| i + 1).unwrap_or(s);
        let after = text[e..].iter().position(|c| *c == b',' || *c == b')').map(|i| e + i).unwrap_or(e);
        text.get(before..after).is_some_and(|t| String::from_utf8_lossy(t).contains("@perf secret"))
    }

    // ---------------------------------------------------------------- statements

    fn stmt(&mut self, n: Node) -> R<()> {
        self.depth += 1;
        if self.depth > syntax::MAX_DEPTH {
            return unsupported("statement nesting too deep", n);
        }
        let r = self.stmt_inner(n);
        self.depth -= 1;
        r
    }

    fn stmt_inner(&mut self, n: Node) -> R<()> {
        let span = Span::of(n);
        match n.kind() {
            "compound_statement" => {
                self.scopes.push(Scope::default());
                for c in syntax::named_children(n) {
                    self.stmt(c)?;
                }
                self.scopes.pop();
            }
            "declaration" => self.declaration(n)?,
            "expression_statement" => {
                if let Some(e) = syntax::first_code_child(n) {
                    self.effect(e)?;
                }
            }
            "comment" | "type_definition" | "struct_specifier" | "union_specifier" | "enum_specifier" => {
                if n.kind() != "comment" && n.kind() != "type_definition" {
                    self.env.resolve_specifier(n, &self.ctx, None);
                }
            }
            "preproc_def" | "preproc_call" | "preproc_include" => {}
            // Conditional code inside a body (`#ifdef CONFIG_X`, `#if
            // BITS_PER_LONG == 64`): the group the known defines select;
            // a condition that cannot be evaluated stays unsupported.
            "preproc_ifdef" | "preproc_if" | "preproc_elif" | "preproc_elifdef" => {
                let Some(taken) = self.preproc_taken(n) else {
                    return unsupported("preprocessor condition in a body that the defines do not decide", n);
                };
                let skip: Vec<usize> = ["name", "condition", "alternative"].iter().filter_map(|f| n.child_by_field_name(f)).map(|c| c.id()).collect();
                if taken {
                    for c in syntax::named_children(n) {
                        if !skip.contains(&c.id()) {
                            self.stmt(c)?;
                        }
                    }
                } else if let Some(alt) = n.child_by_field_name("alternative") {
                    self.stmt(alt)?;
                }
            }
            "preproc_else" => {
                for c in syntax::named_children(n) {
                    self.stmt(c)?;
                }
            }
            "if_statement" => {
                let then_bb = self.new_block();
                let else_bb = self.new_block();
                let join = self.new_block();
                let cond = n.child_by_field_name("condition").ok_or(self.err("if without condition", n))?;
                self.cond(cond, then_bb, else_bb)?;
                self.switch_to(then_bb);
                if let Some(c) = n.child_by_field_name("consequence") {
                    self.stmt(c)?;
                }
                self.goto(join, span);
                self.switch_to(else_bb);
                if let Some(alt) = n.child_by_field_name("alternative") {
                    // else_clause wraps the statement.
                    let s = if alt.kind() == "else_clause" { syntax::first_code_child(alt) } else { Some(alt) };
                    if let Some(s) = s {
                        self.stmt(s)?;
                    }
                }
                self.goto(join, span);
                self.switch_to(join);
            }
            "while_statement" => {
                let head = self.new_block();
                let body = self.new_block();
                let exit = self.new_block();
                self.goto(head, span);
                self.switch_to(head);
                self.loop_meta.push((head, keyword_span(n), None));
                let cond = n.child_by_field_name("condition").ok_or(self.err("while without condition", n))?;
                self.cond(cond, body, exit)?;
                self.switch_to(body);
                self.targets.push(LoopTargets { brk: exit, cont: Some(head) });
                if let Some(b) = n.child_by_field_name("body") {
                    self.stmt(b)?;
                }
                self.targets.pop();
                self.goto(head, span);
                self.switch_to(exit);
            }
            "do_statement" => {
                let body = self.new_block();
                let test = self.new_block();
                let exit = self.new_block();
                self.goto(body, span);
                self.switch_to(body);
                self.loop_meta.push((body, keyword_span(n), None));
                self.targets.push(LoopTargets { brk: exit, cont: Some(test) });
                if let Some(b) = n.child_by_field_name("body") {
                    self.stmt(b)?;
                }
                self.targets.pop();
                self.goto(test, span);
                self.switch_to(test);
                let cond = n.child_by_field_name("condition").ok_or(self.err("do without condition", n))?;
                self.cond(cond, body, exit)?;
                self.switch_to(exit);
            }
            "for_statement" => self.for_stmt(n)?,
            "switch_statement" => self.switch_stmt(n)?,
            "break_statement" => {
                let Some(t) = self.targets.last() else { return unsupported("break outside loop or switch", n) };
                let b = t.brk;
                self.goto(b, span);
            }
            "continue_statement" => {
                let Some(c) = self.targets.iter().rev().find_map(|t| t.cont) else { return unsupported("continue outside loop", n) };
                self.goto(c, span);
            }
            "return_statement" => {
                let v = match syntax::first_code_child(n) {
                    Some(e) if e.kind() != "comment" => {
                        let v = self.rvalue(e)?;
                        if self.f.ret == Ty::Void {
                            None
                        } else {
                            Some(self.convert(v, self.f.ret))
                        }
                    }
                    _ => None,
                };
                self.terminate(Terminator::Return(v), span);
            }
            "goto_statement" => {
                let l = n.child_by_field_name("label").map(|l| self.text(l)).unwrap_or_default();
                let b = self.label(&l);
                self.goto(b, span);
            }
            "labeled_statement" => {
                let l = n.child_by_field_name("label").map(|l| self.text(l)).unwrap_or_default();
                let b = self.label(&l);
                self.goto(b, span);
                self.switch_to(b);
                if let Some(s) = syntax::named_children(n).into_iter().find(|c| c.kind() != "statement_identifier") {
                    self.stmt(s)?;
                }
            }
            "case_statement" => return unsupported("case label outside switch", n),
            "attributed_statement" => {
                if let Some(s) = syntax::named_children(n).into_iter().find(|c| c.kind() != "attribute_declaration") {
                    self.stmt(s)?;
                }
            }
            "gnu_asm_expression" => {
                self.inline_asm(n)?;
            }
            ";" | "empty_statement" => {}
            other => return unsupported(format!("statement `{other}`"), n),
        }
        Ok(())
    }

    fn err(&self, what: &str, n: Node) -> Unsupported {
        let (line, col) = syntax::line_col(n.start_position());
        Unsupported { what: what.into(), line, col }
    }

    fn label(&mut self, name: &str) -> BlockId {
        if let Some(b) = self.labels.get(name) {
            return *b;
        }
        let b = self.new_block();
        self.labels.insert(name.to_string(), b);
        b
    }

    fn for_stmt(&mut self, n: Node) -> R<()> {
        let span = Span::of(n);
        let macro_name = self.ctx.file.markers_in(n.start_byte(), n.start_byte() + 1).find_map(|m| match &m.kind {
            MarkerKind::LoopMacro(name) => Some(name.clone()),
            _ => None,
        });
        self.scopes.push(Scope::default());
        if let Some(name) = macro_name {
            self.kernel_loop(n, &name)?;
            self.scopes.pop();
            return Ok(());
        }
        if let Some(init) = n.child_by_field_name("initializer") {
            if init.kind() == "declaration" {
                self.declaration(init)?;
            } else {
                self.effect(init)?;
            }
        }
        let head = self.new_block();
        let body = self.new_block();
        let step = self.new_block();
        let exit = self.new_block();
        self.goto(head, span);
        self.switch_to(head);
        self.loop_meta.push((head, keyword_span(n), None));
        match n.child_by_field_name("condition") {
            Some(c) => self.cond(c, body, exit)?,
            None => self.goto(body, span),
        }
        self.switch_to(body);
        self.targets.push(LoopTargets { brk: exit, cont: Some(step) });
        if let Some(b) = n.child_by_field_name("body") {
            self.stmt(b)?;
        }
        self.targets.pop();
        self.goto(step, span);
        self.switch_to(step);
        if let Some(u) = n.child_by_field_name("update") {
            self.effect(u)?;
        }
        self.goto(head, span);
        self.switch_to(exit);
        self.scopes.pop();
        Ok(())
    }

    /// `list_for_each_entry(pos, head, member)` and friends, rewritten by the
    /// sanitizer into `for (pos; head; member)`: lowered to what the macro
    /// expands to, so the loop follows the list through memory.
    fn kernel_loop(&mut self, n: Node, name: &str) -> R<()> {
        let span = Span::of(n);
        let parts: Vec<Node> = ["initializer", "condition", "update"].iter().filter_map(|f| n.child_by_field_name(f)).collect();
        if parts.len() != 3 {
            return unsupported(format!("{name} with unexpected arguments"), n);
        }
        // Comma expressions carry the extra `n` argument of _safe variants.
        let pos_node = first_of_comma(parts[0]);
        let head_node = last_of_comma(parts[1]);
        let member = self.text(parts[2]);
        let pos = self.place(pos_node)?;
        let pos_ct = self.place_ct(&pos);
        let Some(CType::Record(rid)) = pos_ct.pointee().cloned() else {
            if name.contains("entry") {
                return unsupported(format!("{name}: cursor is not a pointer to a struct"), n);
            }
            return unsupported(format!("{name} over raw list nodes"), n);
        };
        let Some((moff, _)) = self.env.find_field(rid, member.trim()) else {
            return unsupported(format!("{name}: no member `{}`", member.trim()), n);
        };
        let head = self.rvalue(head_node)?;
        let is_hlist = name.starts_with("hlist");
        let node_ct = CType::Ptr(Box::new(CType::Void));
        let node_tmp = self.temp(node_ct.clone());
        let first = Expr::Load { addr: Box::new(head.e.clone()), ty: Ty::Ptr, size: 8, access: Box::new(Access { text: format!("{}->{}", self.shown(head_node), if is_hlist { "first" } else { "next" }), field: None }) };
        self.emit(InstKind::Set { local: node_tmp, value: first }, span);
        let headb = self.new_block();
        let body = self.new_block();
        let step = self.new_block();
        let exit = self.new_block();
        self.goto(headb, span);
        self.switch_to(headb);
        self.loop_meta.push((headb, keyword_span(n), Some(name.to_string())));
        let stop = if is_hlist { Expr::konst(0, Ty::Ptr) } else { head.e.clone() };
        let cond = Expr::Bin { op: BinOp::Ne, a: Box::new(Expr::Local(node_tmp)), b: Box::new(stop), ty: Ty::I32, signed: false };
        self.terminate(Terminator::Branch { cond, then_bb: body, else_bb: exit }, span);
        self.switch_to(body);
        let entry = Expr::PtrAdd { base: Box::new(Expr::Local(node_tmp)), offset: Box::new(Expr::konst(-(moff as i128), Ty::I64)) };
        self.assign_place(&pos, Val { e: entry, ct: pos_ct.clone() }, span)?;
        self.targets.push(LoopTargets { brk: exit, cont: Some(step) });
        if let Some(b) = n.child_by_field_name("body") {
            self.stmt(b)?;
        }
        self.targets.pop();
        self.goto(step, span);
        self.switch_to(step);
        let pos_v = self.read_place(&pos)?;
        let next_addr = Expr::PtrAdd { base: Box::new(pos_v.e), offset: Box::new(Expr::konst(moff as i128, Ty::I64)) };
        let next = Expr::Load { addr: Box::new(next_addr), ty: Ty::Ptr, size: 8, access: Box::new(Access { text: format!("{}->{}.next", self.shown(pos_node), member.trim()), field: None }) };
        self.emit(InstKind::Set { local: node_tmp, value: next }, span);
        self.goto(headb, span);
        self.switch_to(exit);
        Ok(())
    }

    fn switch_stmt(&mut self, n: Node) -> R<()> {
        let span = Span::of(n);
        let cond = n.child_by_field_name("condition").ok_or(self.err("switch without value", n))?;
        let v = self.rvalue(cond)?;
        let vt = self.promote_ty(&v.ct);
        let value = self.convert(v, vt);
        let dispatch = self.cur;
        let exit = self.new_block();
        let body = n.child_by_field_name("body").ok_or(self.err("switch without body", n))?;
        let mut cases = Vec::new();
        let mut default = None;
        self.cur = self.new_block(); // statements before the first case are dead
        self.targets.push(LoopTargets { brk: exit, cont: None });
        self.scopes.push(Scope::default());
        for item in syntax::named_children(body) {
            if item.kind() == "case_statement" {
                let b = self.new_block();
                self.goto(b, Span::of(item)); // fall-through
                self.switch_to(b);
                match item.child_by_field_name("value") {
                    Some(val) => {
                        let Some(k) = self.const_value(val) else { return unsupported("non-constant case label", val) };
                        cases.push((k, b));
                    }
                    None => default = Some(b),
                }
                for s in syntax::named_children(item) {
                    if Some(s) == item.child_by_field_name("value") {
                        continue;
                    }
                    self.stmt(s)?;
                }
            } else {
                self.stmt(item)?;
            }
        }
        self.scopes.pop();
        self.targets.pop();
        self.goto(exit, span);
        let saved = self.cur;
        self.cur = dispatch;
        self.terminate(Terminator::Switch { value, cases, default: default.unwrap_or(exit) }, span);
        self.cur = saved;
        self.switch_to(exit);
        Ok(())
    }

    fn declaration(&mut self, n: Node) -> R<()> {
        let Some(t) = n.child_by_field_name("type") else { return Ok(()) };
        let is_static = syntax::named_children(n).iter().any(|c| c.kind() == "storage_class_specifier" && self.text(*c) == "static");
        let base = match self.typeof_type(t) {
            Some(ct) => ct,
            None => self.env.resolve_specifier(t, &self.ctx, Some(n)),
        };
        let mut cursor = n.walk();
        let decls: Vec<Node> = n.children_by_field_name("declarator", &mut cursor).collect();
        for d in decls {
            let decl = self.env.declarator(base.clone(), Some(d), &self.ctx);
            let Some(name) = decl.name else { continue };
            if matches!(decl.ty, CType::Func(_)) {
                continue;
            }
            if is_static {
                // A global scoped to the function: `next_id::counter`.
                let qualified = format!("{}::{name}", self.f.name);
                let mut ty = decl.ty.clone();
                let value = if d.kind() == "init_declarator" { d.child_by_field_name("value") } else { None };
                if let (CType::Array(el, None), Some(v)) = (&ty, value) {
                    if v.kind() == "initializer_list" {
                        ty = CType::Array(el.clone(), Some(v.named_child_count() as u64));
                    }
                }
                // No initializer: zero, as for any static.
                let init = match value {
                    Some(v) => self.env.initializer_cells(&ty, v, &self.ctx).map(|(cells, _)| cells),
                    None => self.env.size_of(&ty).filter(|s| *s <= 8 && s.is_power_of_two()).map(|s| {
                        vec![crate::initializers::InitCell { off: 0, size: s as u8, value: crate::initializers::InitValue::Int(0), members: vec![] }]
                    }),
                };
                let line = d.start_position().row as u32 + 1;
                let is_const = syntax::named_children(n).iter().any(|c| c.kind() == "type_qualifier" && self.text(*c) == "const");
                self.env.globals.insert(qualified.clone(), crate::env::Global { name: qualified.clone(), ty, is_const, file: self.f.file.clone(), line, init });
                if let Some(s) = self.scopes.last_mut() {
                    s.statics.insert(name.clone(), qualified);
                }
                continue;
            }
            let mut ct = decl.ty;
            let init = if d.kind() == "init_declarator" { d.child_by_field_name("value") } else { None };
            if let (CType::Array(el, None), Some(v)) = (&ct, init) {
                if v.kind() == "initializer_list" {
                    ct = CType::Array(el.clone(), Some(v.named_child_count() as u64));
                }
            }
            if let CType::Unknown(u) = &ct {
                return unsupported(format!("unknown type `{u}`"), d);
            }
            let id = self.add_local(&name, ct.clone(), false);
            if let Some(v) = init {
                let span = Span::of(d);
                let place = self.local_place(id);
                if v.kind() == "initializer_list" {
                    self.init_list(&place, v, span)?;
                } else {
                    let val = self.rvalue(v)?;
                    self.assign_place(&place, val, span)?;
                }
            }
        }
        Ok(())
    }

    /// `typeof(x)` / `__typeof__(x)` of a variable or a type name.
    fn typeof_type(&mut self, t: Node) -> Option<CType> {
        let text = self.text(t);
        let rest = ["__typeof__", "__typeof", "typeof"].iter().find_map(|k| text.trim().strip_prefix(k))?;
        let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?.trim().to_string();
        if inner.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            if let Some(id) = self.lookup(&inner) {
                return self.local_types.get(id).cloned();
            }
            let g = self.lookup_static(&inner).unwrap_or(inner.clone());
            if let Some(g) = self.env.globals.get(&g) {
                return Some(g.ty.clone());
            }
        }
        self.env.typedef(&inner)
    }

    fn local_place(&mut self, id: LocalId) -> Place {
        let ct = self.local_types[id].clone();
        if self.f.locals[id].in_memory {
            Place::Mem { addr: Expr::AddrLocal(id), ct, access: Access { text: self.f.locals[id].name.clone(), field: None }, bit: None }
        } else {
            Place::Local(id, ct)
        }
    }

    /// `= {0}`, `= { .a = 1, .b = { ... } }`, `= {1, 2, 3}`: zero the
    /// object, then store each given element.
    fn init_list(&mut self, place: &Place, list: Node, span: Span) -> R<()> {
        let Place::Mem { addr, ct, .. } = place else {
            // Scalar with braces: `int x = {3};`
            if let Some(first) = syntax::first_code_child(list) {
                let v = self.rvalue(first)?;
                return self.assign_place(place, v, span);
            }
            return Ok(());
        };
        let size = self.env.size_of(ct).unwrap_or(0);
        // A local aggregate initialized from constants only: gcc copies it
        // from read-only data (a few wide moves), not element by element.
        if size >= 16 && size <= 4096 && matches!(addr, Expr::AddrLocal(_)) && self.all_const(list) {
            // Only when the cells give every byte (no padding, union or
            // bitfield left unknown): the copy must equal the zeroing.
            let cells = self.env.initializer_cells(ct, list, &self.ctx).map(|(c, _)| c).filter(|c| c.iter().map(|x| x.size as u64).sum::<u64>() == size);
            if let Some(cells) = cells {
                let line = list.start_position().row as u32 + 1;
                let local = match addr {
                    Expr::AddrLocal(l) => self.f.locals[*l].name.clone(),
                    _ => String::new(),
                };
                let name = format!("{local} initializer (line {line})");
                self.f.obj_sizes.insert(name.clone(), size);
                self.f.globals.insert(name.clone(), crate::ir::GlobalInit { cells, file: self.f.file.clone(), line });
                self.emit(InstKind::Copy { dst: addr.clone(), src: Expr::AddrGlobal(name), size }, span);
                return Ok(());
            }
        }
        let args = vec![addr.clone(), Expr::konst(0, Ty::I32), Expr::konst(size as i128, Ty::U64)];
        self.emit(InstKind::Call { dst: None, callee: "memset".into(), args, target: None }, span);
        self.init_elems(addr.clone(), ct.clone(), list, span)
    }

    /// Every value of an initializer list is an integer constant.
    fn all_const(&self, list: Node) -> bool {
        let mut todo = vec![list];
        while let Some(l) = todo.pop() {
            for item in syntax::named_children(l) {
                let v = match item.kind() {
                    "comment" => continue,
                    "initializer_pair" => match item.child_by_field_name("value") {
                        Some(v) => v,
                        None => return false,
                    },
                    _ => item,
                };
                if v.kind() == "initializer_list" {
                    todo.push(v);
                } else if self.const_value(v).is_none() {
                    return false;
                }
            }
        }
        true
    }

    fn init_elems(&mut self, base: Expr, ct: CType, list: Node, span: Span) -> R<()> {
        let mut index: u64 = 0;
        for item in syntax::named_children(list) {
            if item.kind() == "comment" {
                continue;
            }
            let (target_ct, offset, value_node) = match item.kind() {
                "initializer_pair" => {
                    let Some(des) = item.child_by_field_name("designator") else { continue };
                    let value = item.child_by_field_name("value");
                    match (des.kind(), &ct) {
                        ("field_designator", CType::Record(id)) => {
                            let fname = self.text(des).trim_start_matches('.').trim().to_string();
                            let Some((off, fct)) = self.env.find_field(*id, &fname) else { return unsupported(format!("no field `{fname}`"), des) };
                            (fct, off, value)
                        }
                        ("subscript_designator", CType::Array(el, _)) => {
                            let Some(k) = syntax::first_code_child(des).and_then(|e| self.const_value(e)) else { return unsupported("designator", des) };
                            index = k as u64;
                            let es = self.env.size_of(el).unwrap_or(0);
                            ((**el).clone(), index * es, value)
                        }
                        _ => return unsupported("designated initializer", des),
                    }
                }
                _ => match &ct {
                    CType::Array(el, _) => {
                        let es = self.env.size_of(el).unwrap_or(0);
                        ((**el).clone(), index * es, Some(item))
                    }
                    CType::Record(id) => {
                        let layout = self.env.record_layout(*id);
                        let Some(m) = layout.as_ref().and_then(|l| l.members.get(index as usize)) else { break };
                        (m.ty.clone(), m.offset, Some(item))
                    }
                    _ => (ct.clone(), 0, Some(item)),
                },
            };
            index += 1;
            let Some(vn) = value_node else { continue };
            let addr = Expr::PtrAdd { base: Box::new(base.clone()), offset: Box::new(Expr::konst(offset as i128, Ty::I64)) };
            if vn.kind() == "initializer_list" {
                self.init_elems(addr, target_ct, vn, span)?;
            } else {
                let v = self.rvalue(vn)?;
                // `{0}` on an aggregate is already covered by the memset.
                if v.e.as_const() == Some(0) {
                    continue;
                }
                let place = Place::Mem { addr, ct: target_ct, access: Access { text: self.shown(vn), field: None }, bit: None };
                self.assign_place(&place, v, span)?;
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- conditions

    /// Lower a condition as control flow (short-circuit `&&`, `||`, `!`).
    fn cond(&mut self, n: Node, t: BlockId, f: BlockId) -> R<()> {
        self.depth += 1;
        if self.depth > syntax::MAX_DEPTH {
            return unsupported("expression nesting too deep", n);
        }
        let r = self.cond_inner(n, t, f);
        self.depth -= 1;
        r
    }

    fn cond_inner(&mut self, n: Node, t: BlockId, f: BlockId) -> R<()> {
        let span = Span::of(n);
        match n.kind() {
            "parenthesized_expression" | "condition_clause" => {
                let inner = syntax::named_children(n).into_iter().rfind(|c| c.kind() != "comment");
                match inner {
                    Some(i) => return self.cond(i, t, f),
                    None => return unsupported("empty condition", n),
                }
            }
            "binary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
                let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else { return unsupported("binary", n) };
                if op == "&&" {
                    let mid = self.new_block();
                    self.cond(l, mid, f)?;
                    self.switch_to(mid);
                    return self.cond(r, t, f);
                }
                if op == "||" {
                    let mid = self.new_block();
                    self.cond(l, t, mid)?;
                    self.switch_to(mid);
                    return self.cond(r, t, f);
                }
            }
            "unary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
                if op == "!" {
                    if let Some(a) = n.child_by_field_name("argument") {
                        return self.cond(a, f, t);
                    }
                }
            }
            "call_expression" => {
                // likely()/unlikely() are hints.
                let fname = n.child_by_field_name("function").map(|x| self.text(x)).unwrap_or_default();
                if matches!(fname.as_str(), "likely" | "unlikely" | "__builtin_expect") {
                    if let Some(a) = n.child_by_field_name("arguments").and_then(|a| syntax::first_code_child(a)) {
                        return self.cond(a, t, f);
                    }
                }
            }
            _ => {}
        }
        let v = self.rvalue(n)?;
        let cond = self.truth(v);
        self.terminate(Terminator::Branch { cond, then_bb: t, else_bb: f }, span);
        Ok(())
    }

    /// A value as a C truth value (comparison result, or `!= 0`).
    fn truth(&mut self, v: Val) -> Expr {
        if let Expr::Bin { op, .. } = &v.e {
            if op.is_compare() {
                return v.e;
            }
        }
        if let Expr::Un { op: UnOp::LNot, .. } = &v.e {
            return v.e;
        }
        let ty = self.scalar_ty(&v.ct);
        Expr::Bin { op: BinOp::Ne, a: Box::new(v.e), b: Box::new(Expr::konst(0, ty)), ty: Ty::I32, signed: false }
    }

    // ---------------------------------------------------------------- expressions

    /// Evaluate for side effects only.
    fn effect(&mut self, n: Node) -> R<()> {
        match n.kind() {
            "comma_expression" => {
                for c in syntax::named_children(n) {
                    self.effect(c)?;
                }
                Ok(())
            }
            "update_expression" | "assignment_expression" | "call_expression" => self.rvalue(n).map(|_| ()),
            "cast_expression" => match n.child_by_field_name("value") {
                Some(v) => self.effect(v),
                None => Ok(()),
            },
            _ => self.rvalue(n).map(|_| ()),
        }
    }

    fn const_value(&self, n: Node) -> Option<i128> {
        self.env.eval(n, &self.ctx)
    }

    fn rvalue(&mut self, n: Node) -> R<Val> {
        self.depth += 1;
        if self.depth > syntax::MAX_DEPTH {
            return unsupported("expression nesting too deep", n);
        }
        let r = self.rvalue_inner(n);
        self.depth -= 1;
        r
    }

    fn rvalue_inner(&mut self, n: Node) -> R<Val> {
        let span = Span::of(n);
        match n.kind() {
            "number_literal" | "char_literal" | "true" | "false" => {
                let Some(v) = self.const_value(n) else { return unsupported("literal (floating point?)", n) };
                let text = self.text(n).to_ascii_lowercase();
                let unsigned = text.contains('u');
                let long = text.contains('l') || v > i32::MAX as i128 || v < i32::MIN as i128;
                let ct = CType::int(if long { 8 } else { 4 }, !unsigned && !(v > i64::MAX as i128));
                let ty = self.scalar_ty(&ct);
                Ok(Val { e: Expr::konst(v, ty), ct })
            }
            "null" | "nullptr" => Ok(Val { e: Expr::konst(0, Ty::Ptr), ct: CType::Ptr(Box::new(CType::Void)) }),
            "string_literal" | "concatenated_string" => {
                let name = crate::initializers::string_name(&self.f.file, n);
                if let Some(cells) = crate::initializers::string_cells(n, self.ctx.src()) {
                    self.f.obj_sizes.insert(name.clone(), cells.len() as u64);
                    self.f.globals.insert(name.clone(), crate::ir::GlobalInit { cells, file: self.f.file.clone(), line: n.start_position().row as u32 + 1 });
                }
                Ok(Val { e: Expr::AddrGlobal(name), ct: CType::Ptr(Box::new(CType::int(1, true))) })
            }
            "parenthesized_expression" => match syntax::first_code_child(n) {
                Some(c) => self.rvalue(c),
                None => unsupported("empty parentheses", n),
            },
            "identifier" => {
                let name = self.text(n);
                if self.lookup(&name).is_some() || self.lookup_static(&name).is_some() || self.env.globals.contains_key(&name) {
                    let p = self.place(n)?;
                    return self.read_place(&p);
                }
                if let Some(v) = self.const_value(n) {
                    let wide = v > i32::MAX as i128 || v < i32::MIN as i128;
                    let ct = CType::int(if wide { 8 } else { 4 }, v <= i64::MAX as i128);
                    return Ok(Val { e: Expr::konst(v, self.scalar_ty(&ct)), ct });
                }
                if let Some(ret) = self.env.function_returns.get(&name) {
                    // A function designator: its address (an object named
                    // after the function, which the executor calls).
                    return Ok(Val { e: Expr::AddrGlobal(name), ct: CType::Ptr(Box::new(CType::Func(Box::new(ret.clone())))) });
                }
                unsupported(format!("unknown identifier `{name}`"), n)
            }
            "field_expression" | "subscript_expression" => {
                let p = self.place(n)?;
                self.read_place(&p)
            }
            "pointer_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
                let arg = n.child_by_field_name("argument").ok_or(self.err("pointer expression", n))?;
                if op == "&" {
                    if arg.kind() == "identifier" {
                        let name = self.text(arg);
                        if self.lookup(&name).is_none() && !self.env.globals.contains_key(&name) && self.env.function_returns.contains_key(&name) {
                            return self.rvalue(arg);
                        }
                    }
                    let p = self.place(arg)?;
                    return self.address_of(p, arg);
                }
                let p = self.place(n)?;
                self.read_place(&p)
            }
            "assignment_expression" => self.assignment(n),
            "update_expression" => {
                let arg = n.child_by_field_name("argument").ok_or(self.err("update", n))?;
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
                let prefix = n.start_byte() < arg.start_byte();
                let place = self.place(arg)?;
                let old = self.read_place(&place)?;
                let saved = if prefix { None } else {
                    let t = self.temp(old.ct.clone());
                    self.emit(InstKind::Set { local: t, value: old.e.clone() }, span);
                    Some(Val { e: Expr::Local(t), ct: old.ct.clone() })
                };
                let one = Val { e: Expr::konst(1, Ty::I32), ct: CType::int(4, true) };
                let new = self.arith(if op == "++" { BinOp::Add } else { BinOp::Sub }, old.clone(), one)?;
                self.assign_place(&place, new, span)?;
                match saved {
                    Some(s) => Ok(s),
                    None => self.read_place(&place),
                }
            }
            "binary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
                if op == "&&" || op == "||" {
                    return self.logical_value(n);
                }
                let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else { return unsupported("binary", n) };
                let a = self.rvalue(l)?;
                let b = self.rvalue(r)?;
                let Some(bop) = binop(&op) else { return unsupported(format!("operator `{op}`"), n) };
                if matches!(op.as_str(), "==" | "!=" | "<" | "<=" | ">" | ">=") {
                    self.note_const_name(l, &a.e);
                    self.note_const_name(r, &b.e);
                }
                self.arith(bop, a, b)
            }
            "unary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
                let a = self.rvalue(n.child_by_field_name("argument").ok_or(self.err("unary", n))?)?;
                match op.as_str() {
                    "+" => Ok(a),
                    "-" | "~" => {
                        let ct = self.promote(&a.ct);
                        let ty = self.scalar_ty(&ct);
                        let e = self.convert(a, ty);
                        Ok(Val { e: Expr::Un { op: if op == "-" { UnOp::Neg } else { UnOp::Not }, a: Box::new(e), ty }, ct })
                    }
                    "!" => {
                        let t = self.truth(a);
                        Ok(Val { e: Expr::Un { op: UnOp::LNot, a: Box::new(t), ty: Ty::I32 }, ct: CType::int(4, true) })
                    }
                    _ => unsupported(format!("operator `{op}`"), n),
                }
            }
            "cast_expression" => {
                let td = n.child_by_field_name("type").ok_or(self.err("cast", n))?;
                // `(typeof(len))1`: the type of a local is known here, not
                // to the type environment.
                let to = match self.typeof_type(td) {
                    Some(t) => t,
                    None => self.env.type_descriptor(td, &self.ctx),
                };
                let v = self.rvalue(n.child_by_field_name("value").ok_or(self.err("cast", n))?)?;
                if to == CType::Void {
                    return Ok(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void });
                }
                if let CType::Unknown(u) = &to {
                    return unsupported(format!("cast to unknown type `{u}`"), td);
                }
                let ty = self.scalar_ty(&to);
                Ok(Val { e: self.convert(v, ty), ct: to })
            }
            "sizeof_expression" | "alignof_expression" | "offsetof_expression" => {
                if let Some(v) = self.const_value(n) {
                    return Ok(Val { e: Expr::konst(v, Ty::U64), ct: CType::int(8, false) });
                }
                // sizeof of an expression: use its type.
                if let Some(v) = n.child_by_field_name("value") {
                    let ct = self.type_of_expr(v)?;
                    if let Some(s) = self.env.size_of(&ct) {
                        return Ok(Val { e: Expr::konst(s as i128, Ty::U64), ct: CType::int(8, false) });
                    }
                }
                if let Some(t) = n.child_by_field_name("type") {
                    let ct = self.env.type_descriptor(t, &self.ctx);
                    if let Some(s) = self.env.size_of(&ct) {
                        return Ok(Val { e: Expr::konst(s as i128, Ty::U64), ct: CType::int(8, false) });
                    }
                }
                unsupported("sizeof of an unknown type", n)
            }
            "conditional_expression" => {
                let c = n.child_by_field_name("condition").ok_or(self.err("?:", n))?;
                let tb = self.new_block();
                let fb = self.new_block();
                let join = self.new_block();
                self.cond(c, tb, fb)?;
                self.switch_to(tb);
                let a = self.rvalue(n.child_by_field_name("consequence").ok_or(self.err("?:", n))?)?;
                let ct = if a.ct.is_pointer_like() { a.ct.clone() } else { self.promote(&a.ct) };
                let ty = self.scalar_ty(&ct);
                let tmp = self.temp(ct.clone());
                let ae = self.convert(a, ty);
                self.emit(InstKind::Set { local: tmp, value: ae }, span);
                self.goto(join, span);
                self.switch_to(fb);
                let b = self.rvalue(n.child_by_field_name("alternative").ok_or(self.err("?:", n))?)?;
                let be = self.convert(b, ty);
                self.emit(InstKind::Set { local: tmp, value: be }, span);
                self.goto(join, span);
                self.switch_to(join);
                Ok(Val { e: Expr::Local(tmp), ct })
            }
            "comma_expression" => {
                let kids = syntax::named_children(n);
                let Some((last, rest)) = kids.split_last() else { return unsupported("comma", n) };
                for c in rest {
                    self.effect(*c)?;
                }
                self.rvalue(*last)
            }
            "call_expression" => self.call(n),
            "compound_literal_expression" => {
                let p = self.place(n)?;
                self.read_place(&p)
            }
            "compound_statement" => self.statement_expression(n),
            "initializer_list" => unsupported("initializer list in expression", n),
            "gnu_asm_expression" => self.inline_asm(n),
            "extension_expression" => match syntax::first_code_child(n) {
                Some(c) => self.rvalue(c),
                None => unsupported("__extension__", n),
            },
            other => unsupported(format!("expression `{other}`"), n),
        }
    }

    /// `({ int t = x; t * 2; })`: the statements run, the last
    /// expression statement is the value.
    fn statement_expression(&mut self, n: Node) -> R<Val> {
        let kids: Vec<Node> = syntax::named_children(n).into_iter().filter(|c| c.kind() != "comment").collect();
        self.scopes.push(Scope::default());
        let r = (|| {
            let Some((last, rest)) = kids.split_last() else { return Ok(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void }) };
            for c in rest {
                self.stmt(*c)?;
            }
            if last.kind() == "expression_statement" {
                if let Some(e) = syntax::first_code_child(*last) {
                    return self.rvalue(e);
                }
            }
            self.stmt(*last)?;
            Ok(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void })
        })();
        self.scopes.pop();
        r
    }

    /// Inline asm. An empty template (`asm volatile("" ::: "memory")`, a
    /// compiler barrier) costs nothing; any other template costs a PCV
    /// `cost(asm@LINE)` (the template is not analyzed) and leaves its
    /// output operands unknown.
    fn inline_asm(&mut self, n: Node) -> R<Val> {
        let span = Span::of(n);
        let code = n.child_by_field_name("assembly_code").map(|c| self.text(c)).unwrap_or_default();
        let empty = code.trim_matches(|c: char| c == '"' || c.is_whitespace()).is_empty();
        if !empty {
            let line = n.start_position().row as u32 + 1;
            self.emit(InstKind::Call { dst: None, callee: format!("asm@{line}"), args: vec![], target: None }, span);
        }
        let outputs: Vec<Node> = n
            .child_by_field_name("output_operands")
            .map(|o| syntax::named_children(o).into_iter().filter(|c| c.kind() == "gnu_asm_output_operand").collect())
            .unwrap_or_default();
        for o in outputs {
            let Some(v) = o.child_by_field_name("value") else { continue };
            let place = self.place(v)?;
            let ct = self.place_ct(&place);
            let tmp = self.temp(ct.clone());
            self.emit(InstKind::Call { dst: Some(tmp), callee: "__asm_output".into(), args: vec![], target: None }, span);
            self.assign_place(&place, Val { e: Expr::Local(tmp), ct }, span)?;
        }
        Ok(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void })
    }

    fn logical_value(&mut self, n: Node) -> R<Val> {
        let span = Span::of(n);
        let tb = self.new_block();
        let fb = self.new_block();
        let join = self.new_block();
        let tmp = self.temp(CType::int(4, true));
        self.cond(n, tb, fb)?;
        self.switch_to(tb);
        self.emit(InstKind::Set { local: tmp, value: Expr::konst(1, Ty::I32) }, span);
        self.goto(join, span);
        self.switch_to(fb);
        self.emit(InstKind::Set { local: tmp, value: Expr::konst(0, Ty::I32) }, span);
        self.goto(join, span);
        self.switch_to(join);
        Ok(Val { e: Expr::Local(tmp), ct: CType::int(4, true) })
    }

    fn type_of_expr(&mut self, n: Node) -> R<CType> {
        // Lower into a scratch block that is discarded: only the type matters.
        let saved = self.cur;
        let scratch = self.new_block();
        self.cur = scratch;
        let r = match n.kind() {
            "parenthesized_expression" => match syntax::first_code_child(n) {
                Some(c) => self.type_of_expr(c),
                None => unsupported("empty parentheses", n),
            },
            _ => {
                let p = self.place(n);
                match p {
                    Ok(p) => Ok(self.place_ct(&p)),
                    Err(_) => self.rvalue(n).map(|v| v.ct),
                }
            }
        };
        self.f.blocks[scratch].insts.clear();
        self.cur = saved;
        r
    }

    fn assignment(&mut self, n: Node) -> R<Val> {
        let span = Span::of(n);
        let left = n.child_by_field_name("left").ok_or(self.err("assignment", n))?;
        let right = n.child_by_field_name("right").ok_or(self.err("assignment", n))?;
        let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
        let place = self.place(left)?;
        let rhs = self.rvalue(right)?;
        let value = if op == "=" {
            rhs
        } else {
            let Some(bop) = binop(op.trim_end_matches('=')) else { return unsupported(format!("operator `{op}`"), n) };
            let old = self.read_place(&place)?;
            self.arith(bop, old, rhs)?
        };
        self.assign_place(&place, value, span)?;
        self.read_place(&place)
    }

    fn place_ct(&self, p: &Place) -> CType {
        match p {
            Place::Local(_, ct) => ct.clone(),
            Place::Mem { ct, .. } => ct.clone(),
        }
    }

    fn assign_place(&mut self, p: &Place, v: Val, span: Span) -> R<()> {
        match p {
            Place::Local(id, ct) => {
                let ty = self.scalar_ty(ct);
                let e = self.convert(v, ty);
                self.emit(InstKind::Set { local: *id, value: e }, span);
            }
            Place::Mem { addr, ct, access, bit } => {
                if matches!(ct, CType::Record(_) | CType::Array(..)) {
                    let size = self.env.size_of(ct).unwrap_or(0);
                    let src = match v.e {
                        Expr::Load { addr, .. } => *addr,
                        other => other,
                    };
                    self.emit(InstKind::Copy { dst: addr.clone(), src, size }, span);
                    return Ok(());
                }
                let ty = self.scalar_ty(ct);
                let size = (self.env.size_of(ct).unwrap_or(8)).min(8) as u8;
                let mut e = self.convert(v, ty);
                let mut sz = size;
                let mut a = addr.clone();
                if let Some((bit_off, width)) = bit {
                    // Read-modify-write of the bytes holding the bitfield.
                    let (byte, shift, nbytes) = bit_window(*bit_off, *width);
                    a = Expr::PtrAdd { base: Box::new(addr.clone()), offset: Box::new(Expr::konst(byte as i128, Ty::I64)) };
                    let uty = Ty::Int { bits: nbytes as u16 * 8, signed: false };
                    let old = Expr::Load { addr: Box::new(a.clone()), ty: uty, size: nbytes, access: Box::new(access.clone()) };
                    let mask = ((1i128 << width) - 1) << shift;
                    let cleared = Expr::Bin { op: BinOp::And, a: Box::new(old), b: Box::new(Expr::konst(!mask & ((1i128 << (nbytes as u32 * 8)) - 1), uty)), ty: uty, signed: false };
                    let nv = Expr::Cast { a: Box::new(e), to: uty };
                    let shifted = Expr::Bin { op: BinOp::Shl, a: Box::new(nv), b: Box::new(Expr::konst(shift as i128, uty)), ty: uty, signed: false };
                    let masked = Expr::Bin { op: BinOp::And, a: Box::new(shifted), b: Box::new(Expr::konst(mask, uty)), ty: uty, signed: false };
                    e = Expr::Bin { op: BinOp::Or, a: Box::new(cleared), b: Box::new(masked), ty: uty, signed: false };
                    sz = nbytes;
                }
                self.emit(InstKind::Store { addr: a, value: e, size: sz, access: access.clone() }, span);
            }
        }
        Ok(())
    }

    fn read_place(&mut self, p: &Place) -> R<Val> {
        match p {
            Place::Local(id, ct) => Ok(Val { e: Expr::Local(*id), ct: ct.clone() }),
            Place::Mem { addr, ct, access, bit } => {
                // Arrays decay to their address; functions likewise.
                if let CType::Array(el, _) = ct {
                    return Ok(Val { e: addr.clone(), ct: CType::Ptr(el.clone()) });
                }
                if matches!(ct, CType::Record(_)) {
                    // Aggregate value: represented by its address (used by copies).
                    return Ok(Val { e: Expr::Load { addr: Box::new(addr.clone()), ty: Ty::I64, size: 8, access: Box::new(access.clone()) }, ct: ct.clone() });
                }
                let ty = self.scalar_ty(ct);
                if let Some((bit_off, width)) = bit {
                    let (byte, shift, nbytes) = bit_window(*bit_off, *width);
                    let uty = Ty::Int { bits: nbytes as u16 * 8, signed: false };
                    let a = Expr::PtrAdd { base: Box::new(addr.clone()), offset: Box::new(Expr::konst(byte as i128, Ty::I64)) };
                    let raw = Expr::Load { addr: Box::new(a), ty: uty, size: nbytes, access: Box::new(access.clone()) };
                    let sh = Expr::Bin { op: BinOp::Shr, a: Box::new(raw), b: Box::new(Expr::konst(shift as i128, uty)), ty: uty, signed: false };
                    let m = Expr::Bin { op: BinOp::And, a: Box::new(sh), b: Box::new(Expr::konst((1i128 << width) - 1, uty)), ty: uty, signed: false };
                    return Ok(Val { e: Expr::Cast { a: Box::new(m), to: ty }, ct: ct.clone() });
                }
                let size = self.env.size_of(ct).unwrap_or(8).min(8) as u8;
                Ok(Val { e: Expr::Load { addr: Box::new(addr.clone()), ty, size, access: Box::new(access.clone()) }, ct: ct.clone() })
            }
        }
    }

    fn address_of(&mut self, p: Place, n: Node) -> R<Val> {
        match p {
            Place::Local(id, ct) => {
                // Taking the address moves the local to memory.
                self.f.locals[id].in_memory = true;
                let _ = n;
                Ok(Val { e: Expr::AddrLocal(id), ct: CType::Ptr(Box::new(ct)) })
            }
            Place::Mem { addr, ct, bit, .. } => {
                if bit.is_some() {
                    return unsupported("address of a bitfield", n);
                }
                Ok(Val { e: addr, ct: CType::Ptr(Box::new(ct)) })
            }
        }
    }

    /// Lower an lvalue expression to a place.
    fn place(&mut self, n: Node) -> R<Place> {
        match n.kind() {
            "parenthesized_expression" => match syntax::first_code_child(n) {
                Some(c) => self.place(c),
                None => unsupported("empty parentheses", n),
            },
            "identifier" => {
                let name = self.text(n);
                if let Some(id) = self.lookup(&name) {
                    // A local whose address is taken lives in memory from
                    // the start; all its uses go through memory.
                    if self.f.locals[id].in_memory {
                        return Ok(self.local_place(id));
                    }
                    return Ok(Place::Local(id, self.local_types[id].clone()));
                }
                let name = self.lookup_static(&name).unwrap_or(name);
                if let Some(g) = self.env.globals.get(&name) {
                    if let Some(sz) = self.env.size_of(&g.ty) {
                        self.f.obj_sizes.insert(name.clone(), sz);
                    }
                    let ct = g.ty.clone();
                    self.note_global_init(&name);
                    self.note_map(&name);
                    return Ok(Place::Mem { addr: Expr::AddrGlobal(name.clone()), ct, access: Access { text: name, field: None }, bit: None });
                }
                unsupported(format!("unknown variable `{name}`"), n)
            }
            "field_expression" => {
                let arg = n.child_by_field_name("argument").ok_or(self.err("field", n))?;
                let field = self.text(n.child_by_field_name("field").ok_or(self.err("field", n))?);
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
                // `f->key.addr` is recorded as field `key.addr` of f's
                // struct, so hot-field reports see the outer struct.
                let mut outer: Option<(String, String)> = None;
                let (base, rec_ct) = if op == "->" {
                    let v = self.rvalue(arg)?;
                    let pointee = v.ct.pointee().cloned().unwrap_or(CType::Unknown("?".into()));
                    (v.e, pointee)
                } else {
                    match self.place(arg)? {
                        Place::Mem { addr, ct, access, .. } => {
                            outer = access.field;
                            (addr, ct)
                        }
                        Place::Local(id, ct) => {
                            self.f.locals[id].in_memory = true;
                            (Expr::AddrLocal(id), ct)
                        }
                    }
                };
                let CType::Record(rid) = rec_ct else { return unsupported(format!("field `{field}` of a non-struct (type unknown here)"), n) };
                let Some((off, fct)) = self.env.find_field(rid, &field) else { return unsupported(format!("no field `{field}` in {}", self.env.record(rid).display_name()), n) };
                let bit = self.env.find_bitfield(rid, &field);
                let rname = self.env.record(rid).name.clone().unwrap_or_else(|| "<anonymous>".into());
                let recorded = match outer {
                    Some((orec, ofield)) => (orec, format!("{ofield}.{field}")),
                    None => (rname, field.clone()),
                };
                let access = Access { text: self.shown(n), field: Some(recorded) };
                match bit {
                    Some((abs_bit, w)) => {
                        // Bit offsets are relative to the record start.
                        Ok(Place::Mem { addr: base, ct: fct, access, bit: Some((abs_bit, w)) })
                    }
                    None => {
                        let addr = Expr::PtrAdd { base: Box::new(base), offset: Box::new(Expr::konst(off as i128, Ty::I64)) };
                        Ok(Place::Mem { addr, ct: fct, access, bit: None })
                    }
                }
            }
            "subscript_expression" => {
                let arr = n.child_by_field_name("argument").ok_or(self.err("subscript", n))?;
                let idx = n.child_by_field_name("index").ok_or(self.err("subscript", n))?;
                let a = self.rvalue(arr)?;
                let i = self.rvalue(idx)?;
                let (a, i) = if a.ct.is_pointer_like() { (a, i) } else { (i, a) };
                let Some(el) = a.ct.pointee().cloned() else { return unsupported("subscript of a non-pointer", n) };
                let addr = self.ptr_offset(a.e, i, &el, n)?;
                Ok(Place::Mem { addr, ct: el, access: Access { text: self.shown(n), field: None }, bit: None })
            }
            "pointer_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or_default();
                let arg = n.child_by_field_name("argument").ok_or(self.err("deref", n))?;
                if op != "*" {
                    return unsupported("address is not an lvalue", n);
                }
                let v = self.rvalue(arg)?;
                let Some(el) = v.ct.pointee().cloned() else { return unsupported("dereference of a non-pointer", n) };
                Ok(Place::Mem { addr: v.e, ct: el, access: Access { text: self.shown(n), field: None }, bit: None })
            }
            "compound_literal_expression" => {
                // An unnamed object on the stack, initialized like a local.
                let td = n.child_by_field_name("type").ok_or(self.err("compound literal", n))?;
                let mut ct = self.env.type_descriptor(td, &self.ctx);
                let list = n.child_by_field_name("value").ok_or(self.err("compound literal", n))?;
                if let CType::Array(el, None) = &ct {
                    ct = CType::Array(el.clone(), Some(list.named_child_count() as u64));
                }
                if let CType::Unknown(u) = &ct {
                    return unsupported(format!("compound literal of unknown type `{u}`"), td);
                }
                let name = format!("({}){{…}}", self.text(td).split_whitespace().collect::<Vec<_>>().join(" "));
                let id = self.add_local(&name, ct, false);
                if let Some(s) = self.scopes.last_mut() {
                    s.vars.remove(&name);
                }
                self.f.locals[id].in_memory = true;
                let place = self.local_place(id);
                self.init_list(&place, list, Span::of(n))?;
                Ok(place)
            }
            "call_expression" => {
                // READ_ONCE(x) as an lvalue-ish read.
                let fname = n.child_by_field_name("function").map(|x| self.text(x)).unwrap_or_default();
                if fname == "READ_ONCE" {
                    if let Some(a) = n.child_by_field_name("arguments").and_then(|a| syntax::first_code_child(a)) {
                        return self.place(a);
                    }
                }
                unsupported("call result is not an lvalue", n)
            }
            _ => unsupported(format!("`{}` is not an lvalue", n.kind()), n),
        }
    }

    fn ptr_offset(&mut self, base: Expr, idx: Val, el: &CType, n: Node) -> R<Expr> {
        let Some(es) = self.env.size_of(el) else { return unsupported(format!("size of `{}` unknown", self.env.type_name(el)), n) };
        let i = self.convert(idx, Ty::I64);
        let off = match i.as_const() {
            Some(k) => Expr::konst(k * es as i128, Ty::I64),
            None if es == 1 => i,
            None => Expr::Bin { op: BinOp::Mul, a: Box::new(i), b: Box::new(Expr::konst(es as i128, Ty::I64)), ty: Ty::I64, signed: true },
        };
        Ok(Expr::PtrAdd { base: Box::new(base), offset: Box::new(off) })
    }

    fn promote(&self, ct: &CType) -> CType {
        match ct {
            CType::Bool => CType::int(4, true),
            CType::Int { bytes, .. } if *bytes < 4 => CType::int(4, true),
            CType::Enum { .. } => CType::int(4, false),
            CType::Float { .. } => CType::int(8, true),
            other => other.clone(),
        }
    }

    fn promote_ty(&self, ct: &CType) -> Ty {
        let p = self.promote(ct);
        self.scalar_ty(&p)
    }

    /// Usual arithmetic conversions.
    fn common(&self, a: &CType, b: &CType) -> CType {
        let (pa, pb) = (self.promote(a), self.promote(b));
        let (CType::Int { bytes: ba, signed: sa }, CType::Int { bytes: bb, signed: sb }) = (&pa, &pb) else { return CType::int(8, true) };
        if ba == bb {
            CType::int(*ba, *sa && *sb)
        } else if ba > bb {
            CType::int(*ba, if sb == &false && !sa { false } else { *sa })
        } else {
            CType::int(*bb, if sa == &false && !sb { false } else { *sb })
        }
    }

    fn convert(&self, v: Val, to: Ty) -> Expr {
        let from = self.scalar_ty(&v.ct);
        if from == to {
            return v.e;
        }
        if let Some(k) = v.e.as_const() {
            return Expr::konst(k, to);
        }
        if let (Expr::Const { .. }, _) | (_, Ty::Void) = (&v.e, to) {
            return v.e;
        }
        if from.bits() == to.bits() && (from == Ty::Ptr || to == Ty::Ptr) {
            // Same-width pointer/integer reinterpretation.
            return Expr::Cast { a: Box::new(v.e), to };
        }
        Expr::Cast { a: Box::new(v.e), to }
    }

    fn arith(&mut self, op: BinOp, a: Val, b: Val) -> R<Val> {
        // Pointer arithmetic and comparisons.
        if a.ct.is_pointer_like() || b.ct.is_pointer_like() {
            if op.is_compare() {
                let ae = self.convert(a, Ty::Ptr);
                let be = self.convert(b, Ty::Ptr);
                return Ok(Val { e: Expr::Bin { op, a: Box::new(ae), b: Box::new(be), ty: Ty::I32, signed: false }, ct: CType::int(4, true) });
            }
            if op == BinOp::Sub && a.ct.is_pointer_like() && b.ct.is_pointer_like() {
                let es = a.ct.pointee().and_then(|p| self.env.size_of(p)).unwrap_or(1).max(1);
                let ae = Expr::Cast { a: Box::new(a.e), to: Ty::I64 };
                let be = Expr::Cast { a: Box::new(b.e), to: Ty::I64 };
                let d = Expr::Bin { op: BinOp::Sub, a: Box::new(ae), b: Box::new(be), ty: Ty::I64, signed: true };
                let e = if es == 1 { d } else { Expr::Bin { op: BinOp::Div, a: Box::new(d), b: Box::new(Expr::konst(es as i128, Ty::I64)), ty: Ty::I64, signed: true } };
                return Ok(Val { e, ct: CType::int(8, true) });
            }
            if matches!(op, BinOp::Add | BinOp::Sub) {
                let (p, i) = if a.ct.is_pointer_like() { (a, b) } else { (b, a) };
                let el = p.ct.pointee().cloned().unwrap_or(CType::int(1, false));
                let el = if el == CType::Void { CType::int(1, false) } else { el };
                let i = if op == BinOp::Sub {
                    let e = self.convert(i, Ty::I64);
                    Val { e: Expr::Un { op: UnOp::Neg, a: Box::new(e), ty: Ty::I64 }, ct: CType::int(8, true) }
                } else {
                    i
                };
                let es = self.env.size_of(&el).unwrap_or(1);
                let ie = self.convert(i, Ty::I64);
                let off = match ie.as_const() {
                    Some(k) => Expr::konst(k * es as i128, Ty::I64),
                    None if es == 1 => ie,
                    None => Expr::Bin { op: BinOp::Mul, a: Box::new(ie), b: Box::new(Expr::konst(es as i128, Ty::I64)), ty: Ty::I64, signed: true },
                };
                let ct = match p.ct {
                    CType::Array(el, _) => CType::Ptr(el),
                    other => other,
                };
                return Ok(Val { e: Expr::PtrAdd { base: Box::new(p.e), offset: Box::new(off) }, ct });
            }
            // Bit tricks on pointers: treat as 64-bit integers.
        }
        let (ct, opnd_ct) = match op {
            BinOp::Shl | BinOp::Shr => {
                let p = self.promote(&a.ct);
                (p.clone(), p)
            }
            _ if op.is_compare() => (CType::int(4, true), self.common(&a.ct, &b.ct)),
            _ => {
                let c = self.common(&a.ct, &b.ct);
                (c.clone(), c)
            }
        };
        let oty = self.scalar_ty(&opnd_ct);
        let signed = oty.signed();
        let ae = self.convert(a, oty);
        let bty = if matches!(op, BinOp::Shl | BinOp::Shr) { oty } else { oty };
        let be = self.convert(b, bty);
        // Fold constants so sizes and masks stay readable.
        if let (Some(x), Some(y)) = (ae.as_const(), be.as_const()) {
            if let Some(v) = crate::env::binop_const(op.c(), x, y) {
                let rty = self.scalar_ty(&ct);
                return Ok(Val { e: Expr::konst(crate::env::truncate(v, rty.bits(), rty.signed()), rty), ct });
            }
        }
        let ty = self.scalar_ty(&ct);
        Ok(Val { e: Expr::Bin { op, a: Box::new(ae), b: Box::new(be), ty, signed }, ct })
    }

    fn call(&mut self, n: Node) -> R<Val> {
        let span = Span::of(n);
        let fnode = n.child_by_field_name("function").ok_or(self.err("call", n))?;
        let args: Vec<Node> = n.child_by_field_name("arguments").map(syntax::named_children).unwrap_or_default().into_iter().filter(|a| a.kind() != "comment").collect();
        // `(u16)(x >> 8)`: without a preprocessor tree-sitter cannot tell a
        // cast to a typedef from a call; a parenthesized type name is a cast.
        if fnode.kind() == "parenthesized_expression" {
            // `(typeof(len))(x)` (DPDK's RTE_ALIGN_FLOOR) parses as a call of
            // the call `typeof(len)`: it is a cast to the type of `len`.
            let typeof_cast = syntax::first_code_child(fnode).filter(|c| c.kind() == "call_expression").and_then(|c| {
                let f = c.child_by_field_name("function")?;
                matches!(self.text(f).as_str(), "typeof" | "__typeof__" | "__typeof").then_some(c)
            });
            let to = match typeof_cast {
                Some(c) => self.typeof_type(c),
                None => syntax::first_code_child(fnode)
                    .filter(|c| c.kind() == "identifier")
                    .map(|id| self.text(id))
                    .filter(|tname| self.lookup(tname).is_none())
                    .and_then(|tname| self.env.typedef(&tname)),
            };
            if let Some(to) = to {
                let Some(last) = args.last() else { return unsupported("empty cast", n) };
                for a in &args[..args.len() - 1] {
                    self.effect(*a)?;
                }
                let v = self.rvalue(*last)?;
                let ty = self.scalar_ty(&to);
                return Ok(Val { e: self.convert(v, ty), ct: to });
            }
        }
        // `(*fp)(x)` calls what `fp` points to, like `fp(x)`.
        let mut fexpr = fnode;
        loop {
            match fexpr.kind() {
                "parenthesized_expression" => match syntax::first_code_child(fexpr) {
                    Some(c) => fexpr = c,
                    None => break,
                },
                "pointer_expression" if fexpr.child_by_field_name("operator").map(|o| self.text(o)).as_deref() == Some("*") => match fexpr.child_by_field_name("argument") {
                    Some(a) => fexpr = a,
                    None => break,
                },
                _ => break,
            }
        }
        if fexpr.kind() != "identifier" {
            return self.indirect_call(fexpr, &args, n);
        }
        let name = self.text(fexpr);
        if self.lookup(&name).is_none() {
            if let Some(v) = self.builtin_macro(&name, &args, n)? {
                return Ok(v);
            }
        }
        if self.lookup(&name).is_some() {
            return self.indirect_call(fexpr, &args, n);
        }
        if let Some(g) = self.env.globals.get(&name) {
            // libbpf's `static void *(*bpf_map_lookup_elem)(...) = (void *) 1;`:
            // a pointer holding a helper number is that helper.
            let helper = match g.init.as_deref() {
                Some([c]) if c.off == 0 => match c.value {
                    crate::initializers::InitValue::Int(k) => crate::contracts::bpf_helper(k as u64),
                    _ => None,
                },
                _ => None,
            };
            let helper = helper.or_else(|| crate::contracts::bpf_helper_named(&name));
            let ret = match &g.ty {
                CType::Ptr(p) => match p.as_ref() {
                    CType::Func(r) => Some((**r).clone()),
                    _ => None,
                },
                _ => None,
            };
            match helper {
                Some(h) => return self.direct_call(h, &args, ret, span),
                None => return self.indirect_call(fexpr, &args, n),
            }
        }
        self.direct_call(&name, &args, None, span)
    }

    /// Lower the arguments of a call (promoted, pointers as pointers).
    fn call_args(&mut self, args: &[Node]) -> R<Vec<Expr>> {
        let mut vals = Vec::new();
        for a in args {
            let v = self.rvalue(*a)?;
            let ty = if v.ct.is_pointer_like() { Ty::Ptr } else { self.promote_ty(&v.ct) };
            vals.push(self.convert(v, ty));
        }
        Ok(vals)
    }

    /// A call through a function pointer: the target is the pointer's
    /// value; the executor calls the function when the value is known on
    /// the path, else costs `cost(EXPR)`.
    fn indirect_call(&mut self, fexpr: Node, args: &[Node], n: Node) -> R<Val> {
        let span = Span::of(n);
        let t = self.rvalue(fexpr)?;
        let ret_ct = match &t.ct {
            CType::Ptr(p) => match p.as_ref() {
                CType::Func(r) => (**r).clone(),
                _ => CType::int(4, true),
            },
            CType::Func(r) => (**r).clone(),
            _ => CType::int(4, true),
        };
        let text: String = self.text(fexpr).split_whitespace().collect::<Vec<_>>().join(" ");
        let target = Box::new(self.convert(t, Ty::Ptr));
        let vals = self.call_args(args)?;
        if ret_ct == CType::Void {
            self.emit(InstKind::Call { dst: None, callee: text, args: vals, target: Some(target) }, span);
            return Ok(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void });
        }
        let tmp = self.temp(ret_ct.clone());
        self.emit(InstKind::Call { dst: Some(tmp), callee: text, args: vals, target: Some(target) }, span);
        Ok(Val { e: Expr::Local(tmp), ct: ret_ct })
    }

    fn direct_call(&mut self, name: &str, args: &[Node], ret: Option<CType>, span: Span) -> R<Val> {
        let name = name.to_string();
        let vals = self.call_args(args)?;
        let ret_ct = ret.or_else(|| self.env.function_returns.get(&name).cloned()).unwrap_or_else(|| crate::contracts::builtin_return(&name));
        if ret_ct == CType::Void {
            self.emit(InstKind::Call { dst: None, callee: name, args: vals, target: None }, span);
            return Ok(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void });
        }
        let tmp = self.temp(ret_ct.clone());
        self.emit(InstKind::Call { dst: Some(tmp), callee: name, args: vals, target: None }, span);
        Ok(Val { e: Expr::Local(tmp), ct: ret_ct })
    }

    /// Whether a `#ifdef`/`#ifndef`/`#if`/`#elif` group is compiled, from
    /// the defines of the unit and the compile flags (C rules: an unknown
    /// identifier in `#if` is 0). None when the condition cannot be read.
    fn preproc_taken(&self, n: Node) -> Option<bool> {
        let head = n.child(0).map(|c| self.text(c).trim().to_string()).unwrap_or_default();
        if n.kind() == "preproc_ifdef" || n.kind() == "preproc_elifdef" {
            let name = self.text(n.child_by_field_name("name")?).trim().to_string();
            let defined = self.env.defines.contains_key(&name) || self.env.fn_macros.contains_key(&name);
            return Some(if head.ends_with("ndef") { !defined } else { defined });
        }
        let cond = self.text(n.child_by_field_name("condition")?).to_string();
        // `defined(X)` / `defined X` first, then unknown identifiers → 0.
        let b = cond.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_alphabetic() || b[i] == b'_' {
                let st = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let w = &cond[st..i];
                if w == "defined" {
                    let mut j = i;
                    while j < b.len() && (b[j] == b' ' || b[j] == b'(') {
                        j += 1;
                    }
                    let ns = j;
                    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                        j += 1;
                    }
                    let name = &cond[ns..j];
                    while j < b.len() && (b[j] == b' ' || b[j] == b')') {
                        j += 1;
                    }
                    let d = self.env.defines.contains_key(name) || self.env.fn_macros.contains_key(name);
                    out.push_str(if d { "1" } else { "0" });
                    i = j;
                } else if self.env.defines.contains_key(w) {
                    out.push_str(w);
                } else {
                    out.push('0');
                }
            } else if b[i].is_ascii_digit() {
                // A number with its suffix (`0x55ul`) is kept whole.
                let st = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push_str(&cond[st..i]);
            } else {
                out.push(b[i] as char);
                i += 1;
            }
        }
        self.env.eval_text(&out).map(|v| v != 0)
    }

    /// Kernel and libc macros with known meaning.
    fn builtin_macro(&mut self, name: &str, args: &[Node], n: Node) -> R<Option<Val>> {
        let span = Span::of(n);
        match (name, args.len()) {
            ("likely" | "unlikely" | "READ_ONCE" | "__builtin_expect", _) if !args.is_empty() => Ok(Some(self.rvalue(args[0])?)),
            ("WRITE_ONCE", 2) => {
                let p = self.place(args[0])?;
                let v = self.rvalue(args[1])?;
                self.assign_place(&p, v, span)?;
                Ok(Some(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void }))
            }
            ("min" | "max" | "MIN" | "MAX" | "min_t" | "max_t", _) if args.len() >= 2 => {
                let (x, y) = if args.len() == 3 { (args[1], args[2]) } else { (args[0], args[1]) };
                let a = self.rvalue(x)?;
                let b = self.rvalue(y)?;
                let ct = self.common(&a.ct, &b.ct);
                let ty = self.scalar_ty(&ct);
                let (ae, be) = (self.convert(a, ty), self.convert(b, ty));
                let cmp = Expr::Bin { op: if name.starts_with("min") || name == "MIN" { BinOp::Lt } else { BinOp::Gt }, a: Box::new(ae.clone()), b: Box::new(be.clone()), ty: Ty::I32, signed: ty.signed() };
                let tmp = self.temp(ct.clone());
                let (tb, fb, join) = (self.new_block(), self.new_block(), self.new_block());
                self.terminate(Terminator::Branch { cond: cmp, then_bb: tb, else_bb: fb }, span);
                self.switch_to(tb);
                self.emit(InstKind::Set { local: tmp, value: ae }, span);
                self.goto(join, span);
                self.switch_to(fb);
                self.emit(InstKind::Set { local: tmp, value: be }, span);
                self.goto(join, span);
                self.switch_to(join);
                Ok(Some(Val { e: Expr::Local(tmp), ct }))
            }
            ("ntohs" | "htons" | "bpf_ntohs" | "bpf_htons" | "__builtin_bswap16" | "be16_to_cpu" | "cpu_to_be16", 1) => self.bswap(args[0], 2).map(Some),
            ("ntohl" | "htonl" | "bpf_ntohl" | "bpf_htonl" | "__builtin_bswap32" | "be32_to_cpu" | "cpu_to_be32", 1) => self.bswap(args[0], 4).map(Some),
            ("__builtin_bswap64" | "be64_to_cpu" | "cpu_to_be64", 1) => self.bswap(args[0], 8).map(Some),
            ("container_of" | "list_entry" | "hlist_entry" | "list_first_entry" | "list_last_entry", 3) => {
                let p = self.rvalue(args[0])?;
                let p = match name {
                    // list_first_entry(head, type, member) = container_of(head->next, ...)
                    "list_first_entry" | "list_last_entry" => {
                        let off = if name == "list_first_entry" { 0 } else { 8 };
                        let addr = Expr::PtrAdd { base: Box::new(self.convert(p, Ty::Ptr)), offset: Box::new(Expr::konst(off, Ty::I64)) };
                        let text = format!("{}->{}", self.text(args[0]), if off == 0 { "next" } else { "prev" });
                        Val { e: Expr::Load { addr: Box::new(addr), ty: Ty::Ptr, size: 8, access: Box::new(Access { text, field: None }) }, ct: CType::Ptr(Box::new(CType::Void)) }
                    }
                    _ => p,
                };
                let tname = self.text(args[1]).trim().to_string();
                let member = self.text(args[2]).trim().to_string();
                let rid = self.env.tag(&tname).or_else(|| match self.env.typedef(&tname) {
                    Some(CType::Record(r)) => Some(r),
                    _ => None,
                });
                let Some(rid) = rid else { return unsupported(format!("{name}: unknown type `{tname}`"), n) };
                let Some((off, _)) = self.env.member_path_offset(rid, &member) else { return unsupported(format!("{name}: no member `{member}`"), n) };
                let e = Expr::PtrAdd { base: Box::new(self.convert(p, Ty::Ptr)), offset: Box::new(Expr::konst(-(off as i128), Ty::I64)) };
                Ok(Some(Val { e, ct: CType::Ptr(Box::new(CType::Record(rid))) }))
            }
            ("ARRAY_SIZE", 1) => {
                let ct = self.type_of_expr(args[0])?;
                match ct {
                    CType::Array(_, Some(k)) => Ok(Some(Val { e: Expr::konst(k as i128, Ty::U64), ct: CType::int(8, false) })),
                    _ => unsupported("ARRAY_SIZE of a non-array", n),
                }
            }
            ("__builtin_constant_p", 1) => {
                let k = self.const_value(args[0]).is_some() as i128;
                Ok(Some(Val { e: Expr::konst(k, Ty::I32), ct: CType::int(4, true) }))
            }
            ("__builtin_unreachable", 0) => {
                // The path cannot get here: the executor drops it.
                self.emit(InstKind::Call { dst: None, callee: name.to_string(), args: vec![], target: None }, span);
                self.terminate(Terminator::Unreachable, span);
                Ok(Some(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void }))
            }
            ("__builtin_popcount" | "__builtin_popcountl" | "__builtin_popcountll" | "__builtin_ctz" | "__builtin_ctzl" | "__builtin_ctzll" | "__builtin_clz" | "__builtin_clzl" | "__builtin_clzll", 1) => {
                let wide = name.ends_with('l');
                let v = self.rvalue(args[0])?;
                let bits: u32 = if wide { 64 } else { 32 };
                if let Some(k) = v.e.as_const() {
                    let x = (k as u128) & if bits == 64 { u64::MAX as u128 } else { u32::MAX as u128 };
                    let r = if name.contains("popcount") {
                        x.count_ones() as i128
                    } else if name.contains("ctz") {
                        if x == 0 { bits as i128 } else { x.trailing_zeros() as i128 }
                    } else if x == 0 {
                        bits as i128
                    } else {
                        (x.leading_zeros() - (128 - bits)) as i128
                    };
                    return Ok(Some(Val { e: Expr::konst(r, Ty::I32), ct: CType::int(4, true) }));
                }
                let ty = Ty::Int { bits: bits as u16, signed: false };
                let e = self.convert(v, ty);
                let tmp = self.temp(CType::int(4, true));
                let base = name.trim_end_matches('l').to_string();
                self.emit(InstKind::Call { dst: Some(tmp), callee: base, args: vec![e], target: None }, span);
                Ok(Some(Val { e: Expr::Local(tmp), ct: CType::int(4, true) }))
            }
            ("BUILD_BUG_ON" | "_Static_assert" | "static_assert" | "__builtin_prefetch" | "prefetch" | "prefetchw" | "barrier" | "smp_mb" | "smp_rmb" | "smp_wmb" | "rcu_read_lock" | "rcu_read_unlock", _) => {
                Ok(Some(Val { e: Expr::konst(0, Ty::I32), ct: CType::Void }))
            }
            _ => Ok(None),
        }
    }

    fn bswap(&mut self, a: Node, bytes: u16) -> R<Val> {
        let v = self.rvalue(a)?;
        let ty = Ty::Int { bits: bytes * 8, signed: false };
        let e = self.convert(v, ty);
        Ok(Val { e: Expr::Un { op: UnOp::Bswap, a: Box::new(e), ty }, ct: CType::int(bytes as u8, false) })
    }
}

/// The value of a constant expression as lowered: a constant, a cast of
/// one, or a byte swap of one (`bpf_htons(ETH_P_IP)`).
fn const_value(e: &Expr) -> Option<i128> {
    match e {
        Expr::Const { value, .. } => Some(*value),
        Expr::Cast { a, to: Ty::Int { bits, .. } } => {
            let v = const_value(a)?;
            (*bits < 128).then(|| v & ((1i128 << bits) - 1))
        }
        Expr::Cast { a, .. } => const_value(a),
        Expr::Un { op: UnOp::Bswap, a, ty: Ty::Int { bits, .. } } => {
            let v = const_value(a)?;
            let bytes = (*bits / 8) as usize;
            if !(2..=8).contains(&bytes) || v < 0 {
                return None;
            }
            let le = (v as u64).to_le_bytes();
            let mut out = 0u64;
            for b in le.iter().take(bytes) {
                out = (out << 8) | *b as u64;
            }
            Some(out as i128)
        }
        _ => None,
    }
}

fn bit_window(bit_off: u64, width: u64) -> (u64, u64, u8) {
    let byte = bit_off / 8;
    let shift = bit_off % 8;
    let need = (shift + width).div_ceil(8);
    let nbytes = match need {
        0 | 1 => 1,
        2 => 2,
        3 | 4 => 4,
        _ => 8,
    };
    (byte, shift, nbytes)
}

fn binop(op: &str) -> Option<BinOp> {
    Some(match op {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Rem,
        "<<" => BinOp::Shl,
        ">>" => BinOp::Shr,
        "&" => BinOp::And,
        "|" => BinOp::Or,
        "^" => BinOp::Xor,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        _ => return None,
    })
}

fn keyword_span(n: Node) -> Span {
    let mut s = Span::of(n);
    s.end_line = s.start_line;
    s.end_byte = s.start_byte + 1;
    s.end_col = s.start_col + 1;
    s
}

fn first_of_comma(n: Node) -> Node {
    if n.kind() == "comma_expression" {
        if let Some(l) = n.child_by_field_name("left") {
            return first_of_comma(l);
        }
    }
    n
}

fn last_of_comma(n: Node) -> Node {
    let mut n = n;
    while n.kind() == "comma_expression" {
        match n.child_by_field_name("right") {
            Some(r) => n = r,
            None => break,
        }
    }
    n
}
