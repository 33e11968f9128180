// Cuts one function's definition (and the helpers it needs) out of the
// Python module `perfi.exportPython` returns: a prelude of comments and
// `_helpers`, then one top-level `def NAME(...)` per C function.

/** Start offsets of the top-level `def` lines. */
function defStarts(module: string): Array<{ name: string; at: number }> {
  const out: Array<{ name: string; at: number }> = [];
  const re = /^def ([A-Za-z_][A-Za-z0-9_]*)\(/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(module)) !== null) {
    out.push({ name: m[1], at: m.index });
  }
  return out;
}

export function pythonForFunction(module: string, name: string): string | undefined {
  const defs = defStarts(module);
  const i = defs.findIndex((d) => d.name === name);
  if (i < 0) {
    return undefined;
  }
  const firstPublic = defs.find((d) => !d.name.startsWith('_'));
  const prelude = module.slice(0, firstPublic ? firstPublic.at : 0);
  const end = i + 1 < defs.length ? defs[i + 1].at : module.length;
  return `${prelude}${module.slice(defs[i].at, end).trimEnd()}\n`;
}

/** The interface text as a Python comment block. */
export function commentBlock(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.trim() === '' ? '#' : `# ${l}`))
    .join('\n');
}
