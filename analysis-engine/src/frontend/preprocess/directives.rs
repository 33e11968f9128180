//! The per-file driver: directives, conditionals, `#include`, and the
//! building of each file's piece (text, origin map, macro uses).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::cache::{Entry, Key};
use super::expand::{parse_cmdline, parse_define, Builtin, Macro, MacroOp};
use super::files::{canonical, hash_bytes, ReadError};
use super::lexer::{lex, line_end, needs_space, Kind, Tok, NOPOS};
use super::origin::OriginMap;
use super::{CmdMacro, DiagKind, Diagnostic, FileSource, HeaderCache, MacroUse, Options, Output, Piece};

struct Cond {
    parent_active: bool,
    active: bool,
    taken: bool,
    seen_else: bool,
    pos: u32,
}

enum Edit {
    Blank(Range<u32>),
    Replace { range: Range<u32>, toks: Vec<Tok>, name: Arc<[u8]>, object_like: bool },
}

impl Edit {
    fn start(&self) -> u32 {
        match self {
            Edit::Blank(r) => r.start,
            Edit::Replace { range, .. } => range.start,
        }
    }
}

#[derive(Clone)]
enum Guard {
    Start,
    Candidate(Arc<[u8]>),
    Closed(Arc<[u8]>),
    No,
}

pub(super) struct FileCtx {
    pub path: PathBuf,
    canon: PathBuf,
    dir_idx: Option<usize>,
    raw: Arc<[u8]>,
    toks: Vec<Tok>,
    i: usize,
    pub peeked: Vec<Tok>,
    conds: Vec<Cond>,
    edits: Vec<Edit>,
    line_starts: Vec<u32>,
    line_delta: i64,
    presumed: Option<Vec<u8>>,
    guard: Guard,
    emitted: usize,
    pub last_end: u32,
    uncacheable: bool,
    inactive_from: Option<u32>,
}

impl FileCtx {
    fn active(&self) -> bool {
        self.conds.last().is_none_or(|c| c.active)
    }
    fn line_col(&self, pos: u32) -> (u32, u32) {
        let pos = pos.min(self.raw.len() as u32);
        let k = self.line_starts.partition_point(|&s| s <= pos);
        let start = self.line_starts.get(k.saturating_sub(1)).copied().unwrap_or(0);
        (k.max(1) as u32, pos - start + 1)
    }
}

struct Recorder {
    ops: usize,
    pieces: usize,
    diags: usize,
    reads: usize,
    guards: usize,
    once: usize,
    tokens: usize,
    includes: usize,
}

pub(super) struct Pp<'a> {
    pub opts: &'a Options,
    files: &'a dyn FileSource,
    cache: Option<&'a HeaderCache>,
    pub macros: HashMap<Arc<[u8]>, Arc<Macro>>,
    macro_hash: u64,
    pub ids: HashMap<Arc<[u8]>, u32>,
    chain: Vec<PathBuf>,
    bracket_start: usize,
    once: HashSet<PathBuf>,
    once_hash: u64,
    guards: HashMap<PathBuf, Arc<[u8]>>,
    pub stack: Vec<FileCtx>,
    pieces: Vec<Arc<Piece>>,
    diags: Vec<Diagnostic>,
    files_read: Vec<PathBuf>,
    files_seen: HashSet<PathBuf>,
    ops_log: Vec<MacroOp>,
    guard_log: Vec<(PathBuf, Arc<[u8]>)>,
    once_log: Vec<PathBuf>,
    read_log: Vec<(PathBuf, u64)>,
    read_memo: HashMap<PathBuf, Result<Arc<[u8]>, ReadError>>,
    canon_memo: HashMap<PathBuf, PathBuf>,
    pushed: HashMap<Vec<u8>, Vec<Option<Arc<Macro>>>>,
    pub counter: u32,
    total_tokens: usize,
    includes: usize,
    start: Instant,
    pub stopped: bool,
    pub expansion_overflow: bool,
    pub expand_depth: usize,
    /// the last collected use left out its variable arguments
    pub va_omitted: bool,
    pub in_if: bool,
    /// tokens handled by the current top-level expansion (a work budget)
    pub work: usize,
    steps: u64,
    trace: Option<Vec<Vec<u8>>>,
    pub main_path: PathBuf,
    opts_hash: u64,
}

/// `"name"` or `<name>` from tokens (a computed include, `__has_include`).
pub(super) fn header_name_from_tokens(toks: &[Tok]) -> Option<(String, bool)> {
    let first = toks.first()?;
    if first.kind == Kind::Str && first.text.first() == Some(&b'"') && first.text.len() >= 2 {
        let inner = &first.text[1..first.text.len() - 1];
        return Some((String::from_utf8_lossy(inner).into_owned(), false));
    }
    if first.is_punct("<") {
        let mut s = Vec::new();
        for (k, t) in toks.iter().enumerate().skip(1) {
            if t.is_punct(">") {
                return Some((String::from_utf8_lossy(&s).into_owned(), true));
            }
            if k > 1 && t.space() {
                s.push(b' ');
            }
            s.extend_from_slice(&t.text);
        }
    }
    None
}

fn opts_hash(o: &Options) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&o.quote_dirs, &o.include_dirs, &o.system_dirs, &o.after_dirs, o.target, &o.std, &o.limits, &o.opaque_macros).hash(&mut h);
    h.finish()
}

impl<'a> Pp<'a> {
    pub fn new(
        opts: &'a Options,
        files: &'a dyn FileSource,
        cache: Option<&'a HeaderCache>,
        main: &Path,
        trace: bool,
    ) -> Pp<'a> {
        let mut chain = opts.quote_dirs.clone();
        let bracket_start = chain.len();
        chain.extend(opts.include_dirs.iter().cloned());
        chain.extend(opts.system_dirs.iter().cloned());
        chain.extend(opts.after_dirs.iter().cloned());
        let mut pp = Pp {
            opts,
            files,
            cache,
            macros: HashMap::new(),
            macro_hash: 0,
            ids: HashMap::new(),
            chain,
            bracket_start,
            once: HashSet::new(),
            once_hash: 0,
            guards: HashMap::new(),
            stack: Vec::new(),
            pieces: Vec::new(),
            diags: Vec::new(),
            files_read: Vec::new(),
            files_seen: HashSet::new(),
            ops_log: Vec::new(),
            guard_log: Vec::new(),
            once_log: Vec::new(),
            read_log: Vec::new(),
            read_memo: HashMap::new(),
            canon_memo: HashMap::new(),
            pushed: HashMap::new(),
            counter: 0,
            total_tokens: 0,
            includes: 0,
            start: Instant::now(),
            stopped: false,
            expansion_overflow: false,
            expand_depth: 0,
            va_omitted: false,
            in_if: false,
            work: 0,
            steps: 0,
            trace: trace.then(Vec::new),
            main_path: main.to_path_buf(),
            opts_hash: opts_hash(opts),
        };
        for m in super::predefined::table(opts.target, opts.std.as_deref()) {
            pp.macro_hash ^= m.hash;
            pp.macros.insert(m.name.clone(), m);
        }
        let builtins: [(&str, Builtin); 15] = [
            ("__FILE__", Builtin::File),
            ("__LINE__", Builtin::Line),
            ("__COUNTER__", Builtin::Counter),
            ("__INCLUDE_LEVEL__", Builtin::IncludeLevel),
            ("__BASE_FILE__", Builtin::BaseFile),
            ("__DATE__", Builtin::Date),
            ("__TIME__", Builtin::Time),
            ("__TIMESTAMP__", Builtin::Timestamp),
            ("__has_include", Builtin::HasInclude),
            ("__has_include_next", Builtin::HasIncludeNext),
            ("__has_attribute", Builtin::HasAttribute),
            ("__has_c_attribute", Builtin::HasCAttribute),
            ("__has_builtin", Builtin::HasBuiltin),
            ("__has_feature", Builtin::HasFeature),
            ("__has_extension", Builtin::HasExtension),
        ];
        for (name, b) in builtins {
            if matches!(b, Builtin::HasFeature | Builtin::HasExtension) && opts.target != super::Target::Bpf {
                continue; // gcc 12 has neither
            }
            let m = Arc::new(Macro::builtin(name, b));
            pp.macro_hash ^= m.hash;
            pp.macros.insert(m.name.clone(), m);
        }
        for cm in &opts.macros {
            match cm {
                CmdMacro::Define(n, v) => match parse_cmdline(n, v) {
                    Ok(m) => pp.define(Arc::new(m)),
                    Err(e) => pp.diags.push(Diagnostic {
                        path: main.to_path_buf(),
                        user_byte: 0,
                        line: 1,
                        col: 1,
                        kind: DiagKind::Syntax,
                        message: format!("-D{n}: {e}"),
                    }),
                },
                CmdMacro::Undef(n) => pp.undef(n.as_bytes()),
            }
        }
        pp.ops_log.clear();
        pp
    }

    pub fn define(&mut self, m: Arc<Macro>) {
        if let Some(old) = self.macros.insert(m.name.clone(), m.clone()) {
            self.macro_hash ^= old.hash;
        }
        self.macro_hash ^= m.hash;
        self.ops_log.push(MacroOp::Define(m));
    }

    pub fn undef(&mut self, name: &[u8]) {
        if let Some(old) = self.macros.remove(name) {
            self.macro_hash ^= old.hash;
            self.ops_log.push(MacroOp::Undef(old.name.clone()));
        }
    }

    /// Counts a step; true when the run must stop (time limit).
    pub fn tick(&mut self) -> bool {
        self.steps += 1;
        if self.steps & 0x3ff == 0 && !self.stopped && self.start.elapsed() > self.opts.limits.time_limit {
            let secs = self.opts.limits.time_limit.as_secs_f64();
            self.diag_here(DiagKind::Limit, format!("preprocessing stopped after {secs} s (time limit)"));
            self.stopped = true;
        }
        self.stopped
    }

    pub fn mark_uncacheable(&mut self) {
        for f in &mut self.stack {
            f.uncacheable = true;
        }
    }

    pub fn diag_at(&mut self, pos: u32, kind: DiagKind, message: String) {
        let (path, line, col) = match self.stack.last() {
            Some(f) => {
                let (l, c) = f.line_col(pos);
                (f.path.clone(), l, c)
            }
            None => (self.main_path.clone(), 1, 1),
        };
        let user_byte = if pos == NOPOS { 0 } else { pos as usize };
        if self.diags.len() < 10_000 {
            self.diags.push(Diagnostic { path, user_byte, line, col, kind, message });
        }
    }

    pub fn diag_here(&mut self, kind: DiagKind, message: String) {
        let pos = self.stack.last().map(|f| f.last_end.saturating_sub(1)).unwrap_or(0);
        self.diag_at(pos, kind, message);
    }

    pub fn presumed_file(&self) -> Vec<u8> {
        match self.stack.last() {
            Some(f) => f.presumed.clone().unwrap_or_else(|| f.path.to_string_lossy().as_bytes().to_vec()),
            None => Vec::new(),
        }
    }

    pub fn presumed_line(&self, pos: u32) -> i64 {
        let Some(f) = self.stack.last() else { return 0 };
        let p = if pos == NOPOS { f.last_end.saturating_sub(1) } else { f.last_end.saturating_sub(1).max(pos) };
        f.line_col(p).0 as i64 + f.line_delta
    }

    // ---- reading and searching ----

    fn read(&mut self, path: &Path) -> Result<Arc<[u8]>, ReadError> {
        if let Some(r) = self.read_memo.get(path) {
            return r.clone();
        }
        let r = self.files.read(path);
        if let Ok(b) = &r {
            if b.len() as u64 > self.opts.limits.max_file_bytes {
                let e = Err(ReadError::TooLarge { size: b.len() as u64, limit: self.opts.limits.max_file_bytes });
                self.read_memo.insert(path.to_path_buf(), e.clone());
                return e;
            }
        }
        self.read_memo.insert(path.to_path_buf(), r.clone());
        r
    }

    fn canon(&mut self, p: &Path) -> PathBuf {
        if let Some(c) = self.canon_memo.get(p) {
            return c.clone();
        }
        let c = canonical(p);
        self.canon_memo.insert(p.to_path_buf(), c.clone());
        c
    }

    /// Searches `name` in gcc's order. Ok(None): not found.
    #[allow(clippy::type_complexity)]
    pub fn find_include(
        &mut self,
        name: &str,
        angled: bool,
        next: bool,
    ) -> Result<Option<(PathBuf, Option<usize>, Arc<[u8]>)>, (PathBuf, ReadError)> {
        let mut cands: Vec<(PathBuf, Option<usize>)> = Vec::new();
        if Path::new(name).is_absolute() {
            cands.push((PathBuf::from(name), None));
        } else {
            let cur_idx = self.stack.last().and_then(|f| f.dir_idx);
            let from = if next && self.stack.len() > 1 {
                match cur_idx {
                    Some(k) => k + 1,
                    None => self.bracket_start,
                }
            } else if angled {
                self.bracket_start
            } else {
                if let Some(f) = self.stack.last() {
                    let dir = f.path.parent().map(Path::to_path_buf).unwrap_or_default();
                    cands.push((dir.join(name), None));
                }
                0
            };
            for (k, d) in self.chain.iter().enumerate().skip(from) {
                cands.push((d.join(name), Some(k)));
            }
        }
        for (p, k) in cands {
            match self.read(&p) {
                Ok(b) => return Ok(Some((p, k, b))),
                Err(ReadError::NotFound) => continue,
                Err(e) => return Err((p, e)),
            }
        }
        Ok(None)
    }

    // ---- running files ----

    pub fn run_main(&mut self, main: &Path, text: &[u8]) {
        for fi in self.opts.forced_includes.clone() {
            let found = if fi.is_absolute() || self.read(&fi).is_ok() {
                self.read(&fi).map(|b| Some((fi.clone(), None, b))).map_err(|e| (fi.clone(), e))
            } else {
                self.find_include(&fi.to_string_lossy(), false, false)
            };
            match found {
                Ok(Some((p, k, b))) => self.enter_file(p, k, b),
                Ok(None) => self.diags.push(Diagnostic {
                    path: main.to_path_buf(),
                    user_byte: 0,
                    line: 1,
                    col: 1,
                    kind: DiagKind::MissingInclude { name: fi.to_string_lossy().into_owned() },
                    message: format!("{}: No such file or directory (-include)", fi.display()),
                }),
                Err((p, e)) => self.diags.push(Diagnostic {
                    path: main.to_path_buf(),
                    user_byte: 0,
                    line: 1,
                    col: 1,
                    kind: DiagKind::Error,
                    message: format!("cannot include {}: {e}", p.display()),
                }),
            }
        }
        let canon = self.canon(main);
        let text: Arc<[u8]> = Arc::from(text);
        self.run_file(main.to_path_buf(), canon, None, text);
    }

    pub fn finish(self) -> (Output, Vec<Vec<u8>>) {
        (
            Output { pieces: self.pieces, diagnostics: self.diags, files_read: self.files_read },
            self.trace.unwrap_or_default(),
        )
    }

    fn recorder(&self) -> Recorder {
        Recorder {
            ops: self.ops_log.len(),
            pieces: self.pieces.len(),
            diags: self.diags.len(),
            reads: self.read_log.len(),
            guards: self.guard_log.len(),
            once: self.once_log.len(),
            tokens: self.total_tokens,
            includes: self.includes,
        }
    }

    fn enter_file(&mut self, path: PathBuf, dir_idx: Option<usize>, content: Arc<[u8]>) {
        let canon = self.canon(&path);
        if self.once.contains(&canon) {
            return;
        }
        if let Some(g) = self.guards.get(&canon) {
            if self.macros.contains_key(&**g) {
                return;
            }
        }
        let content_hash = hash_bytes(&content);
        if self.files_seen.insert(path.clone()) {
            self.files_read.push(path.clone());
        }
        self.read_log.push((path.clone(), content_hash));
        let key = Key {
            // the path as found (not the canonical one): `__FILE__` spells it
            path: path.clone(),
            content: content_hash,
            macros: self.macro_hash,
            once: self.once_hash,
            depth: self.stack.len(),
            dir_idx,
            opts: self.opts_hash,
        };
        if let Some(cache) = self.cache {
            if let Some(e) = cache.get(&key) {
                if self.entry_valid(&e) {
                    self.replay(&e);
                    return;
                }
            }
        }
        let rec = self.recorder();
        let uncacheable = self.run_file(path, canon, dir_idx, content);
        if let Some(cache) = self.cache {
            if !uncacheable && !self.stopped && !self.expansion_overflow {
                let e = Entry {
                    ops: self.ops_log[rec.ops..].to_vec(),
                    pieces: self.pieces[rec.pieces..].to_vec(),
                    diags: self.diags[rec.diags..].to_vec(),
                    reads: self.read_log[rec.reads..].to_vec(),
                    guards: self.guard_log[rec.guards..].to_vec(),
                    once: self.once_log[rec.once..].to_vec(),
                    tokens: self.total_tokens - rec.tokens,
                    includes: self.includes - rec.includes,
                };
                cache.put(key, Arc::new(e));
            }
        }
    }

    fn entry_valid(&mut self, e: &Entry) -> bool {
        e.reads.iter().all(|(p, h)| match self.read(p) {
            Ok(b) => hash_bytes(&b) == *h,
            Err(_) => false,
        })
    }

    fn replay(&mut self, e: &Entry) {
        if self.includes + e.includes > self.opts.limits.max_includes {
            let max = self.opts.limits.max_includes;
            self.diag_here(DiagKind::Limit, format!("more than {max} #includes; stopped"));
            self.stopped = true;
            return;
        }
        self.includes += e.includes;
        for op in &e.ops {
            match op {
                MacroOp::Define(m) => self.define(m.clone()),
                MacroOp::Undef(n) => self.undef(&n.clone()),
            }
        }
        self.pieces.extend(e.pieces.iter().cloned());
        self.diags.extend(e.diags.iter().cloned());
        for (p, h) in &e.reads {
            if self.files_seen.insert(p.clone()) {
                self.files_read.push(p.clone());
            }
            self.read_log.push((p.clone(), *h));
        }
        for (p, g) in &e.guards {
            self.guards.insert(p.clone(), g.clone());
            self.guard_log.push((p.clone(), g.clone()));
        }
        for p in &e.once {
            self.add_once(p.clone());
        }
        self.count_tokens(e.tokens);
    }

    fn add_once(&mut self, p: PathBuf) {
        if !self.once.contains(&p) {
            self.once_hash ^= hash_bytes(p.to_string_lossy().as_bytes());
            self.once.insert(p.clone());
            self.once_log.push(p);
        }
    }

    /// Preprocesses one file; returns whether its result must not be cached.
    fn run_file(&mut self, path: PathBuf, canon: PathBuf, dir_idx: Option<usize>, raw: Arc<[u8]>) -> bool {
        let lexed = lex(&raw);
        let mut line_starts = vec![0u32];
        for (k, &b) in raw.iter().enumerate() {
            if b == b'\n' {
                line_starts.push(k as u32 + 1);
            }
        }
        self.stack.push(FileCtx {
            path,
            canon,
            dir_idx,
            raw: raw.clone(),
            toks: lexed.toks,
            i: 0,
            peeked: Vec::new(),
            conds: Vec::new(),
            edits: Vec::new(),
            line_starts,
            line_delta: 0,
            presumed: None,
            guard: Guard::Start,
            emitted: 0,
            last_end: 0,
            uncacheable: false,
            inactive_from: None,
        });
        if let Some(p) = lexed.unterminated_comment {
            self.diag_at(p, DiagKind::Syntax, "unterminated comment".into());
        }
        self.top_level();
        let conds: Vec<u32> = self.stack.last().map(|f| f.conds.iter().map(|c| c.pos).collect()).unwrap_or_default();
        for p in conds {
            self.diag_at(p, DiagKind::Syntax, "unterminated conditional directive (#if without #endif at end of file)".into());
        }
        let Some(mut f) = self.stack.pop() else { return true };
        if let Some(s) = f.inactive_from.take() {
            f.edits.push(Edit::Blank(s..raw.len() as u32));
        }
        if let Guard::Closed(g) = &f.guard {
            if f.conds.is_empty() && !self.stopped {
                self.guards.insert(f.canon.clone(), g.clone());
                self.guard_log.push((f.canon.clone(), g.clone()));
            }
        }
        let uncacheable = f.uncacheable;
        if let Some(parent) = self.stack.last_mut() {
            parent.uncacheable |= uncacheable;
        }
        if f.emitted > 0 || self.stack.is_empty() {
            let piece = build_piece(f);
            self.pieces.push(Arc::new(piece));
        }
        uncacheable
    }

    fn emit_trace(&mut self, t: &Tok) {
        if let Some(tr) = &mut self.trace {
            tr.push(t.text.to_vec());
        }
    }

    fn count_tokens(&mut self, n: usize) {
        self.total_tokens += n;
        if self.total_tokens > self.opts.limits.max_total_tokens && !self.stopped {
            let max = self.opts.limits.max_total_tokens;
            self.diag_here(DiagKind::Limit, format!("output exceeds {max} tokens; preprocessing stopped"));
            self.stopped = true;
        }
    }

    fn top_level(&mut self) {
        while let Some(t) = self.next_file_tok(false) {
            if self.stopped {
                break;
            }
            if let Some(f) = self.stack.last_mut() {
                f.last_end = t.end;
            }
            let m = if t.kind == Kind::Ident { self.macros.get(&*t.text).cloned() } else { None };
            let pragma = t.kind == Kind::Ident && &*t.text == b"_Pragma";
            let expands = match &m {
                Some(m) if m.builtin.is_some() => {
                    !matches!(m.builtin, Some(b) if b as u8 >= Builtin::HasInclude as u8)
                }
                Some(m) if m.func => self.next_is_lparen_file(),
                Some(_) => true,
                None => pragma && self.next_is_lparen_file(),
            };
            if !expands {
                self.emit_trace(&t);
                self.count_tokens(1);
                if let Some(f) = self.stack.last_mut() {
                    f.emitted += 1;
                }
                continue;
            }
            let start = t.pos;
            let name = t.text.clone();
            let object_like = m.as_ref().is_some_and(|m| !m.func);
            self.expansion_overflow = false;
            self.work = 0;
            let toks = self.expand(vec![t], true);
            if self.expansion_overflow {
                self.mark_uncacheable();
            }
            for t in &toks {
                self.emit_trace(t);
            }
            self.count_tokens(toks.len());
            let Some(f) = self.stack.last_mut() else { break };
            f.emitted += toks.len();
            let range = start..f.last_end.max(start);
            if pragma {
                f.edits.push(Edit::Blank(range));
            } else {
                f.edits.push(Edit::Replace { range, toks, name, object_like });
            }
        }
    }

    /// Whether the next thing in the current file is a directive line (a
    /// function-like macro's name is then not a use: we do not look for its
    /// `(` across directives, unlike gcc, so that an `#include` is never
    /// processed in the middle of a macro use).
    pub fn directive_next(&self) -> bool {
        self.stack.last().is_some_and(|f| {
            f.peeked.is_empty() && f.toks.get(f.i).is_some_and(|t| t.bol() && (t.is_punct("#") || t.is_punct("%:")))
        })
    }

    fn next_is_lparen_file(&mut self) -> bool {
        if self.directive_next() {
            return false;
        }
        match self.next_file_tok(true) {
            Some(t) => {
                let yes = t.is_punct("(");
                if let Some(f) = self.stack.last_mut() {
                    f.peeked.push(t);
                }
                yes
            }
            None => false,
        }
    }

    /// The next active token of the current file; directives are processed
    /// on the way. `in_args`: reading a macro's arguments.
    pub fn next_file_tok(&mut self, in_args: bool) -> Option<Tok> {
        loop {
            if self.tick() {
                return None;
            }
            let f = self.stack.last_mut()?;
            if let Some(t) = f.peeked.pop() {
                return Some(t);
            }
            let t = f.toks.get(f.i)?;
            if t.bol() && (t.is_punct("#") || t.is_punct("%:")) {
                let start = f.i;
                let mut j = start + 1;
                while j < f.toks.len() && !f.toks[j].bol() {
                    j += 1;
                }
                let hash_pos = t.pos;
                let last_end = if j > start + 1 { f.toks[j - 1].end } else { t.end };
                let dtoks: Vec<Tok> = f.toks[start + 1..j].to_vec();
                f.i = j;
                let end = line_end(&f.raw, last_end as usize) as u32;
                self.directive(hash_pos, end, dtoks, in_args);
                continue;
            }
            f.i += 1;
            if !f.active() {
                continue;
            }
            if matches!(f.guard, Guard::Start | Guard::Closed(_)) {
                f.guard = Guard::No;
            }
            return Some(t.clone());
        }
    }

    fn directive(&mut self, hash_pos: u32, end: u32, toks: Vec<Tok>, in_args: bool) {
        let Some(f) = self.stack.last_mut() else { return };
        let was_active = f.active();
        if let Some(s) = f.inactive_from.take() {
            f.edits.push(Edit::Blank(s..hash_pos));
        }
        f.edits.push(Edit::Blank(hash_pos..end));
        let first_directive = matches!(f.guard, Guard::Start);
        if matches!(f.guard, Guard::Closed(_)) {
            f.guard = Guard::No;
        }
        let name: Vec<u8> = match toks.first() {
            Some(t) if t.kind == Kind::Ident => t.text.to_vec(),
            Some(t) if t.kind == Kind::Number => b"line".to_vec(),
            Some(_) if was_active => {
                self.diag_at(hash_pos, DiagKind::Syntax, "invalid preprocessing directive".into());
                Vec::new()
            }
            _ => Vec::new(),
        };
        let line_marker = toks.first().is_some_and(|t| t.kind == Kind::Number);
        let rest: &[Tok] = if line_marker { &toks } else { toks.get(1..).unwrap_or(&[]) };
        let rest = rest.to_vec();
        let mut became_candidate = false;
        match &name[..] {
            b"if" | b"ifdef" | b"ifndef" => {
                let depth = self.stack.last().map_or(0, |f| f.conds.len());
                if depth >= self.opts.limits.max_if_depth {
                    let max = self.opts.limits.max_if_depth;
                    self.diag_at(hash_pos, DiagKind::Limit, format!("#if nested deeper than {max}; stopped"));
                    self.stopped = true;
                    return;
                }
                let v = if !was_active {
                    false
                } else if name == b"if" {
                    if first_directive {
                        if let Some(g) = guard_of_if(&rest) {
                            became_candidate = true;
                            if let Some(f) = self.stack.last_mut() {
                                f.guard = Guard::Candidate(g);
                            }
                        }
                    }
                    self.eval_if(rest, hash_pos)
                } else {
                    let d = self.ifdef_name(&rest, hash_pos, &name);
                    let def = d.as_ref().is_some_and(|n| self.macros.contains_key(&**n));
                    if name == b"ifndef" && first_directive {
                        if let Some(g) = d.clone() {
                            became_candidate = true;
                            if let Some(f) = self.stack.last_mut() {
                                f.guard = Guard::Candidate(g);
                            }
                        }
                    }
                    d.is_some() && (def == (name == b"ifdef"))
                };
                if let Some(f) = self.stack.last_mut() {
                    f.conds.push(Cond { parent_active: was_active, active: v, taken: v || !was_active, seen_else: false, pos: hash_pos });
                }
            }
            b"elif" | b"elifdef" | b"elifndef" | b"else" => {
                let Some((parent, taken, seen_else)) =
                    self.stack.last().and_then(|f| f.conds.last()).map(|c| (c.parent_active, c.taken, c.seen_else))
                else {
                    self.diag_at(hash_pos, DiagKind::Syntax, format!("#{} without #if", String::from_utf8_lossy(&name)));
                    return;
                };
                if seen_else {
                    self.diag_at(hash_pos, DiagKind::Syntax, format!("#{} after #else", String::from_utf8_lossy(&name)));
                }
                let v = if !parent || taken {
                    false
                } else if name == b"else" {
                    true
                } else if name == b"elif" {
                    self.eval_if(rest, hash_pos)
                } else {
                    let d = self.ifdef_name(&rest, hash_pos, &name);
                    let def = d.as_ref().is_some_and(|n| self.macros.contains_key(&**n));
                    d.is_some() && (def == (name == b"elifdef"))
                };
                if let Some(f) = self.stack.last_mut() {
                    let depth1 = f.conds.len() == 1;
                    if let Some(c) = f.conds.last_mut() {
                        c.active = v;
                        c.taken |= v;
                        c.seen_else |= name == b"else";
                    }
                    if depth1 && matches!(f.guard, Guard::Candidate(_)) {
                        f.guard = Guard::No;
                    }
                }
            }
            b"endif" => {
                let Some(f) = self.stack.last_mut() else { return };
                if f.conds.pop().is_none() {
                    self.diag_at(hash_pos, DiagKind::Syntax, "#endif without #if".into());
                } else if f.conds.is_empty() {
                    if let Guard::Candidate(g) = &f.guard {
                        f.guard = Guard::Closed(g.clone());
                    }
                }
            }
            _ if !was_active => {}
            b"define" => match parse_define(&rest) {
                Ok(m) if self.opts.opaque_macros.iter().any(|o| o.as_bytes() == &*m.name) => {}
                Ok(m) => self.define(Arc::new(m)),
                Err(e) => self.diag_at(hash_pos, DiagKind::Syntax, e),
            },
            b"undef" => match rest.first() {
                Some(t) if t.kind == Kind::Ident => self.undef(&t.text.clone()),
                _ => self.diag_at(hash_pos, DiagKind::Syntax, "no macro name given in #undef directive".into()),
            },
            b"include" | b"include_next" | b"import" => {
                if in_args {
                    self.diag_at(hash_pos, DiagKind::Syntax, "#include inside macro arguments is not supported".into());
                } else {
                    self.include(rest, hash_pos, end, name == b"include_next");
                }
            }
            b"line" => self.line_directive(rest, hash_pos),
            b"error" | b"warning" => {
                let msg = self.rest_text(&rest, end);
                let kind = if name == b"error" { DiagKind::Error } else { DiagKind::Warning };
                self.diag_at(hash_pos, kind, format!("#{} {msg}", String::from_utf8_lossy(&name)));
            }
            b"pragma" => self.pragma(&rest),
            b"ident" | b"sccs" | b"assert" | b"unassert" => {}
            b"" => {}
            other => {
                self.diag_at(
                    hash_pos,
                    DiagKind::Warning,
                    format!("unknown preprocessing directive #{} ignored", String::from_utf8_lossy(other)),
                );
            }
        }
        let Some(f) = self.stack.last_mut() else { return };
        if first_directive && !became_candidate && matches!(f.guard, Guard::Start) {
            f.guard = Guard::No;
        }
        if !f.active() {
            f.inactive_from = Some(end);
        }
    }

    fn rest_text(&self, rest: &[Tok], end: u32) -> String {
        let Some(f) = self.stack.last() else { return String::new() };
        let Some(first) = rest.first() else { return String::new() };
        let a = (first.pos as usize).min(f.raw.len());
        let b = (end as usize).clamp(a, f.raw.len());
        String::from_utf8_lossy(&f.raw[a..b]).trim().to_string()
    }

    fn ifdef_name(&mut self, rest: &[Tok], pos: u32, name: &[u8]) -> Option<Arc<[u8]>> {
        match rest.first() {
            Some(t) if t.kind == Kind::Ident => Some(t.text.clone()),
            _ => {
                self.diag_at(pos, DiagKind::Syntax, format!("no macro name given in #{} directive", String::from_utf8_lossy(name)));
                None
            }
        }
    }

    fn eval_if(&mut self, toks: Vec<Tok>, pos: u32) -> bool {
        let mut rev = toks;
        rev.reverse();
        self.in_if = true;
        self.expansion_overflow = false;
        self.work = 0;
        let e = self.expand(rev, false);
        self.in_if = false;
        let overflow = std::mem::take(&mut self.expansion_overflow);
        if overflow {
            return false;
        }
        match super::expr::eval(&e, self.opts.limits.max_expr_depth) {
            Ok(v) => v.v != 0,
            Err(m) => {
                self.diag_at(pos, DiagKind::Syntax, m);
                false
            }
        }
    }

    fn line_directive(&mut self, rest: Vec<Tok>, pos: u32) {
        let mut rev = rest;
        rev.reverse();
        let toks = self.expand(rev, false);
        let n = toks.first().filter(|t| t.kind == Kind::Number).and_then(|t| super::expr::parse_int(&t.text).ok());
        let Some(n) = n else {
            self.diag_at(pos, DiagKind::Syntax, "#line directive requires a simple digit sequence".into());
            return;
        };
        let file = toks.get(1).filter(|t| t.kind == Kind::Str && t.text.len() >= 2).map(|t| t.text[1..t.text.len() - 1].to_vec());
        let Some(f) = self.stack.last_mut() else { return };
        let (line, _) = f.line_col(pos);
        f.line_delta = n.v - (line as i64 + 1);
        if file.is_some() {
            f.presumed = file;
        }
    }

    fn pragma(&mut self, rest: &[Tok]) {
        let Some(first) = rest.first() else { return };
        match &first.text[..] {
            b"once" => {
                if let Some(c) = self.stack.last().map(|f| f.canon.clone()) {
                    self.add_once(c);
                }
            }
            b"push_macro" | b"pop_macro" => {
                let name = rest
                    .get(2)
                    .filter(|t| t.kind == Kind::Str && t.text.len() >= 2)
                    .map(|t| t.text[1..t.text.len() - 1].to_vec());
                let Some(name) = name else { return };
                if &first.text[..] == b"push_macro" {
                    let cur = self.macros.get(&name[..]).cloned();
                    self.pushed.entry(name).or_default().push(cur);
                    self.mark_uncacheable();
                } else if let Some(prev) = self.pushed.get_mut(&name).and_then(|v| v.pop()) {
                    self.mark_uncacheable();
                    match prev {
                        Some(m) => self.define(m),
                        None => self.undef(&name),
                    }
                }
            }
            _ => {}
        }
    }

    /// `_Pragma("...")` met during expansion.
    pub fn pragma_operator(&mut self, args: &[Vec<Tok>]) {
        let Some(s) = args.first().and_then(|a| a.first()).filter(|t| t.kind == Kind::Str) else {
            self.diag_here(DiagKind::Syntax, "_Pragma takes a parenthesized string literal".into());
            return;
        };
        let q = s.text.iter().position(|c| *c == b'"').unwrap_or(0);
        let inner = s.text.get(q + 1..s.text.len().saturating_sub(1)).unwrap_or(&[]);
        let mut d = Vec::new();
        let mut i = 0;
        while i < inner.len() {
            if inner[i] == b'\\' && matches!(inner.get(i + 1), Some(b'"') | Some(b'\\')) {
                i += 1;
            }
            d.push(inner[i]);
            i += 1;
        }
        let toks = lex(&d).toks;
        self.pragma(&toks);
    }

    fn include(&mut self, rest: Vec<Tok>, pos: u32, end: u32, next: bool) {
        let Some(f) = self.stack.last() else { return };
        let raw = f.raw.clone();
        let parsed: Result<(String, bool), String> = match rest.first() {
            None => Err("#include expects \"FILENAME\" or <FILENAME>".into()),
            Some(t) if t.is_punct("<") => {
                let a = (t.end as usize).min(raw.len());
                let b = (end as usize).clamp(a, raw.len());
                match raw[a..b].iter().position(|c| *c == b'>') {
                    Some(k) => Ok((String::from_utf8_lossy(&raw[a..a + k]).into_owned(), true)),
                    None => Err("missing terminating > character".into()),
                }
            }
            Some(t) if t.kind == Kind::Other && t.text.first() == Some(&b'"') => Err("missing terminating \" character".into()),
            Some(t) if t.kind == Kind::Str && t.text.first() == Some(&b'"') => {
                Ok((String::from_utf8_lossy(&t.text[1..t.text.len() - 1]).into_owned(), false))
            }
            Some(_) => {
                let mut rev = rest.clone();
                rev.reverse();
                let toks = self.expand(rev, false);
                header_name_from_tokens(&toks).ok_or_else(|| "#include expects \"FILENAME\" or <FILENAME>".into())
            }
        };
        let (name, angled) = match parsed {
            Ok(x) => x,
            Err(e) => {
                self.diag_at(pos, DiagKind::Syntax, e);
                return;
            }
        };
        if name.is_empty() {
            self.diag_at(pos, DiagKind::Syntax, "empty filename in #include".into());
            return;
        }
        self.includes += 1;
        if self.includes > self.opts.limits.max_includes {
            let max = self.opts.limits.max_includes;
            self.diag_at(pos, DiagKind::Limit, format!("more than {max} #includes; stopped"));
            self.stopped = true;
            return;
        }
        if self.stack.len() >= self.opts.limits.max_include_depth {
            let max = self.opts.limits.max_include_depth;
            self.diag_at(pos, DiagKind::Limit, format!("#include nested depth {} exceeds maximum of {max} (include cycle?)", self.stack.len()));
            return;
        }
        match self.find_include(&name, angled, next) {
            Ok(Some((p, k, b))) => self.enter_file(p, k, b),
            Ok(None) => self.diag_at(
                pos,
                DiagKind::MissingInclude { name: name.clone() },
                format!("{name}: No such file or directory"),
            ),
            Err((p, e)) => {
                let kind = if matches!(e, ReadError::TooLarge { .. }) { DiagKind::Limit } else { DiagKind::Error };
                self.diag_at(pos, kind, format!("cannot include {}: {e}", p.display()));
            }
        }
    }
}

/// `#if !defined X` / `#if !defined(X)` as an include guard.
fn guard_of_if(rest: &[Tok]) -> Option<Arc<[u8]>> {
    let t: Vec<&Tok> = rest.iter().collect();
    match t.as_slice() {
        [a, b, c] if a.is_punct("!") && b.is("defined") && c.kind == Kind::Ident => Some(c.text.clone()),
        [a, b, l, c, r] if a.is_punct("!") && b.is("defined") && l.is_punct("(") && c.kind == Kind::Ident && r.is_punct(")") => {
            Some(c.text.clone())
        }
        _ => None,
    }
}

fn build_piece(f: FileCtx) -> Piece {
    let raw = &f.raw;
    let mut edits = f.edits;
    edits.sort_by_key(|e| e.start());
    let mut out: Vec<u8> = Vec::with_capacity(raw.len() + raw.len() / 8);
    let mut map = OriginMap::default();
    let mut uses: Vec<MacroUse> = Vec::new();
    let mut cur: usize = 0;
    let len = raw.len();
    for e in edits {
        let (s, en) = match &e {
            Edit::Blank(r) => (r.start as usize, r.end as usize),
            Edit::Replace { range, .. } => (range.start as usize, range.end as usize),
        };
        let s = s.min(len);
        let en = en.clamp(s, len);
        if s < cur {
            continue;
        }
        map.push_verbatim(out.len(), cur..s);
        out.extend_from_slice(&raw[cur..s]);
        match e {
            Edit::Blank(_) => {
                map.push_verbatim(out.len(), s..en);
                out.extend(raw[s..en].iter().map(|&b| if b == b'\n' || b == b'\r' { b } else { b' ' }));
            }
            Edit::Replace { toks, name, object_like, .. } => {
                let exp_start = out.len();
                // a space where the expansion would otherwise paste onto the text before it
                if let (Some(&b), Some(first)) = (out.last(), toks.first()) {
                    if needs_space(&[b], &first.text) {
                        out.push(b' ');
                    }
                }
                let tok_start = out.len();
                let mut prev: Option<&Tok> = None;
                for t in &toks {
                    if let Some(p) = prev {
                        if t.space() || needs_space(&p.text, &t.text) {
                            out.push(b' ');
                        }
                    }
                    let a = out.len();
                    out.extend_from_slice(&t.text);
                    if t.pos != NOPOS && (t.pos as usize) < len {
                        map.args.push((a..out.len(), t.pos as usize));
                    }
                    prev = Some(t);
                }
                let tokens_end = out.len();
                let newlines = raw[s..en].iter().filter(|b| **b == b'\n').count();
                let mut pad = (en - s).saturating_sub(newlines + (tokens_end - exp_start));
                // and where the text after it would paste onto its last token
                if let (Some(last), Some(&next)) = (toks.last(), raw.get(en)) {
                    if pad == 0 && newlines == 0 && needs_space(&last.text, &[next]) {
                        pad = 1;
                    }
                }
                let tokens_len = tokens_end - exp_start;
                out.extend(std::iter::repeat_n(b' ', pad));
                out.extend(std::iter::repeat_n(b'\n', newlines));
                let idx = uses.len();
                let name_s = String::from_utf8_lossy(&name).into_owned();
                map.names.push(name_s.clone());
                map.blocks.push(super::origin::Block {
                    expanded: exp_start..out.len(),
                    user: s..en,
                    use_idx: Some(idx),
                    tokens_len,
                });
                uses.push(MacroUse { name: name_s, expanded: tok_start..tokens_end, user: s..en, object_like });
            }
        }
        cur = en;
    }
    map.push_verbatim(out.len(), cur..len);
    out.extend_from_slice(&raw[cur..len]);
    map.expanded_len = out.len();
    map.user_len = len;
    let fingerprint = hash_bytes(&out);
    Piece { path: f.path, text: out, map, fingerprint, macro_uses: uses }
}
