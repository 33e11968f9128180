// The extension's settings (package.json "contributes.configuration") as
// the object `perfi lsp` reads from initializationOptions and
// workspace/didChangeConfiguration (lsp-server/src/lsp/config.rs).

export type Baseline = 'git' | 'open';

export interface Budgets {
  paths?: number;
  solverMs?: number;
  wallMs?: number;
  queryMs?: number;
}

export interface ServerSettings {
  resolution?: number;
  hardware?: string;
  baseline: Baseline;
  inlayHints: boolean;
  /** Sent only when false: the server keeps interfaces on disk by default. */
  diskCache?: boolean;
  budgets?: Budgets;
}

/** Reads one key of the `perfi` section (vscode's WorkspaceConfiguration.get). */
export type Getter = (key: string) => unknown;

export interface Mapped {
  settings: ServerSettings;
  /** Values that were ignored, with why; shown to the user. */
  problems: string[];
}

const BUDGET_KEYS: Array<[keyof Budgets, number]> = [
  ['paths', 1],
  ['solverMs', 0],
  ['wallMs', 0],
  ['queryMs', 1],
];

export function serverSettings(get: Getter): Mapped {
  const problems: string[] = [];
  const settings: ServerSettings = { baseline: 'git', inlayHints: true };

  const r = get('resolution');
  if (r !== null && r !== undefined) {
    if (typeof r === 'number' && Number.isFinite(r) && r > 0) {
      settings.resolution = r;
    } else {
      problems.push(`perfi.resolution must be a positive number (got ${JSON.stringify(r)}); using perfi.toml or 10`);
    }
  }

  const h = get('hardware');
  if (typeof h === 'string' && h.trim() !== '') {
    settings.hardware = h.trim();
  }

  const b = get('baseline');
  if (b === 'git' || b === 'open') {
    settings.baseline = b;
  } else if (b !== undefined && b !== null) {
    problems.push(`perfi.baseline must be "git" or "open" (got ${JSON.stringify(b)}); using "git"`);
  }

  const i = get('inlayHints');
  if (typeof i === 'boolean') {
    settings.inlayHints = i;
  }

  if (get('diskCache') === false) {
    settings.diskCache = false;
  }

  const budgets: Budgets = {};
  for (const [key, min] of BUDGET_KEYS) {
    const v = get(`budgets.${key}`);
    if (v === null || v === undefined) {
      continue;
    }
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) {
      budgets[key] = v;
    } else {
      problems.push(`perfi.budgets.${key} must be an integer ≥ ${min} (got ${JSON.stringify(v)}); using the server's default`);
    }
  }
  if (Object.keys(budgets).length > 0) {
    settings.budgets = budgets;
  }
  return { settings, problems };
}

/** The resolution the server uses when the settings leave it to perfi.toml. */
export const DEFAULT_RESOLUTION = 10;

/** Choices offered by "Perfi: Set Resolution…". */
export const RESOLUTION_CHOICES: number[] = [1, 5, 10, 20, 50, 100];

/** Parses a resolution typed by the user; undefined when it is not one. */
export function parseResolution(text: string): number | undefined {
  const t = text.trim();
  if (!/^[0-9]+(\.[0-9]+)?$/.test(t)) {
    return undefined;
  }
  const v = Number(t);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}
