import * as assert from 'assert';
import { parseResolution, serverSettings } from '../../src/settings';

function getter(values: Record<string, unknown>) {
  return (k: string) => values[k];
}

describe('settings mapping', () => {
  it('leaves unset values to perfi.toml and uses the server defaults', () => {
    const { settings, problems } = serverSettings(getter({ resolution: null, hardware: null, baseline: 'git', inlayHints: true }));
    assert.deepStrictEqual(settings, { baseline: 'git', inlayHints: true });
    assert.deepStrictEqual(problems, []);
  });

  it('maps every key to the names the server reads', () => {
    const { settings } = serverSettings(
      getter({ resolution: 5, hardware: ' zen3 ', baseline: 'open', inlayHints: false, diskCache: false, 'budgets.paths': 100, 'budgets.solverMs': 50, 'budgets.wallMs': 1000, 'budgets.queryMs': 20 }),
    );
    assert.deepStrictEqual(settings, { resolution: 5, hardware: 'zen3', baseline: 'open', inlayHints: false, diskCache: false, budgets: { paths: 100, solverMs: 50, wallMs: 1000, queryMs: 20 } });
  });

  it('drops invalid values and says why', () => {
    const { settings, problems } = serverSettings(getter({ resolution: -3, baseline: 'HEAD', 'budgets.paths': 0, 'budgets.wallMs': 1.5 }));
    assert.deepStrictEqual(settings, { baseline: 'git', inlayHints: true });
    assert.strictEqual(problems.length, 4);
    assert.match(problems[0], /perfi.resolution/);
    assert.match(problems[1], /perfi.baseline/);
    assert.match(problems[2], /budgets.paths/);
    assert.match(problems[3], /budgets.wallMs/);
  });

  it('parses a typed resolution', () => {
    assert.strictEqual(parseResolution(' 15 '), 15);
    assert.strictEqual(parseResolution('2.5'), 2.5);
    assert.strictEqual(parseResolution('0'), undefined);
    assert.strictEqual(parseResolution('-4'), undefined);
    assert.strictEqual(parseResolution('1e3'), undefined);
    assert.strictEqual(parseResolution('ten'), undefined);
  });
});
