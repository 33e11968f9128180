// Which `perfi` binary to start: the `perfi.serverPath` setting, else
// `perfi` on PATH, else the linux-x64 binary bundled in the .vsix.

import * as path from 'path';

export type Source = 'setting' | 'PATH' | 'bundled';

export interface Resolved {
  command: string;
  source: Source;
}

export interface Env {
  /** The `perfi.serverPath` setting ('' when unset). */
  configured: string;
  /** The PATH environment variable. */
  pathVar: string | undefined;
  /** Absolute path of the binary inside the extension. */
  bundled: string;
  platform: string;
  arch: string;
  /** True when the file exists and is executable. */
  isExecutable: (p: string) => boolean;
  /** Expands a leading ~ of the setting. */
  home: string;
}

export class ServerNotFound extends Error {}

export function resolveServerPath(env: Env): Resolved {
  const configured = env.configured.trim();
  if (configured !== '') {
    const p = configured.startsWith('~/') ? path.join(env.home, configured.slice(2)) : configured;
    if (!env.isExecutable(p)) {
      // A wrong setting must not silently fall back to another binary.
      throw new ServerNotFound(`perfi.serverPath is set to "${configured}", which is not an executable file`);
    }
    return { command: p, source: 'setting' };
  }
  for (const dir of (env.pathVar ?? '').split(path.delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, 'perfi');
    if (env.isExecutable(candidate)) {
      return { command: candidate, source: 'PATH' };
    }
  }
  if (env.platform === 'linux' && env.arch === 'x64' && env.isExecutable(env.bundled)) {
    return { command: env.bundled, source: 'bundled' };
  }
  const why = env.platform === 'linux' && env.arch === 'x64' ? 'the bundled binary is missing' : `no binary is bundled for ${env.platform}-${env.arch}`;
  throw new ServerNotFound(`perfi not found: perfi.serverPath is empty, there is no perfi on PATH, and ${why}. Build it with \`cargo build --release -p perfi\` and set perfi.serverPath.`);
}
