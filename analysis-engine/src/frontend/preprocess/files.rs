//! Reading files (only regular ones, size-capped) and the include search path.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Target;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("file not found")]
    NotFound,
    #[error("not a regular file ({0})")]
    NotRegular(String),
    #[error("file too large ({size} bytes, the limit is {limit})")]
    TooLarge { size: u64, limit: u64 },
    #[error("cannot read: {0}")]
    Io(String),
}

/// Where file contents come from (the language server overlays its open
/// documents on the disk).
pub trait FileSource {
    fn read(&self, path: &Path) -> Result<Arc<[u8]>, ReadError>;
}

/// The disk: regular files only, checked on the metadata before opening (a
/// directory, FIFO, device or socket is an error and is never opened), and
/// at most 16 MB (`Limits::default().max_file_bytes`; checked on the
/// metadata and again while reading, in case the file grows). The
/// preprocessor also applies `Options::limits.max_file_bytes` to whatever a
/// `FileSource` returns; [`DiskFilesCapped`] rejects by another size before
/// reading.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskFiles;

/// [`DiskFiles`] with another size cap (bytes).
#[derive(Clone, Copy, Debug)]
pub struct DiskFilesCapped(pub u64);

impl FileSource for DiskFilesCapped {
    fn read(&self, path: &Path) -> Result<Arc<[u8]>, ReadError> {
        read_regular(path, self.0)
    }
}

impl FileSource for DiskFiles {
    fn read(&self, path: &Path) -> Result<Arc<[u8]>, ReadError> {
        read_regular(path, super::Limits::default().max_file_bytes)
    }
}

fn read_regular(path: &Path, max_bytes: u64) -> Result<Arc<[u8]>, ReadError> {
    {
        use std::io::Read;
        let md = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::NotFound),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Err(ReadError::NotFound),
            Err(e) => return Err(ReadError::Io(e.to_string())),
        };
        let ft = md.file_type();
        if !ft.is_file() {
            let what = if ft.is_dir() {
                "a directory"
            } else if ft.is_symlink() {
                "a symbolic link"
            } else {
                use std::os::unix::fs::FileTypeExt;
                if ft.is_fifo() {
                    "a FIFO"
                } else if ft.is_socket() {
                    "a socket"
                } else if ft.is_char_device() || ft.is_block_device() {
                    "a device"
                } else {
                    "a special file"
                }
            };
            return Err(ReadError::NotRegular(what.to_string()));
        }
        if md.len() > max_bytes {
            return Err(ReadError::TooLarge { size: md.len(), limit: max_bytes });
        }
        let f = std::fs::File::open(path).map_err(|e| ReadError::Io(e.to_string()))?;
        let mut buf = Vec::with_capacity(md.len() as usize);
        f.take(max_bytes + 1).read_to_end(&mut buf).map_err(|e| ReadError::Io(e.to_string()))?;
        if buf.len() as u64 > max_bytes {
            return Err(ReadError::TooLarge { size: buf.len() as u64, limit: max_bytes });
        }
        Ok(Arc::from(buf))
    }
}

/// The system's default include folders, found on the file system (no
/// compiler is run): `/usr/local/include`, the multiarch folder
/// `/usr/include/x86_64-linux-gnu`, `/usr/include`, then gcc's own folder
/// (`stddef.h`, `stdarg.h`: the highest `/usr/lib/gcc/x86_64-linux-gnu/*/include`).
///
/// For `Target::Bpf` the same folders are used: BPF programs are built with
/// clang against the host's kernel UAPI headers, and `<linux/types.h>` needs
/// `<asm/types.h>`, which Debian installs only in the multiarch folder (libbpf's
/// own Makefiles add `-I/usr/include/$(uname -m)-linux-gnu` for this reason).
pub fn default_system_dirs(target: Target) -> Vec<PathBuf> {
    let _ = target;
    let mut v = Vec::new();
    for d in ["/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include"] {
        if Path::new(d).is_dir() {
            v.push(PathBuf::from(d));
        }
    }
    if let Some(d) = gcc_include_dir() {
        v.push(d);
    }
    v
}

fn gcc_include_dir() -> Option<PathBuf> {
    let root = Path::new("/usr/lib/gcc/x86_64-linux-gnu");
    let mut best: Option<(Vec<u64>, PathBuf)> = None;
    for e in std::fs::read_dir(root).ok()?.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let ver: Vec<u64> = name.split('.').map(|p| p.parse().unwrap_or(0)).collect();
        let inc = e.path().join("include");
        if inc.is_dir() && best.as_ref().is_none_or(|(b, _)| ver > *b) {
            best = Some((ver, inc));
        }
    }
    best.map(|(_, p)| p)
}

/// Lexical normalization (`a/./b/../c` → `a/c`) for paths that may not exist.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A stable identity for a file: the canonical path when it exists on disk.
pub fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| normalize(p))
}

pub fn hash_bytes(b: &[u8]) -> u64 {
    // FNV-1a, 64 bit, eight bytes at a time mixed (fast enough, stable)
    let mut h: u64 = 0xcbf29ce484222325;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(a)).wrapping_mul(0x100000001b3);
        h ^= h >> 29;
    }
    for &x in chunks.remainder() {
        h = (h ^ x as u64).wrapping_mul(0x100000001b3);
    }
    h ^ (b.len() as u64).wrapping_mul(0x9e3779b97f4a7c15)
}
