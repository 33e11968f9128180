//! What Perfi compiles, and with what (docs/machine-code.md).
//!
//! Trust rules:
//! - the compiler is the system's (`/usr/bin/gcc`, `/usr/bin/cc` or
//!   `/usr/bin/clang`, first found), never the one a compile command names;
//! - only `-I -D -U -std -O -m -f` flags are kept, and a command that names
//!   a plugin or another toolchain (`-fplugin`, `-B`, `-specs`, `-wrapper`,
//!   `--target`/`-target`, `-load`, `-Xclang`, `-mllvm`, `--sysroot`,
//!   `-fdump-*` which writes files next to the sources) is not compiled at
//!   all: its costs stay with the model;
//! - the output goes to a fresh temporary directory, never the workspace;
//! - the compiler runs with an empty environment except `PATH=/usr/bin:/bin`
//!   (`GCC_EXEC_PREFIX`, `COMPILER_PATH` and the like could otherwise make
//!   it run other programs).

use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The compilers Perfi may run, in order of preference.
pub const SYSTEM_COMPILERS: &[&str] = &["/usr/bin/gcc", "/usr/bin/cc", "/usr/bin/clang"];

/// Why a compile command is not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The first system compiler that exists.
pub fn system_compiler() -> Option<PathBuf> {
    SYSTEM_COMPILERS.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Flags that make the compiler load or run something other than itself.
fn dangerous(a: &str) -> bool {
    a.starts_with("-fplugin")
        || a.starts_with("-fdump")
        || a == "-B"
        || (a.starts_with("-B") && a.len() > 2)
        || a.starts_with("-specs")
        || a.starts_with("--specs")
        || a.starts_with("-wrapper")
        || a.starts_with("--target")
        || a == "-target"
        || a.starts_with("-load")
        || a == "-Xclang"
        || a.starts_with("-mllvm")
        || a.starts_with("--sysroot")
        || a.starts_with("-isysroot")
        || a.starts_with("-iprefix")
        || a.starts_with("--gcc-toolchain")
        || a.starts_with("-fuse-ld")
}

/// The safe flags of a compile command's arguments (the compiler name and
/// the source/output arguments may be included; they are dropped). `-I`
/// paths are made absolute against `dir`. Refuses a command that names a
/// plugin or another toolchain anywhere.
pub fn safe_args(args: &[String], dir: &Path) -> Result<Vec<String>, Refusal> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if dangerous(a) {
            return Err(Refusal(format!("the compile command names `{a}`; Perfi does not run it")));
        }
        let joined = |flag: &str, v: &str| format!("{flag}{v}");
        match a {
            "-I" | "-D" | "-U" => {
                let Some(v) = args.get(i + 1) else { break };
                if dangerous(v) {
                    return Err(Refusal(format!("the compile command names `{v}`; Perfi does not run it")));
                }
                out.push(if a == "-I" { joined("-I", &dir.join(v).to_string_lossy()) } else { joined(a, v) });
                i += 2;
                continue;
            }
            _ => {}
        }
        if let Some(v) = a.strip_prefix("-I") {
            out.push(joined("-I", &dir.join(v).to_string_lossy()));
        } else if a.starts_with("-D") || a.starts_with("-U") || a.starts_with("-std=") || a.starts_with("-O") || (a.starts_with("-m") && a.len() > 2) || (a.starts_with("-f") && a.len() > 2) {
            out.push(a.to_string());
        }
        i += 1;
    }
    Ok(out)
}

/// Why no object was produced (the model's costs stay).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error("no system compiler (/usr/bin/gcc, /usr/bin/cc, /usr/bin/clang)")]
    NoCompiler,
    #[error("cannot create a temporary directory: {0}")]
    TempDir(String),
    #[error("cannot run {compiler}: {msg}")]
    Spawn { compiler: String, msg: String },
    #[error("{compiler} took longer than {ms} ms on {file}; stopped")]
    Timeout { compiler: String, file: String, ms: u64 },
    #[error("{compiler} failed on {file}: {msg}")]
    Failed { compiler: String, file: String, msg: String },
    #[error("the object of {file} is larger than {limit} bytes")]
    TooLarge { file: String, limit: u64 },
}

/// Time and size bounds of one compile.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub timeout: Duration,
    /// Largest object accepted (bytes).
    pub max_object: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { timeout: Duration::from_secs(10), max_object: 64 << 20 }
    }
}

/// A fresh directory under the system's temporary directory, removed on
/// drop. Never inside the workspace.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Result<TempDir, CompileError> {
        static N: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        for _ in 0..16 {
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
            let p = base.join(format!("perfi-mc-{}-{}-{nanos:x}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
            match std::fs::create_dir(&p) {
                Ok(()) => return Ok(TempDir(p)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(CompileError::TempDir(e.to_string())),
            }
        }
        Err(CompileError::TempDir("no fresh name".into()))
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What to compile: a file as saved, or the unsaved text of one (copied
/// into the temporary directory with a `#line` directive naming the
/// original, and `-iquote` of its folder so `#include "x.h"` still
/// resolves).
pub enum Input<'a> {
    File(&'a Path),
    Buffer { path: &'a Path, text: &'a str },
}

/// An object built by `compile`: its bytes (read into memory, the
/// temporary directory is gone when this is returned).
#[derive(Debug)]
pub struct Object {
    pub bytes: Vec<u8>,
    /// The compiler and arguments run, for messages.
    pub command: Vec<String>,
    pub ms: f64,
}

/// Compile with the system compiler, `-O2 -g -c`, the safe `flags` after
/// (so a `-O` of the command wins), into a fresh temporary directory, in an
/// empty environment, killed after `limits.timeout`.
pub fn compile(input: Input<'_>, flags: &[String], limits: Limits) -> Result<Object, CompileError> {
    let cc = system_compiler().ok_or(CompileError::NoCompiler)?;
    compile_with(&cc, input, flags, limits)
}

fn compile_with(cc: &Path, input: Input<'_>, flags: &[String], limits: Limits) -> Result<Object, CompileError> {
    let start = Instant::now();
    let tmp = TempDir::new()?;
    let compiler = cc.display().to_string();
    let (src, shown, extra): (PathBuf, String, Vec<String>) = match input {
        // The compiler runs in the temporary directory: paths absolute.
        Input::File(p) => (std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()), p.display().to_string(), vec![]),
        Input::Buffer { path, text } => {
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let path = abs.as_path();
            let name = path.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "unit.c".into());
            let copy = tmp.path().join(&name);
            let quoted = path.display().to_string().replace('\\', "\\\\").replace('"', "\\\"");
            let body = format!("#line 1 \"{quoted}\"\n{text}");
            std::fs::write(&copy, body).map_err(|e| CompileError::TempDir(e.to_string()))?;
            let mut extra = vec![];
            if let Some(dir) = path.parent() {
                extra.push("-iquote".to_string());
                extra.push(dir.display().to_string());
            }
            (copy, path.display().to_string(), extra)
        }
    };
    let obj = tmp.path().join("out.o");
    let mut args: Vec<String> = vec!["-O2".into()];
    args.extend(flags.iter().cloned());
    args.extend(extra);
    args.extend(["-g".into(), "-c".into(), "-x".into(), "c".into()]);
    args.push(src.display().to_string());
    args.push("-o".into());
    args.push(obj.display().to_string());
    let mut child = Command::new(cc)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .args(&args)
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group, so that a timeout stops cc1/as too (the
        // driver's children would otherwise keep running).
        .process_group(0)
        .spawn()
        .map_err(|e| CompileError::Spawn { compiler: compiler.clone(), msg: e.to_string() })?;
    // Drain stderr on a thread so a chatty compiler cannot block on a full pipe.
    let err_reader = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = std::io::Read::read_to_end(&mut (&mut e).take(64 << 10), &mut buf);
            let mut sink = [0u8; 4096];
            while matches!(std::io::Read::read(&mut e, &mut sink), Ok(n) if n > 0) {}
            buf
        })
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > limits.timeout => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(CompileError::Timeout { compiler, file: shown, ms: limits.timeout.as_millis() as u64 });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(CompileError::Spawn { compiler, msg: e.to_string() }),
        }
    };
    let stderr = err_reader.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        let err = String::from_utf8_lossy(&stderr);
        let msg = err.lines().find(|l| l.contains("error")).or_else(|| err.lines().next()).unwrap_or("no message").to_string();
        return Err(CompileError::Failed { compiler, file: shown, msg });
    }
    let len = std::fs::metadata(&obj).map(|m| m.len()).map_err(|e| CompileError::Failed { compiler: compiler.clone(), file: shown.clone(), msg: format!("no object: {e}") })?;
    if len > limits.max_object {
        return Err(CompileError::TooLarge { file: shown, limit: limits.max_object });
    }
    let bytes = std::fs::read(&obj).map_err(|e| CompileError::Failed { compiler: compiler.clone(), file: shown, msg: format!("cannot read the object: {e}") })?;
    let mut command = vec![compiler];
    command.extend(args);
    Ok(Object { bytes, command, ms: start.elapsed().as_secs_f64() * 1e3 })
}

/// SIGKILL to the process group `pgid` (the compiler driver and the
/// programs it started), through `/bin/kill`: the engine has no libc
/// binding of its own.
fn kill_group(pgid: u32) {
    let _ = Command::new("/bin/kill").env_clear().args(["-KILL", "--", &format!("-{pgid}")]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status();
}

/// The raw arguments and directory of `file`'s compile command, found as
/// the front end finds flags: `compile_commands.json` (also in `build/`)
/// walking up from the file (the file's own entry only), else
/// `compile_flags.txt`. `None` when there is none (then only `-O2 -g`).
pub fn command_for(file: &Path) -> Option<(Vec<String>, PathBuf)> {
    let canon = file.canonicalize().ok()?;
    let mut dir = canon.parent().map(|p| p.to_path_buf());
    while let Some(d) = dir {
        for db in [d.join("compile_commands.json"), d.join("build").join("compile_commands.json")] {
            if let Ok(text) = std::fs::read_to_string(&db) {
                let entries: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
                for e in &entries {
                    let edir = PathBuf::from(e.get("directory").and_then(|d| d.as_str()).unwrap_or("."));
                    let efile = e.get("file").and_then(|f| f.as_str()).map(|f| edir.join(f));
                    if efile.and_then(|p| p.canonicalize().ok()).as_ref() != Some(&canon) {
                        continue;
                    }
                    let args: Vec<String> = match (e.get("arguments").and_then(|a| a.as_array()), e.get("command").and_then(|c| c.as_str())) {
                        (Some(a), _) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
                        (None, Some(c)) => crate::workspace::shell_words(c),
                        _ => continue,
                    };
                    return Some((args, edir));
                }
            }
        }
        let txt = d.join("compile_flags.txt");
        if let Ok(text) = std::fs::read_to_string(&txt) {
            return Some((text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect(), d.clone()));
        }
        dir = d.parent().map(|p| p.to_path_buf());
    }
    None
}

/// The safe flags for `file` (empty without a compile command), or why it
/// is not compiled.
pub fn flags_for(file: &Path) -> Result<Vec<String>, Refusal> {
    match command_for(file) {
        Some((args, dir)) => {
            // The compiler a command names is never run; say so when it is
            // not the system's, but still compile with the system's.
            safe_args(&args, &dir)
        }
        None => Ok(vec![]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keeps_only_safe_flags() {
        let args = v(&["/opt/evil/cc", "-Iinc", "-I", "sub", "-DX=1", "-UY", "-std=gnu11", "-O2", "-march=native", "-fno-strict-aliasing", "-Wall", "-include", "x.h", "-c", "a.c", "-o", "a.o"]);
        let got = safe_args(&args, Path::new("/ws")).expect("safe");
        assert_eq!(got, v(&["-I/ws/inc", "-I/ws/sub", "-DX=1", "-UY", "-std=gnu11", "-O2", "-march=native", "-fno-strict-aliasing"]));
    }

    #[test]
    fn refuses_plugins_and_other_toolchains() {
        for bad in ["-fplugin=/tmp/p.so", "-B/tmp/bin", "-specs=/tmp/s", "-wrapper", "--target=aarch64", "-Xclang", "-mllvm", "-fdump-tree-all", "--sysroot=/x"] {
            let args = v(&["gcc", "-O2", bad, "a.c"]);
            assert!(safe_args(&args, Path::new("/ws")).is_err(), "{bad} must be refused");
        }
        // As the value of a separate -I/-D too.
        assert!(safe_args(&v(&["-D", "-fplugin=/x.so"]), Path::new("/")).is_err());
    }

    #[test]
    fn only_system_compilers() {
        if let Some(cc) = system_compiler() {
            assert!(SYSTEM_COMPILERS.contains(&cc.to_string_lossy().as_ref()));
        }
    }
}
