//! Terms as C-like text: `pkt->ip.proto == 6 && len > 14`.

use crate::term::{to_signed, Op, TermId, Terms};

const MAX_LEN: usize = 160;

pub fn render(t: &Terms, id: TermId) -> String {
    let s = go(t, id, 0);
    if s.len() > MAX_LEN {
        let cut: String = s.chars().take(MAX_LEN).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// A name without the tag a summarized loop gives the values it makes:
/// `i@L53` (the value of `i` as an iteration of the loop at line 53
/// begins) is `i`, and the loop's line; `t->keys[i]@L53#2` is
/// `t->keys[i]#2`. Descriptions around such values say which loop.
pub fn split_loop_tag(name: &str) -> (String, Option<u32>) {
    let mut out = String::new();
    let mut line = None;
    let mut rest = name;
    while let Some(at) = rest.find("@L") {
        let digits: String = rest[at + 2..].chars().take_while(|c| c.is_ascii_digit()).collect();
        out.push_str(&rest[..at]);
        if digits.is_empty() {
            out.push_str("@L");
        } else if line.is_none() {
            line = digits.parse().ok();
        }
        rest = &rest[at + 2 + digits.len()..];
    }
    out.push_str(rest);
    (out, line)
}

fn prec(op: Op) -> u8 {
    match op {
        Op::BOr => 1,
        Op::BAnd => 2,
        Op::Or => 3,
        Op::Xor => 4,
        Op::And => 5,
        Op::Eq => 6,
        Op::Ult | Op::Slt | Op::Ule | Op::Sle => 7,
        Op::Shl | Op::LShr | Op::AShr => 8,
        Op::Add | Op::Sub => 9,
        Op::Mul | Op::UDiv | Op::SDiv | Op::URem | Op::SRem => 10,
        _ => 12,
    }
}

fn go(t: &Terms, id: TermId, depth: usize) -> String {
    if depth > 40 {
        return "…".into();
    }
    if let Some(alias) = t.aliases.get(&id) {
        return alias.clone();
    }
    let n = t.node(id);
    let sub = |i: usize, p: u8| -> String {
        let a = n.args[i];
        let s = go(t, a, depth + 1);
        let an = t.node(shown(t, a));
        if an.args.len() >= 2 && prec(an.op) < p && !t.aliases.contains_key(&a) {
            format!("({s})")
        } else {
            s
        }
    };
    match n.op {
        Op::Const(v) => {
            if n.width == 1 {
                return if v != 0 { "true".into() } else { "false".into() };
            }
            let s = to_signed(v, n.width);
            if s < 0 && s > -4096 {
                s.to_string()
            } else if v > 4096 && (v.count_ones() == 1 || (v + 1).count_ones() == 1 || v > 0xffff) {
                format!("{v:#x}")
            } else {
                v.to_string()
            }
        }
        Op::Sym(s) => t.syms.get(s as usize).map(|i| split_loop_tag(&i.name).0).unwrap_or_default(),
        Op::ZExt | Op::SExt | Op::Trunc => go(t, n.args[0], depth + 1),
        Op::Not => format!("~{}", sub(0, 12)),
        Op::Neg => format!("-{}", sub(0, 12)),
        Op::Bswap => format!("bswap{}({})", n.width, go(t, n.args[0], depth + 1)),
        Op::BNot => {
            let a = t.node(n.args[0]);
            let (x, y) = (a.args.first().copied(), a.args.get(1).copied());
            match (a.op, x, y) {
                (Op::Eq | Op::Ult | Op::Slt | Op::Ule | Op::Sle, Some(x), Some(y)) => compare(t, a.op, x, y, true, depth),
                _ => format!("!({})", go(t, n.args[0], depth + 1)),
            }
        }
        Op::Ite => format!("({} ? {} : {})", go(t, n.args[0], depth + 1), go(t, n.args[1], depth + 1), go(t, n.args[2], depth + 1)),
        op => {
            let p = prec(op);
            let sym = match op {
                Op::Add => "+",
                Op::Sub => "-",
                Op::Mul => "*",
                Op::UDiv | Op::SDiv => "/",
                Op::URem | Op::SRem => "%",
                Op::Shl => "<<",
                Op::LShr | Op::AShr => ">>",
                Op::And => "&",
                Op::Or => "|",
                Op::Xor => "^",
                Op::Eq => "==",
                Op::Ult | Op::Slt => "<",
                Op::Ule | Op::Sle => "<=",
                Op::BAnd => "&&",
                Op::BOr => "||",
                _ => "?",
            };
            if matches!(op, Op::Eq | Op::Ult | Op::Slt | Op::Ule | Op::Sle) {
                return compare(t, op, n.args[0], n.args[1], false, depth);
            }
            // `x + 40`, `flags & 15`: the variable first, as code is written.
            if matches!(op, Op::Add | Op::Mul | Op::And | Op::Or | Op::Xor) && t.as_const(n.args[0]).is_some() && t.as_const(n.args[1]).is_none() {
                return format!("{} {sym} {}", sub(1, p), sub(0, p + 1));
            }
            // `x + -3` reads better as `x - 3`.
            if op == Op::Add {
                if let Some(c) = t.as_const(n.args[1]) {
                    let s = to_signed(c, n.width);
                    if s < 0 {
                        return format!("{} - {}", sub(0, p), -s);
                    }
                }
            }
            // && and || chains need no inner parentheses.
            let right = if matches!(op, Op::BAnd | Op::BOr) { p } else { p + 1 };
            format!("{} {sym} {}", sub(0, p), sub(1, right))
        }
    }
}

/// The node a term is rendered as: width changes are invisible.
fn shown(t: &Terms, mut id: TermId) -> TermId {
    for _ in 0..64 {
        let n = t.node(id);
        match n.op {
            Op::ZExt | Op::SExt | Op::Trunc if !t.aliases.contains_key(&id) => id = n.args[0],
            _ => break,
        }
    }
    id
}

/// A comparison (negated when `neg`), with the constant on the right
/// (`k >= 8`, not `8 <= k`) and operands parenthesized by C precedence
/// (`(x & 15) != 4`).
fn compare(t: &Terms, op: Op, x: TermId, y: TermId, neg: bool, depth: usize) -> String {
    let (l, r, flipped) = if t.as_const(x).is_some() && t.as_const(y).is_none() { (y, x, true) } else { (x, y, false) };
    let sym = match (op, neg, flipped) {
        (Op::Eq, false, _) => "==",
        (Op::Eq, true, _) => "!=",
        (Op::Ult | Op::Slt, false, false) | (Op::Ule | Op::Sle, true, true) => "<",
        (Op::Ule | Op::Sle, false, false) | (Op::Ult | Op::Slt, true, true) => "<=",
        (Op::Ult | Op::Slt, false, true) | (Op::Ule | Op::Sle, true, false) => ">",
        _ => ">=",
    };
    if let Some(text) = packet_bound(t, l, r, sym, depth) {
        return text;
    }
    // A constant the code always wrote by one name reads by that name.
    if let Some(name) = t.as_const(r).and_then(|v| t.const_names.get(&v)).and_then(|n| n.clone()) {
        let s = go(t, l, depth + 1);
        let n = t.node(shown(t, l));
        let s = if n.args.len() >= 2 && !matches!(n.op, Op::Ite) && prec(n.op) < prec(op) && !t.aliases.contains_key(&l) { format!("({s})") } else { s };
        return format!("{s} {sym} {name}");
    }
    let p = prec(op);
    let side = |id: TermId, tight: u8| {
        let s = go(t, id, depth + 1);
        let n = t.node(shown(t, id));
        if n.args.len() >= 2 && !matches!(n.op, Op::Ite) && prec(n.op) < tight && !t.aliases.contains_key(&id) {
            format!("({s})")
        } else {
            s
        }
    };
    format!("{} {sym} {}", side(l, p), side(r, p + 1))
}

/// The XDP/TC packet bounds check `data + 14 > data_end` in words: the
/// packet (`data_end - data` bytes) is shorter than 14 bytes. Recognized
/// when one side reads `...data_end` and the other `...data + k` with the
/// same prefix (`ctx->data`, a local `data`).
fn packet_bound(t: &Terms, l: TermId, r: TermId, sym: &str, depth: usize) -> Option<String> {
    let split = |id: TermId| -> Option<(String, u128)> {
        let n = t.node(shown(t, id));
        if n.op != Op::Add {
            return None;
        }
        let k = t.as_const(n.args[1])?;
        if k == 0 || k > 1 << 20 {
            return None;
        }
        Some((go(t, n.args[0], depth + 1), k))
    };
    let same = |end: &str, start: &str| end.strip_suffix("data_end").is_some_and(|p| start.strip_suffix("data") == Some(p));
    // `end SYM start + k`, or `start + k SYM end` (mirrored).
    let (k, sym) = match (split(r), split(l)) {
        (Some((start, k)), _) if same(&go(t, l, depth + 1), &start) => (k, sym.to_string()),
        (_, Some((start, k))) if same(&go(t, r, depth + 1), &start) => {
            let mirrored = match sym {
                "<" => ">",
                ">" => "<",
                "<=" => ">=",
                ">=" => "<=",
                other => other,
            };
            (k, mirrored.to_string())
        }
        _ => return None,
    };
    Some(match sym.as_str() {
        "<" => format!("packet shorter than {k} bytes"),
        ">=" => format!("packet at least {k} bytes"),
        "<=" => format!("packet at most {k} bytes"),
        ">" => format!("packet longer than {k} bytes"),
        "==" => format!("packet exactly {k} bytes"),
        _ => format!("packet not {k} bytes"),
    })
}

/// A term as a Python expression over `inputs` (C wrap-around kept with
/// helper functions `_m`, `_s`, `_bswap`, `_i` defined in the module).
/// `None` when the term reads a value that only exists inside a loop.
pub fn render_py(t: &Terms, id: TermId) -> Option<String> {
    py(t, id, 0)
}

fn py(t: &Terms, id: TermId, depth: usize) -> Option<String> {
    if depth > 200 {
        return None;
    }
    let n = t.node(id);
    let w = n.width;
    let a = |i: usize| py(t, n.args[i], depth + 1);
    let aw = |i: usize| t.width(n.args[i]);
    Some(match n.op {
        Op::Const(v) => {
            if w == 1 {
                if v != 0 { "True".into() } else { "False".into() }
            } else {
                v.to_string()
            }
        }
        Op::Sym(s) => {
            let info = t.syms.get(s as usize)?;
            if info.kind == crate::term::SymKind::Havoc {
                return None;
            }
            format!("_i(inputs, {:?}, {})", info.name, info.width)
        }
        Op::ZExt => a(0)?,
        Op::Trunc => format!("_m({}, {w})", a(0)?),
        Op::SExt => format!("_m(_s({}, {}), {w})", a(0)?, aw(0)),
        Op::Not => format!("_m(~{}, {w})", a(0)?),
        Op::Neg => format!("_m(-{}, {w})", a(0)?),
        Op::Bswap => format!("_bswap({}, {w})", a(0)?),
        Op::BNot => format!("(not {})", a(0)?),
        Op::BAnd => format!("({} and {})", a(0)?, a(1)?),
        Op::BOr => format!("({} or {})", a(0)?, a(1)?),
        Op::Ite => format!("({} if {} else {})", a(1)?, a(0)?, a(2)?),
        Op::Eq => format!("({} == {})", a(0)?, a(1)?),
        Op::Ult => format!("({} < {})", a(0)?, a(1)?),
        Op::Ule => format!("({} <= {})", a(0)?, a(1)?),
        Op::Slt => format!("(_s({}, {x}) < _s({}, {x}))", a(0)?, a(1)?, x = aw(0)),
        Op::Sle => format!("(_s({}, {x}) <= _s({}, {x}))", a(0)?, a(1)?, x = aw(0)),
        Op::Add => format!("_m({} + {}, {w})", a(0)?, a(1)?),
        Op::Sub => format!("_m({} - {}, {w})", a(0)?, a(1)?),
        Op::Mul => format!("_m({} * {}, {w})", a(0)?, a(1)?),
        Op::UDiv => format!("_div({}, {})", a(0)?, a(1)?),
        Op::URem => format!("_rem({}, {})", a(0)?, a(1)?),
        Op::SDiv => format!("_m(_sdiv(_s({}, {w}), _s({}, {w})), {w})", a(0)?, a(1)?),
        Op::SRem => format!("_m(_srem(_s({}, {w}), _s({}, {w})), {w})", a(0)?, a(1)?),
        Op::Shl => format!("_m({} << {}, {w})", a(0)?, a(1)?),
        Op::LShr => format!("({} >> {})", a(0)?, a(1)?),
        Op::AShr => format!("_m(_s({}, {w}) >> {}, {w})", a(0)?, a(1)?),
        Op::And => format!("({} & {})", a(0)?, a(1)?),
        Op::Or => format!("({} | {})", a(0)?, a(1)?),
        Op::Xor => format!("({} ^ {})", a(0)?, a(1)?),
    })
}
