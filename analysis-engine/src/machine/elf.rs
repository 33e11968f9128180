//! Reading a relocatable object (`object` crate): the executable sections,
//! the function symbols in them, and the debug sections with their
//! relocations applied, so that DWARF addresses and symbol addresses live
//! in one address space.
//!
//! A relocatable object has every section at address 0. Each executable
//! section gets its own base (`(index + 1) << 32`), and a relocation against
//! a symbol of an executable section resolves to base + offset; relocations
//! against debug sections (string offsets) resolve to the plain offset.

use object::{Object as _, ObjectSection as _, ObjectSymbol as _, RelocationTarget, SectionIndex, SectionKind, SymbolKind, SymbolSection};
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    #[error("cannot read the object: {0}")]
    Parse(String),
    #[error("unsupported relocation in {section} at {offset:#x}")]
    Relocation { section: String, offset: u64 },
}

/// A function's machine code.
#[derive(Clone, Debug)]
pub struct FuncCode {
    pub name: String,
    /// Address in the object's address space (section base + offset).
    pub addr: u64,
    pub bytes: Vec<u8>,
}

pub struct ObjectFile<'d> {
    file: object::File<'d>,
    bases: HashMap<SectionIndex, u64>,
}

fn base_of(index: SectionIndex) -> u64 {
    (index.0 as u64 + 1) << 32
}

impl<'d> ObjectFile<'d> {
    pub fn parse(bytes: &'d [u8]) -> Result<ObjectFile<'d>, ElfError> {
        let file = object::File::parse(bytes).map_err(|e| ElfError::Parse(e.to_string()))?;
        let bases = file.sections().filter(|s| s.kind() == SectionKind::Text).map(|s| (s.index(), base_of(s.index()))).collect();
        Ok(ObjectFile { file, bases })
    }

    /// Function symbols with code, in executable sections.
    pub fn functions(&self) -> Vec<FuncCode> {
        let mut out = Vec::new();
        for sym in self.file.symbols() {
            if sym.kind() != SymbolKind::Text || sym.size() == 0 {
                continue;
            }
            let SymbolSection::Section(si) = sym.section() else { continue };
            let Some(base) = self.bases.get(&si) else { continue };
            let Ok(section) = self.file.section_by_index(si) else { continue };
            let Ok(data) = section.data() else { continue };
            let start = sym.address() as usize;
            let Some(end) = start.checked_add(sym.size() as usize) else { continue };
            let Some(bytes) = data.get(start..end) else { continue };
            let Ok(name) = sym.name() else { continue };
            out.push(FuncCode { name: name.to_string(), addr: base + sym.address(), bytes: bytes.to_vec() });
        }
        out.sort_by_key(|f| f.addr);
        out
    }

    /// The bytes of a debug section (by name, e.g. `.debug_line`) with its
    /// relocations applied; empty when the section is absent.
    pub fn debug_section(&self, name: &str) -> Result<Cow<'d, [u8]>, ElfError> {
        let Some(section) = self.file.section_by_name(name) else { return Ok(Cow::Borrowed(&[])) };
        let data = section.uncompressed_data().map_err(|e| ElfError::Parse(e.to_string()))?;
        let mut relocs = section.relocations().peekable();
        if relocs.peek().is_none() {
            return Ok(data);
        }
        let mut buf = data.into_owned();
        for (offset, r) in relocs {
            let target = match r.target() {
                RelocationTarget::Symbol(si) => match self.file.symbol_by_index(si) {
                    Ok(sym) => match sym.section() {
                        SymbolSection::Section(s) => self.bases.get(&s).copied().unwrap_or(0) + sym.address(),
                        _ => sym.address(),
                    },
                    Err(_) => 0,
                },
                RelocationTarget::Section(s) => self.bases.get(&s).copied().unwrap_or(0),
                _ => 0,
            };
            let value = (target as i64).wrapping_add(r.addend()) as u64;
            let at = offset as usize;
            let bad = || ElfError::Relocation { section: name.to_string(), offset };
            match r.size() {
                64 => buf.get_mut(at..at + 8).ok_or_else(bad)?.copy_from_slice(&value.to_le_bytes()),
                32 => buf.get_mut(at..at + 4).ok_or_else(bad)?.copy_from_slice(&(value as u32).to_le_bytes()),
                _ => return Err(bad()),
            }
        }
        Ok(Cow::Owned(buf))
    }
}
