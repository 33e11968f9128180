// Draws a PlotModel as a self-contained SVG string (no scripts, no external
// resources: the webview is offline and its CSP forbids both).

import { PlotModel } from './plotModel';

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Round tick positions covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) {
    return [lo];
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1e6) {
    return v.toExponential(2);
  }
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}

export function renderSvg(m: PlotModel, width = 760, height = 420): string {
  const pad = { l: 70, r: 20, t: 20, b: 48 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const band = m.band ?? 0;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of m.series) {
    for (const [, y] of s.points) {
      yMin = Math.min(yMin, y - band);
      yMax = Math.max(yMax, y + band);
    }
  }
  if (!Number.isFinite(yMin)) {
    yMin = 0;
    yMax = 1;
  }
  yMin = Math.min(0, yMin);
  if (yMax - yMin < 1e-9) {
    yMax = yMin + 1;
  }
  yMax += (yMax - yMin) * 0.05;
  const xMax = Math.max(1, m.xMax);
  const X = (x: number) => pad.l + (x / xMax) * w;
  const Y = (y: number) => pad.t + h - ((y - yMin) / (yMax - yMin)) * h;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`${m.metric} of ${m.functionName} against ${m.pcv ?? 'nothing'}`)}">`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="var(--vscode-editor-background, #fff)"/>`);
  for (const t of niceTicks(yMin, yMax, 6)) {
    parts.push(`<line x1="${pad.l}" x2="${pad.l + w}" y1="${Y(t).toFixed(1)}" y2="${Y(t).toFixed(1)}" stroke="#8884" stroke-width="1"/>`);
    parts.push(`<text x="${pad.l - 6}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="currentColor">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(0, xMax, 8)) {
    parts.push(`<line x1="${X(t).toFixed(1)}" x2="${X(t).toFixed(1)}" y1="${pad.t + h}" y2="${pad.t + h + 4}" stroke="currentColor"/>`);
    parts.push(`<text x="${X(t).toFixed(1)}" y="${pad.t + h + 17}" text-anchor="middle" font-size="11" fill="currentColor">${fmt(t)}</text>`);
  }
  parts.push(`<line x1="${pad.l}" x2="${pad.l + w}" y1="${pad.t + h}" y2="${pad.t + h}" stroke="currentColor"/>`);
  parts.push(`<line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${pad.t + h}" stroke="currentColor"/>`);
  const xLabel = m.pcv ? `${m.pcv}${m.bounded ? ` (bound ${m.xMax})` : ` (no bound; 0..${m.xMax})`}` : 'no PCV';
  parts.push(`<text x="${pad.l + w / 2}" y="${height - 8}" text-anchor="middle" font-size="12" fill="currentColor">${escapeXml(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${pad.t + h / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="currentColor">${escapeXml(m.metric)}</text>`);

  m.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    if (m.band !== null && s.points.length > 0) {
      const upper = s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y + band).toFixed(1)}`);
      const lower = [...s.points].reverse().map(([x, y]) => `${X(x).toFixed(1)},${Y(y - band).toFixed(1)}`);
      parts.push(`<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.3" stroke="${color}" stroke-opacity="0.6" stroke-width="0.5" stroke-dasharray="3 2"/>`);
    }
    const d = s.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    parts.push(`<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="2"><title>${escapeXml(`${s.label}: ${s.condition}\n${m.metric} = ${s.formula}`)}</title></path>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Legend rows (HTML) matching the series colours. */
export function renderLegend(m: PlotModel): string {
  return m.series
    .map((s, i) => `<li><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span><b>${escapeXml(s.label)}</b> <code>${escapeXml(s.formula)}</code><div class="cond">${escapeXml(s.condition)}</div></li>`)
    .join('\n');
}
