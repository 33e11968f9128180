// What the "Latency vs PCV" plot draws: for one PCV x, one line per case,
// metric(x) with the other variables held at chosen values, sampled at
// the integers 0..max (PCVs count iterations), and the resolution band.

import { FunctionInterface, Metric } from './iface';
import { evalPoly, polyVars } from './poly';

export interface PlotOptions {
  /** The PCV on the x axis; the first PCV any case uses when absent. */
  pcv?: string;
  metric: Metric;
  resolution: number;
  /** x range for a PCV without a numeric bound. */
  defaultMax: number;
  /** Values of the other variables (default 0). */
  fixed?: ReadonlyMap<string, number>;
}

export interface Series {
  label: string;
  condition: string;
  formula: string;
  points: Array<[number, number]>;
}

export interface PlotModel {
  functionName: string;
  metric: Metric;
  pcv: string | null;
  pcvDescription: string;
  xMax: number;
  bounded: boolean;
  /** Half-width of the band drawn around each line, in the metric's unit; null when not meaningful. */
  band: number | null;
  resolution: number;
  series: Series[];
  /** Variables held constant, with their value. */
  held: Array<[string, number]>;
  /** The PCVs the cases use, for the chooser. */
  pcvChoices: string[];
  notes: string[];
}

/** Numeric bound of a PCV: "16" → 16; an expression or none → the default. */
export function pcvRange(upperBound: string | null, defaultMax: number): { max: number; bounded: boolean } {
  if (upperBound !== null && /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(upperBound)) {
    const v = Math.floor(Number(upperBound));
    if (Number.isFinite(v) && v >= 0) {
      return { max: Math.max(v, 1), bounded: true };
    }
  }
  return { max: Math.max(1, Math.floor(defaultMax)), bounded: false };
}

/** At most ~200 samples: integers up to 200, evenly spaced integers above. */
export function samples(max: number): number[] {
  const n = Math.min(max, 200);
  const out: number[] = [];
  for (let i = 0; i <= n; i++) {
    out.push(Math.round((i * max) / n));
  }
  return [...new Set(out)];
}

export function buildPlot(f: FunctionInterface, o: PlotOptions): PlotModel {
  const notes: string[] = [];
  const used = new Set<string>();
  for (const c of f.cases) {
    const m = c.metrics[o.metric];
    if (m) {
      polyVars(m.poly).forEach((v) => used.add(v));
    }
  }
  const pcvChoices = f.pcvs.map((p) => p.name).filter((n) => used.has(n));
  let pcvName: string | null = o.pcv !== undefined && pcvChoices.includes(o.pcv) ? o.pcv : pcvChoices[0] ?? null;
  if (o.pcv !== undefined && pcvName !== o.pcv) {
    notes.push(`${o.pcv} does not appear in the ${o.metric} formulas; showing ${pcvName ?? 'constants'}`);
  }
  const pcv = f.pcvs.find((p) => p.name === pcvName);
  const { max, bounded } = pcv ? pcvRange(pcv.upperBound, o.defaultMax) : { max: o.defaultMax, bounded: false };
  if (pcv && !bounded) {
    notes.push(`${pcv.name} has no numeric bound${pcv.upperBound ? ` (${pcv.upperBound})` : ''}: x axis up to ${max}`);
  }
  if (!pcv) {
    notes.push('no PCV appears in these formulas: every case is a constant');
  }
  if (f.status !== 'complete') {
    notes.push(`interface is ${f.status}${f.reason ? `: ${f.reason}` : ''}; only the explored paths are drawn`);
  }

  const heldVars = [...used].filter((v) => v !== pcvName).sort();
  const env = new Map<string, number>();
  const held: Array<[string, number]> = heldVars.map((v) => [v, o.fixed?.get(v) ?? 0]);
  for (const [v, x] of held) {
    env.set(v, x);
  }

  const xs = samples(max);
  const series: Series[] = [];
  f.cases.forEach((c, i) => {
    const m = c.metrics[o.metric];
    if (!m) {
      return;
    }
    const points: Array<[number, number]> = xs.map((x) => {
      if (pcvName !== null) {
        env.set(pcvName, x);
      }
      return [x, evalPoly(m.poly, env)];
    });
    series.push({ label: `case ${i + 1}`, condition: c.condition, formula: m.text, points });
  });
  if (series.length === 0) {
    notes.push(`no case has a ${o.metric} formula`);
  }

  // The resolution is in instructions: paths within r of each other were
  // merged, so a line stands for costs up to r away. It has no fixed
  // meaning in cycles or bytes, so other metrics get no band.
  const band = o.metric === 'instructions' ? o.resolution : null;
  if (band === null) {
    notes.push(`resolution band (±${o.resolution} instructions) is drawn on the instructions plot only`);
  }

  return {
    functionName: f.name,
    metric: o.metric,
    pcv: pcvName,
    pcvDescription: pcv?.description ?? '',
    xMax: max,
    bounded,
    band,
    resolution: o.resolution,
    series,
    held,
    pcvChoices,
    notes,
  };
}
