//! DWARF (`gimli`): the line table (address → file, line) and, per
//! out-of-line function, the functions inlined into it (how many
//! `DW_TAG_inlined_subroutine` instances of each), read from an object
//! whose debug sections `elf.rs` has relocated.

use super::elf::ObjectFile;
use gimli::{AttributeValue, EndianSlice, RunTimeEndian};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One row of the line table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub addr: u64,
    /// Index into `DebugInfo::files`.
    pub file: u32,
    /// 0 when the compiler gave no line (or at the end of a sequence).
    pub line: u32,
    pub end: bool,
}

#[derive(Clone, Debug, Default)]
pub struct DebugInfo {
    pub files: Vec<PathBuf>,
    /// Sorted by address.
    pub rows: Vec<Row>,
    /// (low_pc of the out-of-line function, inlined function's name,
    /// number of instances).
    pub inlined: Vec<(u64, String, u32)>,
}

#[derive(Debug, thiserror::Error)]
pub enum DwarfError {
    #[error("{0}")]
    Elf(#[from] super::elf::ElfError),
    #[error("DWARF: {0}")]
    Gimli(#[from] gimli::Error),
}

type R<'a> = EndianSlice<'a, RunTimeEndian>;

pub fn read(obj: &ObjectFile<'_>) -> Result<DebugInfo, DwarfError> {
    let sections: gimli::DwarfSections<Cow<'_, [u8]>> = gimli::DwarfSections::load(|id| obj.debug_section(id.name()))?;
    let dwarf = sections.borrow(|s| EndianSlice::new(s, RunTimeEndian::Little));
    let mut out = DebugInfo::default();
    let mut file_ids: HashMap<PathBuf, u32> = HashMap::new();
    let mut inlined: HashMap<(u64, String), u32> = HashMap::new();
    let mut units = dwarf.units();
    while let Some(header) = units.next()? {
        let unit = dwarf.unit(header)?;
        let comp_dir: PathBuf = unit.comp_dir.map(|d| PathBuf::from(d.to_string_lossy().to_string())).unwrap_or_default();
        if let Some(program) = unit.line_program.clone() {
            let mut rows = program.rows();
            let mut cache: HashMap<u64, u32> = HashMap::new();
            while let Some((header, row)) = rows.next_row()? {
                let fidx = row.file_index();
                let file = match cache.get(&fidx) {
                    Some(f) => *f,
                    None => {
                        let path = match row.file(header) {
                            Some(fe) => {
                                let name = dwarf.attr_string(&unit, fe.path_name()).map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                                let dir = fe.directory(header).and_then(|d| dwarf.attr_string(&unit, d).ok()).map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                                comp_dir.join(dir).join(name)
                            }
                            None => PathBuf::new(),
                        };
                        let n = file_ids.len() as u32;
                        let id = *file_ids.entry(path.clone()).or_insert_with(|| {
                            out.files.push(path);
                            n
                        });
                        cache.insert(fidx, id);
                        id
                    }
                };
                let line = row.line().map(|l| l.get().min(u32::MAX as u64) as u32).unwrap_or(0);
                out.rows.push(Row { addr: row.address(), file, line, end: row.end_sequence() });
            }
        }
        // Inlined instances per out-of-line function.
        let mut entries = unit.entries();
        let mut depth: isize = 0;
        let mut current: Option<u64> = None;
        while let Some((delta, entry)) = entries.next_dfs()? {
            depth += delta;
            if depth == 1 {
                current = None;
                if entry.tag() == gimli::DW_TAG_subprogram {
                    if let Some(v) = entry.attr_value(gimli::DW_AT_low_pc)? {
                        current = dwarf.attr_address(&unit, v)?;
                    }
                }
            } else if entry.tag() == gimli::DW_TAG_inlined_subroutine {
                if let (Some(pc), Some(name)) = (current, origin_name(&dwarf, &unit, entry)?) {
                    *inlined.entry((pc, name)).or_default() += 1;
                }
            }
        }
    }
    out.rows.sort_by_key(|r| (r.addr, !r.end));
    out.inlined = inlined.into_iter().map(|((pc, n), c)| (pc, n, c)).collect();
    out.inlined.sort();
    Ok(out)
}

/// The name of an inlined subroutine's abstract origin (following
/// `DW_AT_abstract_origin`/`DW_AT_specification` a few steps).
fn origin_name(dwarf: &gimli::Dwarf<R<'_>>, unit: &gimli::Unit<R<'_>>, entry: &gimli::DebuggingInformationEntry<'_, '_, R<'_>>) -> Result<Option<String>, gimli::Error> {
    let mut at = match entry.attr_value(gimli::DW_AT_abstract_origin)? {
        Some(AttributeValue::UnitRef(o)) => o,
        _ => return Ok(None),
    };
    for _ in 0..4 {
        let e = unit.entry(at)?;
        if let Some(n) = e.attr_value(gimli::DW_AT_name)? {
            return Ok(Some(dwarf.attr_string(unit, n)?.to_string_lossy().to_string()));
        }
        match e.attr_value(gimli::DW_AT_abstract_origin)?.or(e.attr_value(gimli::DW_AT_specification)?) {
            Some(AttributeValue::UnitRef(o)) => at = o,
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// A path as the front end would name the file: canonical when it exists.
pub fn normalize(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}
