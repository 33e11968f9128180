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

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Compile `file` with the system compiler and the safe flags into `out_dir`
/// (which the caller creates outside the workspace), with `-g`. Returns the
/// object's path.
pub fn compile_object(file: &Path, flags: &[String], out_dir: &Path) -> Result<PathBuf, String> {
    let cc = system_compiler().ok_or("no system compiler (/usr/bin/gcc, /usr/bin/cc, /usr/bin/clang)")?;
    let stem = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "unit".into());
    let obj = out_dir.join(format!("{stem}.o"));
    let out = Command::new(&cc)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .args(flags)
        .arg("-g")
        .arg("-c")
        .arg(file)
        .arg("-o")
        .arg(&obj)
        .current_dir(out_dir)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cc.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{} failed on {}: {}", cc.display(), file.display(), err.lines().next().unwrap_or("")));
    }
    Ok(obj)
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
