// The running server: finding it, starting `testgap lsp` through
// vscode-languageclient, sending settings, executing its commands.

import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  State,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { clientRegisteredCommands } from './commands';
import { findServer, isExecutableFile } from './serverPath';
import { configurationChange, serverSettings, type MappedSettings, type SettingsSource } from './settings';

const INSTALL_STEPS = 'Install Steps';
const OPEN_SETTINGS = 'Open Settings';

function firstFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** The `testgap.*` settings as the mapping in settings.ts reads them. */
export function currentSettings(): MappedSettings {
  const config = vscode.workspace.getConfiguration('testgap');
  const source: SettingsSource = { get: (key) => config.get(key) };
  return serverSettings(source, { homedir: os.homedir(), workspaceFolder: firstFolder() });
}

export class Session implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the server starts or stops. */
  readonly onDidChange = this.changed.event;
  private lastProblems = '';

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
  ) {}

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  /** Finds the server and starts it; tells the user once when it cannot. */
  async start(): Promise<void> {
    if (this.client) {
      return;
    }
    const lookup = findServer(vscode.workspace.getConfiguration('testgap').get<string>('path'), {
      platform: process.platform,
      env: process.env,
      extensionDir: this.context.extensionUri.fsPath,
      homedir: os.homedir(),
      workspaceFolder: firstFolder(),
      isExecutable: isExecutableFile,
    });
    if (!lookup.found) {
      this.output.error(`${lookup.reason}; looked at:\n  ${lookup.tried.join('\n  ') || '(nothing)'}`);
      void this.explainMissingServer(`testgap: ${lookup.reason}.`);
      return;
    }
    this.output.info(`starting ${lookup.path} lsp (found through ${lookup.source})`);

    // stdio, without `transport: TransportKind.stdio`: that would append
    // `--stdio` to the arguments, which `testgap lsp` rejects.
    const serverOptions: ServerOptions = { command: lookup.path, args: ['lsp'] };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'python' }],
      // A function, so that a restart after a crash sends the settings of then.
      initializationOptions: () => this.settings(),
      outputChannel: this.output,
      traceOutputChannel: this.output,
    };
    const client = new LanguageClient('testgap', 'testgap', serverOptions, clientOptions);
    // The client library registers each server command as a VS Code command;
    // leave out those this extension registers itself (one id twice throws).
    const feature = client.getFeature(ExecuteCommandRequest.method);
    const register = feature.register.bind(feature);
    feature.register = (data) =>
      register({
        ...data,
        registerOptions: {
          ...data.registerOptions,
          commands: clientRegisteredCommands(data.registerOptions.commands ?? []),
        },
      });
    client.onDidChangeState(() => this.changed.fire());
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(`the server did not start: ${message}`);
      void this.explainMissingServer(`testgap: the server ${lookup.path} did not start: ${message}`);
      await client.dispose().catch(() => undefined);
    }
    this.changed.fire();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.dispose().catch((error: unknown) => {
        this.output.warn(`stopping the server: ${String(error)}`);
      });
    }
    this.changed.fire();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Sends the current settings (`workspace/didChangeConfiguration`). */
  async sendSettings(): Promise<void> {
    if (this.client && this.running) {
      await this.client.sendNotification('workspace/didChangeConfiguration', configurationChange(this.settings()));
    }
  }

  /** Runs a server command; rejects with the server's error (e.g. MethodNotFound). */
  async execute(command: string, args: unknown[]): Promise<unknown> {
    if (!this.client || !this.running) {
      throw new Error('the testgap server is not running (see the testgap output)');
    }
    return this.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  /** A request to the running server, `undefined` when none runs. */
  async request<R>(method: string, params: unknown): Promise<R | undefined> {
    if (!this.client || !this.running) {
      return undefined;
    }
    return this.client.sendRequest<R>(method, params);
  }

  private settings() {
    const { settings, problems } = currentSettings();
    const text = problems.join('; ');
    if (text !== '' && text !== this.lastProblems) {
      this.output.warn(text);
      void vscode.window.showWarningMessage(`testgap: ${text}.`);
    }
    this.lastProblems = text;
    return settings;
  }

  private async explainMissingServer(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, INSTALL_STEPS, OPEN_SETTINGS);
    if (choice === INSTALL_STEPS) {
      const readme = vscode.Uri.joinPath(this.context.extensionUri, 'README.md');
      await vscode.commands.executeCommand('markdown.showPreview', readme);
    } else if (choice === OPEN_SETTINGS) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'testgap.path');
    }
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }
}
