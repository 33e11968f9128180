// The "Latency vs PCV" webview: follows the function at the cursor and
// redraws as the document changes. The SVG is made on the extension side
// (plotSvg.ts); the webview only shows it and sends back the choices.

import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { FunctionInterface, METRICS, Metric } from './iface';
import { buildPlot, PlotModel } from './plotModel';
import { escapeXml, renderLegend, renderSvg } from './plotSvg';

function isC(e: vscode.TextEditor): boolean {
  return e.document.languageId === 'c' || e.document.languageId === 'cpp';
}

export interface PlotSource {
  /** Function at the cursor of `editor`, its interface and the resolution it was computed at; undefined when there is none. */
  interfaceAt(editor: vscode.TextEditor): Promise<{ f: FunctionInterface; resolution: number | undefined } | undefined>;
  /** The resolution when the server's text does not state it. */
  resolution(): number;
  defaultMax(): number;
  log(msg: string): void;
}

export class PlotPanel {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pcv: string | undefined;
  private metric: Metric = 'instructions';
  /** Values the user gave the variables that are not on the x axis. */
  private fixed = new Map<string, number>();
  private generation = 0;
  /** The C editor last plotted: while the webview has focus there is no active editor. */
  private editor: vscode.TextEditor | undefined;
  /** The last model drawn, for tests and for the status of the panel. */
  lastModel: PlotModel | undefined;
  lastError: string | undefined;
  updates = 0;

  constructor(private readonly src: PlotSource) {}

  show(editor: vscode.TextEditor | undefined): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      this.panel = vscode.window.createWebviewPanel('perfi.plot', 'Latency vs PCV', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] });
      this.panel.webview.html = this.html(this.panel.webview);
      this.panel.onDidDispose(() => this.disposePanel(), null, this.subs);
      this.panel.webview.onDidReceiveMessage((m: { type?: string; pcv?: string; metric?: string; fixed?: Record<string, unknown> }) => {
        if (m.type === 'choose') {
          this.pcv = m.pcv || undefined;
          if ((METRICS as readonly string[]).includes(m.metric ?? '')) {
            this.metric = m.metric as Metric;
          }
          for (const [k, v] of Object.entries(m.fixed ?? {})) {
            const x = Number(v);
            if (v !== '' && Number.isFinite(x) && x >= 0) {
              this.fixed.set(k, x);
            }
          }
          this.schedule(this.current(), 0);
        }
      }, null, this.subs);
      vscode.window.onDidChangeTextEditorSelection((e) => this.schedule(e.textEditor, 250), null, this.subs);
      vscode.workspace.onDidChangeTextDocument((e) => {
        const ed = this.current();
        if (ed && e.document === ed.document) {
          this.schedule(ed, 400);
        }
      }, null, this.subs);
    }
    this.schedule(editor, 0);
  }

  /** Redraw for the active editor: the server published new results (e.g. after a settings change). */
  refresh(): void {
    this.schedule(this.current(), 100);
  }

  private current(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active && isC(active)) {
      return active;
    }
    // The remembered editor may have been closed since.
    return this.editor && vscode.window.visibleTextEditors.includes(this.editor) ? this.editor : vscode.window.visibleTextEditors.find(isC);
  }

  private schedule(editor: vscode.TextEditor | undefined, ms: number): void {
    if (!this.panel || !editor || !isC(editor)) {
      return;
    }
    this.editor = editor;
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.update(editor), ms);
  }

  private async update(editor: vscode.TextEditor): Promise<void> {
    const gen = ++this.generation;
    let got: { f: FunctionInterface; resolution: number | undefined } | undefined;
    try {
      got = await this.src.interfaceAt(editor);
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.src.log(`plot: ${this.lastError}`);
      this.post({ type: 'error', message: this.lastError });
      return;
    }
    // A newer cursor move or edit has started its own update.
    if (gen !== this.generation || !this.panel) {
      return;
    }
    if (!got) {
      this.post({ type: 'idle', message: 'Put the cursor in a function to plot its interface.' });
      return;
    }
    const f = got.f;
    try {
      const m = buildPlot(f, { pcv: this.pcv, metric: this.metric, resolution: got.resolution ?? this.src.resolution(), defaultMax: this.src.defaultMax(), fixed: this.fixed });
      if (got.resolution === undefined) {
        m.notes.push(`the server did not state the resolution; the band assumes ${m.resolution}`);
      }
      this.lastModel = m;
      this.lastError = undefined;
      this.updates++;
      this.panel.title = `Latency vs PCV: ${f.name}`;
      this.post({
        type: 'update',
        title: `${f.name} — ${m.metric} vs ${m.pcv ?? '(no PCV)'}`,
        description: m.pcvDescription,
        svg: renderSvg(m),
        legend: renderLegend(m),
        notes: m.notes.map(escapeXml),
        held: m.held,
        band: m.band === null ? '' : `Shaded: ± resolution (${m.band} instructions) around each case.`,
        pcvChoices: m.pcvChoices,
        pcv: m.pcv ?? '',
        metrics: [...METRICS],
        metric: m.metric,
      });
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.post({ type: 'error', message: this.lastError });
    }
  }

  private post(msg: unknown): void {
    void this.panel?.webview.postMessage(msg);
  }

  private html(webview: vscode.Webview): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<title>Latency vs PCV</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 8px 14px; }
h2 { font-size: 1.1em; margin: 4px 0; }
.desc, .held, .band { opacity: 0.8; font-size: 0.9em; margin: 2px 0; }
.notes { color: var(--vscode-editorWarning-foreground, #b58900); font-size: 0.9em; }
select { margin-right: 12px; }
.held input { width: 5em; margin-right: 10px; }
ul.legend { list-style: none; padding: 0; font-size: 0.9em; }
ul.legend li { margin: 4px 0; }
.swatch { display: inline-block; width: 14px; height: 4px; margin-right: 6px; vertical-align: middle; }
.cond { opacity: 0.75; margin-left: 20px; word-break: break-word; }
svg { color: var(--vscode-foreground); max-width: 100%; height: auto; }
</style></head>
<body>
<div><label>PCV <select id="pcv"></select></label><label>metric <select id="metric"></select></label></div>
<h2 id="title">Waiting for the interface…</h2>
<div class="desc" id="desc"></div>
<div id="plot"></div>
<div class="band" id="band"></div>
<div class="held" id="held"></div>
<div class="notes" id="notes"></div>
<ul class="legend" id="legend"></ul>
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
const $ = (id) => document.getElementById(id);
function fill(sel, items, chosen) {
  sel.replaceChildren(...items.map((v) => { const o = document.createElement('option'); o.value = v; o.textContent = v; o.selected = v === chosen; return o; }));
}
function choose() {
  const fixed = {};
  for (const inp of document.querySelectorAll('#held input')) fixed[inp.dataset.v] = inp.value;
  vscode.postMessage({ type: 'choose', pcv: $('pcv').value, metric: $('metric').value, fixed });
}
$('pcv').addEventListener('change', choose);
$('metric').addEventListener('change', choose);
window.addEventListener('message', (ev) => {
  const m = ev.data;
  if (m.type === 'update') {
    $('title').textContent = m.title;
    $('desc').textContent = m.description;
    $('plot').innerHTML = m.svg;
    $('legend').innerHTML = m.legend;
    $('band').textContent = m.band;
    $('held').replaceChildren();
    if (m.held.length > 0) {
      $('held').append('Held at: ');
      for (const [v, x] of m.held) {
        const label = document.createElement('label');
        label.textContent = v + ' = ';
        const inp = document.createElement('input');
        inp.type = 'number'; inp.min = '0'; inp.value = String(x); inp.dataset.v = v; inp.size = 5;
        inp.addEventListener('change', choose);
        label.append(inp);
        $('held').append(label, ' ');
      }
    }
    $('notes').innerHTML = m.notes.join('<br>');
    fill($('pcv'), m.pcvChoices, m.pcv);
    fill($('metric'), m.metrics, m.metric);
  } else {
    $('notes').textContent = m.message;
  }
});
</script></body></html>`;
  }

  private disposePanel(): void {
    this.panel = undefined;
    if (this.timer) {
      clearTimeout(this.timer);
    }
    for (const d of this.subs.splice(0)) {
      d.dispose();
    }
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposePanel();
  }
}
