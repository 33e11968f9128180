// Bundles the extension (and, with --tests, the integration suite that
// runs inside the extension host) into single CommonJS files.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning', sourcemap: !production, minify: production };

await esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' });
if (process.argv.includes('--tests')) {
  await esbuild.build({ ...common, entryPoints: ['test/integration/suite.ts'], outfile: 'dist-test/suite.js' });
}
