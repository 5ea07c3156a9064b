// The extension's entry point: starts the server, registers the commands,
// the audit view and the status bar item, and passes setting changes on.

import * as vscode from 'vscode';
import { AuditView } from './auditView';
import {
  EXTENSION_COMMANDS,
  SERVER_COMMANDS,
  describeCommandFailure,
  documentArguments,
  lastFailedArguments,
  resultMessage,
} from './commands';
import { Session } from './session';
import { CoverageStatus } from './statusBar';

let session: Session | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('testgap', { log: true });
  const current = new Session(context, output);
  session = current;
  const audit = new AuditView(current);
  const status = new CoverageStatus(current);
  context.subscriptions.push(output, current, audit, status);

  /** Runs a server command with `args`; shows its answer, or explains a server that lacks it. */
  const execute = async (command: string, args: unknown[]) => {
    try {
      const result = await current.execute(command, args);
      void vscode.window.showInformationMessage(resultMessage(result) ?? `testgap: ${command} finished.`);
    } catch (error) {
      const { message, notYet } = describeCommandFailure(command, error);
      output.warn(message);
      void (notYet ? vscode.window.showWarningMessage(message) : vscode.window.showErrorMessage(message));
    }
  };

  /** Runs a server command on the active Python file (and, `withPosition`, the cursor). */
  const onActiveFile = (command: string, withPosition: boolean) => async () => {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.languageId !== 'python') {
      void vscode.window.showWarningMessage('testgap: open a Python file first.');
      return;
    }
    const uri = editor.document.uri.toString();
    await execute(command, documentArguments(uri, withPosition ? editor.selection.active : undefined));
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(EXTENSION_COMMANDS.showAudit, (threshold?: unknown) =>
      audit.show(typeof threshold === 'number' ? threshold : undefined),
    ),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.generateTests, onActiveFile(SERVER_COMMANDS.generate, false)),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.runTests, onActiveFile(SERVER_COMMANDS.runTests, true)),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.runLastFailedTests, () => {
      // The active file picks the workspace folder; without one, the first.
      const active = vscode.window.activeTextEditor?.document.uri;
      return execute(SERVER_COMMANDS.runTests, lastFailedArguments(active?.scheme === 'file' ? active.toString() : undefined));
    }),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.fixFailingTests, onActiveFile(SERVER_COMMANDS.fix, true)),
    vscode.commands.registerCommand(EXTENSION_COMMANDS.restartServer, async () => {
      output.info('restarting the server');
      await current.restart();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('testgap')) {
        return;
      }
      if (event.affectsConfiguration('testgap.path')) {
        await current.restart();
        return;
      }
      await current.sendSettings();
      status.invalidate();
    }),
    // Trusting the workspace brings its `testgap.path` and `testgap.python` into force.
    vscode.workspace.onDidGrantWorkspaceTrust(() => current.restart()),
  );

  await current.start();
}

export async function deactivate(): Promise<void> {
  await session?.stop();
  session = undefined;
}
