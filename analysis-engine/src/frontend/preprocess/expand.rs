//! Macro definitions and expansion.
//!
//! Expansion follows Prosser's algorithm (the one the C standard's rules
//! were written from): every token carries a hide set; an identifier whose
//! macro is in its own hide set is painted blue (`NOEXPAND`) and never
//! expanded again; an object-like use adds its name to the hide set of its
//! replacement, a function-like use adds it to the intersection of the hide
//! sets of its name and its closing parenthesis. Arguments are fully
//! expanded before substitution unless they are operands of `#` or `##`.
//! Sizes are capped (`Limits::max_expansion_tokens`), so exponential
//! expansion stops with a diagnostic.

use std::sync::Arc;

use super::directives::Pp;
use super::lexer::{lex, lex_single, HideSet, Kind, Tok, BOL, NOEXPAND, NOPOS, SPACE};
use super::DiagKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::enum_variant_names)]
pub enum Builtin {
    File,
    Line,
    Counter,
    IncludeLevel,
    BaseFile,
    Date,
    Time,
    Timestamp,
    HasInclude,
    HasIncludeNext,
    HasAttribute,
    HasCAttribute,
    HasBuiltin,
    HasFeature,
    HasExtension,
}

#[derive(Debug)]
pub struct Macro {
    pub name: Arc<[u8]>,
    pub func: bool,
    pub params: Vec<Arc<[u8]>>,
    /// the last parameter is the variadic one (`...` is named `__VA_ARGS__`)
    pub variadic: bool,
    pub body: Vec<Tok>,
    pub builtin: Option<Builtin>,
    pub hash: u64,
}

#[derive(Clone, Debug)]
pub enum MacroOp {
    Define(Arc<Macro>),
    Undef(Arc<[u8]>),
}

impl Macro {
    pub fn builtin(name: &str, b: Builtin) -> Macro {
        let mut m = Macro {
            name: Arc::from(name.as_bytes()),
            func: false,
            params: Vec::new(),
            variadic: false,
            body: Vec::new(),
            builtin: Some(b),
            hash: 0,
        };
        m.hash = m.compute_hash() ^ 0x5bd1e995;
        m
    }

    fn compute_hash(&self) -> u64 {
        let mut v: Vec<u8> = Vec::with_capacity(64);
        v.extend_from_slice(&self.name);
        v.push(0);
        if self.func {
            v.push(b'(');
            for p in &self.params {
                v.extend_from_slice(p);
                v.push(b',');
            }
            v.push(if self.variadic { b'.' } else { b')' });
        }
        v.push(0);
        for t in &self.body {
            if t.space() {
                v.push(b' ');
            }
            v.extend_from_slice(&t.text);
            v.push(1);
        }
        super::files::hash_bytes(&v)
    }

    /// `#define` line as gcc -dM prints it.
    pub fn to_define_line(&self) -> String {
        let mut s = String::from("#define ");
        s.push_str(&String::from_utf8_lossy(&self.name));
        if self.func {
            s.push('(');
            let n = self.params.len();
            for (k, p) in self.params.iter().enumerate() {
                if k > 0 {
                    s.push_str(", ");
                }
                if self.variadic && k + 1 == n {
                    if &**p == b"__VA_ARGS__" {
                        s.push_str("...");
                    } else {
                        s.push_str(&String::from_utf8_lossy(p));
                        s.push_str("...");
                    }
                } else {
                    s.push_str(&String::from_utf8_lossy(p));
                }
            }
            s.push(')');
        }
        s.push(' ');
        for (k, t) in self.body.iter().enumerate() {
            if k > 0 && t.space() {
                s.push(' ');
            }
            s.push_str(&String::from_utf8_lossy(&t.text));
        }
        s
    }
}

/// Parses the tokens after `#define`.
pub fn parse_define(toks: &[Tok]) -> Result<Macro, String> {
    let name = toks.first().ok_or("no macro name given in #define directive")?;
    if name.kind != Kind::Ident {
        return Err("macro names must be identifiers".into());
    }
    if &*name.text == b"defined" {
        return Err("\"defined\" cannot be used as a macro name".into());
    }
    let mut i = 1;
    let mut func = false;
    let mut params: Vec<Arc<[u8]>> = Vec::new();
    let mut variadic = false;
    if toks.get(1).is_some_and(|t| t.is_punct("(") && !t.space()) {
        func = true;
        i = 2;
        loop {
            let t = toks.get(i).ok_or("missing ')' in macro parameter list")?;
            i += 1;
            if t.is_punct(")") && params.is_empty() {
                break;
            }
            if t.is_punct("...") {
                variadic = true;
                params.push(Arc::from(&b"__VA_ARGS__"[..]));
            } else if t.kind == Kind::Ident {
                if params.iter().any(|p| **p == *t.text) {
                    return Err(format!("duplicate macro parameter \"{}\"", String::from_utf8_lossy(&t.text)));
                }
                params.push(t.text.clone());
                if toks.get(i).is_some_and(|t| t.is_punct("...")) {
                    variadic = true;
                    i += 1;
                }
            } else {
                return Err("expected parameter name in macro parameter list".into());
            }
            let t = toks.get(i).ok_or("missing ')' in macro parameter list")?;
            i += 1;
            if t.is_punct(")") {
                break;
            }
            if !t.is_punct(",") || variadic {
                return Err("expected ',' or ')' in macro parameter list".into());
            }
        }
    }
    let mut body: Vec<Tok> = toks.get(i..).unwrap_or(&[]).to_vec();
    for (k, t) in body.iter_mut().enumerate() {
        t.pos = NOPOS;
        t.end = NOPOS;
        t.flags &= SPACE;
        if k == 0 {
            t.flags = 0;
        }
    }
    let is_paste = |t: &Tok| t.is_punct("##") || t.is_punct("%:%:");
    if body.first().is_some_and(is_paste) || body.last().is_some_and(is_paste) {
        return Err("'##' cannot appear at either end of a macro expansion".into());
    }
    if func {
        for (k, t) in body.iter().enumerate() {
            if (t.is_punct("#") || t.is_punct("%:"))
                && !body.get(k + 1).is_some_and(|n| params.iter().any(|p| **p == *n.text) || n.is("__VA_OPT__"))
            {
                return Err("'#' is not followed by a macro parameter".into());
            }
        }
    }
    let mut m = Macro { name: name.text.clone(), func, params, variadic, body, builtin: None, hash: 0 };
    m.hash = m.compute_hash();
    Ok(m)
}

/// A `-D` definition: `NAME` or `NAME(args)` and a value.
pub fn parse_cmdline(name: &str, value: &str) -> Result<Macro, String> {
    let text = format!("{name} {value}");
    let toks = lex(text.as_bytes()).toks;
    parse_define(&toks)
}

fn hs_contains(hs: &HideSet, id: u32) -> bool {
    hs.as_ref().is_some_and(|h| h.binary_search(&id).is_ok())
}

fn hs_add(hs: &HideSet, id: u32) -> HideSet {
    let mut v: Vec<u32> = hs.as_deref().unwrap_or(&[]).to_vec();
    if let Err(k) = v.binary_search(&id) {
        v.insert(k, id);
    }
    Some(Arc::from(v))
}

fn hs_union(a: &HideSet, b: &HideSet) -> HideSet {
    match (a, b) {
        (None, x) | (x, None) => x.clone(),
        (Some(x), Some(y)) if Arc::ptr_eq(x, y) => a.clone(),
        (Some(x), Some(y)) => {
            let mut v: Vec<u32> = x.iter().chain(y.iter()).copied().collect();
            v.sort_unstable();
            v.dedup();
            Some(Arc::from(v))
        }
    }
}

fn hs_intersect(a: &HideSet, b: &HideSet) -> HideSet {
    match (a, b) {
        (Some(x), Some(y)) => {
            let v: Vec<u32> = x.iter().copied().filter(|i| y.binary_search(i).is_ok()).collect();
            (!v.is_empty()).then(|| Arc::from(v))
        }
        _ => None,
    }
}

fn placemarker() -> Tok {
    Tok::new(Kind::Placemarker, b"")
}

pub fn stringize(a: &[Tok]) -> Vec<u8> {
    let mut s = vec![b'"'];
    for (k, t) in a.iter().enumerate() {
        if k > 0 && t.flags & (SPACE | BOL) != 0 {
            s.push(b' ');
        }
        let quoted = matches!(t.kind, Kind::Str | Kind::Char) || t.text.contains(&b'"') || t.text.contains(&b'\'');
        for &c in t.text.iter() {
            if quoted && (c == b'"' || c == b'\\') {
                s.push(b'\\');
            }
            s.push(c);
        }
    }
    s.push(b'"');
    s
}

impl Pp<'_> {
    pub(super) fn id(&mut self, name: &Arc<[u8]>) -> u32 {
        let n = self.ids.len() as u32;
        *self.ids.entry(name.clone()).or_insert(n)
    }

    fn next_in(&mut self, input: &mut Vec<Tok>, pull_file: bool) -> Option<Tok> {
        if let Some(t) = input.pop() {
            return Some(t);
        }
        if pull_file {
            let t = self.next_file_tok(true)?;
            if let Some(f) = self.stack.last_mut() {
                f.last_end = t.end;
            }
            return Some(t);
        }
        None
    }

    fn next_is_lparen(&mut self, input: &[Tok], pull_file: bool) -> bool {
        if let Some(t) = input.last() {
            return t.is_punct("(");
        }
        if pull_file && !self.directive_next() {
            if let Some(t) = self.next_file_tok(true) {
                let yes = t.is_punct("(");
                if let Some(f) = self.stack.last_mut() {
                    f.peeked.push(t);
                }
                return yes;
            }
        }
        false
    }

    fn overflow(&mut self, n: usize) -> bool {
        if self.expansion_overflow {
            return true;
        }
        self.work += 1;
        if n > self.opts.limits.max_expansion_tokens || self.work > 4 * self.opts.limits.max_expansion_tokens {
            self.expansion_overflow = true;
            let max = self.opts.limits.max_expansion_tokens;
            self.diag_here(DiagKind::Limit, format!("macro expansion exceeds {max} tokens (or {} steps); expansion cut off", 4 * max));
            return true;
        }
        false
    }

    /// Expands `input` (a stack: the last token is the next one). With
    /// `pull_file`, a function-like macro at the end may take its arguments
    /// from the current file.
    pub(super) fn expand(&mut self, input: Vec<Tok>, pull_file: bool) -> Vec<Tok> {
        if self.expand_depth >= self.opts.limits.max_expansion_depth {
            if !self.expansion_overflow {
                let max = self.opts.limits.max_expansion_depth;
                self.diag_here(DiagKind::Limit, format!("macro arguments nested deeper than {max}; expansion cut off"));
            }
            self.expansion_overflow = true;
            let mut input = input;
            input.reverse();
            return input;
        }
        self.expand_depth += 1;
        let out = self.expand_inner(input, pull_file);
        self.expand_depth -= 1;
        out
    }

    fn expand_inner(&mut self, mut input: Vec<Tok>, pull_file: bool) -> Vec<Tok> {
        let mut out: Vec<Tok> = Vec::new();
        while let Some(t) = input.pop() {
            if self.tick() || self.overflow(out.len() + input.len()) {
                break;
            }
            if t.kind != Kind::Ident || t.flags & NOEXPAND != 0 {
                out.push(t);
                continue;
            }
            if self.in_if && &*t.text == b"defined" {
                let v = self.defined_operator(&mut input);
                out.push(v);
                continue;
            }
            if &*t.text == b"_Pragma" && self.next_is_lparen(&input, pull_file) {
                if let Some((args, _)) = self.collect_args(&mut input, pull_file, 1, false, &t) {
                    self.pragma_operator(&args);
                }
                continue;
            }
            let Some(m) = self.macros.get(&*t.text).cloned() else {
                out.push(t);
                continue;
            };
            let id = self.id(&m.name);
            if hs_contains(&t.hs, id) {
                let mut t = t;
                t.flags |= NOEXPAND;
                out.push(t);
                continue;
            }
            if let Some(b) = m.builtin {
                match self.builtin(b, &t, &mut input, pull_file) {
                    Some(mut r) => {
                        r.flags = t.flags & SPACE;
                        r.hs = t.hs.clone();
                        out.push(r);
                    }
                    None => out.push(t),
                }
                continue;
            }
            let body = if !m.func {
                let hs = hs_add(&t.hs, id);
                self.subst(&m, &[], &hs, t.flags)
            } else {
                if !self.next_is_lparen(&input, pull_file) {
                    out.push(t);
                    continue;
                }
                let n = m.params.len();
                match self.collect_args(&mut input, pull_file, n, m.variadic, &t) {
                    Some((args, rparen)) => {
                        let hs = hs_add(&hs_intersect(&t.hs, &rparen.hs), id);
                        self.subst(&m, &args, &hs, t.flags)
                    }
                    None => {
                        out.push(t);
                        continue;
                    }
                }
            };
            input.extend(body.into_iter().rev());
        }
        out
    }

    /// Collects the arguments of a function-like use after its name (the
    /// next token is `(`). Returns None (with a diagnostic) on a malformed use.
    fn collect_args(
        &mut self,
        input: &mut Vec<Tok>,
        pull_file: bool,
        nparams: usize,
        variadic: bool,
        name: &Tok,
    ) -> Option<(Vec<Vec<Tok>>, Tok)> {
        self.next_in(input, pull_file)?; // '('
        let mut args: Vec<Vec<Tok>> = vec![Vec::new()];
        let mut depth = 0usize;
        let mut count = 0usize;
        let rparen = loop {
            let Some(mut t) = self.next_in(input, pull_file) else {
                self.diag_here(
                    DiagKind::Syntax,
                    format!("unterminated argument list invoking macro \"{}\"", String::from_utf8_lossy(&name.text)),
                );
                return None;
            };
            if t.flags & BOL != 0 {
                t.flags = (t.flags & !BOL) | SPACE;
            }
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                if depth == 0 {
                    break t;
                }
                depth -= 1;
            } else if t.is_punct(",") && depth == 0 && !(variadic && args.len() >= nparams) {
                args.push(Vec::new());
                continue;
            }
            if let Some(a) = args.last_mut() {
                a.push(t);
            }
            count += 1;
            if self.overflow(count) {
                return None;
            }
        };
        if nparams == 0 && args.len() == 1 && args[0].is_empty() {
            args.clear();
        }
        self.va_omitted = variadic && args.len() + 1 == nparams;
        if self.va_omitted {
            args.push(Vec::new());
        }
        if args.len() != nparams {
            self.diag_here(
                DiagKind::Syntax,
                format!(
                    "macro \"{}\" requires {} arguments, but {} given",
                    String::from_utf8_lossy(&name.text),
                    nparams,
                    args.len()
                ),
            );
            return None;
        }
        Some((args, rparen))
    }

    fn param_index(m: &Macro, t: &Tok) -> Option<usize> {
        if !m.func || t.kind != Kind::Ident {
            return None;
        }
        m.params.iter().position(|p| **p == *t.text)
    }

    fn subst(&mut self, m: &Macro, args: &[Vec<Tok>], hs: &HideSet, name_flags: u8) -> Vec<Tok> {
        let mut cache: Vec<Option<Vec<Tok>>> = vec![None; args.len()];
        // GNU `, ## __VA_ARGS__` drops the comma only when the variable
        // arguments were left out (`F(a)`, or `F()` for `F(...)`), not for `F(a, )`
        let va_absent = m.variadic && (self.va_omitted || m.params.len() == 1);
        let mut out = self.subst_body(m, &m.body, args, &mut cache, va_absent);
        out.retain(|t| t.kind != Kind::Placemarker);
        for (k, t) in out.iter_mut().enumerate() {
            t.hs = hs_union(&t.hs, hs);
            if k == 0 {
                t.flags = (t.flags & !(SPACE | BOL)) | (name_flags & SPACE);
            }
        }
        out
    }

    fn expanded_arg(&mut self, args: &[Vec<Tok>], cache: &mut [Option<Vec<Tok>>], p: usize) -> Vec<Tok> {
        if let Some(Some(v)) = cache.get(p) {
            return v.clone();
        }
        let raw: Vec<Tok> = args.get(p).cloned().unwrap_or_default();
        let mut rev = raw;
        rev.reverse();
        let v = self.expand(rev, false);
        if let Some(c) = cache.get_mut(p) {
            *c = Some(v.clone());
        }
        v
    }

    fn subst_body(
        &mut self,
        m: &Macro,
        body: &[Tok],
        args: &[Vec<Tok>],
        cache: &mut [Option<Vec<Tok>>],
        va_absent: bool,
    ) -> Vec<Tok> {
        let mut out: Vec<Tok> = Vec::new();
        let va = if m.variadic { Some(m.params.len().saturating_sub(1)) } else { None };
        let is_paste = |t: &Tok| t.is_punct("##") || t.is_punct("%:%:");
        let mut i = 0;
        while i < body.len() {
            if self.overflow(out.len()) {
                break;
            }
            let t = &body[i];
            if m.func && (t.is_punct("#") || t.is_punct("%:")) {
                if m.variadic && body.get(i + 1).is_some_and(|n| n.is("__VA_OPT__")) {
                    let (mut group, j) = self.va_opt(m, body, i + 1, args, cache, va_absent);
                    group.retain(|t| t.kind != Kind::Placemarker);
                    let mut tok = Tok::new(Kind::Str, &stringize(&group));
                    tok.flags = t.flags & SPACE;
                    out.push(tok);
                    i = j;
                    continue;
                }
                if let Some(p) = body.get(i + 1).and_then(|n| Self::param_index(m, n)) {
                    let s = stringize(args.get(p).map(|v| &v[..]).unwrap_or(&[]));
                    let mut tok = Tok::new(Kind::Str, &s);
                    tok.flags = t.flags & SPACE;
                    out.push(tok);
                    i += 2;
                    continue;
                }
            }
            if is_paste(t) {
                i += 1;
                let Some(rhs) = body.get(i) else { break };
                let rtoks: Vec<Tok> = if let Some(p) = Self::param_index(m, rhs) {
                    let a = args.get(p).cloned().unwrap_or_default();
                    if Some(p) == va && out.last().is_some_and(|l| l.is_punct(",")) {
                        // GNU `, ## __VA_ARGS__`: no paste; an empty argument eats the comma
                        if a.is_empty() && va_absent {
                            out.pop();
                        } else {
                            let mut a = a;
                            if let Some(f) = a.first_mut() {
                                f.flags = (f.flags & !SPACE) | (rhs.flags & SPACE);
                            }
                            out.extend(a);
                        }
                        i += 1;
                        continue;
                    }
                    if a.is_empty() { vec![placemarker()] } else { a }
                } else if rhs.is("__VA_OPT__") && m.variadic {
                    let (group, j) = self.va_opt(m, body, i, args, cache, va_absent);
                    i = j - 1;
                    if group.is_empty() { vec![placemarker()] } else { group }
                } else {
                    vec![rhs.clone()]
                };
                i += 1;
                match out.pop() {
                    None => out.extend(rtoks),
                    Some(l) => {
                        let mut it = rtoks.into_iter();
                        if let Some(r) = it.next() {
                            let pasted = self.paste(l, r);
                            out.extend(pasted);
                        }
                        out.extend(it);
                    }
                }
                continue;
            }
            if let Some(p) = Self::param_index(m, t) {
                let next_paste = body.get(i + 1).is_some_and(is_paste);
                let mut a = if next_paste { args.get(p).cloned().unwrap_or_default() } else { self.expanded_arg(args, cache, p) };
                if a.is_empty() {
                    if next_paste {
                        a.push(placemarker());
                    }
                } else if let Some(f) = a.first_mut() {
                    f.flags = (f.flags & !SPACE) | (t.flags & SPACE);
                }
                out.extend(a);
                i += 1;
                continue;
            }
            if m.variadic && t.is("__VA_OPT__") && body.get(i + 1).is_some_and(|n| n.is_punct("(")) {
                let (group, j) = self.va_opt(m, body, i, args, cache, va_absent);
                if group.is_empty() {
                    out.push(placemarker());
                } else {
                    out.extend(group);
                }
                i = j;
                continue;
            }
            out.push(t.clone());
            i += 1;
        }
        out
    }

    /// `__VA_OPT__ ( group )` at `body[i]`: the substituted group (empty if the
    /// variable arguments are empty) and the index after the closing `)`.
    fn va_opt(
        &mut self,
        m: &Macro,
        body: &[Tok],
        i: usize,
        args: &[Vec<Tok>],
        cache: &mut [Option<Vec<Tok>>],
        va_absent: bool,
    ) -> (Vec<Tok>, usize) {
        let mut depth = 0usize;
        let mut j = i + 1;
        let start = i + 2;
        while j < body.len() {
            if body[j].is_punct("(") {
                depth += 1;
            } else if body[j].is_punct(")") {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            j += 1;
        }
        let group = body.get(start..j.min(body.len())).unwrap_or(&[]);
        let p = m.params.len().saturating_sub(1);
        let present = !self.expanded_arg(args, cache, p).is_empty();
        let mut g = if present { self.subst_body(m, group, args, cache, va_absent) } else { Vec::new() };
        if let Some(f) = g.first_mut() {
            f.flags = (f.flags & !SPACE) | (body[i].flags & SPACE);
        }
        (g, (j + 1).min(body.len().max(j + 1)))
    }

    fn paste(&mut self, l: Tok, r: Tok) -> Vec<Tok> {
        if l.kind == Kind::Placemarker {
            let mut r = r;
            r.flags = (r.flags & !SPACE) | (l.flags & SPACE);
            return vec![r];
        }
        if r.kind == Kind::Placemarker {
            return vec![l];
        }
        let mut text = l.text.to_vec();
        text.extend_from_slice(&r.text);
        match lex_single(&text) {
            Some(kind) => {
                let mut t = Tok::new(kind, &text);
                t.flags = l.flags & SPACE;
                t.hs = l.hs.clone();
                vec![t]
            }
            None => {
                self.diag_here(
                    DiagKind::Syntax,
                    format!(
                        "pasting \"{}\" and \"{}\" does not give a valid preprocessing token",
                        String::from_utf8_lossy(&l.text),
                        String::from_utf8_lossy(&r.text)
                    ),
                );
                vec![l, r]
            }
        }
    }

    fn defined_operator(&mut self, input: &mut Vec<Tok>) -> Tok {
        let mut name = input.pop();
        let paren = name.as_ref().is_some_and(|t| t.is_punct("("));
        if paren {
            name = input.pop();
        }
        let ok = name.as_ref().is_some_and(|t| t.kind == Kind::Ident);
        if paren && ok {
            if input.last().is_some_and(|t| t.is_punct(")")) {
                input.pop();
            } else {
                self.diag_here(DiagKind::Syntax, "missing ')' after \"defined\"".into());
            }
        }
        if !ok {
            self.diag_here(DiagKind::Syntax, "operator \"defined\" requires an identifier".into());
        }
        let yes = name.is_some_and(|t| ok && self.macros.contains_key(&*t.text));
        Tok::new(Kind::Number, if yes { b"1" } else { b"0" })
    }

    fn builtin(&mut self, b: Builtin, t: &Tok, input: &mut Vec<Tok>, pull_file: bool) -> Option<Tok> {
        use Builtin::*;
        let num = |v: i64| Some(Tok::new(Kind::Number, v.to_string().as_bytes()));
        match b {
            File => {
                let name = self.presumed_file();
                let mut s = vec![b'"'];
                for &c in &name {
                    if c == b'"' || c == b'\\' {
                        s.push(b'\\');
                    }
                    s.push(c);
                }
                s.push(b'"');
                Some(Tok::new(Kind::Str, &s))
            }
            Line => num(self.presumed_line(t.pos)),
            Counter => {
                self.mark_uncacheable();
                self.counter += 1;
                num(self.counter as i64 - 1)
            }
            IncludeLevel => {
                self.mark_uncacheable();
                num(self.stack.len().saturating_sub(1) as i64)
            }
            BaseFile => {
                self.mark_uncacheable();
                let p = self.main_path.to_string_lossy().into_owned();
                let mut s = vec![b'"'];
                s.extend_from_slice(p.as_bytes());
                s.push(b'"');
                Some(Tok::new(Kind::Str, &s))
            }
            Date => Some(Tok::new(Kind::Str, b"\"Jan  1 1970\"")),
            Time => Some(Tok::new(Kind::Str, b"\"00:00:00\"")),
            Timestamp => Some(Tok::new(Kind::Str, b"\"Thu Jan  1 00:00:00 1970\"")),
            HasInclude | HasIncludeNext | HasAttribute | HasCAttribute | HasBuiltin | HasFeature | HasExtension => {
                if !self.in_if || !self.next_is_lparen(input, pull_file) {
                    return None;
                }
                let (args, _) = self.collect_args(input, pull_file, 1, false, t)?;
                let arg = args.into_iter().next().unwrap_or_default();
                let v = match b {
                    HasInclude | HasIncludeNext => self.has_include(&arg, b == HasIncludeNext),
                    HasFeature | HasExtension => 0,
                    _ => {
                        let name = arg.iter().rev().find(|t| t.kind == Kind::Ident).map(|t| t.text.to_vec());
                        let name = name.unwrap_or_default();
                        super::predefined::has_name(b, &name, self.opts.target)
                    }
                };
                num(v)
            }
        }
    }

    fn has_include(&mut self, arg: &[Tok], next: bool) -> i64 {
        let arg = if arg.first().is_some_and(|t| t.kind == Kind::Str || t.is_punct("<")) {
            arg.to_vec()
        } else {
            let mut rev = arg.to_vec();
            rev.reverse();
            self.expand(rev, false)
        };
        match super::directives::header_name_from_tokens(&arg) {
            Some((name, angled)) => self.find_include(&name, angled, next).is_ok_and(|f| f.is_some()) as i64,
            None => {
                self.diag_here(DiagKind::Syntax, "operator \"__has_include\" requires a header string".into());
                0
            }
        }
    }
}
