// Read-only Python documents showing one function's interface: a virtual
// document (scheme perfi-interface) so nothing is written to disk, with a
// .py path so the editor highlights it as Python.

import * as vscode from 'vscode';

export const SCHEME = 'perfi-interface';

export class InterfaceDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '# This interface is no longer available: run "Perfi: Show Performance Interface" again.\n';
  }

  /** Uri of the document for `fn` of the C file `source`. */
  uriFor(source: string, fn: string): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, path: `/${fn}.py`, query: source });
  }

  set(uri: vscode.Uri, text: string): void {
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
