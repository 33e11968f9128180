import * as assert from 'assert';
import { statusView } from '../../src/status';

describe('status bar', () => {
  const base = { running: true, analyzing: false, functions: 17, regressions: 0 };
  it('shows analyzing, counts and regressions', () => {
    assert.match(statusView({ ...base, analyzing: true }).text, /analyzing/);
    assert.strictEqual(statusView(base).text, '$(pulse) Perfi: 17 functions');
    const r = statusView({ ...base, regressions: 1 });
    assert.strictEqual(r.text, '$(warning) Perfi: 17 functions · 1 regression');
    assert.ok(r.warning);
    assert.strictEqual(statusView({ ...base, functions: 1 }).text, '$(pulse) Perfi: 1 function');
  });
  it('shows a stopped server and errors', () => {
    assert.match(statusView({ ...base, running: false }).tooltip, /not running/);
    assert.match(statusView({ ...base, error: 'perfi not found' }).tooltip, /perfi not found/);
  });
});
