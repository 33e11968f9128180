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

/// The instruction formula of a case as a tangent at all variables = 1:
/// `(constant, [(variable, slope)])`, with `constant + Σ slope` the cost
/// at 1 (exact for a linear formula: its constant and coefficients).
fn tangent_at_one(c: &Case, metric: &str) -> Option<(f64, Vec<(String, f64)>)> {
    let f = c.metrics.get(metric)?;
    let mut at_one = f.poly.c;
    let mut slopes: Vec<(String, f64)> = Vec::new();
    for t in &f.poly.terms {
        at_one += t.coeff;
        let mut seen: Vec<&str> = Vec::new();
        for v in &t.vars {
            if seen.contains(&v.as_str()) {
                continue;
            }
            seen.push(v);
            // d/dv of coeff·v^k·(others) at 1 is coeff·k.
            let k = t.vars.iter().filter(|x| *x == v).count() as f64;
            match slopes.iter_mut().find(|(n, _)| n == v) {
                Some((_, s)) => *s += t.coeff * k,
                None => slopes.push((v.clone(), t.coeff * k)),
            }
        }
    }
    let konst = at_one - slopes.iter().map(|(_, s)| s).sum::<f64>();
    Some((konst, slopes))
}

/// A lens number: whole from 10 up (the lens is a glance; the hover has
/// the formulas), else one decimal.
fn lens_num(x: f64) -> String {
    if x.is_finite() && x.abs() >= 10.0 && x.abs() < 1e4 {
        format!("{}", x.round() as i64)
    } else {
        num(x)
    }
}

fn lens_range(r: (f64, f64)) -> String {
    let (a, b) = (lens_num(r.0), lens_num(r.1));
    if a == b {
        a
    } else {
        format!("{a}–{b}")
    }
}

/// `136 + 27·c` (a range per number when cases differ): the cost at all
/// PCVs = 1 spelled as a constant plus a slope per unit of each PCV, over
/// all cases. Finite whatever the bounds; at most three PCVs by slope.
pub fn lens_formula(iface: &FunctionInterface, metric: &str) -> Option<String> {
    let mut konst: Option<(f64, f64)> = None;
    let mut slopes: Vec<(String, f64, f64)> = Vec::new();
    for c in &iface.cases {
        let Some((k, ss)) = tangent_at_one(c, metric) else { continue };
        konst = Some(konst.map_or((k, k), |(a, b)| (a.min(k), b.max(k))));
        for (n, s) in ss {
            if s.abs() < 0.05 || !s.is_finite() {
                continue;
            }
            match slopes.iter_mut().find(|(m, _, _)| *m == n) {
                Some((_, a, b)) => {
                    *a = a.min(s);
                    *b = b.max(s);
                }
                None => slopes.push((n, s, s)),
            }
        }
    }
    let (klo, khi) = konst?;
    if !klo.is_finite() || !khi.is_finite() {
        return None;
    }
    slopes.sort_by(|x, y| y.2.abs().partial_cmp(&x.2.abs()).unwrap_or(std::cmp::Ordering::Equal));
    let mut s = lens_range((klo.max(0.0), khi.max(0.0)));
    for (n, a, b) in slopes.iter().take(3) {
        if *b < 0.0 {
            s.push_str(&format!(" − {}·{n}", lens_range((-*b, -*a))));
        } else {
            s.push_str(&format!(" + {}·{n}", lens_range((*a, *b))));
        }
    }
    if slopes.len() > 3 {
        s.push_str(" + …");
    }
    Some(s)
}

/// `≈ 136 + 27·c instr · 3 cases · 18–27 lines`: the cost at PCVs = 1 and
/// the slope per unit of each PCV (the unbounded worst case, ∞, is only in
/// the hover, which names the PCV without a bound).
pub fn function_lens(iface: &FunctionInterface) -> String {
    match (&iface.status, lens_formula(iface, "instructions")) {
        (_, Some(f)) => {
            let lines = lens_formula(iface, "cache_lines").map(|l| format!(" · {l} lines")).unwrap_or_default();
            let n = iface.cases.len();
            let partial = if iface.status == Status::Partial { " · partial" } else { "" };
            let source = match iface.cost_source {
                perfi_engine::analysis::CostSource::MachineCode => " · machine code",
                perfi_engine::analysis::CostSource::Model => " · model",
            };
            format!("≈ {f} instr · {n} case{}{lines}{partial}{source}", if n == 1 { "" } else { "s" })
        }
        (Status::Unsupported, None) => "perfi: unsupported".into(),
        (_, None) => format!("perfi: {}", iface.reason.clone().unwrap_or_else(|| status_text(&iface.status).into())),
    }
}

/// PCVs with no upper bound that occur in some case's instruction formula.
fn unbounded_pcvs(iface: &FunctionInterface) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for c in &iface.cases {
        let Some(f) = c.metrics.get("instructions") else { continue };
        for t in &f.poly.terms {
            for v in &t.vars {
                if bound_of(iface, v).is_infinite() && !out.contains(&v.as_str()) {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// Text for markdown: characters that would start emphasis, code, links,
/// HTML or a table cell are escaped.
pub fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                o.push('\\');
                o.push(ch);
            }
            '\n' => o.push(' '),
            _ => o.push(ch),
        }
    }
    o
}

/// A code span holding `s` (backticks inside become `'`).
pub fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'").replace('\n', " "))
}

/// A code span in a markdown table cell: `|` escaped, which GitHub and
/// VS Code honour inside code spans.
fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

fn formula(c: &Case, k: &str) -> String {
    c.metrics.get(k).map(|f| f.text.clone()).unwrap_or_else(|| "?".into())
}

pub fn pcv_line(p: &PcvJson) -> String {
    let bound = p.upper_bound.as_ref().map(|b| format!(", ≤ {}", code(b))).unwrap_or_else(|| ", no upper bound".into());
    format!("- {} — {}{bound} (line {})", code(&p.name), md_escape(&p.description), p.line)
}

/// The hover of a function: one row per input class, then the PCVs.
pub fn function_hover(iface: &FunctionInterface, hardware: &str, resolution: f64) -> String {
    let mut s = format!(
        "**{}** — {} · {} paths · {:.1} ms · resolution {} · {}\n\n",
        code(&iface.name),
        status_text(&iface.status),
        iface.paths,
        iface.analysis_ms,
        num(resolution),
        md_escape(hardware)
    );
    if let Some(r) = &iface.reason {
        s.push_str(&format!("{}\n\n", md_escape(r)));
    }
    let source = match iface.cost_source {
        perfi_engine::analysis::CostSource::MachineCode => "costs from the machine code (system compiler, -O2)".to_string(),
        perfi_engine::analysis::CostSource::Model => "costs from the IR cost model".to_string(),
    };
    match &iface.cost_source_note {
        Some(n) => s.push_str(&format!("Costs: {} — {}.\n\n", md_escape(&source), md_escape(n))),
        None => s.push_str(&format!("Costs: {}.\n\n", md_escape(&source))),
    }
    if let Some(f) = lens_formula(iface, "instructions") {
        s.push_str(&format!("{} instructions (the slope per unit of each PCV, taken at PCVs = 1)", code(&format!("≈ {f}"))));
        let unbounded = unbounded_pcvs(iface);
        if let Some((lo, hi)) = interface_range(iface, "instructions") {
            if unbounded.is_empty() {
                s.push_str(&format!("; {}–{} over all cases with the PCVs at their bounds", num(lo), num(hi)));
            } else {
                let names: Vec<String> = unbounded.iter().map(|n| code(n)).collect();
                s.push_str(&format!("; from {} up to ∞: {} {} no upper bound", num(lo), names.join(", "), if names.len() == 1 { "has" } else { "have" }));
            }
        }
        s.push_str(".\n\n");
    }
    if !iface.cases.is_empty() {
        s.push_str("| case | instructions | memory reads / writes | cycles warm / cold | cache lines |\n|---|---|---|---|---|\n");
        for c in &iface.cases {
            s.push_str(&format!(
                "| {} | {} | {} / {} | {} / {} | {} |\n",
                cell_code(&c.condition),
                cell_code(&formula(c, "instructions")),
                cell_code(&formula(c, "memory_reads")),
                cell_code(&formula(c, "memory_writes")),
                cell_code(&formula(c, "cycles_warm")),
                cell_code(&formula(c, "cycles_cold")),
                cell_code(&formula(c, "cache_lines")),
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
        s.push_str(&format!("- note: {}\n", md_escape(n)));
    }
    s
}

/// Hover and inlay label of the loop at `line` of a function, from the
/// PCVs defined there and their coefficients in the instruction formulas.
pub fn loop_info(iface: &FunctionInterface, line: u32) -> (Option<String>, String) {
    let pcvs: Vec<&PcvJson> = iface.pcvs.iter().filter(|p| p.line == line).collect();
    if pcvs.is_empty() {
        let hover = format!("**loop at line {line}** in {}: no PCV — its trip count is constant (run exactly) or the loop is not on an analyzed path.", code(&iface.name));
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
    let mut hover = format!("**loop at line {line}** in {}: {}\n\n", code(&iface.name), code(&label));
    for p in &pcvs {
        hover.push_str(&pcv_line(p));
        hover.push('\n');
        if let Some(d) = &p.definition {
            hover.push_str(&format!("  - defined as {}\n", code(d)));
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
    let mut s = format!("**call to {}** — {}\n\n", code(&iface.name), md_escape(&function_lens(iface)));
    for c in &iface.cases {
        let cond = if iface.cases.len() == 1 { "always".to_string() } else { c.condition.clone() };
        s.push_str(&format!("- {}: {} instructions\n", code(&cond), code(&formula(c, "instructions"))));
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

/// The regressions of one function, the largest slowdown first (ties:
/// the larger relative slowdown, then the condition's text).
pub fn by_slowdown(regs: &[Regression]) -> Vec<&Regression> {
    let mut v: Vec<&Regression> = regs.iter().collect();
    let d = |r: &Regression| r.new_instructions - r.old_instructions;
    let rel = |r: &Regression| if r.old_instructions > 0.0 { r.new_instructions / r.old_instructions } else { f64::INFINITY };
    v.sort_by(|a, b| {
        d(b).partial_cmp(&d(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(rel(b).partial_cmp(&rel(a)).unwrap_or(std::cmp::Ordering::Equal))
            .then(a.case.cmp(&b.case))
    });
    v
}

/// One input class that got slower: `when `C`: 136 → 163 instructions
/// (witness: ...; was `F`, now `G`)`. Conditions and formulas are code
/// spans, so the text reads the same as markdown and as plain text.
pub fn regression_class(r: &Regression) -> String {
    let w: Vec<String> = r.witness.iter().map(|(k, v)| format!("{k} = {}", json_num(v))).collect();
    format!(
        "when {}: {} → {} instructions (witness: {}; was {}, now {})",
        code(&r.case),
        num(r.old_instructions),
        num(r.new_instructions),
        if w.is_empty() { "any input".into() } else { code(&w.join(", ")) },
        code(&r.old_formula),
        code(&r.new_formula)
    )
}

/// The one warning of a function: its largest slowdown, and how many other
/// input classes got slower (they go into related information).
pub fn regression_summary(regs: &[&Regression]) -> Option<String> {
    let first = regs.first()?;
    let mut s = format!("{} is slower than the baseline {}", code(&first.function), regression_class(first));
    match regs.len() {
        1 => {}
        2 => s.push_str(" — and 1 more input class"),
        n => s.push_str(&format!(" — and {} more input classes", n - 1)),
    }
    Some(s)
}

/// The slower input classes as a hover section (markdown).
pub fn regressions_hover(regs: &[&Regression]) -> String {
    if regs.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "**Slower than the baseline** in {} input class{}, the largest slowdown first:\n\n",
        regs.len(),
        if regs.len() == 1 { "" } else { "es" }
    );
    for r in regs {
        s.push_str(&format!("- {}\n", regression_class(r)));
    }
    s.push('\n');
    s
}

/// A witness value: integral floats without `.0`.
fn json_num(v: &serde_json::Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_f64() && x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        _ => v.to_string(),
    }
}
