//! C types as the engine sees them (x86-64 SysV, LP64).

use serde::Serialize;

pub type RecordId = usize;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CType {
    Void,
    Bool,
    Int { bytes: u8, signed: bool },
    Float { bytes: u8 },
    Ptr(Box<CType>),
    /// `None` length: flexible array member or `[]` parameter.
    Array(Box<CType>, Option<u64>),
    Record(RecordId),
    Enum { bytes: u8 },
    Func(Box<CType>),
    /// A name we could not resolve (typedef from a header we do not see).
    Unknown(String),
}

impl CType {
    pub fn int(bytes: u8, signed: bool) -> CType {
        CType::Int { bytes, signed }
    }
    pub fn is_scalar(&self) -> bool {
        matches!(self, CType::Bool | CType::Int { .. } | CType::Enum { .. } | CType::Ptr(_) | CType::Float { .. })
    }
    pub fn is_pointer_like(&self) -> bool {
        matches!(self, CType::Ptr(_) | CType::Array(..) | CType::Func(_))
    }
    pub fn pointee(&self) -> Option<&CType> {
        match self {
            CType::Ptr(t) | CType::Array(t, _) => Some(t),
            _ => None,
        }
    }
    pub fn is_signed(&self) -> bool {
        match self {
            CType::Int { signed, .. } => *signed,
            CType::Enum { .. } => false,
            _ => false,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Field {
    pub name: Option<String>,
    pub ty: CType,
    /// Width of a bitfield.
    pub bits: Option<u64>,
    /// `__attribute__((aligned(N)))` / `__aligned(N)` / `____cacheline_aligned` on the field.
    pub aligned: Option<u64>,
    pub packed: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub name: Option<String>,
    pub is_union: bool,
    pub fields: Vec<Field>,
    pub packed: bool,
    pub aligned: Option<u64>,
    /// Has a body (not only a forward declaration).
    pub complete: bool,
    /// For `typedef struct { ... } name;`: the typedef name.
    pub typedef_name: Option<String>,
    pub file: String,
    pub line: u32,
}

impl Record {
    pub fn display_name(&self) -> String {
        let kw = if self.is_union { "union" } else { "struct" };
        match (&self.name, &self.typedef_name) {
            (Some(n), _) => format!("{kw} {n}"),
            (None, Some(t)) => t.clone(),
            (None, None) => format!("{kw} <anonymous at {}:{}>", self.file, self.line),
        }
    }
}

/// Typedef names every C program in our domain uses without us seeing the
/// system header that defines them.
pub fn builtin_typedef(name: &str) -> Option<CType> {
    let t = match name {
        "int8_t" | "__s8" | "s8" | "int_least8_t" => CType::int(1, true),
        "uint8_t" | "__u8" | "u8" | "uint_least8_t" | "u_char" => CType::int(1, false),
        "int16_t" | "__s16" | "s16" => CType::int(2, true),
        "uint16_t" | "__u16" | "u16" | "__be16" | "__le16" | "__sum16" | "u_short" => CType::int(2, false),
        "int32_t" | "__s32" | "s32" => CType::int(4, true),
        "uint32_t" | "__u32" | "u32" | "__be32" | "__le32" | "__wsum" | "u_int" => CType::int(4, false),
        "int64_t" | "__s64" | "s64" | "intmax_t" | "ssize_t" | "ptrdiff_t" | "intptr_t" | "off_t" => CType::int(8, true),
        "uint64_t" | "__u64" | "u64" | "__be64" | "__le64" | "uintmax_t" | "size_t" | "uintptr_t" => CType::int(8, false),
        "bool" | "_Bool" => CType::Bool,
        _ => return None,
    };
    Some(t)
}

/// The primitive spellings tree-sitter-c reports as `primitive_type`.
pub fn primitive(name: &str) -> Option<CType> {
    let t = match name {
        "void" => CType::Void,
        "char" => CType::int(1, true),
        "short" => CType::int(2, true),
        "int" => CType::int(4, true),
        "long" => CType::int(8, true),
        "float" => CType::Float { bytes: 4 },
        "double" => CType::Float { bytes: 8 },
        _ => return builtin_typedef(name),
    };
    Some(t)
}

/// `unsigned long long`, `short int`, `long double`... from the words.
pub fn sized(words: &[&str], base: Option<CType>) -> CType {
    let unsigned = words.contains(&"unsigned");
    let longs = words.iter().filter(|w| **w == "long").count();
    let short = words.contains(&"short");
    match base {
        Some(CType::Float { .. }) => return CType::Float { bytes: if longs > 0 { 16 } else { 8 } },
        Some(CType::Int { bytes: 1, .. }) => return CType::int(1, !unsigned),
        _ => {}
    }
    let bytes = if short { 2 } else if longs > 0 { 8 } else { 4 };
    CType::int(bytes, !unsigned)
}
