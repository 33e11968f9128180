// The function at the cursor, from the server's code lenses: each function
// lens sits on the function's name and carries [uri, name] as arguments.

export interface FunctionMark {
  name: string;
  /** 0-based line of the function's name. */
  line: number;
}

/** Function lenses of a textDocument/codeLens answer (struct lenses have no command). */
export function functionMarks(lenses: unknown): FunctionMark[] {
  if (!Array.isArray(lenses)) {
    return [];
  }
  const out: FunctionMark[] = [];
  for (const l of lenses) {
    const lens = l as { range?: { start?: { line?: unknown } }; command?: { command?: unknown; arguments?: unknown[] } };
    const line = lens.range?.start?.line;
    const args = lens.command?.arguments;
    if (lens.command?.command === 'perfi.showInterface' && typeof line === 'number' && Array.isArray(args) && typeof args[1] === 'string') {
      out.push({ name: args[1], line });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/**
 * The last function whose name is at or above `line`: functions do not
 * nest in C, so that is the only one that can contain the cursor. The
 * caller checks the function's range (from its interface) to rule out a
 * cursor below its end.
 */
export function functionAtLine(marks: FunctionMark[], line: number): FunctionMark | undefined {
  let best: FunctionMark | undefined;
  for (const m of marks) {
    if (m.line <= line) {
      best = m;
    }
  }
  return best;
}

/** Whether a 0-based line lies in a 1-based inclusive range. */
export function inRange(line0: number, startLine1: number, endLine1: number): boolean {
  return line0 + 1 >= startLine1 && line0 + 1 <= endLine1;
}
