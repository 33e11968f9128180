//! `make realworld`: Perfi on real C written by others (issue 12, item 7).
//!
//! Reads `realworld/manifest.toml` (format: docs/realworld.md): groups of
//! files analyzed where Debian installed them (the kernel tree, DPDK's
//! headers), with the compile flags a user would have. For every file:
//!
//! 1. `gcc -fsyntax-only -w FLAGS` (for headers, a one-line `.c` that
//!    includes it, written into the cache): the files gcc rejects are
//!    listed and left out of the percentages;
//! 2. `perfi analyze FILE --format json --compile-commands DB`, where DB is
//!    a compile database the harness writes into its cache (nothing is
//!    written beside the analyzed code), with a per-file timeout (the child
//!    is killed and the file counted as a timeout), its wall time and peak
//!    RSS (wait4's ru_maxrss); a non-zero exit, a signal or output that is
//!    not the expected JSON is a crash, reported with its stderr's tail.
//!
//! Prints per group the files (gcc-ok / total), the functions by status,
//! the share with an interface (complete + partial), crashes, timeouts,
//! time and peak RSS; then the unsupported reasons ranked by count (reasons
//! normalized: positions dropped, names in backticks replaced by `…` and
//! kept as examples). Writes the same markdown, with per-file rows, to
//! `realworld/results.md`.
//!
//! Options: --manifest PATH, --out PATH (results.md), --perfi PATH (or
//! PERFI_BIN; default target/release/perfi), --jobs N (files analyzed at
//! once; default 1, so that times and RSS are those of a lone run),
//! --group NAME (repeatable: only these groups), --limit N (first N files
//! of each group, for a quick try), --timeout SECS.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    settings: Settings,
    group: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
    cache: String,
}

fn default_timeout() -> u64 {
    120
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    name: String,
    #[serde(default)]
    description: String,
    base: String,
    files: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    headers: bool,
    #[serde(default)]
    asm_wrappers: bool,
}

struct Opts {
    manifest: PathBuf,
    out: PathBuf,
    perfi: PathBuf,
    jobs: usize,
    groups: Vec<String>,
    limit: Option<usize>,
    timeout: Option<u64>,
}

fn parse_opts(repo: &Path) -> Result<Opts> {
    let mut o = Opts {
        manifest: repo.join("realworld/manifest.toml"),
        out: repo.join("realworld/results.md"),
        perfi: std::env::var_os("PERFI_BIN").map(PathBuf::from).unwrap_or_else(|| repo.join("target/release/perfi")),
        jobs: 1,
        groups: Vec::new(),
        limit: None,
        timeout: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--manifest" => o.manifest = PathBuf::from(val("--manifest")?),
            "--out" => o.out = PathBuf::from(val("--out")?),
            "--perfi" => o.perfi = PathBuf::from(val("--perfi")?),
            "--jobs" => o.jobs = val("--jobs")?.parse::<usize>().context("--jobs: a number")?.max(1),
            "--group" => o.groups.push(val("--group")?),
            "--limit" => o.limit = Some(val("--limit")?.parse().context("--limit: a number")?),
            "--timeout" => o.timeout = Some(val("--timeout")?.parse().context("--timeout: seconds")?),
            "-h" | "--help" => {
                println!("usage: realworld [--manifest PATH] [--out PATH] [--perfi PATH] [--jobs N] [--group NAME]... [--limit N] [--timeout SECS]");
                std::process::exit(0);
            }
            other => bail!("unknown option `{other}` (see --help)"),
        }
    }
    Ok(o)
}

/// `~` and `~/...` → $HOME.
fn expand_home(p: &str) -> Result<PathBuf> {
    if p == "~" || p.starts_with("~/") {
        let home = std::env::var_os("HOME").context("HOME is not set (needed for `~` in the manifest)")?;
        Ok(PathBuf::from(home).join(p.trim_start_matches('~').trim_start_matches('/')))
    } else {
        Ok(PathBuf::from(p))
    }
}

/// `*` (any run of characters) and `?` (one character) against `name`.
fn wildcard(pat: &[char], name: &[char]) -> bool {
    match pat.first() {
        None => name.is_empty(),
        Some('*') => (0..=name.len()).any(|i| wildcard(&pat[1..], &name[i..])),
        Some('?') => !name.is_empty() && wildcard(&pat[1..], &name[1..]),
        Some(c) => name.first() == Some(c) && wildcard(&pat[1..], &name[1..]),
    }
}

/// The files of a group, sorted, without repeats: patterns are relative to
/// `base` and may have wildcards in their last component only. A plain
/// path that does not exist is kept (and reported as missing).
fn expand_files(g: &Group, base: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for pat in &g.files {
        let rel = Path::new(pat);
        let (dir, last) = match (rel.parent(), rel.file_name().and_then(|n| n.to_str())) {
            (Some(d), Some(l)) => (d, l),
            _ => bail!("group {}: bad file pattern `{pat}`", g.name),
        };
        if dir.to_string_lossy().contains(['*', '?']) {
            bail!("group {}: `{pat}`: wildcards are allowed in the last path component only", g.name);
        }
        if !last.contains(['*', '?']) {
            out.push(base.join(rel));
            continue;
        }
        let pchars: Vec<char> = last.chars().collect();
        let folder = base.join(dir);
        let rd = std::fs::read_dir(&folder).with_context(|| format!("group {}: reading {}", g.name, folder.display()))?;
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let nchars: Vec<char> = name.chars().collect();
            if wildcard(&pchars, &nchars) && e.path().is_file() {
                out.push(e.path());
            }
        }
    }
    out.retain(|p| !p.file_name().is_some_and(|n| g.exclude.iter().any(|x| n.to_string_lossy() == *x)));
    out.sort();
    out.dedup();
    Ok(out)
}

/// Write `text` to `path` unless it already holds it (keeps mtimes, so
/// the engine's caches stay valid between runs).
fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Kbuild's generated one-line wrappers for a tree that was never built:
/// `asm/X.h` → `<asm-generic/X.h>` for every header of the asm-generic
/// mandatory lists (and x86's `generic-y`) the architecture does not have,
/// the same for the UAPI, and an empty `generated/autoconf.h`. Our own
/// lines, written into the cache, never into the tree.
fn write_asm_wrappers(tree: &Path, out: &Path) -> Result<()> {
    let list = |kbuild: &str, key: &str| -> Vec<String> {
        std::fs::read_to_string(tree.join(kbuild))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.strip_prefix(key).map(|r| r.trim_start_matches(" +=").trim().to_string()))
            .filter(|h| h.ends_with(".h") && !h.contains('/'))
            .collect()
    };
    let kernel: Vec<String> = list("include/asm-generic/Kbuild", "mandatory-y").into_iter().chain(list("arch/x86/include/asm/Kbuild", "generic-y")).collect();
    let uapi = list("include/uapi/asm-generic/Kbuild", "mandatory-y");
    if kernel.is_empty() {
        bail!("no Kbuild lists under {} (is the kernel tree extracted?)", tree.display());
    }
    for (names, arch_dir, sub) in [(&kernel, "arch/x86/include/asm", "asm"), (&uapi, "arch/x86/include/uapi/asm", "uapi/asm")] {
        for h in names.iter() {
            if !tree.join(arch_dir).join(h).exists() {
                write_if_changed(&out.join(sub).join(h), &format!("/* Written by perfi's realworld harness, as Kbuild's generated wrapper. */\n#include <asm-generic/{h}>\n"))?;
            }
        }
    }
    write_if_changed(&out.join("generated/autoconf.h"), "/* Written by perfi's realworld harness: no configuration (flags give the CONFIG_ symbols). */\n")?;
    Ok(())
}

fn gcc_include_dir() -> Result<String> {
    let out = Command::new("gcc").arg("-print-file-name=include").output().context("running gcc (is it installed?)")?;
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || s.is_empty() {
        bail!("gcc -print-file-name=include failed");
    }
    Ok(s)
}

fn substitute(flag: &str, vars: &[(&str, String)]) -> Result<String> {
    let mut s = flag.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("${{{k}}}"), v);
    }
    if s.contains("${") {
        bail!("unknown variable in flag `{flag}` (known: GCC_INCLUDE, ASM_WRAPPERS, CACHE)");
    }
    Ok(s)
}

/// One file to check and analyze.
struct Job {
    group: usize,
    file: PathBuf,
    /// What gcc compiles: the file, or the wrapper that includes it.
    gcc_input: PathBuf,
}

#[derive(Default, Clone)]
struct FileResult {
    missing: bool,
    /// The first error line of gcc, when it rejects the file.
    gcc_error: Option<String>,
    /// The functions gcc sees defined in the file (from `-aux-info`): the
    /// denominator of the percentages.
    gcc_functions: Vec<String>,
    /// What perfi reports: (name, status, reason).
    functions: Vec<(String, String, Option<String>)>,
    crash: Option<String>,
    timeout: bool,
    secs: f64,
    peak_kb: u64,
}

/// `gcc -fsyntax-only` on the file: Err(first error line) when gcc rejects
/// it, else the functions defined in `file` (gcc's `-aux-info` lists every
/// declaration and definition with its file and line; `NF`/`OF` mark
/// definitions).
fn gcc_check(input: &Path, file: &Path, base: &Path, flags: &[String], aux: &Path) -> Result<Vec<String>, String> {
    let out = Command::new("gcc").arg("-fsyntax-only").arg("-w").arg("-aux-info").arg(aux).args(flags).arg(input).current_dir(base).stdin(Stdio::null()).output().map_err(|e| format!("gcc did not start: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| l.contains("error")).unwrap_or("gcc failed").trim();
        // Paths relative to the base, as in the manifest.
        return Err(first.replace(&format!("{}/", base.display()), ""));
    }
    let text = std::fs::read_to_string(aux).map_err(|e| format!("reading gcc's -aux-info output {}: {e}", aux.display()))?;
    let _ = std::fs::remove_file(aux);
    let canon = |p: &Path| base.join(p).canonicalize().ok();
    let me = canon(file);
    let mut names = Vec::new();
    let mut cache: HashMap<String, bool> = HashMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("/* ") else { continue };
        let Some((loc, proto)) = rest.split_once(" */ ") else { continue };
        // loc = PATH:LINE:XY
        let mut it = loc.rsplitn(3, ':');
        let (Some(kind), Some(_line), Some(path)) = (it.next(), it.next(), it.next()) else { continue };
        if !kind.ends_with('F') {
            continue;
        }
        let mine = *cache.entry(path.to_string()).or_insert_with(|| me.is_some() && canon(Path::new(path)) == me);
        if !mine {
            continue;
        }
        let Some((head, _)) = proto.split_once(" (") else { continue };
        if let Some(name) = head.split_whitespace().last().map(|n| n.trim_start_matches('*')) {
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    Ok(names)
}

/// The tail (last `n` lines) of a child's stderr.
fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Run perfi on one file: wall time, peak RSS, and its functions, or a
/// crash or timeout.
fn run_perfi(perfi: &Path, file: &Path, db: &Path, timeout: Duration, r: &mut FileResult) {
    use std::io::Read;
    let start = Instant::now();
    let mut child = match Command::new(perfi)
        .arg("analyze")
        .arg(file)
        .args(["--format", "json", "--compile-commands"])
        .arg(db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            r.crash = Some(format!("perfi did not start: {e}"));
            return;
        }
    };
    // Read both pipes on threads: a large output would otherwise fill a
    // pipe and block the child.
    let reader = |p: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            if let Some(mut p) = p {
                let _ = p.read_to_end(&mut v);
            }
            v
        })
    };
    let out_t = reader(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err_t = reader(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let pid = child.id() as libc::pid_t;
    let mut killed = false;
    let (status, ru) = loop {
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data; wait4 fills it for our own child.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let w = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if w == pid {
            break (status, ru);
        }
        if w < 0 {
            r.crash = Some(format!("wait4 failed: {}", std::io::Error::last_os_error()));
            let _ = child.kill();
            return;
        }
        if !killed && start.elapsed() > timeout {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    r.secs = start.elapsed().as_secs_f64();
    r.peak_kb = ru.ru_maxrss.max(0) as u64;
    let out = out_t.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned();
    if killed {
        r.timeout = true;
        return;
    }
    if !libc::WIFEXITED(status) {
        r.crash = Some(format!("killed by signal {}\n{}", libc::WTERMSIG(status), tail(&err, 5)));
        return;
    }
    if libc::WEXITSTATUS(status) != 0 {
        r.crash = Some(format!("exit {}\n{}", libc::WEXITSTATUS(status), tail(&err, 5)));
        return;
    }
    let v: Value = match serde_json::from_slice(&out) {
        Ok(v) => v,
        Err(e) => {
            r.crash = Some(format!("invalid JSON ({e})\n{}", tail(&err, 5)));
            return;
        }
    };
    let Some(files) = v.get("files").and_then(|f| f.as_array()) else {
        r.crash = Some("JSON without `files`".into());
        return;
    };
    for f in files {
        for func in f.get("functions").and_then(|x| x.as_array()).map(|a| a.as_slice()).unwrap_or(&[]) {
            let name = func.get("name").and_then(|x| x.as_str()).unwrap_or("?").to_string();
            let status = func.get("status").and_then(|x| x.as_str()).unwrap_or("?").to_string();
            let reason = func.get("reason").and_then(|x| x.as_str()).map(String::from);
            r.functions.push((name, status, reason));
        }
    }
}

/// A reason without positions, with names in backticks replaced by `…`
/// (and returned as examples); the construct kind after `statement`,
/// `expression` and `operator` is kept, as are struct names dropped.
fn normalize_reason(reason: &str) -> (String, Vec<String>) {
    let mut s = reason.trim();
    s = s.strip_prefix("unsupported:").unwrap_or(s).trim();
    // Positions: ` at 12:3` (anywhere).
    let mut text = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(" at ") {
        let after = &rest[i + 4..];
        let end = after.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(after.len());
        let pos = &after[..end];
        if !pos.is_empty() && pos.contains(':') && pos.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            text.push_str(&rest[..i]);
            rest = &after[end..];
        } else {
            text.push_str(&rest[..i + 4]);
            rest = after;
        }
    }
    text.push_str(rest);
    // Names in backticks.
    let mut out = String::new();
    let mut names = Vec::new();
    let mut parts = text.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut inside = true;
    for p in parts {
        if inside {
            let keep = ["statement ", "expression ", "operator "].iter().any(|k| out.ends_with(k));
            if keep {
                out.push('`');
                out.push_str(p);
                out.push('`');
            } else {
                out.push_str("`…`");
                names.push(p.to_string());
            }
        } else {
            out.push_str(p);
        }
        inside = !inside;
    }
    // `in struct NAME` → `in struct …` (the name joins the example).
    for kw in ["struct ", "union "] {
        if let Some(i) = out.rfind(kw) {
            let after = &out[i + kw.len()..];
            let end = after.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(after.len());
            if end > 0 {
                let name = after[..end].to_string();
                out = format!("{}{kw}…{}", &out[..i], &after[end..]);
                match names.last_mut() {
                    Some(n) => *n = format!("{name}.{n}"),
                    None => names.push(name),
                }
            }
        }
    }
    (out.trim().to_string(), names)
}

impl FileResult {
    /// perfi's status of a function gcc sees, if perfi reports it.
    fn status_of(&self, name: &str) -> Option<&str> {
        self.functions.iter().find(|f| f.0 == name).map(|f| f.1.as_str())
    }
    fn count(&self, status: &str) -> usize {
        self.gcc_functions.iter().filter(|n| self.status_of(n) == Some(status)).count()
    }
    fn with_interface(&self) -> usize {
        self.count("complete") + self.count("partial")
    }
    /// Functions gcc sees that perfi does not report (all of them after a
    /// crash or timeout).
    fn not_seen(&self) -> Vec<&String> {
        self.gcc_functions.iter().filter(|n| self.status_of(n).is_none()).collect()
    }
    /// Functions perfi reports that gcc does not see defined (inactive
    /// `#if` branches read as active, for one): not counted.
    fn perfi_only(&self) -> usize {
        self.functions.iter().filter(|f| !self.gcc_functions.contains(&f.0)).count()
    }
}

#[derive(Default)]
struct Totals {
    files: usize,
    gcc_ok: usize,
    complete: usize,
    partial: usize,
    unsupported: usize,
    not_seen: usize,
    perfi_only: usize,
    functions: usize,
    crashes: usize,
    timeouts: usize,
    secs: f64,
    peak_kb: u64,
}

impl Totals {
    fn add(&mut self, r: &FileResult) {
        self.files += 1;
        if r.missing || r.gcc_error.is_some() {
            return;
        }
        self.gcc_ok += 1;
        self.functions += r.gcc_functions.len();
        self.complete += r.count("complete");
        self.partial += r.count("partial");
        self.unsupported += r.count("unsupported");
        self.not_seen += r.not_seen().len();
        self.perfi_only += r.perfi_only();
        self.crashes += r.crash.is_some() as usize;
        self.timeouts += r.timeout as usize;
        self.secs += r.secs;
        self.peak_kb = self.peak_kb.max(r.peak_kb);
    }
    fn pct(&self) -> f64 {
        if self.functions == 0 {
            0.0
        } else {
            100.0 * (self.complete + self.partial) as f64 / self.functions as f64
        }
    }
    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {}/{} | {} | {} | {} | {} | {} | **{:.1} %** | {} | {} | {} | {:.1} | {:.0} |",
            self.gcc_ok,
            self.files,
            self.functions,
            self.complete,
            self.partial,
            self.unsupported,
            self.not_seen,
            self.pct(),
            self.perfi_only,
            self.crashes,
            self.timeouts,
            self.secs,
            self.peak_kb as f64 / 1024.0
        )
    }
}

fn sh(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd).args(args).output().ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_else(|| "?".into())
}

fn main() -> Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("repository root")?.to_path_buf();
    let opts = parse_opts(&repo)?;
    let text = std::fs::read_to_string(&opts.manifest).with_context(|| format!("reading {}", opts.manifest.display()))?;
    let manifest: Manifest = toml::from_str(&text).with_context(|| format!("parsing {}", opts.manifest.display()))?;
    if !opts.perfi.is_file() {
        bail!("{} not found: build it first (cargo build --release -p perfi)", opts.perfi.display());
    }
    let perfi = opts.perfi.canonicalize().with_context(|| format!("resolving {}", opts.perfi.display()))?;
    let help = Command::new(&perfi).args(["analyze", "--help"]).output().with_context(|| format!("running {} analyze --help", perfi.display()))?;
    if !String::from_utf8_lossy(&help.stdout).contains("--compile-commands") {
        bail!("{} has no `analyze --compile-commands` (older build?): rebuild it (cargo build --release -p perfi)", perfi.display());
    }
    for g in &opts.groups {
        if !manifest.group.iter().any(|m| &m.name == g) {
            bail!("--group {g}: no such group in {}", opts.manifest.display());
        }
    }
    let cache = expand_home(&manifest.settings.cache)?;
    std::fs::create_dir_all(&cache).with_context(|| format!("creating {}", cache.display()))?;
    let timeout = Duration::from_secs(opts.timeout.unwrap_or(manifest.settings.timeout_secs));
    let gcc_include = gcc_include_dir()?;

    // Per group: flags for gcc and perfi, the compile database, the jobs.
    let mut jobs = Vec::new();
    let mut gcc_flags: Vec<Vec<String>> = Vec::new();
    let mut dbs: Vec<PathBuf> = Vec::new();
    let mut bases: Vec<PathBuf> = Vec::new();
    let selected: Vec<usize> = (0..manifest.group.len()).filter(|&i| opts.groups.is_empty() || opts.groups.contains(&manifest.group[i].name)).collect();
    for (gi, g) in manifest.group.iter().enumerate() {
        let base = expand_home(&g.base)?;
        let gdir = cache.join(&g.name);
        let wrappers = cache.join("kernel-asm-wrappers");
        bases.push(base.clone());
        dbs.push(gdir.join("compile_commands.json"));
        let vars = [("GCC_INCLUDE", gcc_include.clone()), ("ASM_WRAPPERS", wrappers.to_string_lossy().into_owned()), ("CACHE", cache.to_string_lossy().into_owned())];
        let flags = g.flags.iter().map(|f| substitute(f, &vars)).collect::<Result<Vec<_>>>().with_context(|| format!("group {}", g.name))?;
        gcc_flags.push(flags.clone());
        if !selected.contains(&gi) {
            continue;
        }
        if !base.is_dir() {
            bail!("group {}: base {} is not a folder (run `make realworld`, which installs and extracts it)", g.name, base.display());
        }
        if g.asm_wrappers {
            write_asm_wrappers(&base, &wrappers).with_context(|| format!("group {}", g.name))?;
        }
        let mut files = expand_files(g, &base)?;
        if let Some(n) = opts.limit {
            files.truncate(n);
        }
        let mut entries = Vec::new();
        for f in files {
            let gcc_input = if g.headers {
                let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let w = gdir.join("wrappers").join(format!("{}.c", name.trim_end_matches(".h")));
                write_if_changed(&w, &format!("/* perfi realworld: gcc checks {name} through this file. */\n#include <{name}>\n"))?;
                w
            } else {
                f.clone()
            };
            let mut args = vec!["cc".to_string()];
            args.extend(flags.iter().cloned());
            if let Some(t) = &g.target {
                args.extend(["-target".to_string(), t.clone()]);
            }
            args.extend(["-c".to_string(), f.to_string_lossy().into_owned()]);
            entries.push(json!({"directory": base, "file": f, "arguments": args}));
            jobs.push(Job { group: gi, file: f, gcc_input });
        }
        write_if_changed(&dbs[gi], &format!("{}\n", serde_json::to_string_pretty(&entries)?))?;
    }

    // Check and analyze, `jobs` files at a time.
    let results: Mutex<HashMap<usize, FileResult>> = Mutex::new(HashMap::new());
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    eprintln!("realworld: {} files in {} groups, {} at a time, timeout {} s", jobs.len(), selected.len(), opts.jobs, timeout.as_secs());
    std::thread::scope(|s| {
        for _ in 0..opts.jobs.min(jobs.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(j) = jobs.get(i) else { break };
                    let mut r = FileResult::default();
                    let base = &bases[j.group];
                    if !j.file.is_file() {
                        r.missing = true;
                    } else {
                        let aux = cache.join(&manifest.group[j.group].name).join(format!("aux-info-{i}.txt"));
                        match gcc_check(&j.gcc_input, &j.file, base, &gcc_flags[j.group], &aux) {
                            Ok(names) => {
                                r.gcc_functions = names;
                                run_perfi(&perfi, &j.file, &dbs[j.group], timeout, &mut r);
                            }
                            Err(e) => r.gcc_error = Some(e),
                        }
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    let rel = j.file.strip_prefix(base).unwrap_or(&j.file).display().to_string();
                    let what = if r.missing {
                        "missing".to_string()
                    } else if r.gcc_error.is_some() {
                        "gcc rejects".to_string()
                    } else if r.timeout {
                        "TIMEOUT".to_string()
                    } else if r.crash.is_some() {
                        "CRASH".to_string()
                    } else {
                        format!("{}/{} with an interface, {:.1} s, {} MB", r.with_interface(), r.gcc_functions.len(), r.secs, r.peak_kb / 1024)
                    };
                    eprintln!("[{n}/{}] {} {rel}: {what}", jobs.len(), manifest.group[j.group].name);
                    if let Ok(mut m) = results.lock() {
                        m.insert(i, r);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let wall = started.elapsed().as_secs_f64();

    // Report.
    let mut md = String::new();
    let commit = sh("git", &["-C", &repo.to_string_lossy(), "rev-parse", "--short=12", "HEAD"]);
    let dirty = !sh("git", &["-C", &repo.to_string_lossy(), "status", "--porcelain", "--untracked-files=no"]).is_empty();
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| c.lines().find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string()))).unwrap_or_else(|| "?".into());
    let perfi_version = sh(&perfi.to_string_lossy(), &["--version"]);
    let _ = writeln!(md, "# Perfi on real-world C (`make realworld`)\n");
    let _ = writeln!(
        md,
        "Date: {} · machine: {} cores (`nproc`), {cpu} · commit {commit}{} · {perfi_version} · {} file(s) at a time, timeout {} s · wall time {:.0} s\n",
        sh("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        sh("nproc", &[]),
        if dirty { " (with uncommitted changes)" } else { "" },
        opts.jobs,
        timeout.as_secs(),
        wall
    );
    let _ = writeln!(
        md,
        "Manifest: `realworld/manifest.toml`. *functions*: those gcc sees defined in the files it compiles with the group's flags (`gcc -aux-info`); \
         the percentage with an interface (complete + partial) is over them (the 90 % goal of issue 12). *not seen*: functions perfi does not report \
         (all of a file's after a crash or timeout); *perfi only*: functions perfi reports that gcc does not see (not counted). \
         Time is the sum of the files' wall times; RSS the largest peak of one `perfi analyze`.\n"
    );
    let _ = writeln!(md, "| group | files gcc-ok/total | functions | complete | partial | unsupported | not seen | with interface | perfi only | crashes | timeouts | time (s) | max peak RSS (MB) |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut all = Totals::default();
    let mut reasons: BTreeMap<String, (usize, BTreeMap<String, usize>, BTreeMap<String, usize>)> = BTreeMap::new();
    for &gi in &selected {
        let g = &manifest.group[gi];
        let mut t = Totals::default();
        for (ji, j) in jobs.iter().enumerate() {
            if j.group != gi {
                continue;
            }
            let Some(r) = results.get(&ji) else { continue };
            t.add(r);
            all.add(r);
            if r.gcc_error.is_some() || r.missing {
                continue;
            }
            let unseen = r.not_seen();
            if !unseen.is_empty() {
                let why = if r.timeout || r.crash.is_some() { "(file crashed or timed out)" } else { "(not reported by perfi)" };
                let e = reasons.entry(why.to_string()).or_default();
                e.0 += unseen.len();
                *e.1.entry(g.name.clone()).or_default() += unseen.len();
                for n in unseen {
                    *e.2.entry(n.clone()).or_default() += 1;
                }
            }
            for (name, st, reason) in &r.functions {
                if st != "unsupported" || !r.gcc_functions.contains(name) {
                    continue;
                }
                let (norm, names) = normalize_reason(reason.as_deref().unwrap_or("(no reason given)"));
                let e = reasons.entry(norm).or_default();
                e.0 += 1;
                *e.1.entry(g.name.clone()).or_default() += 1;
                for n in names {
                    *e.2.entry(n).or_default() += 1;
                }
            }
        }
        let _ = writeln!(md, "{}", t.row(&g.name));
    }
    let _ = writeln!(md, "{}", all.row("**all**"));
    let _ = writeln!(md, "\nGoal (issue 12): ≥ 90 % with an interface, 0 crashes, 0 timeouts. Now: {:.1} %, {} crash(es), {} timeout(s).\n", all.pct(), all.crashes, all.timeouts);

    let mut ranked: Vec<_> = reasons.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let _ = writeln!(md, "## Reasons for no interface, ranked\n");
    let _ = writeln!(md, "| functions | reason | groups | top examples |");
    let _ = writeln!(md, "|---|---|---|---|");
    for (reason, (n, groups, names)) in &ranked {
        let gs: Vec<String> = groups.iter().map(|(g, c)| format!("{g} {c}")).collect();
        let mut ns: Vec<(&String, &usize)> = names.iter().collect();
        ns.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let ex: Vec<String> = ns.iter().take(3).map(|(k, c)| format!("`{}` ({c})", k.replace('|', "\\|"))).collect();
        let _ = writeln!(md, "| {n} | {} | {} | {} |", reason.replace('|', "\\|"), gs.join(", "), ex.join(", "));
    }
    let print_md = md.clone();

    // Details (results.md only).
    let _ = writeln!(md, "\n## Crashes and timeouts\n");
    let mut any = false;
    for (ji, j) in jobs.iter().enumerate() {
        let Some(r) = results.get(&ji) else { continue };
        if r.timeout {
            any = true;
            let _ = writeln!(md, "- {}: timeout after {:.0} s", j.file.display(), r.secs);
        }
        if let Some(c) = &r.crash {
            any = true;
            let _ = writeln!(md, "- {}: crash\n\n  ```\n{}\n  ```", j.file.display(), c.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n"));
        }
    }
    if !any {
        let _ = writeln!(md, "None.");
    }
    let _ = writeln!(md, "\n## Files left out: gcc rejects them with the group's flags (or they are missing)\n");
    for (ji, j) in jobs.iter().enumerate() {
        let Some(r) = results.get(&ji) else { continue };
        let rel = j.file.strip_prefix(&bases[j.group]).unwrap_or(&j.file).display().to_string();
        if r.missing {
            let _ = writeln!(md, "- {} `{rel}`: missing", manifest.group[j.group].name);
        } else if let Some(e) = &r.gcc_error {
            let _ = writeln!(md, "- {} `{rel}`: {}", manifest.group[j.group].name, e.replace('|', "\\|"));
        }
    }
    let _ = writeln!(md, "\n## Per file\n");
    let _ = writeln!(md, "| group | file | functions | complete | partial | unsupported | not seen | perfi only | time (s) | peak RSS (MB) |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|");
    for (ji, j) in jobs.iter().enumerate() {
        let Some(r) = results.get(&ji) else { continue };
        if r.missing || r.gcc_error.is_some() {
            continue;
        }
        let rel = j.file.strip_prefix(&bases[j.group]).unwrap_or(&j.file).display().to_string();
        let note = if r.timeout { " (timeout)" } else if r.crash.is_some() { " (crash)" } else { "" };
        let _ = writeln!(
            md,
            "| {} | `{rel}`{note} | {} | {} | {} | {} | {} | {} | {:.1} | {:.0} |",
            manifest.group[j.group].name,
            r.gcc_functions.len(),
            r.count("complete"),
            r.count("partial"),
            r.count("unsupported"),
            r.not_seen().len(),
            r.perfi_only(),
            r.secs,
            r.peak_kb as f64 / 1024.0
        );
    }
    let _ = writeln!(md, "\n## Groups\n");
    for &gi in &selected {
        let g = &manifest.group[gi];
        let _ = writeln!(md, "- **{}**: {} — base `{}`, flags `{}`{}{}", g.name, g.description, g.base, g.flags.join(" "), g.target.as_ref().map(|t| format!(", perfi also gets `-target {t}`")).unwrap_or_default(), if g.headers { ", headers (gcc checks `#include <NAME>`)" } else { "" });
    }

    print!("{print_md}");
    write_if_changed(&opts.out, &md)?;
    eprintln!("realworld: wrote {}", opts.out.display());
    Ok(())
}
