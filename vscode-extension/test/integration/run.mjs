// Integration test in a real VS Code: starts code-server 4.100.3 with the
// extension under development, opens its workbench in Debian's chromium
// (driven by playwright-core) with a URL payload that makes the extension
// host run suite.ts, takes the screenshots suite.ts asks for, and reports.
//
//   node test/integration/run.mjs [--perfi PATH] [--code-server ENTRY_JS] [--out DIR] [--vsix FILE] [--no-system-libz3]
//
// --no-system-libz3 runs everything in a private mount namespace
// (unshare --mount as root, else with a user namespace) where the system's libz3.so.4 is an empty
// file bind-mounted over the real one: the packaged server must load the
// copy bundled beside it. The runner checks that the hiding works (the
// unbundled --perfi binary fails to start there) before the test.
//
// Without --vsix it tests vscode-extension/ itself with perfi.serverPath =
// PATH; with --vsix, the installed package and its bundled binary.
//
// The workspace is a copy of test-workspaces/nat in a fresh git repository
// under a temporary folder, so the baseline is its HEAD and nothing is
// written into the repository.

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const extDir = path.resolve(here, '../..');
const repo = path.resolve(extDir, '..');
const TOTAL_MS = 10 * 60 * 1000;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const perfi = path.resolve(arg('--perfi', path.join(repo, 'target/release/perfi')));
const entry = arg('--code-server', path.join(os.homedir(), '.cache/perfi/code-server/out/node/entry.js'));
const outDir = path.resolve(arg('--out', path.join(extDir, 'test-output')));
const vsix = arg('--vsix', undefined);
const chromePath = arg('--chromium', '/usr/bin/chromium');
const hideZ3 = process.argv.includes('--no-system-libz3');
const SYSTEM_Z3 = '/usr/lib/x86_64-linux-gnu/libz3.so.4';

if (hideZ3 && !process.env.PERFI_IT_Z3_HIDDEN) {
  // Run this script again in a mount namespace with the system libz3 hidden.
  if (!vsix) {
    console.error('integration: --no-system-libz3 needs --vsix (only the package bundles libz3)');
    process.exit(1);
  }
  const empty = path.join(os.tmpdir(), `perfi-it-empty-${process.pid}`);
  fs.writeFileSync(empty, '');
  const script = 'mount --bind "$1" "$2" || exit 97; shift 2; exec "$@"';
  // As root a mount namespace is enough; otherwise a user namespace that
  // maps the user to root in it (where the kernel allows them).
  const ns = process.getuid?.() === 0 ? ['--mount'] : ['--user', '--map-root-user', '--mount'];
  const r = spawnSync('unshare', [...ns, '--propagation', 'private', 'sh', '-c', script, 'sh', empty, SYSTEM_Z3, process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, PERFI_IT_Z3_HIDDEN: '1' },
  });
  fs.rmSync(empty, { force: true });
  if (r.error || r.status === 97) {
    console.error(`integration: FAIL: cannot hide ${SYSTEM_Z3} (unshare --mount needs root or user namespaces): ${r.error ?? 'mount failed'}`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}

function fail(msg) {
  console.error(`integration: FAIL: ${msg}`);
  process.exitCode = 1;
}

for (const [what, p] of [['perfi binary', perfi], ['code-server', entry], ['chromium', chromePath], ['bundled extension', path.join(extDir, 'dist/extension.js')], ['bundled suite', path.join(extDir, 'dist-test/suite.js')]]) {
  if (!fs.existsSync(p)) {
    fail(`${what} not found at ${p}`);
    process.exit(1);
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * What the plot webview shows (it lives in nested iframes the extension
 * host cannot see into), and a user's change: the first held variable set
 * to 4 in its input box.
 */
async function actOnPlot(page) {
  for (const frame of page.frames()) {
    try {
      const series = await frame.locator('#plot svg path.series').count();
      if (series === 0) continue;
      const bands = await frame.locator('#plot svg polygon.band').count();
      const title = await frame.locator('#title').textContent();
      const input = frame.locator('#held input').first();
      let setVar = null;
      if ((await frame.locator('#held input').count()) > 0) {
        setVar = await input.getAttribute('data-v');
        await input.fill('4');
        await input.dispatchEvent('change');
      }
      return { series, bands, title, setVar };
    } catch {
      // a frame that went away or is not the webview
    }
  }
  return { series: 0, bands: 0, title: null, setVar: null };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfi-it-'));
const ws = path.join(tmp, 'nat');
const ipc = path.join(tmp, 'ipc');
const userData = path.join(tmp, 'user-data');
fs.mkdirSync(ipc);
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.mkdirSync(outDir, { recursive: true });
fs.cpSync(path.join(repo, 'test-workspaces/nat'), ws, { recursive: true });
const git = (...a) => execFileSync('git', a, { cwd: ws, stdio: 'pipe' });
git('init', '-q');
git('add', '.');
git('-c', 'user.name=perfi-test', '-c', 'user.email=test@perfi.invalid', 'commit', '-qm', 'baseline');

// With --vsix, the extension under test is the packaged one, installed into
// this code-server, and it must find its server on its own: the bundled
// binary (no perfi.serverPath, no perfi on PATH).
let underTest = extDir;
let expectServer;
if (vsix) {
  const csArgs = ['--config', path.join(tmp, 'config.yaml'), '--user-data-dir', path.join(tmp, 'ud-install'), '--extensions-dir', path.join(tmp, 'ext-install')];
  try {
    const out = execFileSync(process.execPath, [entry, ...csArgs, '--install-extension', path.resolve(vsix)], { encoding: 'utf8' });
    const listed = execFileSync(process.execPath, [entry, ...csArgs, '--list-extensions', '--show-versions'], { encoding: 'utf8' });
    const dir = fs.readdirSync(path.join(tmp, 'ext-install')).find((d) => d.startsWith('perfi.perfi-'));
    if (!/perfi\.perfi@/.test(listed) || !dir) {
      throw new Error(`the .vsix did not install:\n${out}\n${listed}`);
    }
    underTest = path.join(tmp, 'ext-install', dir);
    expectServer = path.join(underTest, 'bin', 'perfi');
    if (hideZ3) {
      // The system libz3 is unusable here: the unbundled binary cannot
      // start, the packaged one (RUNPATH $ORIGIN) can.
      const size = fs.statSync(SYSTEM_Z3).size;
      const plain = spawnSync(perfi, ['--version'], { encoding: 'utf8' });
      const packaged = spawnSync(expectServer, ['--version'], { encoding: 'utf8' });
      if (size !== 0 || plain.status === 0 || !/libz3/.test(plain.stderr)) {
        throw new Error(`the system libz3 is still usable (size ${size}, ${perfi} --version exit ${plain.status}: ${plain.stderr.trim()})`);
      }
      if (packaged.status !== 0) {
        throw new Error(`the packaged server does not start without the system libz3: ${packaged.stderr.trim()}`);
      }
      // The loader takes Z3 (and the C++ library Z3 needs) from the package.
      const ldd = spawnSync('ldd', [expectServer], { encoding: 'utf8' }).stdout ?? '';
      for (const lib of ['libz3.so.4', 'libstdc++.so.6']) {
        const line = ldd.split('\n').find((l) => l.trim().startsWith(`${lib} `)) ?? '(not listed)';
        if (!line.includes(path.join(underTest, 'bin', lib))) {
          throw new Error(`${lib} is not loaded from the package: ${line.trim()}`);
        }
      }
      console.log(`integration: system libz3 hidden (${SYSTEM_Z3} is empty; ${path.basename(perfi)} alone fails: ${plain.stderr.trim().split('\n')[0]}); packaged ${packaged.stdout.trim()} starts, loading libz3.so.4 and libstdc++.so.6 from its bin/ (ldd)`);
    }
    console.log(`integration: ${path.basename(vsix)} installs into code-server (${listed.trim()}); testing the installed copy`);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
    console.log('integration: 0 passed, 1 failed');
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  }
}
const isExe = (p) => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};
const pathVar = vsix ? (process.env.PATH ?? '').split(path.delimiter).filter((d) => !isExe(path.join(d, 'perfi'))).join(path.delimiter) : process.env.PATH;

fs.writeFileSync(
  path.join(userData, 'User/settings.json'),
  JSON.stringify(
    {
      ...(vsix ? {} : { 'perfi.serverPath': perfi }),
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'update.mode': 'none',
      'telemetry.telemetryLevel': 'off',
      'editor.minimap.enabled': false,
      'workbench.colorTheme': 'Default Light Modern',
      'window.zoomLevel': 0,
    },
    null,
    2,
  ),
);

const port = await freePort();
const host = `127.0.0.1:${port}`;
const csLog = fs.openSync(path.join(outDir, 'code-server.log'), 'w');
const cs = spawn(
  process.execPath,
  [entry, '--auth', 'none', '--bind-addr', host, '--config', path.join(tmp, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', path.join(tmp, 'extensions'), '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', ws],
  { env: { ...process.env, PATH: pathVar, PERFI_IT_DIR: ipc, ...(expectServer ? { PERFI_IT_EXPECT_SERVER: expectServer } : {}) }, stdio: ['ignore', csLog, csLog], detached: true },
);
let browser;

async function cleanup() {
  try {
    await browser?.close();
  } catch {}
  try {
    process.kill(-cs.pid, 'SIGTERM');
  } catch {}
  fs.rmSync(tmp, { recursive: true, force: true });
}

// Stopped from outside (make's deadline, ^C): do not leave code-server behind.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`integration: ${sig}, stopping`);
    void cleanup().finally(() => process.exit(1));
  });
}

try {

  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`http://${host}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('code-server did not answer within 60 s');
    await sleep(300);
  }
  console.log(`integration: code-server up on ${host}`);

  browser = await chromium.launch({
    executablePath: chromePath,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.on('pageerror', (e) => fs.appendFileSync(path.join(outDir, 'browser.log'), `pageerror: ${e.message}\n`));
  page.on('console', (m) => fs.appendFileSync(path.join(outDir, 'browser.log'), `${m.type()}: ${m.text()}\n`));
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${host}${underTest}`],
    ['extensionTestsPath', `vscode-remote://${host}${path.join(extDir, 'dist-test/suite.js')}`],
  ]);
  await page.goto(`http://${host}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
  console.log('integration: workbench loading');

  const end = Date.now() + TOTAL_MS;
  let seen = 0;
  let result;
  while (Date.now() < end) {
    const log = path.join(ipc, 'progress.log');
    if (fs.existsSync(log)) {
      const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
      for (const l of lines.slice(seen)) console.log(`integration: ${l}`);
      seen = lines.length;
    }
    for (const f of fs.readdirSync(ipc)) {
      const m = /^shot-(.+)\.req$/.exec(f);
      if (m) {
        fs.rmSync(path.join(ipc, f));
        await page.screenshot({ path: path.join(outDir, `${m[1]}.png`) });
        fs.writeFileSync(path.join(ipc, `shot-${m[1]}.done`), '');
      }
      if (f === 'act-webview.req') {
        fs.rmSync(path.join(ipc, f));
        fs.writeFileSync(path.join(ipc, 'act-webview.done'), JSON.stringify(await actOnPlot(page)));
      }
    }
    if (fs.existsSync(path.join(ipc, 'result'))) {
      result = fs.readFileSync(path.join(ipc, 'result'), 'utf8').trim();
      break;
    }
    await sleep(200);
  }
  if (result === undefined) {
    await page.screenshot({ path: path.join(outDir, 'timeout.png') });
    throw new Error(`no result from the suite within ${TOTAL_MS / 60000} min (screenshot: timeout.png, logs in ${outDir})`);
  }
  if (result !== 'PASS') throw new Error(result);
  console.log(`integration: screenshots in ${outDir}`);
  console.log('integration: 1 passed, 0 failed');
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
  // What code-server said is usually the reason; the browser log is in outDir.
  const csText = fs.existsSync(path.join(outDir, 'code-server.log')) ? fs.readFileSync(path.join(outDir, 'code-server.log'), 'utf8') : '';
  console.error(`integration: last lines of ${path.join(outDir, 'code-server.log')}:\n${csText.split('\n').slice(-20).join('\n')}`);
  console.log('integration: 0 passed, 1 failed');
} finally {
  await cleanup();
}
