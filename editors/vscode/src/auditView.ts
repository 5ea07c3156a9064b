// "testgap: Show Coverage Audit": runs `testgap.audit` on the server and
// shows the ranked modules and their functions in a webview; a click opens
// the function.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { auditDocuments, renderAuditHtml, type Target } from './audit';
import { AUDIT_THRESHOLD, SERVER_COMMANDS, auditArguments, describeCommandFailure } from './commands';
import type { Session } from './session';

type Message = { type: 'open'; target: number } | { type: 'audit'; threshold?: number };

export class AuditView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private targets: Target[] = [];
  private threshold = AUDIT_THRESHOLD;

  constructor(private readonly session: Session) {}

  /** Runs the audit (modules below `threshold`, by default the last one asked for) and shows it. */
  async show(threshold?: number): Promise<void> {
    if (threshold !== undefined) {
      this.threshold = threshold;
    }
    let result: unknown;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'testgap: auditing coverage' },
        () => this.session.execute(SERVER_COMMANDS.audit, auditArguments({ threshold: this.threshold })),
      );
    } catch (error) {
      void vscode.window.showErrorMessage(describeCommandFailure(SERVER_COMMANDS.audit, error).message);
      return;
    }
    const panel = this.reveal();
    const nonce = randomBytes(16).toString('base64');
    const { html, targets } = renderAuditHtml(auditDocuments(result), {
      nonce,
      cspSource: panel.webview.cspSource,
      threshold: this.threshold,
    });
    this.targets = targets;
    panel.webview.html = html;
  }

  private reveal(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      'testgap.audit',
      'testgap: coverage audit',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [] },
    );
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.targets = [];
    });
    panel.webview.onDidReceiveMessage((message: Message) => void this.receive(message));
    this.panel = panel;
    return panel;
  }

  private async receive(message: Message): Promise<void> {
    if (message.type === 'audit') {
      await this.show(typeof message.threshold === 'number' ? message.threshold : undefined);
      return;
    }
    const target = this.targets[message.target];
    if (message.type !== 'open' || target === undefined) {
      return;
    }
    const position = new vscode.Position(Math.max(target.line - 1, 0), 0);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(target.file), {
        viewColumn: vscode.ViewColumn.One,
        selection: new vscode.Range(position, position),
      });
    } catch (error) {
      void vscode.window.showErrorMessage(`testgap: cannot open ${target.file}: ${String(error)}`);
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
