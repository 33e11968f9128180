import * as assert from 'assert';
import { Env, resolveServerPath, ServerNotFound } from '../../src/serverPath';

function env(executables: string[], over: Partial<Env> = {}): Env {
  const set = new Set(executables);
  return { configured: '', pathVar: '/usr/local/bin:/usr/bin', bundled: '/ext/bin/perfi', platform: 'linux', arch: 'x64', isExecutable: (p) => set.has(p), home: '/home/u', ...over };
}

describe('server path resolution', () => {
  it('prefers the setting', () => {
    assert.deepStrictEqual(resolveServerPath(env(['/opt/perfi', '/usr/bin/perfi', '/ext/bin/perfi'], { configured: '/opt/perfi' })), { command: '/opt/perfi', source: 'setting' });
  });

  it('expands ~ in the setting', () => {
    assert.deepStrictEqual(resolveServerPath(env(['/home/u/bin/perfi'], { configured: '~/bin/perfi' })), { command: '/home/u/bin/perfi', source: 'setting' });
  });

  it('does not fall back when the setting names a missing file', () => {
    assert.throws(() => resolveServerPath(env(['/usr/bin/perfi'], { configured: '/nope/perfi' })), (e: unknown) => e instanceof ServerNotFound && /not an executable/.test(e.message));
  });

  it('then searches PATH in order', () => {
    assert.deepStrictEqual(resolveServerPath(env(['/usr/bin/perfi', '/ext/bin/perfi'])), { command: '/usr/bin/perfi', source: 'PATH' });
    assert.deepStrictEqual(resolveServerPath(env(['/usr/local/bin/perfi', '/usr/bin/perfi'])), { command: '/usr/local/bin/perfi', source: 'PATH' });
  });

  it('then uses the bundled binary on linux-x64 only', () => {
    assert.deepStrictEqual(resolveServerPath(env(['/ext/bin/perfi'])), { command: '/ext/bin/perfi', source: 'bundled' });
    assert.throws(() => resolveServerPath(env(['/ext/bin/perfi'], { platform: 'darwin', arch: 'arm64' })), /no binary is bundled for darwin-arm64/);
  });

  it('explains what to do when nothing is found', () => {
    assert.throws(() => resolveServerPath(env([], { pathVar: undefined })), /perfi.serverPath/);
  });
});
