//! Projections of interfaces: text (reads like PIX's interfaces), JSON
//! values, and an executable Python interface.

use crate::analysis::FunctionInterface;
use crate::exec::render::render_py;
use crate::exec::state::Atom;
use crate::exec::vars::VarKey;
use crate::interface::{all_metric_names, Case};
use crate::poly::{fmt_num, Poly};

pub fn text(file: &str, f: &FunctionInterface, resolution: f64) -> String {
    text_with(file, f, resolution, None)
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// Lines per object, e.g. `lines by object: *st 3 (4 unaligned), *pkt 1; 256 bytes`.
pub fn footprint_summary(c: &Case) -> String {
    let fp = &c.footprint;
    let objs: Vec<String> = fp
        .objects
        .iter()
        .map(|o| if o.lines.text == o.lines_unaligned.text { format!("{} {}", o.object, o.lines.text) } else { format!("{} {} ({} unaligned)", o.object, o.lines.text, o.lines_unaligned.text) })
        .collect();
    if objs.is_empty() {
        return "lines by object: none".into();
    }
    format!("lines by object: {}; bytes = {}", objs.join(", "), fp.bytes.text)
}

/// Text with the working-set cliffs of the hardware model `hw`.
pub fn text_with(file: &str, f: &FunctionInterface, resolution: f64, hw: Option<&crate::config::Hardware>) -> String {
    let mut s = format!(
        "{}  {}:{}-{}  {} · {} paths · {:.1} ms · resolution {}{}\n",
        f.name,
        file,
        f.range.start_line,
        f.range.end_line,
        match &f.reason {
            Some(r) => r.clone(),
            None => format!("{:?}", f.status).to_lowercase(),
        },
        f.paths,
        f.analysis_ms,
        fmt_num(resolution),
        match (f.cost_source, &f.cost_source_note) {
            // Said when a compile was asked for (CLI, server); a library
            // caller that never compiles gets the plain header.
            (crate::machine::CostSource::MachineCode, _) => " · costs: machine code".to_string(),
            (_, Some(n)) => format!(" · costs: model ({n})"),
            (_, None) => String::new(),
        }
    );
    if !f.pcvs.is_empty() {
        s.push_str("  PCVs:\n");
        for p in &f.pcvs {
            let bound = p.upper_bound.as_ref().map(|b| format!(", ≤ {b}")).unwrap_or_default();
            s.push_str(&format!("    {:<10} {} (line {}{bound})\n", p.name, p.description, p.line));
        }
    }
    for (i, c) in f.cases.iter().enumerate() {
        let kw = if f.cases.len() == 1 { "always" } else if i == 0 { "if" } else { "elif" };
        if kw == "always" {
            s.push_str("  always:\n");
        } else {
            s.push_str(&format!("  {kw} {}:\n", c.condition));
        }
        s.push_str(&format!("      {}\n", case_summary(c)));
        s.push_str(&format!("      {}\n", footprint_summary(c)));
    }
    // The case whose working set grows fastest with the state decides
    // where the cache overflows.
    let worst = f.cases.iter().filter_map(|c| c.footprint.cliffs.as_ref().map(|k| (c, k))).max_by(|a, b| a.1.lines_per_entry.total_cmp(&b.1.lines_per_entry));
    if let (Some((c, k)), Some(hw)) = (worst, hw) {
        if k.lines_per_entry > 0.0 {
            let cond = if f.cases.len() == 1 { "always".to_string() } else { c.condition.clone() };
            s.push_str(&format!("  cliffs (case `{}`, PCVs at {}): {}\n", short(&cond, 80), fmt_num(k.pcvs_at), crate::cliffs::describe(k, hw)));
        }
    }
    for sf in &f.secret_findings {
        s.push_str(&format!("  secret-dependent {} at line {} in {}: {} ({})\n", sf.kind, sf.line, sf.function, sf.expr, sf.chain.join(" → ")));
    }
    for n in &f.notes {
        s.push_str(&format!("  note: {n}\n"));
    }
    if f.resolutions.len() > 1 {
        let r: Vec<String> = f.resolutions.iter().map(|x| fmt_num(*x)).collect();
        s.push_str(&format!("  resolutions where the interface changes: {}\n", r.join(", ")));
    }
    s
}

pub fn case_summary(c: &Case) -> String {
    let g = |k: &str| c.metrics.get(k).map(|f| f.text.clone()).unwrap_or_default();
    format!(
        "instructions = {}; reads = {}; writes = {}; cycles = {} warm / {} cold; lines = {}",
        g("instructions"),
        g("memory_reads"),
        g("memory_writes"),
        g("cycles_warm"),
        g("cycles_cold"),
        g("cache_lines")
    )
}

pub fn json(f: &FunctionInterface) -> serde_json::Value {
    let mut v = serde_json::to_value(f).unwrap_or(serde_json::Value::Null);
    if let Some(cases) = v.get_mut("cases").and_then(|c| c.as_array_mut()) {
        for (c, case) in cases.iter_mut().zip(&f.cases) {
            if let Some(obj) = c.as_object_mut() {
                obj.remove("metrics");
                for (k, formula) in &case.metrics {
                    obj.insert(k.clone(), serde_json::to_value(formula).unwrap_or_default());
                }
            }
        }
    }
    v
}

pub const PY_PRELUDE: &str = r#"# Performance interfaces generated by perfi. Each function takes the same
# inputs as the C function, as a dict keyed by the access paths used in the
# conditions ("pkt->ip.protocol"), and the PCVs as keyword arguments; it
# returns the metrics of the matching case. `loop_exits` optionally says how
# each summarized loop was left ({line: "when its condition fails"}).

def _m(x, w):
    return x & ((1 << w) - 1)

def _s(x, w):
    x = _m(x, w)
    return x - (1 << w) if x >> (w - 1) else x

def _bswap(x, w):
    return int.from_bytes(_m(x, w).to_bytes(w // 8, "little"), "big")

def _div(a, b):
    return a // b if b else 0

def _rem(a, b):
    return a % b if b else 0

def _sdiv(a, b):
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q

def _srem(a, b):
    return a - _sdiv(a, b) * b if b else 0

def _i(inputs, name, w):
    if name not in inputs:
        raise KeyError("input %r is needed by this case" % name)
    return _m(inputs[name], w)

"#;

fn py_ident(name: &str) -> String {
    let mut s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if s.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

fn py_poly(p: &Poly, var: &dyn Fn(u32) -> String) -> String {
    let mut parts = vec![format!("{}", p.c)];
    for (k, c) in &p.terms {
        let vs: Vec<String> = k.iter().map(|v| var(*v)).collect();
        parts.push(format!("{c} * {}", vs.join(" * ")));
    }
    parts.join(" + ")
}

pub fn python(f: &FunctionInterface) -> String {
    let Some(d) = &f.details else { return String::new() };
    let mut s = format!("def {}(inputs, loop_exits=None, **pcvs):\n", py_ident(&f.name));
    s.push_str(&format!("    \"\"\"{} ({:?}, {} paths).\"\"\"\n", f.name, f.status, f.paths));
    s.push_str("    loop_exits = loop_exits or {}\n");
    let var = |v: u32| format!("_v{v}");
    let used: std::collections::BTreeSet<u32> = f.cases.iter().flat_map(|c| c.polys.iter().flat_map(|p| p.vars())).collect();
    for v in &used {
        let Some(info) = d.vars.list.get(*v as usize) else { continue };
        let default = match (&info.key, info.def_term.and_then(|t| render_py(&d.terms, t))) {
            (VarKey::Counted { .. } | VarKey::CallArg { .. }, Some(expr)) => format!("_s({expr}, 64)"),
            _ => "0".into(),
        };
        s.push_str(&format!("    _v{v} = pcvs[{:?}] if {:?} in pcvs else {default}  # {}\n", info.name, info.name, info.description.replace('\n', " ")));
    }
    let names = all_metric_names();
    for c in &f.cases {
        let mut alts = Vec::new();
        for atoms in &c.path_atoms {
            let mut conj = Vec::new();
            for a in atoms {
                match a {
                    Atom::Cond(t) => {
                        if let Some(e) = render_py(&d.terms, *t) {
                            conj.push(e);
                        }
                    }
                    Atom::LoopExit { line, how, .. } => conj.push(format!("loop_exits.get({line}, {how:?}) == {how:?}")),
                    Atom::LoopSkipped { .. } => {}
                }
            }
            alts.push(if conj.is_empty() { "True".to_string() } else { conj.join(" and ") });
        }
        s.push_str(&format!("    # {}\n", c.condition.replace('\n', " ")));
        s.push_str(&format!("    if ({}):\n", alts.join(") or (")));
        let mut fields: Vec<String> = c.polys.iter().enumerate().map(|(k, p)| format!("{:?}: {}", names[k], py_poly(p, &var))).collect();
        let objs: Vec<String> = c.footprint.path.objs.iter().map(|o| format!("{:?}: {}", o.object, py_poly(&o.lines, &var))).collect();
        fields.push(format!("\"cache_lines_unaligned\": {}", py_poly(&c.footprint.path.total_unaligned(), &var)));
        fields.push(format!("\"cache_lines_by_object\": {{{}}}", objs.join(", ")));
        s.push_str(&format!("        return {{{}}}\n", fields.join(", ")));
    }
    s.push_str("    raise ValueError(\"no case of this interface matches these inputs\")\n\n");
    s
}
