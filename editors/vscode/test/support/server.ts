// Drives the real `testgap lsp` through vscode-languageserver-protocol, the
// protocol layer vscode-languageclient is built on: no VS Code needed.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ApplyWorkspaceEditParams,
  type ClientCapabilities,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';

/** The repository root (this file is editors/vscode/{test,out/test}/support/…). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'Cargo.toml')) || !fs.existsSync(path.join(dir, 'editors'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no repository root above ${__dirname}`);
    }
    dir = parent;
  }
  return dir;
}

/** `$TESTGAP_BIN`, else `<repo>/target/debug/testgap`. */
export function serverBinary(): string {
  const file = process.env.TESTGAP_BIN || path.join(repoRoot(), 'target', 'debug', 'testgap');
  if (!fs.existsSync(file)) {
    throw new Error(`testgap binary not found at ${file}: run \`cargo build\` or set TESTGAP_BIN`);
  }
  return file;
}

/**
 * What VS Code's language client announces in the parts the server reads:
 * UTF-16 positions, refresh support, progress, dynamic file watching.
 */
export const VSCODE_CAPABILITIES: ClientCapabilities = {
  general: { positionEncodings: ['utf-16'] },
  window: { workDoneProgress: true, showMessage: {} },
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    executeCommand: { dynamicRegistration: true },
    inlayHint: { refreshSupport: true },
    codeLens: { refreshSupport: true },
    symbol: { dynamicRegistration: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, didSave: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
    inlayHint: { dynamicRegistration: true, resolveSupport: { properties: ['tooltip', 'label.tooltip'] } },
    codeLens: { dynamicRegistration: true },
    codeAction: {
      dynamicRegistration: true,
      isPreferredSupport: true,
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
      codeActionLiteralSupport: {
        codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] },
      },
    },
  },
};

/** A running server and what it has sent. */
export class ServerProcess {
  readonly connection: ProtocolConnection;
  /** Every `textDocument/publishDiagnostics`, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** Methods of the requests the server sent to the client. */
  readonly serverRequests: string[] = [];
  /** `window/showMessage` and `window/logMessage` texts. */
  readonly messages: string[] = [];
  /** Edits the server asked the client to apply (`workspace/applyEdit`); VS Code applies them. */
  readonly editsToApply: WorkspaceEdit[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  private readonly waiters: (() => void)[] = [];

  constructor(binary: string, cwd: string) {
    this.child = spawn(binary, ['lsp'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    if (!this.child.stdout || !this.child.stdin) {
      throw new Error('the server has no stdio');
    }
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.child.stdout),
      new StreamMessageWriter(this.child.stdin),
    );
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.push(params);
      this.wake();
    });
    this.connection.onNotification('window/showMessage', (params: { message: string }) => {
      this.messages.push(params.message);
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.messages.push(params.message);
    });
    this.connection.onNotification('$/progress', () => undefined);
    // What VS Code accepts, the harness accepts; it records each request.
    for (const method of [
      'client/registerCapability',
      'client/unregisterCapability',
      'window/workDoneProgress/create',
      'window/showMessageRequest',
      'workspace/inlayHint/refresh',
      'workspace/codeLens/refresh',
      'workspace/diagnostic/refresh',
      'workspace/semanticTokens/refresh',
    ]) {
      this.connection.onRequest(method, () => {
        this.serverRequests.push(method);
        return null;
      });
    }
    this.connection.onRequest('workspace/applyEdit', (params: ApplyWorkspaceEditParams) => {
      this.serverRequests.push('workspace/applyEdit');
      this.editsToApply.push(params.edit);
      return { applied: true };
    });
    this.connection.listen();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter();
    }
  }

  /** Waits for the first diagnostics of `uri` that satisfy `test`, after `since` publications. */
  async diagnostics(
    uri: string,
    test: (diagnostics: Diagnostic[]) => boolean,
    since = 0,
    timeoutMs = 15_000,
  ): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.published.slice(since).find((p) => p.uri === uri && test(p.diagnostics));
      if (found) {
        return found.diagnostics;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.published.filter((p) => p.uri === uri).map((p) => p.diagnostics.map((d) => (typeof d.message === 'string' ? d.message : d.message.value)));
        throw new Error(
          `no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(seen)}\n` +
            `messages: ${JSON.stringify(this.messages)}\nstderr: ${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** `shutdown`, `exit`, and the process's exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) {
        resolve(this.child.exitCode);
      } else {
        this.child.once('exit', (code) => resolve(code));
      }
    });
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // The process is gone already; the exit code says why.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    const code = await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }

  /** Ends the process whatever state it is in. */
  kill(): void {
    if (this.child.exitCode === null) {
      this.child.kill('SIGKILL');
    }
    this.connection.dispose();
  }
}
