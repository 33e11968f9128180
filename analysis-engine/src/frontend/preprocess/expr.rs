//! `#if` expressions: intmax_t / uintmax_t arithmetic over tokens that are
//! already macro-expanded (`defined` and `__has_*` already replaced by
//! numbers). Identifiers left are 0. Errors are messages, never panics;
//! division by zero in an evaluated operand is an error, in a skipped one
//! (`0 && 1/0`) it is not.

use super::lexer::{Kind, Tok};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Val {
    pub v: i64,
    pub unsigned: bool,
}

impl Val {
    fn s(v: i64) -> Val {
        Val { v, unsigned: false }
    }
    fn truth(self) -> bool {
        self.v != 0
    }
}

struct P<'a> {
    t: &'a [Tok],
    i: usize,
    depth: usize,
    max_depth: usize,
}

pub fn eval(toks: &[Tok], max_depth: usize) -> Result<Val, String> {
    if toks.is_empty() {
        return Err("#if with no expression".into());
    }
    let mut p = P { t: toks, i: 0, depth: 0, max_depth };
    let v = p.cond(true)?;
    if let Some(t) = p.t.get(p.i) {
        return Err(format!("missing binary operator before token \"{}\"", String::from_utf8_lossy(&t.text)));
    }
    Ok(v)
}

pub fn parse_int(text: &[u8]) -> Result<Val, String> {
    let s = text;
    let mut end = s.len();
    while end > 0 && matches!(s[end - 1], b'u' | b'U' | b'l' | b'L') {
        end -= 1;
    }
    let suffix = &s[end..];
    let unsigned_suffix = suffix.iter().any(|c| *c == b'u' || *c == b'U');
    let digits: Vec<u8> = s[..end].iter().copied().filter(|c| *c != b'\'').collect();
    let (radix, body) = if digits.len() > 2 && (digits.starts_with(b"0x") || digits.starts_with(b"0X")) {
        (16, &digits[2..])
    } else if digits.len() > 2 && (digits.starts_with(b"0b") || digits.starts_with(b"0B")) {
        (2, &digits[2..])
    } else if digits.len() > 1 && digits[0] == b'0' {
        (8, &digits[1..])
    } else {
        (10, &digits[..])
    };
    if suffix.len() > 3 || body.is_empty() && radix != 8 {
        return Err(format!("invalid integer constant \"{}\" in #if", String::from_utf8_lossy(s)));
    }
    let mut v: u64 = 0;
    for &c in body {
        let d = (c as char).to_digit(radix).ok_or_else(|| {
            format!("invalid integer constant \"{}\" in #if", String::from_utf8_lossy(s))
        })?;
        v = v.checked_mul(radix as u64).and_then(|v| v.checked_add(d as u64)).ok_or("integer constant is too large")?;
    }
    Ok(Val { v: v as i64, unsigned: unsigned_suffix || v > i64::MAX as u64 })
}

/// Value of a character constant (`'a'`, `'\n'`, `'\x41'`, `L'x'`,
/// multi-character constants as gcc computes them; plain char is signed).
pub fn parse_char(text: &[u8]) -> Result<Val, String> {
    let wide = !text.starts_with(b"'");
    let q = text.iter().position(|c| *c == b'\'').ok_or("bad character constant")?;
    let inner = text.get(q + 1..text.len().saturating_sub(1)).unwrap_or(&[]);
    let mut vals = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c != b'\\' {
            vals.push(c as u32);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&e) = inner.get(i) else { break };
        i += 1;
        let v = match e {
            b'n' => 10,
            b't' => 9,
            b'r' => 13,
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'e' | b'E' => 27,
            b'x' => {
                let mut v: u32 = 0;
                while let Some(d) = inner.get(i).and_then(|c| (*c as char).to_digit(16)) {
                    v = v.wrapping_mul(16).wrapping_add(d);
                    i += 1;
                }
                v
            }
            b'0'..=b'7' => {
                let mut v = (e - b'0') as u32;
                let mut n = 1;
                while n < 3 {
                    match inner.get(i) {
                        Some(c @ b'0'..=b'7') => {
                            v = v * 8 + (c - b'0') as u32;
                            i += 1;
                            n += 1;
                        }
                        _ => break,
                    }
                }
                v
            }
            other => other as u32,
        };
        vals.push(v);
    }
    if vals.is_empty() {
        return Err("empty character constant".into());
    }
    if wide {
        return Ok(Val::s(*vals.last().unwrap_or(&0) as i32 as i64));
    }
    if vals.len() == 1 {
        return Ok(Val::s(vals[0] as u8 as i8 as i64));
    }
    let mut v: i32 = 0;
    for c in vals {
        v = v.wrapping_shl(8) | (c as u8 as i32);
    }
    Ok(Val::s(v as i64))
}

fn arith(a: Val, b: Val) -> bool {
    a.unsigned || b.unsigned
}

impl P<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn eat(&mut self, s: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_punct(s)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err("#if expression nested too deeply".into());
        }
        Ok(())
    }

    fn cond(&mut self, ev: bool) -> Result<Val, String> {
        self.enter()?;
        let c = self.binary(0, ev)?;
        let r = if self.eat("?") {
            let a = self.comma(ev && c.truth())?;
            if !self.eat(":") {
                return Err("'?' without following ':' in #if".into());
            }
            let b = self.cond(ev && !c.truth())?;
            let u = arith(a, b);
            let v = if c.truth() { a.v } else { b.v };
            Val { v, unsigned: u }
        } else {
            c
        };
        self.depth -= 1;
        Ok(r)
    }

    fn comma(&mut self, ev: bool) -> Result<Val, String> {
        let mut v = self.cond(ev)?;
        while self.eat(",") {
            v = self.cond(ev)?;
        }
        Ok(v)
    }

    fn binary(&mut self, min_prec: u8, ev: bool) -> Result<Val, String> {
        self.enter()?;
        let mut lhs = self.unary(ev)?;
        while let Some(t) = self.peek() {
            if t.kind != Kind::Punct {
                break;
            }
            let op: &[u8] = &t.text;
            let prec = match op {
                b"||" => 1,
                b"&&" => 2,
                b"|" => 3,
                b"^" => 4,
                b"&" => 5,
                b"==" | b"!=" => 6,
                b"<" | b">" | b"<=" | b">=" => 7,
                b"<<" | b">>" => 8,
                b"+" | b"-" => 9,
                b"*" | b"/" | b"%" => 10,
                _ => break,
            };
            if prec < min_prec {
                break;
            }
            let op = op.to_vec();
            self.i += 1;
            let rev = match &op[..] {
                b"&&" => ev && lhs.truth(),
                b"||" => ev && !lhs.truth(),
                _ => ev,
            };
            let rhs = self.binary(prec + 1, rev)?;
            lhs = apply(&op, lhs, rhs, ev)?;
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self, ev: bool) -> Result<Val, String> {
        self.enter()?;
        let t = self.peek().cloned().ok_or("#if expression ends too early")?;
        self.i += 1;
        let r = match t.kind {
            Kind::Number => parse_int(&t.text)?,
            Kind::Char => parse_char(&t.text)?,
            Kind::Ident => Val::s(0),
            Kind::Punct => match &t.text[..] {
                b"(" => {
                    let v = self.comma(ev)?;
                    if !self.eat(")") {
                        return Err("missing ')' in #if expression".into());
                    }
                    v
                }
                b"+" => self.unary(ev)?,
                b"-" => {
                    let v = self.unary(ev)?;
                    Val { v: v.v.wrapping_neg(), unsigned: v.unsigned }
                }
                b"~" => {
                    let v = self.unary(ev)?;
                    Val { v: !v.v, unsigned: v.unsigned }
                }
                b"!" => Val::s(!self.unary(ev)?.truth() as i64),
                _ => {
                    return Err(format!(
                        "token \"{}\" is not valid in preprocessor expressions",
                        String::from_utf8_lossy(&t.text)
                    ))
                }
            },
            _ => {
                return Err(format!(
                    "token \"{}\" is not valid in preprocessor expressions",
                    String::from_utf8_lossy(&t.text)
                ))
            }
        };
        self.depth -= 1;
        Ok(r)
    }
}

fn apply(op: &[u8], a: Val, b: Val, ev: bool) -> Result<Val, String> {
    let u = arith(a, b);
    let (x, y) = (a.v, b.v);
    let cmp = |r: bool| Ok(Val::s(r as i64));
    match op {
        b"||" => cmp(a.truth() || b.truth()),
        b"&&" => cmp(a.truth() && b.truth()),
        b"|" => Ok(Val { v: x | y, unsigned: u }),
        b"^" => Ok(Val { v: x ^ y, unsigned: u }),
        b"&" => Ok(Val { v: x & y, unsigned: u }),
        b"==" => cmp(x == y),
        b"!=" => cmp(x != y),
        b"<" => cmp(if u { (x as u64) < (y as u64) } else { x < y }),
        b">" => cmp(if u { (x as u64) > (y as u64) } else { x > y }),
        b"<=" => cmp(if u { (x as u64) <= (y as u64) } else { x <= y }),
        b">=" => cmp(if u { (x as u64) >= (y as u64) } else { x >= y }),
        b"<<" | b">>" => {
            let left = (op == b"<<") == (b.unsigned || y >= 0);
            let n = if b.unsigned || y >= 0 { (y as u64).min(64) } else { (y as u64).wrapping_neg().min(64) } as u32;
            let v = if left {
                if n >= 64 { 0 } else { ((x as u64) << n) as i64 }
            } else if a.unsigned {
                if n >= 64 { 0 } else { ((x as u64) >> n) as i64 }
            } else if n >= 64 {
                if x < 0 { -1 } else { 0 }
            } else {
                x >> n
            };
            Ok(Val { v, unsigned: a.unsigned })
        }
        b"+" => Ok(Val { v: x.wrapping_add(y), unsigned: u }),
        b"-" => Ok(Val { v: x.wrapping_sub(y), unsigned: u }),
        b"*" => Ok(Val { v: x.wrapping_mul(y), unsigned: u }),
        b"/" | b"%" => {
            if y == 0 {
                if ev {
                    return Err("division by zero in #if".into());
                }
                return Ok(Val { v: 0, unsigned: u });
            }
            let v = match (op, u) {
                (b"/", true) => ((x as u64) / (y as u64)) as i64,
                (b"/", false) => x.wrapping_div(y),
                (_, true) => ((x as u64) % (y as u64)) as i64,
                (_, false) => x.wrapping_rem(y),
            };
            Ok(Val { v, unsigned: u })
        }
        _ => Err("unknown operator in #if".into()),
    }
}
