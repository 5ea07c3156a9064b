// The status bar item: the active Python file's coverage, as the report
// recorded it. One `testgap.audit` (threshold 100: every module not fully
// covered) answers for all files and is kept until coverage.json, the
// settings or the server change; a file the audit does not list is either
// fully covered or not measured, which a hover on its first line tells.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { auditDocuments, fileCoverage, noCoverageReason, type AuditDocument } from './audit';
import { EXTENSION_COMMANDS, SERVER_COMMANDS, auditArguments } from './commands';
import { currentSettings, type Session } from './session';

const DEBOUNCE_MS = 300;
/** Lets the server load a new coverage.json before the audit is asked again. */
const RELOAD_DELAY_MS = 1000;

type Audit = { docs: AuditDocument[] } | { error: string };

function normalize(file: string): string {
  let resolved = path.resolve(file);
  try {
    resolved = fs.realpathSync.native(resolved);
  } catch {
    // A file not on disk compares by its resolved path.
  }
  return process.platform === 'win32' ? resolved.toLowerCase() : resolved;
}

function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String(error.message);
  }
  return String(error);
}

export class CoverageStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private audit: Promise<Audit> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private readonly session: Session) {
    this.item = vscode.window.createStatusBarItem('testgap.coverage', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'testgap coverage';
    this.item.command = EXTENSION_COMMANDS.showAudit;
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.json', false, false, false);
    const reportChanged = (uri: vscode.Uri) => {
      const configured = currentSettings().settings.coverageFile;
      const names = new Set(['coverage.json', ...(configured === null ? [] : [path.basename(configured)])]);
      if (names.has(path.basename(uri.fsPath))) {
        this.invalidate(RELOAD_DELAY_MS);
      }
    };
    this.disposables.push(
      this.item,
      watcher,
      watcher.onDidChange(reportChanged),
      watcher.onDidCreate(reportChanged),
      watcher.onDidDelete(reportChanged),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.languages.onDidChangeDiagnostics((event) => {
        // Before the first report loads, the audit fails; diagnostics arrive
        // once it has loaded, so ask again then.
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active !== undefined && event.uris.some((u) => u.toString() === active)) {
          void this.audit?.then((a) => {
            if ('error' in a) {
              this.invalidate();
            }
          });
        }
      }),
      session.onDidChange(() => this.invalidate()),
    );
    this.schedule();
  }

  /** Forgets the audit and updates the item after `delay` ms. */
  invalidate(delay = DEBOUNCE_MS): void {
    this.audit = undefined;
    this.schedule(delay);
  }

  private schedule(delay = DEBOUNCE_MS): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.update();
    }, delay);
  }

  private fetchAudit(): Promise<Audit> {
    this.audit ??= this.session
      .execute(SERVER_COMMANDS.audit, auditArguments({ threshold: 100, maxModules: 1_000_000 }))
      .then(
        (result): Audit => ({ docs: auditDocuments(result) }),
        (error: unknown): Audit => ({ error: errorText(error) }),
      );
    return this.audit;
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const editor = vscode.window.activeTextEditor;
    const document = editor?.document;
    if (!this.session.running || document === undefined || document.languageId !== 'python' || document.uri.scheme !== 'file') {
      this.item.hide();
      return;
    }
    const audit = await this.fetchAudit();
    const shown = await this.describe(audit, document);
    // A later update (another editor, a newer report) wins.
    if (generation !== this.generation) {
      return;
    }
    this.item.text = shown.text;
    this.item.tooltip = shown.tooltip;
    this.item.backgroundColor = shown.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  private async describe(
    audit: Audit,
    document: vscode.TextDocument,
  ): Promise<{ text: string; tooltip: string; warning?: boolean }> {
    const name = vscode.workspace.asRelativePath(document.uri);
    if ('error' in audit) {
      return {
        text: '$(beaker) no coverage',
        tooltip: `testgap: ${audit.error}\n\nMake the report with \`coverage run --branch -m pytest && coverage json\`.`,
        warning: true,
      };
    }
    const target = normalize(document.uri.fsPath);
    const found = fileCoverage(audit.docs, target, (a, b) => normalize(a) === b);
    if (found) {
      const gaps = `${found.gaps} function${found.gaps === 1 ? '' : 's'} with lines no test runs`;
      const stale = found.stale ? '\n\nThe file changed after coverage ran: run coverage again to refresh.' : '';
      return {
        text: `$(beaker) ${found.display}%${found.stale ? '*' : ''}`,
        tooltip: `testgap: ${name} is ${found.display}% covered (statements and branches) · ${gaps}.${stale}\n\nClick for the coverage audit.`,
      };
    }
    const reason = await this.noCoverageReason(document);
    if (reason !== undefined) {
      return { text: '$(beaker) —', tooltip: `testgap: ${name}: ${reason}` };
    }
    return {
      text: '$(beaker) 100%',
      tooltip: `testgap: every line and branch of ${name} runs in the tests.\n\nClick for the coverage audit.`,
    };
  }

  /** Why the server has no coverage for `document`, or `undefined` when it has. */
  private async noCoverageReason(document: vscode.TextDocument): Promise<string | undefined> {
    try {
      const hover = await this.session.request<unknown>('textDocument/hover', {
        textDocument: { uri: document.uri.toString() },
        position: { line: 0, character: 0 },
      });
      return noCoverageReason(hover);
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}
