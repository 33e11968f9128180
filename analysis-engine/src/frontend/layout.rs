//! Sizes, alignment, field offsets and cache lines (x86-64 SysV, as gcc).

use crate::env::TypeEnv;
use crate::types::*;
use serde::Serialize;
use std::rc::Rc;

pub const LINE: u64 = 64;

#[derive(Clone, Debug, Serialize)]
pub struct FieldLayout {
    /// Field name; anonymous members are flattened into dotted paths of
    /// their own fields and listed themselves as "".
    pub name: String,
    pub ty: String,
    pub offset: u64,
    pub size: u64,
    pub bit_offset: Option<u64>,
    pub bit_size: Option<u64>,
    pub line: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Hole {
    pub offset: u64,
    pub size: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecordLayout {
    pub name: String,
    pub size: u64,
    pub align: u64,
    pub cache_lines: u64,
    pub fields: Vec<FieldLayout>,
    pub holes: Vec<Hole>,
    pub padding: u64,
    pub file: String,
    pub line: u32,
    #[serde(skip)]
    pub(crate) members: Vec<Member>,
}

/// A direct member with its resolved type (for address computation).
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub name: Option<String>,
    pub ty: CType,
    pub offset: u64,
    pub bit: Option<(u64, u64)>,
}

fn round_up(v: u64, a: u64) -> u64 {
    if a <= 1 {
        v
    } else {
        v.div_ceil(a) * a
    }
}

pub fn lines_spanned(offset: u64, size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    (offset + size - 1) / LINE - offset / LINE + 1
}

impl TypeEnv {
    pub fn size_of(&self, t: &CType) -> Option<u64> {
        Some(match t {
            CType::Void | CType::Func(_) => 1,
            CType::Bool => 1,
            CType::Int { bytes, .. } | CType::Float { bytes } | CType::Enum { bytes } => *bytes as u64,
            CType::Ptr(_) => 8,
            CType::Array(el, n) => self.size_of(el)?.checked_mul(n.unwrap_or(0))?,
            CType::Record(id) => self.record_layout(*id)?.size,
            CType::Unknown(_) => return None,
        })
    }

    pub fn align_of(&self, t: &CType) -> Option<u64> {
        Some(match t {
            CType::Void | CType::Func(_) | CType::Bool => 1,
            CType::Int { bytes, .. } | CType::Float { bytes } | CType::Enum { bytes } => *bytes as u64,
            CType::Ptr(_) => 8,
            CType::Array(el, _) => self.align_of(el)?,
            CType::Record(id) => self.record_layout(*id)?.align,
            CType::Unknown(_) => return None,
        })
    }

    pub fn type_name(&self, t: &CType) -> String {
        match t {
            CType::Void => "void".into(),
            CType::Bool => "_Bool".into(),
            CType::Int { bytes, signed } => format!("{}int{}_t", if *signed { "" } else { "u" }, *bytes as u32 * 8),
            CType::Float { bytes } => match bytes {
                4 => "float".into(),
                8 => "double".into(),
                _ => "long double".into(),
            },
            CType::Ptr(p) => format!("{} *", self.type_name(p)),
            CType::Array(el, n) => format!("{}[{}]", self.type_name(el), n.map(|n| n.to_string()).unwrap_or_default()),
            CType::Record(id) => self.records[*id].display_name(),
            CType::Enum { .. } => "enum".into(),
            CType::Func(r) => format!("{} ()", self.type_name(r)),
            CType::Unknown(n) => n.clone(),
        }
    }

    pub fn record_layout(&self, id: RecordId) -> Option<Rc<RecordLayout>> {
        if let Some(l) = self.layout_cache.borrow().get(&id) {
            return Some(l.clone());
        }
        let rec = self.records.get(id)?;
        if !rec.complete {
            return None;
        }
        // Guard against a record containing itself by value (invalid C).
        thread_local!(static ACTIVE: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) });
        if ACTIVE.with(|a| a.borrow().contains(&id)) {
            return None;
        }
        ACTIVE.with(|a| a.borrow_mut().push(id));
        let l = self.compute_layout(rec);
        ACTIVE.with(|a| a.borrow_mut().pop());
        let l = Rc::new(l?);
        self.layout_cache.borrow_mut().insert(id, l.clone());
        Some(l)
    }

    fn compute_layout(&self, rec: &Record) -> Option<RecordLayout> {
        let mut bit_pos: u64 = 0;
        let mut max_end_bits: u64 = 0;
        let mut align: u64 = 1;
        let mut members = Vec::new();
        for f in &rec.fields {
            let size = self.size_of(&f.ty)?;
            let natural = self.align_of(&f.ty)?;
            let packed = rec.packed || f.packed;
            let mut falign = if packed { 1 } else { natural };
            if let Some(a) = f.aligned {
                falign = falign.max(a);
            }
            if rec.is_union {
                bit_pos = 0;
            }
            match f.bits {
                Some(w) => {
                    if w == 0 {
                        bit_pos = round_up(bit_pos, natural * 8);
                        continue;
                    }
                    let unit = size * 8;
                    if !packed && unit > 0 && bit_pos / unit != (bit_pos + w - 1) / unit {
                        bit_pos = round_up(bit_pos, natural * 8);
                    }
                    if f.name.is_some() && !packed {
                        align = align.max(falign);
                    }
                    members.push(Member { name: f.name.clone(), ty: f.ty.clone(), offset: bit_pos / 8, bit: Some((bit_pos, w)) });
                    bit_pos += w;
                }
                None => {
                    bit_pos = round_up(bit_pos, falign * 8);
                    align = align.max(falign);
                    members.push(Member { name: f.name.clone(), ty: f.ty.clone(), offset: bit_pos / 8, bit: None });
                    bit_pos += size * 8;
                }
            }
            max_end_bits = max_end_bits.max(bit_pos);
        }
        if let Some(a) = rec.aligned {
            align = align.max(a);
        }
        let data_end = max_end_bits.div_ceil(8);
        let size = round_up(data_end, align);
        let mut fields = Vec::new();
        self.flatten(&members, 0, "", &mut fields);
        let holes = if rec.is_union { vec![] } else { holes(&members, self) };
        Some(RecordLayout {
            name: rec.display_name(),
            size,
            align,
            cache_lines: lines_spanned(0, size).max(if size == 0 { 0 } else { 1 }),
            fields,
            holes,
            padding: size - data_end,
            file: rec.file.clone(),
            line: rec.line,
            members,
        })
    }

    fn flatten(&self, members: &[Member], base: u64, prefix: &str, out: &mut Vec<FieldLayout>) {
        for m in members {
            let size = self.size_of(&m.ty).unwrap_or(0);
            let offset = base + m.offset;
            match (&m.name, &m.ty) {
                (None, CType::Record(id)) if m.bit.is_none() => {
                    if let Some(inner) = self.record_layout(*id) {
                        self.flatten(&inner.members, offset, prefix, out);
                    }
                }
                _ => {
                    let name = format!("{prefix}{}", m.name.clone().unwrap_or_default());
                    out.push(FieldLayout {
                        name,
                        ty: self.type_name(&m.ty),
                        offset,
                        size,
                        bit_offset: m.bit.map(|(b, _)| b + base * 8),
                        bit_size: m.bit.map(|(_, w)| w),
                        line: offset / LINE,
                    });
                }
            }
        }
    }

    /// Offset and type of a (possibly anonymous-member-nested) field.
    pub fn find_field(&self, id: RecordId, name: &str) -> Option<(u64, CType)> {
        let l = self.record_layout(id)?;
        for m in &l.members {
            match (&m.name, &m.ty) {
                (Some(n), _) if n == name => return Some((m.offset, m.ty.clone())),
                (None, CType::Record(inner)) => {
                    if let Some((o, t)) = self.find_field(*inner, name) {
                        return Some((m.offset + o, t));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Bitfield position (absolute bit offset in the record, width) of a
    /// field, if it is one.
    pub fn find_bitfield(&self, id: RecordId, name: &str) -> Option<(u64, u64)> {
        let l = self.record_layout(id)?;
        for m in &l.members {
            match (&m.name, &m.ty, m.bit) {
                (Some(n), _, Some(b)) if n == name => return Some(b),
                (None, CType::Record(inner), None) => {
                    if let Some((b, w)) = self.find_bitfield(*inner, name) {
                        return Some((b + m.offset * 8, w));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Layouts of every complete named record (and typedef'd anonymous ones).
    pub fn all_layouts(&self) -> Vec<Rc<RecordLayout>> {
        (0..self.records.len())
            .filter(|id| self.records[*id].complete)
            .filter_map(|id| self.record_layout(id))
            .collect()
    }
}

fn holes(members: &[Member], env: &TypeEnv) -> Vec<Hole> {
    let mut out = Vec::new();
    let mut end = 0u64;
    for m in members {
        let (start, stop) = match m.bit {
            Some((b, w)) => (b / 8, (b + w).div_ceil(8)),
            None => (m.offset, m.offset + env.size_of(&m.ty).unwrap_or(0)),
        };
        if start > end {
            out.push(Hole { offset: end, size: start - end });
        }
        end = end.max(stop);
    }
    out
}
