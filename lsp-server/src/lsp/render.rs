//! Projections of interfaces and layouts for the editor: hover markdown,
//! code-lens titles, inlay-hint labels. Pure functions of engine results;
//! they run on the analysis thread and return plain strings.

use perfi_engine::analysis::{FunctionInterface, Status};
use perfi_engine::interface::{Case, PcvJson};
use perfi_engine::layout::{FieldLayout, RecordLayout};
use perfi_engine::regress::Regression;

/// Short number: integers plain, fractions to one decimal, large values
/// with a k/M suffix.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "∞".into();
    }
    let a = x.abs();
    if a >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

pub fn status_text(s: &Status) -> &'static str {
    match s {
        Status::Lowered => "lowered",
        Status::Complete => "complete",
        Status::Partial => "partial",
        Status::Unsupported => "unsupported",
    }
}

fn bound_of(iface: &FunctionInterface, var: &str) -> f64 {
    iface
        .pcvs
        .iter()
        .find(|p| p.name == var)
        .and_then(|p| p.upper_bound.as_ref())
        .and_then(|b| b.trim().parse::<f64>().ok())
        .unwrap_or(f64::INFINITY)
}

/// A metric of a case at all PCVs 0 and at their upper bounds.
fn metric_range(iface: &FunctionInterface, c: &Case, metric: &str) -> Option<(f64, f64)> {
    let f = c.metrics.get(metric)?;
    let lo = f.poly.c;
    let mut hi = f.poly.c;
    for t in &f.poly.terms {
        let v: f64 = t.vars.iter().map(|n| bound_of(iface, n)).product();
        let add = if t.coeff == 0.0 { 0.0 } else { t.coeff * v };
        hi += if add.is_nan() { 0.0 } else { add };
    }
    Some((lo, hi))
}

/// (min, max) of a metric over all cases; max may be infinite.
pub fn interface_range(iface: &FunctionInterface, metric: &str) -> Option<(f64, f64)> {
    let mut out: Option<(f64, f64)> = None;
    for c in &iface.cases {
        if let Some((lo, hi)) = metric_range(iface, c, metric) {
            out = Some(match out {
                None => (lo, hi),
                Some((a, b)) => (a.min(lo), b.max(hi)),
            });
        }
    }
    out
}

fn range_text(r: (f64, f64)) -> String {
    if (r.1 - r.0).abs() < 0.5 {
        num(r.0)
    } else {
        format!("{}–{}", num(r.0), num(r.1))
    }
}

/// `≈ 181–225 instr · 3 cases · 18–27 lines`.
pub fn function_lens(iface: &FunctionInterface) -> String {
    match (&iface.status, interface_range(iface, "instructions")) {
        (_, Some(r)) => {
            let lines = interface_range(iface, "cache_lines").map(|l| format!(" · {} lines", range_text(l))).unwrap_or_default();
            let n = iface.cases.len();
            let partial = if iface.status == Status::Partial { " · partial" } else { "" };
            format!("≈ {} instr · {n} case{}{lines}{partial}", range_text(r), if n == 1 { "" } else { "s" })
        }
        (Status::Unsupported, None) => "perfi: unsupported".into(),
        (_, None) => format!("perfi: {}", iface.reason.clone().unwrap_or_else(|| status_text(&iface.status).into())),
    }
}

/// Markdown table cells cannot hold `|` or newlines.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn formula(c: &Case, k: &str) -> String {
    c.metrics.get(k).map(|f| f.text.clone()).unwrap_or_else(|| "?".into())
}

pub fn pcv_line(p: &PcvJson) -> String {
    let bound = p.upper_bound.as_ref().map(|b| format!(", ≤ {b}")).unwrap_or_default();
    format!("- `{}` — {}{bound} (line {})", p.name, p.description.replace('\n', " "), p.line)
}

/// The hover of a function: one row per input class, then the PCVs.
pub fn function_hover(iface: &FunctionInterface, hardware: &str, resolution: f64) -> String {
    let mut s = format!(
        "**{}** — {} · {} paths · {:.1} ms · resolution {} · {hardware}\n\n",
        iface.name,
        status_text(&iface.status),
        iface.paths,
        iface.analysis_ms,
        num(resolution)
    );
    if let Some(r) = &iface.reason {
        s.push_str(&format!("_{}_\n\n", r.replace('_', "\\_")));
    }
    if !iface.cases.is_empty() {
        s.push_str("| case | instructions | memory reads / writes | cycles warm / cold | cache lines |\n|---|---|---|---|---|\n");
        for c in &iface.cases {
            s.push_str(&format!(
                "| `{}` | {} | {} / {} | {} / {} | {} |\n",
                cell(&c.condition),
                cell(&formula(c, "instructions")),
                cell(&formula(c, "memory_reads")),
                cell(&formula(c, "memory_writes")),
                cell(&formula(c, "cycles_warm")),
                cell(&formula(c, "cycles_cold")),
                cell(&formula(c, "cache_lines")),
            ));
        }
        s.push('\n');
    }
    if !iface.pcvs.is_empty() {
        s.push_str("**PCVs**\n\n");
        for p in &iface.pcvs {
            s.push_str(&pcv_line(p));
            s.push('\n');
        }
        s.push('\n');
    }
    for n in &iface.notes {
        s.push_str(&format!("- note: {}\n", n.replace('\n', " ")));
    }
    s
}

/// Hover and inlay label of the loop at `line` of a function, from the
/// PCVs defined there and their coefficients in the instruction formulas.
pub fn loop_info(iface: &FunctionInterface, line: u32) -> (Option<String>, String) {
    let pcvs: Vec<&PcvJson> = iface.pcvs.iter().filter(|p| p.line == line).collect();
    if pcvs.is_empty() {
        let hover = format!("**loop at line {line}** in `{}`: no PCV — its trip count is constant (run exactly) or the loop is not on an analyzed path.", iface.name);
        return (None, hover);
    }
    let names: Vec<&str> = pcvs.iter().map(|p| p.name.as_str()).collect();
    let mut per_iter: Option<(f64, f64)> = None;
    for c in &iface.cases {
        let Some(f) = c.metrics.get("instructions") else { continue };
        for t in &f.poly.terms {
            if t.vars.len() == 1 && names.contains(&t.vars[0].as_str()) {
                per_iter = Some(match per_iter {
                    None => (t.coeff, t.coeff),
                    Some((a, b)) => (a.min(t.coeff), b.max(t.coeff)),
                });
            }
        }
    }
    let bound = pcvs.iter().find_map(|p| p.upper_bound.clone());
    let mut label = format!("× {}", names.join("+"));
    if let Some(b) = &bound {
        label.push_str(&format!(" ≤ {b}"));
    }
    if let Some(r) = per_iter {
        label.push_str(&format!(" · {} instr/iter", range_text(r)));
    }
    let mut hover = format!("**loop at line {line}** in `{}`: `{label}`\n\n", iface.name);
    for p in &pcvs {
        hover.push_str(&pcv_line(p));
        hover.push('\n');
        if let Some(d) = &p.definition {
            hover.push_str(&format!("  - defined as `{}`\n", d.replace('`', "'")));
        }
    }
    (Some(label), hover)
}

/// Inlay label and hover for a call to a function with this interface.
pub fn call_info(iface: &FunctionInterface) -> (Option<String>, String) {
    let label = interface_range(iface, "instructions").map(|(lo, hi)| {
        if hi.is_infinite() {
            format!("+≥{} instr", num(lo))
        } else {
            format!("+{} instr", range_text((lo, hi)))
        }
    });
    let mut s = format!("**call to `{}`** — {}\n\n", iface.name, function_lens(iface));
    for c in &iface.cases {
        let cond = if iface.cases.len() == 1 { "always".to_string() } else { c.condition.clone() };
        s.push_str(&format!("- `{}`: {} instructions\n", cond.replace('`', "'"), formula(c, "instructions")));
    }
    for p in &iface.pcvs {
        s.push_str(&pcv_line(p));
        s.push('\n');
    }
    (label, s)
}

pub fn struct_lens(l: &RecordLayout) -> String {
    let holes: u64 = l.holes.iter().map(|h| h.size).sum();
    let extra = if holes + l.padding > 0 { format!(" · {} B holes/padding", holes + l.padding) } else { String::new() };
    format!("size {} B · {} cache line{}{extra}", l.size, l.cache_lines, if l.cache_lines == 1 { "" } else { "s" })
}

/// `· hot: 19 fields on 3 lines (2 reordered) · 75 cases`
pub fn hot_lens(h: &perfi_engine::hotfields::StructHotness) -> String {
    let n = h.hot_fields.len();
    let better = if h.lines_saved > 0 { format!(" ({} reordered)", h.suggested_hot_lines) } else { String::new() };
    format!(" · hot: {n} field{} on {} line{}{better} · {} cases", if n == 1 { "" } else { "s" }, h.hot_lines, if h.hot_lines == 1 { "" } else { "s" }, h.cases)
}

pub fn field_text(l: &RecordLayout, f: &FieldLayout) -> String {
    let bits = match (f.bit_offset, f.bit_size) {
        (Some(b), Some(w)) => format!(", bits {b}..{} ({w} bits)", b + w),
        _ => String::new(),
    };
    let end = f.offset + f.size.max(1) - 1;
    let lines = if end / 64 != f.offset / 64 { format!("cache lines {}–{} (straddles a line boundary)", f.offset / 64, end / 64) } else { format!("cache line {}", f.line) };
    format!("`{}.{}` (`{}`): offset {}, size {}{bits} · {lines} · `{}` is {} B, {} line(s)", l.name, f.name, f.ty, f.offset, f.size, l.name, l.size, l.cache_lines)
}

pub fn regression_message(r: &Regression) -> String {
    let w: Vec<String> = r.witness.iter().map(|(k, v)| format!("{k} = {}", json_num(v))).collect();
    format!(
        "`{}` is slower than the baseline when {}: {} → {} instructions (witness: {}; was {}, now {})",
        r.function,
        r.case,
        num(r.old_instructions),
        num(r.new_instructions),
        if w.is_empty() { "any input".into() } else { w.join(", ") },
        r.old_formula,
        r.new_formula
    )
}

/// A witness value: integral floats without `.0`.
fn json_num(v: &serde_json::Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_f64() && x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        _ => v.to_string(),
    }
}
