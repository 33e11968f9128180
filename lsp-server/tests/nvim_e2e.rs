//! Neovim drives `perfi lsp` end to end (tests/nvim/e2e.lua): hover on a
//! function of a copy of the NAT workspace, an edit that adds work inside
//! a loop gives a warning, undo clears it. Neovim must be installed (`make
//! deps-neovim`); without it this test fails.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for e in std::fs::read_dir(from).expect("read test workspace") {
        let e = e.expect("entry");
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy file");
        }
    }
}

#[test]
fn neovim_hover_edit_warning_undo() {
    let nvim = Command::new("nvim").arg("--version").stdout(Stdio::piped()).output();
    let Ok(v) = nvim else {
        panic!("nvim not found: this end-to-end test needs Neovim; run `make deps-neovim` (apt-get install neovim)");
    };
    eprintln!("{}", String::from_utf8_lossy(&v.stdout).lines().next().unwrap_or(""));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = std::env::temp_dir().join(format!("perfi-nvim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let root = tmp.join("nat");
    copy_dir(&manifest.join("../test-workspaces/nat"), &root);
    let out = tmp.join("result.txt");
    let script = manifest.join("tests/nvim/e2e.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("PERFI_BIN", env!("CARGO_BIN_EXE_perfi"))
        .env("PERFI_ROOT", &root)
        .env("PERFI_OUT", &out)
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .env("XDG_DATA_HOME", tmp.join("data"))
        .env("XDG_STATE_HOME", tmp.join("state"))
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nvim starts");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for nvim") {
            break Some(s);
        }
        if start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(&out).unwrap_or_default();
    eprintln!("{log}");
    let status = status.unwrap_or_else(|| panic!("nvim did not finish within 300 s; log:\n{log}"));
    assert!(status.success() && log.lines().any(|l| l == "PASS"), "nvim e2e failed ({status}):\n{log}");
    let _ = std::fs::remove_dir_all(&tmp);
}
