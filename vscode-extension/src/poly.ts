// Polynomials as the server sends them (DESIGN.md §6):
// {"const": c, "terms": [{"coeff": k, "vars": ["c_a", "c_a", "n"]}]},
// a variable repeated in `vars` is a power.

export interface Term {
  coeff: number;
  vars: string[];
}

export interface Poly {
  const: number;
  terms: Term[];
}

export class PolyError extends Error {}

/** Checks the shape of a value received over the wire. */
export function asPoly(v: unknown, what: string): Poly {
  if (typeof v !== 'object' || v === null) {
    throw new PolyError(`${what}: not a polynomial object`);
  }
  const o = v as Record<string, unknown>;
  if (typeof o.const !== 'number' || !Number.isFinite(o.const)) {
    throw new PolyError(`${what}: "const" is not a finite number`);
  }
  if (!Array.isArray(o.terms)) {
    throw new PolyError(`${what}: "terms" is not an array`);
  }
  const terms = o.terms.map((t, i) => {
    const tt = t as Record<string, unknown>;
    if (typeof tt !== 'object' || tt === null || typeof tt.coeff !== 'number' || !Number.isFinite(tt.coeff)) {
      throw new PolyError(`${what}: term ${i} has no finite "coeff"`);
    }
    if (!Array.isArray(tt.vars) || !tt.vars.every((x) => typeof x === 'string')) {
      throw new PolyError(`${what}: term ${i} has no "vars" list of names`);
    }
    return { coeff: tt.coeff, vars: tt.vars as string[] };
  });
  return { const: o.const, terms };
}

/** The names a polynomial uses, each once, in order of appearance. */
export function polyVars(p: Poly): string[] {
  const seen = new Set<string>();
  for (const t of p.terms) {
    for (const v of t.vars) {
      seen.add(v);
    }
  }
  return [...seen];
}

/**
 * Value of `p` with each variable taken from `env`. A variable missing from
 * `env` is an error unless `fallback` is given: silently reading it as 0
 * would draw a wrong line without saying so.
 */
export function evalPoly(p: Poly, env: ReadonlyMap<string, number>, fallback?: number): number {
  let sum = p.const;
  for (const t of p.terms) {
    let prod = t.coeff;
    for (const v of t.vars) {
      const x = env.get(v);
      if (x === undefined) {
        if (fallback === undefined) {
          throw new PolyError(`no value for variable ${v}`);
        }
        prod *= fallback;
      } else {
        prod *= x;
      }
    }
    sum += prod;
  }
  return sum;
}
