import * as assert from 'assert';
import { parseInterface, resolutionFromText } from '../../src/iface';
import { buildPlot, pcvRange, samples } from '../../src/plotModel';
import { escapeXml, niceTicks, renderSvg } from '../../src/plotSvg';

const poly = (c: number, terms: Array<[number, string[]]>) => ({ const: c, terms: terms.map(([coeff, vars]) => ({ coeff, vars })) });
const metric = (c: number, terms: Array<[number, string[]]>, text: string) => ({ text, poly: poly(c, terms) });

// A hand-written interface: two cases over the PCVs t (bounded by 16) and u.
const RAW = {
  name: 'lookup',
  range: { start_line: 10, end_line: 30 },
  status: 'complete',
  reason: null,
  pcvs: [
    { name: 't', description: 'bucket traversals', line: 12, upper_bound: '16' },
    { name: 'u', description: 'retries', line: 20, upper_bound: null },
  ],
  cases: [
    { condition: 'found', instructions: metric(100, [[10, ['t']], [3, ['u']]], '10*t + 3*u + 100'), cycles_warm: metric(50, [[2, ['t', 't']]], '2*t*t + 50') },
    { condition: '<b> & not found', instructions: metric(40, [], '40') },
  ],
};

describe('plot model', () => {
  const f = parseInterface(RAW);

  it('reads the interface JSON', () => {
    assert.strictEqual(f.name, 'lookup');
    assert.strictEqual(f.startLine, 10);
    assert.strictEqual(f.pcvs[0].upperBound, '16');
    assert.strictEqual(f.cases.length, 2);
    assert.throws(() => parseInterface({ name: 'x' }), /cases/);
    assert.throws(() => parseInterface({ name: 'x', cases: [{ instructions: { text: '', poly: { const: 'no' } } }] }), /"const"/);
  });

  it('ranges over the bound when there is a numeric one', () => {
    assert.deepStrictEqual(pcvRange('16', 32), { max: 16, bounded: true });
    assert.deepStrictEqual(pcvRange('n + 1', 32), { max: 32, bounded: false });
    assert.deepStrictEqual(pcvRange(null, 8), { max: 8, bounded: false });
    assert.deepStrictEqual(samples(4), [0, 1, 2, 3, 4]);
    const many = samples(1000);
    assert.ok(many.length <= 201 && many[0] === 0 && many[many.length - 1] === 1000);
  });

  it('draws one line per case over the PCV, others held at 0', () => {
    const m = buildPlot(f, { metric: 'instructions', resolution: 10, defaultMax: 32 });
    assert.strictEqual(m.pcv, 't');
    assert.strictEqual(m.xMax, 16);
    assert.ok(m.bounded);
    assert.strictEqual(m.series.length, 2);
    assert.deepStrictEqual(m.series[0].points[0], [0, 100]);
    assert.deepStrictEqual(m.series[0].points[16], [16, 260]);
    assert.deepStrictEqual(m.series[1].points[16], [16, 40]);
    assert.deepStrictEqual(m.held, [['u', 0]]);
    assert.strictEqual(m.band, 10);
    assert.deepStrictEqual(m.pcvChoices, ['t', 'u']);
  });

  it('switches PCV and metric, and says when a band does not apply', () => {
    const m = buildPlot(f, { pcv: 'u', metric: 'instructions', resolution: 5, defaultMax: 8, fixed: new Map([['t', 2]]) });
    assert.strictEqual(m.xMax, 8);
    assert.ok(!m.bounded);
    assert.deepStrictEqual(m.series[0].points[8], [8, 100 + 20 + 24]);
    assert.ok(m.notes.some((n) => /no numeric bound/.test(n)));
    const c = buildPlot(f, { metric: 'cycles_warm', resolution: 5, defaultMax: 8 });
    assert.strictEqual(c.series.length, 1, 'the second case has no cycles formula');
    assert.deepStrictEqual(c.series[0].points[3], [3, 68]);
    assert.strictEqual(c.band, null);
    assert.ok(c.notes.some((n) => /instructions plot only/.test(n)));
  });

  it('renders an SVG with a path per case and a band per case, text escaped', () => {
    const svg = renderSvg(buildPlot(f, { metric: 'instructions', resolution: 10, defaultMax: 32 }));
    assert.strictEqual((svg.match(/<path class="series"/g) ?? []).length, 2);
    assert.strictEqual((svg.match(/<polygon class="band"/g) ?? []).length, 2);
    assert.ok(svg.includes('&lt;b&gt; &amp; not found'));
    assert.ok(!svg.includes('<b>'));
    assert.ok(!/NaN|Infinity/.test(svg));
    assert.strictEqual(escapeXml(`a"'`), 'a&quot;&#39;');
  });

  it('chooses round ticks', () => {
    assert.deepStrictEqual(niceTicks(0, 16, 8), [0, 2, 4, 6, 8, 10, 12, 14, 16]);
    assert.deepStrictEqual(niceTicks(0, 1000, 5), [0, 200, 400, 600, 800, 1000]);
    assert.deepStrictEqual(niceTicks(3, 3, 5), [3]);
  });
});

describe('resolution from the interface text', () => {
  it('reads the value on the first line only', () => {
    assert.strictEqual(resolutionFromText('nat_lookup_int  nat.c:50-66  complete · 3 paths · 44.2 ms · resolution 10\n  PCVs:'), 10);
    assert.strictEqual(resolutionFromText('f  a.c:1-2  partial · 1 paths · 2 ms · resolution 2.5 · budget'), 2.5);
    assert.strictEqual(resolutionFromText('f  a.c:1-2  complete\n · resolution 10'), undefined);
    assert.strictEqual(resolutionFromText(''), undefined);
  });
});
