//! The C preprocessor (own code, no crate: see ARCHITECTURE.md).
//!
//! `preprocess(main, text, opts, files, cache)` gives one [`Piece`] per file
//! inclusion that left any tokens — an included file before its includer
//! (the order in which inclusions finish), the main file last — plus
//! diagnostics and the files read. It never panics (a `catch_unwind` turns a
//! bug into a diagnostic) and is bounded in time and memory by [`Limits`].
//!
//! ## Layout of a piece's text
//! The user's bytes of that file, edited only where needed so that line
//! numbers never change: directive lines (with their continuation lines) and
//! inactive `#if` regions become spaces (newlines kept); `_Pragma(...)`
//! becomes spaces; a macro use (name plus arguments) is replaced by its
//! expansion on one line, padded with spaces if shorter, followed by as many
//! newlines as the use spanned. If the expansion is longer, the rest of the
//! line shifts; [`OriginMap`] maps back. Comments and all other text are
//! copied verbatim.
//!
//! ## Files
//! | file | holds |
//! |---|---|
//! | `lexer.rs` | preprocessing tokens over bytes, splices, comments |
//! | `expand.rs` | macro definitions, expansion (Prosser's hide sets), `#`, `##`, `__VA_OPT__` |
//! | `directives.rs` | the per-file driver: directives, conditionals, `#include`, pieces |
//! | `expr.rs` | `#if` expression evaluation |
//! | `files.rs` | reading files (regular only, size cap), default include folders |
//! | `predefined.rs`, `predefined_gcc.rs` | predefined macros of x86-64 (gcc 12) and BPF (clang), `is_bpf_program` |
//! | `origin.rs` | `OriginMap` |
//! | `limits.rs` | `Limits` |
//! | `cache.rs` | `HeaderCache` |
//!
//! ## API additions beyond the brief (for the integrator)
//! - `Options::default()` (x86-64, default system dirs not included:
//!   call [`default_system_dirs`] and put them into `system_dirs`).
//! - `Origin` has `from_argument`; `OriginMap::blocks()` is not public.
//! - [`flat_tokens`] gives the token spellings in production order (as
//!   `gcc -E` prints them), for tests and debugging.
//! - [`predefined_macros`] lists the predefined macro table as `#define` lines.
//! - `DiskFiles` is a unit struct as agreed (16 MB cap); `DiskFilesCapped(bytes)`
//!   for another cap; `ReadError` (`NotFound`, `NotRegular`, `TooLarge`, `Io`).
//! - `HeaderCache::new()` / `default()`, `len()`, `clear()`.
//! - `Options::with_system_dirs(target)`; `Limits` has more caps than the
//!   brief named (include count, expansion depth, `#if` depth, time limit).
//! - `lex_spellings(text)`: token spellings of a text (tests).
//! - `predefined_macros(target, std)` takes the target and `-std` value.
//!
//! ## Known limitations
//! - `#include` inside a function body: the header becomes its own piece
//!   (placed before the including file), so its tokens are not inside the body.
//! - Pieces cannot interleave: a header's tokens are not placed where its
//!   `#include` stood, only before the includer's piece.
//! - `#pragma` lines are dropped (gcc -E keeps them).
//! - `__has_attribute` / `__has_builtin` answer from a fixed list (gcc 12's
//!   attributes, any `__builtin_*`/`__atomic_*`/`__sync_*` name).

mod cache;
mod directives;
mod expand;
mod expr;
mod files;
mod lexer;
mod limits;
mod origin;
mod predefined;
mod predefined_gcc;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use cache::HeaderCache;
pub use files::{default_system_dirs, DiskFiles, DiskFilesCapped, FileSource, ReadError};
pub use limits::Limits;
pub use origin::{Origin, OriginMap};
pub use predefined::{is_bpf_program, predefined_macros};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Target {
    #[default]
    X86_64,
    Bpf,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CmdMacro {
    /// `-DNAME=VALUE` (`-DNAME` is value "1"); NAME may be `F(a,b)`
    Define(String, String),
    Undef(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Options {
    pub quote_dirs: Vec<PathBuf>,
    pub include_dirs: Vec<PathBuf>,
    pub system_dirs: Vec<PathBuf>,
    pub after_dirs: Vec<PathBuf>,
    pub macros: Vec<CmdMacro>,
    pub forced_includes: Vec<PathBuf>,
    pub target: Target,
    pub std: Option<String>,
    pub limits: Limits,
    /// Names whose `#define`s are ignored, so uses stay as written (the
    /// engine models them; see `workspace::MODELLED_MACROS`).
    pub opaque_macros: Vec<String>,
}

impl Options {
    /// Options with the default system folders of `target`.
    pub fn with_system_dirs(target: Target) -> Options {
        Options { system_dirs: default_system_dirs(target), target, ..Options::default() }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Output {
    pub pieces: Vec<Arc<Piece>>,
    pub diagnostics: Vec<Diagnostic>,
    pub files_read: Vec<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub path: PathBuf,
    pub text: Vec<u8>,
    pub map: OriginMap,
    pub fingerprint: u64,
    pub macro_uses: Vec<MacroUse>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroUse {
    pub name: String,
    pub expanded: Range<usize>,
    pub user: Range<usize>,
    pub object_like: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub user_byte: usize,
    /// 1-based line and column (column in bytes)
    pub line: u32,
    pub col: u32,
    pub kind: DiagKind,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiagKind {
    MissingInclude { name: String },
    Error,
    Warning,
    Limit,
    Syntax,
}

/// Preprocesses `text` (the content of `main`). Never panics; bounded.
pub fn preprocess(main: &Path, text: &[u8], opts: &Options, files: &dyn FileSource, cache: &HeaderCache) -> Output {
    run(main, text, opts, files, Some(cache), false).0
}

/// Token spellings in production order (what `gcc -E` prints), without the
/// header cache; for tests and debugging.
pub fn flat_tokens(main: &Path, text: &[u8], opts: &Options, files: &dyn FileSource) -> (Vec<Vec<u8>>, Output) {
    let (out, trace) = run(main, text, opts, files, None, true);
    (trace, out)
}

fn run(
    main: &Path,
    text: &[u8],
    opts: &Options,
    files: &dyn FileSource,
    cache: Option<&HeaderCache>,
    trace: bool,
) -> (Output, Vec<Vec<u8>>) {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut pp = directives::Pp::new(opts, files, cache, main, trace);
        pp.run_main(main, text);
        pp.finish()
    }));
    match r {
        Ok(x) => x,
        Err(e) => {
            let msg = e
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let out = Output {
                pieces: Vec::new(),
                diagnostics: vec![Diagnostic {
                    path: main.to_path_buf(),
                    user_byte: 0,
                    line: 1,
                    col: 1,
                    kind: DiagKind::Limit,
                    message: format!("internal error in the preprocessor (a bug): {msg}"),
                }],
                files_read: Vec::new(),
            };
            (out, Vec::new())
        }
    }
}

/// Token spellings of a text (comments and whitespace dropped), with this
/// preprocessor's lexer; for comparing outputs.
pub fn lex_spellings(text: &[u8]) -> Vec<Vec<u8>> {
    lexer::lex(text).toks.into_iter().map(|t| t.text.to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pp(src: &str) -> Output {
        preprocess(Path::new("/t/main.c"), src.as_bytes(), &Options::default(), &DiskFiles, &HeaderCache::new())
    }

    fn text(o: &Output) -> String {
        String::from_utf8_lossy(&o.pieces.last().expect("main piece").text).into_owned()
    }

    #[test]
    fn shared_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<HeaderCache>();
        check::<Output>();
        check::<Piece>();
        check::<Options>();
        check::<DiskFiles>();
    }

    #[test]
    fn lexer_handles_splices_and_comments() {
        let t = lex_spellings(b"in\\\nt x = 1; /* c */ // d \\\n e\nL'a' u8\"s\" 1.0e+5 ...");
        let s: Vec<String> = t.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
        assert_eq!(s, ["int", "x", "=", "1", ";", "L'a'", "u8\"s\"", "1.0e+5", "..."]);
    }

    #[test]
    fn expressions() {
        let v = |e: &str| {
            let toks = lexer::lex(e.as_bytes()).toks;
            expr::eval(&toks, 100).map(|v| v.v)
        };
        assert_eq!(v("1 + 2 * 3"), Ok(7));
        assert_eq!(v("-1 < 0u"), Ok(0));
        assert_eq!(v("(2 || 1 / 0) ? 10 : 20"), Ok(10));
        assert_eq!(v("'\\n' + 'A'"), Ok(75));
        assert_eq!(v("0x10 >> 2 == 4 && 010 == 8"), Ok(1));
        assert!(v("1 / 0").is_err());
        assert!(v("1 +").is_err());
    }

    #[test]
    fn directives_inside_arguments_keep_lines() {
        let src = "#define F(x) [x]\nint a = F(1\n#ifdef NOPE\n+ 2\n#endif\n);\nint b;\n";
        let o = pp(src);
        let t = text(&o);
        assert_eq!(t.lines().count(), src.lines().count(), "{t}");
        assert!(t.lines().nth(1).is_some_and(|l| l.contains("[1]")), "{t}");
        assert!(t.lines().nth(6).is_some_and(|l| l.contains("int b;")), "{t}");
    }

    #[test]
    fn error_directive_continues() {
        let o = pp("#error stop here\nint a;\n#warning careful\n");
        assert!(o.diagnostics.iter().any(|d| d.kind == DiagKind::Error && d.message.contains("stop here") && d.line == 1));
        assert!(o.diagnostics.iter().any(|d| d.kind == DiagKind::Warning && d.line == 3));
        assert!(text(&o).contains("int a;"));
    }

    #[test]
    fn missing_include_is_a_diagnostic_on_its_line() {
        let o = pp("int a;\n#include <surely_missing_header.h>\nint b;\n");
        let d = o.diagnostics.first().expect("diagnostic");
        assert_eq!(d.kind, DiagKind::MissingInclude { name: "surely_missing_header.h".into() });
        assert_eq!((d.line, d.col), (2, 1));
        assert!(text(&o).contains("int b;"));
    }

    #[test]
    fn function_like_name_before_include_is_not_a_use() {
        let o = pp("#define f(x) x\nint f\n#include <surely_missing.h>\n;\n");
        assert!(text(&o).contains("int f"));
        assert!(o.diagnostics.iter().all(|d| !d.message.contains("macro arguments")));
    }
}
