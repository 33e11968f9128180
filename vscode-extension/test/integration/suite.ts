// Runs inside the real extension host of code-server (see run.mjs, which
// loads it through the workbench URL's extensionTestsPath). It drives the
// editor through VS Code's API, asks run.mjs for screenshots through files
// in $PERFI_IT_DIR, and ends by writing PASS or "FAIL: why" to
// $PERFI_IT_DIR/result.

import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PerfiApi } from '../../src/extension';

const DIR = process.env.PERFI_IT_DIR ?? '';
const STEP_MS = Number(process.env.PERFI_IT_STEP_MS ?? 120_000);

function say(msg: string): void {
  fs.appendFileSync(path.join(DIR, 'progress.log'), `${new Date().toISOString()} ${msg}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until it returns a value other than undefined/false. */
async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, ms = STEP_MS, state?: () => string): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) {
        return v as T;
      }
    } catch (e) {
      last = e;
    }
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}${state ? `; state: ${state()}` : ''}`);
}

/** Asks run.mjs for a screenshot and waits until it is on disk. */
async function shot(name: string): Promise<void> {
  await sleep(800); // let the workbench paint what the last command opened
  fs.writeFileSync(path.join(DIR, `shot-${name}.req`), '');
  await until(`screenshot ${name}`, () => fs.existsSync(path.join(DIR, `shot-${name}.done`)), 60_000);
  say(`screenshot ${name}`);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

function lineOf(doc: vscode.TextDocument, needle: string): vscode.Position {
  for (let i = 0; i < doc.lineCount; i++) {
    const col = doc.lineAt(i).text.indexOf(needle);
    if (col >= 0) {
      return new vscode.Position(i, col);
    }
  }
  throw new Error(`"${needle}" not found in ${doc.uri.fsPath}`);
}

function check(cond: unknown, msg: string): void {
  if (!cond) {
    throw new Error(msg);
  }
}

async function place(editor: vscode.TextEditor, pos: vscode.Position): Promise<void> {
  editor.selection = new vscode.Selection(pos, pos);
  // A few lines of context above the target, for the screenshots.
  editor.revealRange(new vscode.Range(new vscode.Position(Math.max(0, pos.line - 4), 0), pos), vscode.TextEditorRevealType.AtTop);
}

let plotState = () => '';

/**
 * The first `*` or `_` markdown could read as emphasis: outside code spans,
 * not escaped, not part of a `**bold**` label. undefined when there is none.
 */
export function emphasisOutsideCode(md: string): string | undefined {
  for (let i = 0; i < md.length; ) {
    const c = md[i];
    if (c === '\\') {
      i += 2;
    } else if (c === '`') {
      const close = md.indexOf('`', i + 1);
      if (close < 0) {
        return md.slice(Math.max(0, i - 30), i + 30);
      }
      i = close + 1;
    } else if (c === '*' && md[i + 1] === '*') {
      i += 2;
    } else if (c === '*' || c === '_') {
      return md.slice(Math.max(0, i - 30), i + 30);
    } else {
      i += 1;
    }
  }
  return undefined;
}

/** The function a perfi regression warning is about (its first code span). */
const warnedFunction = (d: vscode.Diagnostic) => /^`([^`]+)`/.exec(d.message)?.[1];

async function scenario(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  check(folder, 'no workspace folder is open');
  const file = vscode.Uri.joinPath(folder!.uri, 'nat.c');
  const doc = await vscode.workspace.openTextDocument(file);
  let editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  check(doc.languageId === 'c', `nat.c opened as ${doc.languageId}`);

  const ext = vscode.extensions.getExtension<PerfiApi>('perfi.perfi');
  check(ext, 'extension perfi.perfi is not loaded');
  const api = await ext!.activate();
  await until('the language server to run', () => api.client()?.isRunning());
  say(`server running: ${api.serverCommand()}`);
  const expected = process.env.PERFI_IT_EXPECT_SERVER;
  check(expected === undefined || api.serverCommand() === expected, `server ${api.serverCommand()}, expected the bundled ${expected}`);
  plotState = () => {
    const p = api.plot();
    return JSON.stringify({ fn: p.model?.functionName, series: p.model?.series.length, error: p.error, updates: p.updates, active: vscode.window.activeTextEditor?.document.uri.toString(), line: vscode.window.activeTextEditor?.selection.active.line });
  };

  // Code lens on nat_lookup_int: "≈ MIN–MAX instr · N cases · L lines".
  const fnPos = lineOf(doc, 'nat_lookup_int(struct');
  const lens = await until('the code lens of nat_lookup_int', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file, 100);
    return lenses.find((l) => l.range.start.line === fnPos.line && l.command?.command === 'perfi.showInterface');
  });
  check(/instr/.test(lens.command!.title) && /cases?/.test(lens.command!.title), `unexpected lens title: ${lens.command!.title}`);
  // A usable number: the cost at PCVs = 1 plus a slope per unit of each
  // PCV ("≈ 136 + 27·c_b + 11·c_a instr"), no ∞ (that is in the hover).
  check(/^≈ [0-9.k–]+( [+−] [0-9.k–]+·\S+)+ instr/.test(lens.command!.title) && !lens.command!.title.includes('∞'), `the lens gives no cost at PCVs = 1 and slopes: ${lens.command!.title}`);
  say(`lens: ${lens.command!.title}`);
  await place(editor, fnPos.translate(0, 3));
  await shot('lens');

  // Hover on the function name: the interface table with the PCV c_a.
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', file, fnPos.translate(0, 3));
  const text = hoverText(hovers);
  check(text.includes('instructions') && text.includes('c_a'), `hover without the formula: ${text.slice(0, 300)}`);
  const emphasis = emphasisOutsideCode(text);
  check(emphasis === undefined, `the hover has emphasis markup outside code spans: …${emphasis}…`);
  check(/`[^`]*\*c_a[^`]*`/.test(text), `the formula over c_a is not in a code span: ${text.slice(0, 400)}`);
  check(text.includes('up to ∞') && text.includes('no upper bound'), `the hover does not name the unbounded PCV: ${text.slice(0, 600)}`);
  say('hover has instructions and c_a, formulas in code spans, no emphasis markup, the unbounded PCV named');
  await vscode.commands.executeCommand('editor.action.showHover');
  await shot('hover');
  await vscode.commands.executeCommand('editor.action.hideHover').then(undefined, () => undefined);

  // The interface document of the function at the cursor (code lens command).
  await vscode.commands.executeCommand('perfi.showInterfaceAtCursor');
  const ifaceEditor = await until('the interface document', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'perfi-interface'));
  const ifaceText = ifaceEditor.document.getText();
  check(ifaceEditor.document.languageId === 'python', `interface document is ${ifaceEditor.document.languageId}`);
  check(ifaceText.includes('def nat_lookup_int(') && ifaceText.includes('c_a'), `interface document lacks the function: ${ifaceText.slice(0, 300)}`);
  say('interface document is Python with def nat_lookup_int');
  await shot('interface');
  await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
  // Closing a group can replace the TextEditor object of nat.c.
  editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);

  // The plot of the function at the cursor.
  const inLoop = lineOf(doc, 'st->stats.chain_steps++;');
  await place(editor, inLoop);
  await vscode.commands.executeCommand('perfi.showPlot');
  const before = await until('the plot of nat_lookup_int', () => {
    const p = api.plot();
    return p.model?.functionName === 'nat_lookup_int' && p.model.series.length > 0 ? p.model : undefined;
  }, STEP_MS, plotState);
  check(before.pcv !== null, 'the plot has no PCV on its x axis');
  check(before.metric === 'instructions' && before.band === before.resolution, `band ${before.band} for resolution ${before.resolution}`);
  const top = (m: typeof before) => Math.max(...m.series.map((s) => s.points[s.points.length - 1][1]));
  const topBefore = top(before);
  say(`plot: ${before.series.length} cases over ${before.pcv} 0..${before.xMax}, max ${topBefore.toFixed(1)} ${before.metric}, band ±${before.band} (server's resolution)`);

  // It follows the cursor into another function...
  await place(editor, lineOf(doc, 'nat_lookup_ext(struct').translate(2, 0));
  await until('the plot to follow the cursor to nat_lookup_ext', () => api.plot().model?.functionName === 'nat_lookup_ext', STEP_MS, plotState);
  await place(editor, inLoop);
  await until('the plot to come back to nat_lookup_int', () => api.plot().model?.functionName === 'nat_lookup_int', STEP_MS, plotState);
  say('plot follows the cursor');
  check(vscode.languages.getDiagnostics(file).filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length === 0, 'a warning before any edit');

  // Add work inside the loop: a regression warning, and the plot rises.
  const ok = await editor.edit((e) => e.insert(new vscode.Position(inLoop.line + 1, 0), '        st->stats.chain_steps = st->stats.chain_steps * 3 + 1;\n        st->stats.lookups = st->stats.lookups * 5 + st->stats.chain_steps;\n'));
  check(ok, 'the edit was not applied');
  // One warning per affected function (nat_lookup_int and its caller
  // nat_process), the other slower classes as related information.
  const perfiWarnings = () => vscode.languages.getDiagnostics(file).filter((d) => d.severity === vscode.DiagnosticSeverity.Warning && d.source === 'perfi');
  const warned = await until('regression warnings for nat_lookup_int and nat_process', () => {
    const ws = perfiWarnings();
    const fns = ws.map(warnedFunction);
    return fns.includes('nat_lookup_int') && fns.includes('nat_process') ? ws : undefined;
  });
  const fns = warned.map(warnedFunction);
  check(new Set(fns).size === fns.length, `more than one warning for a function: ${fns.join(', ')}`);
  const warning = warned.find((d) => warnedFunction(d) === 'nat_lookup_int')!;
  check(warning.message.includes('slower') && warning.message.includes('→'), `unexpected warning: ${warning.message}`);
  const np = warned.find((d) => warnedFunction(d) === 'nat_process')!;
  const related = np.relatedInformation ?? [];
  check(related.length >= 1, `nat_process: no related information: ${np.message}`);
  const more = /and (\d+) more input class(es)?$/.exec(np.message);
  check(more !== null && Number(more[1]) === related.length, `nat_process: "${np.message.slice(-60)}" for ${related.length} related classes`);
  check(related.every((r) => r.message.startsWith('when `') && r.location.uri.toString() === file.toString()), `related information: ${related.map((r) => r.message.slice(0, 80)).join(' | ')}`);
  say(`warnings: ${fns.length} (${fns.join(', ')}); nat_process has ${related.length} more classes as related information`);
  say(`warning: ${warning.message.split('\n')[0]}`);
  await until('the status bar to count the regression', () => api.status().regressions > 0);
  say(`status bar: ${api.status().text}`);
  const after = await until('the plot to rise after the edit', () => {
    const m = api.plot().model;
    return m && m.functionName === 'nat_lookup_int' && top(m) > topBefore ? m : undefined;
  });
  say(`plot after the edit: max ${top(after).toFixed(1)} (was ${topBefore.toFixed(1)})`);
  await shot('plot');

  // The webview itself: one drawn line and one band per case, and a held
  // variable typed into its box reaches the model.
  fs.writeFileSync(path.join(DIR, 'act-webview.req'), '');
  const seen = JSON.parse(await until('the runner to look at the webview', () => fs.existsSync(path.join(DIR, 'act-webview.done')) && fs.readFileSync(path.join(DIR, 'act-webview.done'), 'utf8'), 60_000)) as { series: number; bands: number; title: string | null; setVar: string | null };
  check(seen.series === after.series.length && seen.bands === after.series.length, `webview shows ${seen.series} lines and ${seen.bands} bands for ${after.series.length} cases`);
  check(seen.title?.includes('nat_lookup_int'), `webview title: ${seen.title}`);
  check(seen.setVar !== null, 'the webview offers no held variable to set');
  await until(`the plot to hold ${seen.setVar} at 4`, () => api.plot().model?.held.some(([v, x]) => v === seen.setVar && x === 4), STEP_MS, plotState);
  say(`webview: ${seen.series} lines, ${seen.bands} bands; ${seen.setVar} = 4 typed in the webview reached the plot`);

  await place(editor, warning.range.start);
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  await vscode.commands.executeCommand('editor.action.showHover');
  await shot('warning');
  await vscode.commands.executeCommand('workbench.action.closePanel');

  // Pinning the baseline makes the edited text the reference: the warning goes.
  // The server analyzes the pinned text again from scratch: slow on a loaded machine.
  const t0 = Date.now();
  say(`pinning with focus ${vscode.window.activeTextEditor ? 'in the editor' : 'outside any text editor'}`);
  await vscode.commands.executeCommand('perfi.pinBaselineActive');
  await until('the warning to clear after pinning', () => vscode.languages.getDiagnostics(file).every((d) => d.severity !== vscode.DiagnosticSeverity.Warning), 3 * STEP_MS);
  say(`pinned: warning cleared after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Export of the whole file as Python (an untitled document).
  await vscode.commands.executeCommand('perfi.exportInterfaces');
  const exported = await until('the exported module', () => vscode.window.visibleTextEditors.find((e) => e.document.isUntitled && e.document.languageId === 'python'));
  const defs = (exported.document.getText().match(/^def nat_/gm) ?? []).length;
  check(defs >= 10, `export has ${defs} nat_ functions`);
  say(`export: ${defs} functions`);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

  // A settings change reaches the server (didChangeConfiguration): the
  // hover states the new resolution and the plot's band follows it.
  await vscode.workspace.getConfiguration('perfi').update('resolution', 3, vscode.ConfigurationTarget.Global);
  await until(
    'the hover to state resolution 3',
    async () => hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', file, fnPos.translate(0, 3))).includes('resolution 3'),
    3 * STEP_MS,
  );
  editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  await place(editor, inLoop.translate(1, 0));
  await until('the plot band to follow the resolution', () => api.plot().model?.band === 3, STEP_MS, plotState);
  say('resolution setting 3: hover and plot band follow');
  // Back to unset: the server pulls the section again and goes back to its
  // default (10), without a restart (the same client object).
  const clientBefore = api.client();
  await vscode.workspace.getConfiguration('perfi').update('resolution', undefined, vscode.ConfigurationTarget.Global);
  await until(
    'the hover to state resolution 10 again',
    async () => hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', file, fnPos.translate(0, 3))).includes('resolution 10 '),
    3 * STEP_MS,
  );
  check(api.client() === clientBefore && api.client()?.isRunning(), 'the server was restarted to unset a setting');
  say('resolution setting unset: the hover states 10 again, same server');
  // Leave the edited nat.c unsaved: the workspace on disk stays as committed.
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

export async function run(): Promise<void> {
  try {
    await scenario();
    fs.writeFileSync(path.join(DIR, 'result'), 'PASS\n');
  } catch (e) {
    const msg = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    say(`FAIL: ${msg}`);
    fs.writeFileSync(path.join(DIR, 'result'), `FAIL: ${msg}\n`);
  }
}
