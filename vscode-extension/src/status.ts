// Text of the status bar item, from what the client knows of the active
// C document.

export interface StatusState {
  running: boolean;
  analyzing: boolean;
  functions: number | undefined;
  regressions: number;
  error?: string;
}

export interface StatusView {
  text: string;
  tooltip: string;
  warning: boolean;
}

export function statusView(s: StatusState): StatusView {
  if (s.error !== undefined) {
    return { text: '$(error) Perfi', tooltip: `Perfi: ${s.error}`, warning: true };
  }
  if (!s.running) {
    return { text: '$(circle-slash) Perfi', tooltip: 'Perfi: the language server is not running', warning: false };
  }
  if (s.analyzing) {
    return { text: '$(sync~spin) Perfi: analyzing', tooltip: 'Perfi: analyzing the current text', warning: false };
  }
  const fns = s.functions === undefined ? '' : `${s.functions} function${s.functions === 1 ? '' : 's'}`;
  if (s.regressions > 0) {
    const r = `${s.regressions} regression${s.regressions === 1 ? '' : 's'}`;
    return { text: `$(warning) Perfi: ${fns ? `${fns} · ` : ''}${r}`, tooltip: `Perfi: ${r} against the baseline (see Problems)`, warning: true };
  }
  return { text: `$(pulse) Perfi${fns ? `: ${fns}` : ''}`, tooltip: 'Perfi: no regression against the baseline', warning: false };
}
