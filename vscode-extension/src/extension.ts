// Entry point: starts `perfi lsp` through vscode-languageclient and wires
// the commands, the status bar item, the interface documents and the plot.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, State } from 'vscode-languageclient/node';
import { functionAtLine, functionMarks, inRange } from './functionAt';
import { FunctionInterface, parseInterface, resolutionFromText } from './iface';
import { InterfaceDocuments, SCHEME } from './interfaceDoc';
import { interfaceDocumentText } from './python';
import { PlotPanel } from './plotPanel';
import { resolveServerPath, ServerNotFound } from './serverPath';
import { DEFAULT_RESOLUTION, parseResolution, RESOLUTION_CHOICES, serverSettings, ServerSettings } from './settings';
import { StatusState, statusView } from './status';

const SELECTOR = [
  { scheme: 'file', language: 'c' },
  { scheme: 'file', language: 'cpp' },
];

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    fs.accessSync(p, fs.constants.X_OK);
    return st.isFile();
  } catch {
    return false;
  }
}

function isC(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return doc !== undefined && doc.uri.scheme === 'file' && (doc.languageId === 'c' || doc.languageId === 'cpp');
}

/** What the extension returns from activate(); the integration test reads it. */
export interface PerfiApi {
  client(): LanguageClient | undefined;
  status(): StatusState & { text: string };
  plot(): { model: PlotPanel['lastModel']; error: string | undefined; updates: number };
  serverCommand(): string | undefined;
  interfaceAt(editor: vscode.TextEditor): Promise<FunctionInterface | undefined>;
}

class Perfi {
  private client: LanguageClient | undefined;
  private command: string | undefined;
  private sent: ServerSettings | undefined;
  private readonly output = vscode.window.createOutputChannel('Perfi');
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  private readonly docs = new InterfaceDocuments();
  private readonly plot: PlotPanel;
  private state: StatusState = { running: false, analyzing: false, functions: undefined, regressions: 0 };
  private countTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: vscode.ExtensionContext) {
    this.plot = new PlotPanel({
      interfaceAt: (ed) => this.interfaceWithResolution(ed),
      resolution: () => this.sent?.resolution ?? DEFAULT_RESOLUTION,
      defaultMax: () => vscode.workspace.getConfiguration('perfi').get<number>('plot.defaultMaximum', 32),
      log: (m) => this.output.appendLine(m),
    });
    this.item.command = 'perfi.showLog';
    ctx.subscriptions.push(this.output, this.item, this.docs, this.plot);
    ctx.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(SCHEME, this.docs));
  }

  api(): PerfiApi {
    return {
      client: () => this.client,
      status: () => ({ ...this.state, text: statusView(this.state).text }),
      plot: () => ({ model: this.plot.lastModel, error: this.plot.lastError, updates: this.plot.updates }),
      serverCommand: () => this.command,
      interfaceAt: (ed) => this.interfaceAt(ed),
    };
  }

  private settings(): ServerSettings {
    const cfg = vscode.workspace.getConfiguration('perfi');
    const { settings, problems } = serverSettings((k) => cfg.get(k));
    for (const p of problems) {
      this.output.appendLine(`settings: ${p}`);
      void vscode.window.showWarningMessage(`Perfi: ${p}`);
    }
    return settings;
  }

  private render(): void {
    const v = statusView(this.state);
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.backgroundColor = v.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  private setState(s: Partial<StatusState>): void {
    this.state = { ...this.state, ...s };
    this.render();
  }

  async start(): Promise<void> {
    let resolved;
    try {
      resolved = resolveServerPath({
        configured: vscode.workspace.getConfiguration('perfi').get<string>('serverPath', ''),
        pathVar: process.env.PATH,
        bundled: this.ctx.asAbsolutePath(path.join('bin', 'perfi')),
        platform: process.platform,
        arch: process.arch,
        isExecutable,
        home: os.homedir(),
      });
    } catch (e) {
      const msg = e instanceof ServerNotFound ? e.message : `cannot start perfi: ${String(e)}`;
      this.output.appendLine(msg);
      this.setState({ running: false, error: msg });
      void vscode.window.showErrorMessage(`Perfi: ${msg}`, 'Open Settings').then((a) => {
        if (a) {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'perfi.serverPath');
        }
      });
      return;
    }
    this.command = resolved.command;
    this.output.appendLine(`starting ${resolved.command} lsp --stdio (from ${resolved.source})`);
    this.sent = this.settings();
    const serverOptions: ServerOptions = { command: resolved.command, args: ['lsp', '--stdio'] };
    const clientOptions: LanguageClientOptions = {
      documentSelector: SELECTOR,
      outputChannel: this.output,
      initializationOptions: () => ({ perfi: this.sent }),
      middleware: {
        // The server pulls its settings (workspace/configuration, after
        // start and on each change it registered for): answer the `perfi`
        // section with the checked settings, so a setting going back to
        // its default reaches the server too, without a restart.
        workspace: {
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            return params.items.map((item, i) => {
              if (item.section !== 'perfi') {
                return answer[i];
              }
              this.sent = this.settings();
              return this.sent;
            });
          },
        },
        executeCommand: async (command, args, next) => {
          const result = await next(command, args);
          await this.afterCommand(command, args, result);
          return result;
        },
        handleDiagnostics: (uri, diagnostics, next) => {
          next(uri, diagnostics);
          if (this.currentC()?.document.uri.toString() === uri.toString()) {
            const regressions = diagnostics.filter((d) => d.code === 'perfi.regression' || (typeof d.code === 'object' && d.code?.value === 'perfi.regression')).length;
            this.setState({ analyzing: false, regressions });
            this.countFunctions();
            this.plot.refresh();
          }
        },
      },
    };
    this.client = new LanguageClient('perfi', 'Perfi', serverOptions, clientOptions);
    this.client.onDidChangeState((e) => this.setState({ running: e.newState === State.Running, error: undefined }));
    this.setState({ error: undefined });
    try {
      await this.client.start();
    } catch (e) {
      const msg = `the language server failed to start: ${e instanceof Error ? e.message : String(e)}`;
      this.output.appendLine(msg);
      this.setState({ running: false, error: msg });
      return;
    }
    this.countFunctions();
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) {
      try {
        await c.stop(5000);
      } catch (e) {
        this.output.appendLine(`stopping the server: ${String(e)}`);
      }
    }
  }

  /** Number of function lenses of the active document, for the status bar. */
  private countFunctions(): void {
    if (this.countTimer) {
      clearTimeout(this.countTimer);
    }
    this.countTimer = setTimeout(async () => {
      const doc = this.currentC()?.document;
      if (!isC(doc) || !this.client) {
        return;
      }
      try {
        const lenses = await this.client.sendRequest('textDocument/codeLens', { textDocument: { uri: doc.uri.toString() } });
        this.setState({ functions: functionMarks(lenses).length });
      } catch (e) {
        this.output.appendLine(`code lens: ${String(e)}`);
      }
    }, 100);
  }

  onEdit(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length > 0 && isC(e.document) && e.document === this.currentC()?.document) {
      this.setState({ analyzing: true });
    }
  }

  private lastC: vscode.TextEditor | undefined;

  onActiveEditor(ed: vscode.TextEditor | undefined): void {
    if (!isC(ed?.document)) {
      return;
    }
    this.lastC = ed;
    const regressions = vscode.languages.getDiagnostics(ed.document.uri).filter((d) => d.source === 'perfi' && d.severity === vscode.DiagnosticSeverity.Warning).length;
    this.setState({ regressions, functions: undefined, analyzing: false });
    this.countFunctions();
  }

  async onConfig(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!e.affectsConfiguration('perfi')) {
      return;
    }
    if (e.affectsConfiguration('perfi.serverPath')) {
      await this.restart();
      return;
    }
    // Nothing to send: the server registered for workspace/didChangeConfiguration,
    // so the language client tells it, and it pulls the section (above).
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * The C editor a command is about: the active one, else (focus in the
   * plot, a panel or the Problems view) the one last active.
   */
  private currentC(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    return isC(active?.document) ? active : this.lastC && vscode.window.visibleTextEditors.includes(this.lastC) ? this.lastC : undefined;
  }

  /** currentC(), or a message saying why a command cannot run. */
  private activeC(): vscode.TextEditor | undefined {
    const ed = this.currentC();
    if (!ed) {
      void vscode.window.showInformationMessage('Perfi: open a C file first.');
      return undefined;
    }
    if (!this.client?.isRunning()) {
      void vscode.window.showWarningMessage('Perfi: the language server is not running (see the Perfi output).');
      return undefined;
    }
    return ed;
  }

  async interfaceAt(ed: vscode.TextEditor): Promise<FunctionInterface | undefined> {
    const c = this.client;
    if (!c) {
      return undefined;
    }
    const uri = ed.document.uri.toString();
    const line = ed.selection.active.line;
    const lenses = await c.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    const mark = functionAtLine(functionMarks(lenses), line);
    if (!mark) {
      return undefined;
    }
    const raw = await c.sendRequest('perfi/interface', { uri, function: mark.name });
    const f = parseInterface(raw);
    // The range check catches a cursor below the end of the last function above it.
    return f.startLine === 0 || inRange(line, f.startLine, f.endLine) ? f : undefined;
  }

  /** As interfaceAt, with the resolution the server analyzed the file at. */
  async interfaceWithResolution(ed: vscode.TextEditor): Promise<{ f: FunctionInterface; resolution: number | undefined } | undefined> {
    const f = await this.interfaceAt(ed);
    if (!f || !this.client) {
      return undefined;
    }
    // Sent directly, not through vscode.commands: the middleware would open the interface document.
    const r = (await this.client.sendRequest('workspace/executeCommand', { command: 'perfi.showInterface', arguments: [ed.document.uri.toString(), f.name] })) as { text?: unknown } | null;
    return { f, resolution: typeof r?.text === 'string' ? resolutionFromText(r.text) : undefined };
  }

  private async afterCommand(command: string, args: unknown[], result: unknown): Promise<void> {
    if (command === 'perfi.showInterface') {
      const r = result as { name?: string; text?: string } | undefined;
      const source = typeof args[0] === 'string' ? args[0] : '';
      const name = r?.name ?? (typeof args[1] === 'string' ? args[1] : '');
      let module: string | undefined;
      try {
        const py = await this.client?.sendRequest('workspace/executeCommand', { command: 'perfi.exportPython', arguments: [source] });
        module = typeof py === 'string' ? py : undefined;
      } catch (e) {
        this.output.appendLine(`exportPython for the interface document: ${String(e)}`);
      }
      const rel = source.startsWith('file:') ? vscode.workspace.asRelativePath(vscode.Uri.parse(source)) : source;
      const uri = this.docs.uriFor(source, name);
      this.docs.set(uri, interfaceDocumentText(rel, name, r?.text ?? '', module));
      const doc = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), 'python');
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
    } else if (command === 'perfi.pinBaseline') {
      void vscode.window.showInformationMessage('Perfi: the current text is now the baseline for regression warnings.');
    } else if (command === 'perfi.exportPython' && typeof result === 'string') {
      // Only user commands pass through this middleware; the request made
      // above for the interface document does not.
      const doc = await vscode.workspace.openTextDocument({ language: 'python', content: result });
      await vscode.window.showTextDocument(doc, { preview: false });
    }
  }

  register(): void {
    const reg = (id: string, f: () => unknown) => this.ctx.subscriptions.push(vscode.commands.registerCommand(id, f));
    reg('perfi.showInterfaceAtCursor', async () => {
      const ed = this.activeC();
      if (!ed) {
        return;
      }
      const f = await this.interfaceAt(ed);
      if (!f) {
        void vscode.window.showInformationMessage('Perfi: the cursor is not in a function Perfi analyzed.');
        return;
      }
      await vscode.commands.executeCommand('perfi.showInterface', ed.document.uri.toString(), f.name);
    });
    reg('perfi.pinBaselineActive', async () => {
      const ed = this.activeC();
      if (ed) {
        await vscode.commands.executeCommand('perfi.pinBaseline', ed.document.uri.toString());
      }
    });
    reg('perfi.exportInterfaces', async () => {
      const ed = this.activeC();
      if (!ed) {
        return;
      }
      await vscode.commands.executeCommand('perfi.exportPython', ed.document.uri.toString());
    });
    reg('perfi.setResolution', async () => {
      const cfg = vscode.workspace.getConfiguration('perfi');
      const current = cfg.get<number | null>('resolution') ?? undefined;
      const items: Array<vscode.QuickPickItem & { value?: number | null }> = [
        ...RESOLUTION_CHOICES.map((r) => ({ label: String(r), description: r === current ? 'current' : r === 1 ? 'exact: only identical costs merge' : undefined, value: r })),
        { label: 'perfi.toml', description: current === undefined ? 'current' : `the project's value, else ${DEFAULT_RESOLUTION}`, value: null },
        { label: 'Other…', description: 'type a value' },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: 'Perfi resolution (instructions)', placeHolder: 'Paths whose costs differ by less than this merge' });
      if (!pick) {
        return;
      }
      let value = pick.value;
      if (value === undefined) {
        const typed = await vscode.window.showInputBox({ prompt: 'Resolution in instructions (a positive number)', validateInput: (t) => (parseResolution(t) === undefined ? 'a positive number, e.g. 15' : undefined) });
        if (typed === undefined) {
          return;
        }
        value = parseResolution(typed);
      }
      const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await cfg.update('resolution', value, target);
    });
    reg('perfi.showPlot', () => this.plot.show(this.currentC()));
    reg('perfi.showLog', () => this.output.show(true));
    reg('perfi.restartServer', () => this.restart());
    this.ctx.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
      vscode.window.onDidChangeActiveTextEditor((ed) => this.onActiveEditor(ed)),
      vscode.workspace.onDidChangeConfiguration((e) => void this.onConfig(e)),
    );
  }
}

let perfi: Perfi | undefined;

export async function activate(ctx: vscode.ExtensionContext): Promise<PerfiApi> {
  perfi = new Perfi(ctx);
  perfi.register();
  await perfi.start();
  perfi.onActiveEditor(vscode.window.activeTextEditor);
  return perfi.api();
}

export async function deactivate(): Promise<void> {
  await perfi?.stop();
  perfi = undefined;
}
