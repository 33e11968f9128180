//! Layouts must match gcc: for every struct in test-workspaces/, and for
//! the network structs of the system's kernel headers (read through the
//! preprocessor), a generated C program prints sizeof, _Alignof and
//! offsetof of every addressable field; we compare field by field.

use perfi_engine::analysis::{load, lower_file};
use perfi_engine::workspace::{collect_sources, FileCache};
use std::fmt::Write;
use std::path::PathBuf;
use std::process::Command;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-workspaces")
}

fn c_string(s: &str) -> String {
    format!("{s:?}")
}

#[test]
fn layouts_match_gcc() {
    let files = collect_sources(&[workspace_root()]).expect("test-workspaces exists");
    let tmp = std::env::temp_dir().join(format!("perfi-layout-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut structs_compared = 0;
    let mut fields_compared = 0;
    let mut mismatches = Vec::new();
    for path in files {
        let mut cache = FileCache::default();
        let file = load(&path, &mut cache).unwrap();
        let a = lower_file(file, &mut cache);
        let layouts: Vec<_> = a.layouts.iter().filter(|l| !l.name.contains("<anonymous")).collect();
        if layouts.is_empty() {
            continue;
        }
        let mut prog = String::new();
        writeln!(prog, "#include <stdio.h>\n#include <stddef.h>\n#include \"{}\"\nint main(void) {{", path.canonicalize().unwrap().display()).unwrap();
        let mut expected = Vec::new();
        for l in &layouts {
            writeln!(prog, "printf(\"S %s %zu %zu\\n\", {}, sizeof({}), _Alignof({}));", c_string(&l.name), l.name, l.name).unwrap();
            expected.push(format!("S {} {} {}", l.name, l.size, l.align));
            for f in &l.fields {
                if f.bit_size.is_some() || f.name.is_empty() {
                    continue;
                }
                writeln!(prog, "printf(\"F %s %s %zu\\n\", {}, {}, offsetof({}, {}));", c_string(&l.name), c_string(&f.name), l.name, f.name).unwrap();
                expected.push(format!("F {} {} {}", l.name, f.name, f.offset));
            }
        }
        prog.push_str("return 0; }\n");
        let stem = path.file_name().unwrap().to_string_lossy().replace('.', "_");
        let src = tmp.join(format!("{stem}.c"));
        let exe = tmp.join(&stem);
        std::fs::write(&src, &prog).unwrap();
        let out = Command::new("cc").arg("-std=gnu11").arg("-w").arg("-o").arg(&exe).arg(&src).output().expect("cc runs");
        assert!(out.status.success(), "cc failed for {}:\n{}", path.display(), String::from_utf8_lossy(&out.stderr));
        let run = Command::new(&exe).output().expect("probe runs");
        let got: Vec<String> = String::from_utf8_lossy(&run.stdout).lines().map(String::from).collect();
        assert_eq!(got.len(), expected.len(), "line count for {}", path.display());
        for (g, e) in got.iter().zip(&expected) {
            if g.starts_with('S') {
                structs_compared += 1;
            } else {
                fields_compared += 1;
            }
            if g != e {
                mismatches.push(format!("{}: gcc `{g}` vs perfi `{e}`", path.display()));
            }
        }
    }
    eprintln!("compared {structs_compared} structs, {fields_compared} fields with gcc; {} mismatches", mismatches.len());
    assert!(mismatches.is_empty(), "layout mismatches:\n{}", mismatches.join("\n"));
    assert!(structs_compared >= 30, "only {structs_compared} structs compared");
}

/// Structs from system headers (`linux-libc-dev`), as a BPF program or a
/// DPDK NF sees them: parsed from the preprocessed headers.
#[test]
fn system_header_layouts_match_gcc() {
    const HEADERS: [&str; 6] = ["linux/if_ether.h", "linux/ip.h", "linux/ipv6.h", "linux/tcp.h", "linux/udp.h", "linux/bpf.h"];
    const STRUCTS: [&str; 6] = ["ethhdr", "iphdr", "ipv6hdr", "tcphdr", "udphdr", "xdp_md"];
    if !std::path::Path::new("/usr/include/linux/bpf.h").is_file() {
        eprintln!("skipped: linux-libc-dev is not installed (/usr/include/linux/bpf.h)");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("perfi-syslayout-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let includes: String = HEADERS.iter().map(|h| format!("#include <{h}>\n")).collect();
    let src = tmp.join("net.c");
    std::fs::write(&src, format!("{includes}int use(struct iphdr *ip) {{ return ip->ttl; }}\n")).unwrap();
    let mut cache = FileCache::default();
    let file = load(&src, &mut cache).unwrap();
    let a = lower_file(file, &mut cache);
    let all = a.unit.type_env().all_layouts();
    let mut prog = format!("#include <stdio.h>\n#include <stddef.h>\n{includes}int main(void) {{\n");
    let mut expected = Vec::new();
    for name in STRUCTS {
        let tag = format!("struct {name}");
        let l = all.iter().find(|l| l.name == tag).unwrap_or_else(|| panic!("{tag} not found in the preprocessed headers"));
        writeln!(prog, "printf(\"S %zu %zu\\n\", sizeof({tag}), _Alignof({tag}));").unwrap();
        expected.push(format!("S {} {}", l.size, l.align));
        for f in &l.fields {
            if f.bit_size.is_some() || f.name.is_empty() || f.name.contains('.') {
                continue;
            }
            writeln!(prog, "printf(\"F {tag}.%s %zu\\n\", {}, offsetof({tag}, {}));", c_string(&f.name), f.name).unwrap();
            expected.push(format!("F {tag}.{} {}", f.name, f.offset));
        }
    }
    prog.push_str("return 0; }\n");
    let probe = tmp.join("probe.c");
    let exe = tmp.join("probe");
    std::fs::write(&probe, &prog).unwrap();
    let out = Command::new("cc").arg("-std=gnu11").arg("-w").arg("-o").arg(&exe).arg(&probe).output().expect("cc runs");
    assert!(out.status.success(), "cc failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new(&exe).output().expect("probe runs");
    let got: Vec<String> = String::from_utf8_lossy(&run.stdout).lines().map(String::from).collect();
    let _ = std::fs::remove_dir_all(&tmp);
    assert_eq!(got, expected, "gcc (left) vs perfi (right)");
    assert!(expected.len() > 30, "fields compared: {}", expected.len());
}
