// The JSON interface of one function, as `perfi/interface` returns it
// (one element of "functions" in `perfi analyze --format json`). Only the
// fields the extension reads are declared; each is checked on arrival.

import { asPoly, Poly } from './poly';

export const METRICS = ['instructions', 'cycles_warm', 'cycles_cold', 'memory_reads', 'memory_writes', 'cache_lines'] as const;
export type Metric = (typeof METRICS)[number];

export interface Pcv {
  name: string;
  description: string;
  line: number | null;
  upperBound: string | null;
}

export interface Case {
  condition: string;
  metrics: Partial<Record<Metric, { text: string; poly: Poly }>>;
}

export interface FunctionInterface {
  name: string;
  status: string;
  reason: string | null;
  startLine: number;
  endLine: number;
  pcvs: Pcv[];
  cases: Case[];
}

export class InterfaceError extends Error {}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') {
    throw new InterfaceError(`${what} is not a string`);
  }
  return v;
}

export function parseInterface(v: unknown): FunctionInterface {
  if (typeof v !== 'object' || v === null) {
    throw new InterfaceError('interface is not an object');
  }
  const o = v as Record<string, unknown>;
  const name = str(o.name, 'name');
  const range = (o.range ?? {}) as Record<string, unknown>;
  const pcvs = (Array.isArray(o.pcvs) ? o.pcvs : []).map((p, i) => {
    const pp = p as Record<string, unknown>;
    const ub = pp.upper_bound;
    return {
      name: str(pp.name, `pcvs[${i}].name`),
      description: typeof pp.description === 'string' ? pp.description : '',
      line: typeof pp.line === 'number' ? pp.line : null,
      upperBound: typeof ub === 'string' ? ub : typeof ub === 'number' ? String(ub) : null,
    };
  });
  if (!Array.isArray(o.cases)) {
    throw new InterfaceError(`${name}: "cases" is not an array`);
  }
  const cases = o.cases.map((c, i) => {
    const cc = c as Record<string, unknown>;
    const metrics: Case['metrics'] = {};
    for (const m of METRICS) {
      const f = cc[m] as Record<string, unknown> | undefined;
      if (f && typeof f === 'object') {
        metrics[m] = { text: typeof f.text === 'string' ? f.text : '', poly: asPoly(f.poly, `${name} case ${i + 1} ${m}`) };
      }
    }
    return { condition: typeof cc.condition === 'string' ? cc.condition : `case ${i + 1}`, metrics };
  });
  return {
    name,
    status: typeof o.status === 'string' ? o.status : 'unknown',
    reason: typeof o.reason === 'string' ? o.reason : null,
    startLine: typeof range.start_line === 'number' ? range.start_line : 0,
    endLine: typeof range.end_line === 'number' ? range.end_line : 0,
    pcvs,
    cases,
  };
}

/**
 * The resolution the server used for a file, from the first line of the
 * interface text ("NAME  FILE:A-B  complete · 3 paths · 44.2 ms ·
 * resolution 10"). The JSON of one function does not carry it, and it may
 * come from a perfi.toml the client does not read.
 */
export function resolutionFromText(text: string): number | undefined {
  const first = text.split('\n', 1)[0];
  const m = /·\s*resolution\s+([0-9]+(?:\.[0-9]+)?)\b/.exec(first);
  if (!m) {
    return undefined;
  }
  const v = Number(m[1]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}
