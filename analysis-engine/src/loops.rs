//! Dominators and natural loops of a function's CFG.

use crate::ir::*;
use crate::source::SourceFile;
use crate::syntax::Span;

pub fn successors(t: &Terminator) -> Vec<BlockId> {
    match t {
        Terminator::Goto(b) => vec![*b],
        Terminator::Branch { then_bb, else_bb, .. } => vec![*then_bb, *else_bb],
        Terminator::Switch { cases, default, .. } => {
            let mut v: Vec<BlockId> = cases.iter().map(|(_, b)| *b).collect();
            v.push(*default);
            v
        }
        Terminator::Return(_) | Terminator::Unreachable => vec![],
    }
}

/// The only block outside loop `l` that jumps to its header, if exactly
/// one does: it runs once per entry into the loop.
pub fn sole_entry(f: &Function, l: &Loop) -> Option<BlockId> {
    let mut outside = (0..f.blocks.len()).filter(|&b| !l.contains(b) && successors(&f.blocks[b].term).contains(&l.header));
    let first = outside.next()?;
    outside.next().is_none().then_some(first)
}

/// Reverse post-order of reachable blocks (iterative DFS).
pub fn reverse_postorder(f: &Function) -> Vec<BlockId> {
    let n = f.blocks.len();
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<(BlockId, usize)> = vec![(f.entry, 0)];
    seen[f.entry] = true;
    while let Some((b, i)) = stack.pop() {
        let succ = successors(&f.blocks[b].term);
        if i < succ.len() {
            stack.push((b, i + 1));
            let s = succ[i];
            if !seen[s] {
                seen[s] = true;
                stack.push((s, 0));
            }
        } else {
            order.push(b);
        }
    }
    order.reverse();
    order
}

/// Immediate dominators (Cooper, Harvey, Kennedy). `None` for unreachable.
pub fn dominators(f: &Function) -> Vec<Option<BlockId>> {
    let rpo = reverse_postorder(f);
    let mut index = vec![usize::MAX; f.blocks.len()];
    for (i, b) in rpo.iter().enumerate() {
        index[*b] = i;
    }
    let mut preds = vec![Vec::new(); f.blocks.len()];
    for &b in &rpo {
        for s in successors(&f.blocks[b].term) {
            preds[s].push(b);
        }
    }
    let mut idom: Vec<Option<BlockId>> = vec![None; f.blocks.len()];
    idom[f.entry] = Some(f.entry);
    let mut changed = true;
    while changed {
        changed = false;
        for &b in rpo.iter().skip(1) {
            let mut new: Option<BlockId> = None;
            for &p in &preds[b] {
                if idom[p].is_none() {
                    continue;
                }
                new = Some(match new {
                    None => p,
                    Some(cur) => {
                        let (mut x, mut y) = (p, cur);
                        while x != y {
                            while index[x] > index[y] {
                                x = idom[x].unwrap_or(f.entry);
                            }
                            while index[y] > index[x] {
                                y = idom[y].unwrap_or(f.entry);
                            }
                        }
                        x
                    }
                });
            }
            if new.is_some() && idom[b] != new {
                idom[b] = new;
                changed = true;
            }
        }
    }
    idom
}

pub fn dominates(idom: &[Option<BlockId>], a: BlockId, mut b: BlockId) -> bool {
    loop {
        if a == b {
            return true;
        }
        match idom[b] {
            Some(p) if p != b => b = p,
            _ => return false,
        }
    }
}

/// Find natural loops; attach the keyword span, macro origin and `@perf`
/// annotation recorded by the lowering for each loop header.
pub fn find_loops(f: &mut Function, meta: &[(BlockId, Span, Option<String>)], file: &SourceFile) {
    let idom = dominators(f);
    let rpo = reverse_postorder(f);
    let mut preds = vec![Vec::new(); f.blocks.len()];
    for &b in &rpo {
        for s in successors(&f.blocks[b].term) {
            preds[s].push(b);
        }
    }
    let mut loops: Vec<Loop> = Vec::new();
    for &b in &rpo {
        for h in successors(&f.blocks[b].term) {
            if !dominates(&idom, h, b) {
                continue;
            }
            // Natural loop of back edge b -> h.
            let mut body = vec![false; f.blocks.len()];
            body[h] = true;
            let mut stack = vec![b];
            while let Some(x) = stack.pop() {
                if !body[x] {
                    body[x] = true;
                    stack.extend(preds[x].iter().copied());
                }
            }
            let blocks: Vec<BlockId> = (0..body.len()).filter(|i| body[*i]).collect();
            if let Some(existing) = loops.iter_mut().find(|l| l.header == h) {
                let mut all = existing.blocks.clone();
                all.extend(blocks);
                all.sort_unstable();
                all.dedup();
                existing.blocks = all;
                existing.latches.push(b);
            } else {
                let (span, from_macro) = meta
                    .iter()
                    .find(|(hb, _, _)| *hb == h)
                    .map(|(_, s, m)| (*s, m.clone()))
                    .unwrap_or_else(|| (header_span(f, h), None));
                loops.push(Loop {
                    header: h,
                    blocks,
                    latches: vec![b],
                    exits: vec![],
                    parent: None,
                    depth: 1,
                    line: span.start_line,
                    keyword_span: span,
                    annotation: None,
                    from_macro,
                });
            }
        }
    }
    // Nesting: parent is the smallest strictly larger loop containing the header.
    let n = loops.len();
    for i in 0..n {
        let mut best: Option<usize> = None;
        for j in 0..n {
            if i != j && loops[j].blocks.len() > loops[i].blocks.len() && loops[j].contains(loops[i].header) {
                if best.is_none_or(|k| loops[j].blocks.len() < loops[k].blocks.len()) {
                    best = Some(j);
                }
            }
        }
        loops[i].parent = best;
    }
    for i in 0..n {
        let mut d = 1;
        let mut p = loops[i].parent;
        while let Some(k) = p {
            d += 1;
            p = loops[k].parent;
            if d > 1000 {
                break;
            }
        }
        loops[i].depth = d;
        let mut exits = Vec::new();
        for &b in &loops[i].blocks {
            for s in successors(&f.blocks[b].term) {
                if !loops[i].contains(s) {
                    exits.push((b, s));
                }
            }
        }
        loops[i].exits = exits;
        loops[i].annotation = crate::annotations::pcv_above(file, loops[i].line);
    }
    let mut by_header = vec![None; f.blocks.len()];
    for (i, l) in loops.iter().enumerate() {
        by_header[l.header] = Some(i);
    }
    f.loops = loops;
    f.loop_of_header = by_header;
}

fn header_span(f: &Function, h: BlockId) -> Span {
    let b = &f.blocks[h];
    b.insts.first().map(|i| i.span).unwrap_or(b.term_span)
}

/// A retreating edge whose target does not dominate its source: a loop
/// with several entries (goto into a loop body). Returns the target block.
pub fn irreducible_edge(f: &Function) -> Option<BlockId> {
    let idom = dominators(f);
    let rpo = reverse_postorder(f);
    let mut pos = vec![usize::MAX; f.blocks.len()];
    for (i, b) in rpo.iter().enumerate() {
        pos[*b] = i;
    }
    for &b in &rpo {
        for s in successors(&f.blocks[b].term) {
            if pos[s] <= pos[b] && !dominates(&idom, s, b) {
                return Some(s);
            }
        }
    }
    None
}
