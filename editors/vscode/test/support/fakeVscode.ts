// Just enough of the `vscode` module for the built extension and
// vscode-languageclient to activate in plain Node and talk to the real
// server. Records what the user would see: messages, diagnostics, the status
// bar, the audit webview, opened documents. Members it does not define are
// stand-ins: a class that keeps its arguments, whose statics are their names.

import Module from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Listener<T> = (event: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };
  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      listener(event);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Disposable {
  constructor(private readonly callOnDispose: () => unknown = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.callOnDispose();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
    private readonly text: string,
  ) {}
  static file(file: string): Uri {
    return new Uri('file', path.resolve(file), pathToFileURL(file).href);
  }
  static parse(text: string): Uri {
    const scheme = text.slice(0, text.indexOf(':'));
    return scheme === 'file' ? Uri.file(fileURLToPath(text)) : new Uri(scheme, '', text);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return Uri.file(path.join(base.fsPath, ...parts));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return this.text;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, fsPath: this.fsPath, external: this.text };
  }
  with(): Uri {
    return this;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c ?? 0, d ?? 0) : (b as Position);
  }
}

export class Diagnostic {
  source?: string;
  code?: unknown;
  data?: unknown;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity?: number,
  ) {}
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

/** An open text document, as the client library reads it. */
export function textDocument(file: string, text: string, languageId = 'python') {
  const lines = text.split('\n');
  return {
    uri: Uri.file(file),
    fileName: file,
    languageId,
    version: 1,
    isUntitled: false,
    isClosed: false,
    isDirty: false,
    lineCount: lines.length,
    getText: () => text,
    lineAt: (line: number) => ({ text: lines[line] ?? '' }),
  };
}

export type FakeDocument = ReturnType<typeof textDocument>;

/** What the extension showed, and the handles a test drives it with. */
export class FakeVscode {
  readonly messages: { level: 'error' | 'warning' | 'information'; text: string; items: string[] }[] = [];
  readonly log: string[] = [];
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly commands = new Map<string, (...args: unknown[]) => unknown>();
  readonly opened: { file: string; line: number }[] = [];
  readonly statusBar = { text: '', tooltip: '' as unknown, visible: false };
  readonly webviews: { html: string; receive: (message: unknown) => unknown }[] = [];
  settings: Record<string, unknown>;
  activeTextEditor: { document: FakeDocument; selection: { active: Position } } | undefined;
  readonly textDocuments: FakeDocument[] = [];
  /** `languages.register…Provider` calls: the method name and its arguments. */
  readonly providers: { kind: string; args: unknown[] }[] = [];
  private readonly changes = new Set<() => void>();
  private readonly configurationChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

  constructor(
    private readonly manifestDefaults: Record<string, unknown>,
    readonly folder: string,
    settings: Record<string, unknown> = {},
  ) {
    this.settings = settings;
  }

  /** Resolves once `test` holds, checked on every recorded change. */
  until<T>(what: string, test: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = test();
        if (value !== undefined && value !== false) {
          this.changes.delete(check);
          clearTimeout(timer);
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        this.changes.delete(check);
        reject(new Error(`timed out waiting for ${what}; messages ${JSON.stringify(this.messages)}\nlog:\n${this.log.join('\n')}`));
      }, timeoutMs);
      this.changes.add(check);
      check();
    });
  }

  private changed(): void {
    for (const check of [...this.changes]) {
      check();
    }
  }

  /** Changes settings (full keys) as the Settings editor would, and says so. */
  configure(changes: Record<string, unknown>): void {
    Object.assign(this.settings, changes);
    const keys = Object.keys(changes);
    this.configurationChanged.fire({
      affectsConfiguration: (section) => keys.some((k) => k === section || k.startsWith(`${section}.`)),
    });
  }

  /** The module object `require('vscode')` returns. */
  module(): unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    const event = <T>() => new EventEmitter<T>().event;
    const record = (level: 'error' | 'warning' | 'information') => (text: string, ...items: unknown[]) => {
      this.messages.push({ level, text, items: items.filter((i): i is string => typeof i === 'string') });
      this.changed();
      return Promise.resolve(undefined);
    };
    const channel = (name: string) => {
      const line = (level: string) => (text: unknown) => {
        this.log.push(`[${name}] ${level} ${String(text)}`);
        this.changed();
      };
      return {
        name,
        logLevel: 1,
        onDidChangeLogLevel: event<number>(),
        trace: line('trace'),
        debug: line('debug'),
        info: line('info'),
        warn: line('warn'),
        error: line('error'),
        append: line(''),
        appendLine: line(''),
        replace: line(''),
        clear: () => undefined,
        show: () => undefined,
        hide: () => undefined,
        dispose: () => undefined,
      };
    };
    const configuration = (section?: string) => ({
      get: (key: string, fallback?: unknown) => {
        const full = section ? `${section}.${key}` : key;
        if (full in this.settings) {
          return this.settings[full];
        }
        return full in this.manifestDefaults ? this.manifestDefaults[full] : fallback;
      },
      has: () => false,
      inspect: () => undefined,
      update: () => Promise.resolve(),
    });
    const api: Record<string, unknown> = {
      __esModule: true,
      version: '1.91.0',
      env: { appName: 'Visual Studio Code', language: 'en', openExternal: () => Promise.resolve(true) },
      EventEmitter,
      Disposable,
      Uri,
      Position,
      Range,
      Diagnostic,
      CancellationTokenSource,
      CancellationError: class CancellationError extends Error {},
      RelativePattern: class RelativePattern {
        constructor(
          readonly base: unknown,
          readonly pattern: string,
        ) {}
      },
      ThemeColor: class ThemeColor {
        constructor(readonly id: string) {}
      },
      StatusBarAlignment: { Left: 1, Right: 2 },
      ViewColumn: { Active: -1, Beside: -2, One: 1 },
      ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
      DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
      LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
      commands: {
        registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
          if (this.commands.has(id)) {
            throw new Error(`command '${id}' already exists`);
          }
          this.commands.set(id, handler);
          return new Disposable(() => this.commands.delete(id));
        },
        executeCommand: (id: string, ...args: unknown[]) => Promise.resolve(this.commands.get(id)?.(...args)),
      },
      window: {
        get activeTextEditor() {
          return fake.activeTextEditor;
        },
        visibleTextEditors: [],
        tabGroups: { all: [], onDidChangeTabs: event<unknown>(), onDidChangeTabGroups: event<unknown>() },
        onDidChangeActiveTextEditor: event<unknown>(),
        onDidChangeVisibleTextEditors: event<unknown>(),
        showErrorMessage: record('error'),
        showWarningMessage: record('warning'),
        showInformationMessage: record('information'),
        createOutputChannel: channel,
        withProgress: (_options: unknown, task: (progress: unknown, token: unknown) => unknown) =>
          Promise.resolve(task({ report: () => undefined }, new CancellationTokenSource().token)),
        createStatusBarItem: () => {
          const bar = this.statusBar;
          return {
            set text(text: string) {
              bar.text = text;
            },
            get text() {
              return bar.text;
            },
            set tooltip(tooltip: unknown) {
              bar.tooltip = tooltip;
            },
            show: () => {
              bar.visible = true;
              this.changed();
            },
            hide: () => {
              bar.visible = false;
              this.changed();
            },
            dispose: () => undefined,
          };
        },
        createWebviewPanel: () => {
          const view: { html: string; receive: (message: unknown) => unknown } = { html: '', receive: () => undefined };
          this.webviews.push(view);
          const changed = () => this.changed();
          return {
            webview: {
              cspSource: 'vscode-webview:',
              set html(html: string) {
                view.html = html;
                changed();
              },
              get html() {
                return view.html;
              },
              onDidReceiveMessage: (listener: (message: unknown) => unknown) => {
                view.receive = listener;
                return new Disposable();
              },
            },
            onDidDispose: event<void>(),
            reveal: () => undefined,
            dispose: () => undefined,
          };
        },
        showTextDocument: (uri: Uri, options: { selection: Range }) => {
          this.opened.push({ file: uri.fsPath, line: options.selection.start.line });
          this.changed();
          return Promise.resolve(undefined);
        },
      },
      workspace: {
        get workspaceFolders() {
          return [{ uri: Uri.file(fake.folder), name: path.basename(fake.folder), index: 0 }];
        },
        get textDocuments() {
          return fake.textDocuments;
        },
        notebookDocuments: [],
        isTrusted: true,
        getConfiguration: configuration,
        asRelativePath: (uri: Uri) => path.relative(this.folder, uri.fsPath),
        createFileSystemWatcher: () => ({
          onDidChange: event<unknown>(),
          onDidCreate: event<unknown>(),
          onDidDelete: event<unknown>(),
          dispose: () => undefined,
        }),
        onDidChangeConfiguration: this.configurationChanged.event,
        onDidGrantWorkspaceTrust: event<void>(),
        onDidOpenTextDocument: event<unknown>(),
        onDidCloseTextDocument: event<unknown>(),
        onDidChangeTextDocument: event<unknown>(),
        onDidSaveTextDocument: event<unknown>(),
        onWillSaveTextDocument: event<unknown>(),
        onDidChangeWorkspaceFolders: event<unknown>(),
        onDidCreateFiles: event<unknown>(),
        onDidRenameFiles: event<unknown>(),
        onDidDeleteFiles: event<unknown>(),
        onWillCreateFiles: event<unknown>(),
        onWillRenameFiles: event<unknown>(),
        onWillDeleteFiles: event<unknown>(),
      },
      // register…Provider: recorded, for tests to call as VS Code would.
      languages: new Proxy<Record<string, unknown>>(
        {
          match: (selector: { scheme?: string; language?: string }[], document: FakeDocument) =>
            selector.some(
              (s) => (!s.language || s.language === document.languageId) && (!s.scheme || s.scheme === document.uri.scheme),
            )
              ? 10
              : 0,
          onDidChangeDiagnostics: event<unknown>(),
          createDiagnosticCollection: (name: string) => ({
            name,
            set: (uri: Uri, diagnostics: Diagnostic[] | undefined) => {
              this.diagnostics.set(uri.toString(), diagnostics ?? []);
              this.changed();
            },
            delete: (uri: Uri) => this.diagnostics.delete(uri.toString()),
            clear: () => this.diagnostics.clear(),
            forEach: () => undefined,
            get: (uri: Uri) => this.diagnostics.get(uri.toString()),
            has: (uri: Uri) => this.diagnostics.has(uri.toString()),
            dispose: () => undefined,
          }),
        },
        {
          get: (target, key) =>
            typeof key === 'string' && key in target
              ? target[key]
              : typeof key === 'string' && key.startsWith('register')
                ? (...args: unknown[]) => {
                    this.providers.push({ kind: key, args });
                    return new Disposable();
                  }
                : undefined,
        },
      ),
    };
    const standIns = new Map<string | symbol, unknown>();
    return new Proxy(api, {
      get(target, key) {
        if (key in target) {
          return target[key as string];
        }
        if (typeof key !== 'string' || !/^[A-Z]/.test(key)) {
          return undefined;
        }
        if (!standIns.has(key)) {
          const standIn = class {
            readonly args: unknown[];
            constructor(...args: unknown[]) {
              this.args = args;
            }
          };
          standIns.set(
            key,
            new Proxy(standIn, {
              get: (cls, member) => (member in cls ? (cls as unknown as Record<string | symbol, unknown>)[member] : String(member)),
            }),
          );
        }
        return standIns.get(key);
      },
    });
  }

  /** Makes `require('vscode')` answer with this fake; returns the undo. */
  install(): () => void {
    const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const original = loader._load;
    const api = this.module();
    loader._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? api : original.call(this, request, ...rest);
    };
    return () => {
      loader._load = original;
    };
  }
}
