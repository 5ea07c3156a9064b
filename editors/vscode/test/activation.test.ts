// The built extension (dist/extension.js) activated in plain Node against a
// stand-in `vscode` module: vscode-languageclient starts the real server with
// the extension's settings, diagnostics reach the editor, and the commands,
// the status bar and the audit view work through the real client.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { EXTENSION_COMMANDS, SERVER_COMMANDS } from '../src/commands';
import { SERVER_DEFAULTS } from '../src/settings';
import { CancellationTokenSource, FakeVscode, Position, Range, Uri, textDocument } from './support/fakeVscode';
import { manifest } from './support/manifest';
import { defPosition, fileEntry, measuredProject, type Project } from './support/project';
import { repoRoot, serverBinary } from './support/server';

const EXTENSION_DIR = path.join(repoRoot(), 'editors', 'vscode');
const BUNDLE = path.join(EXTENSION_DIR, 'dist', 'extension.js');
const LEVELS = 'stock/levels.py';

interface Extension {
  activate(context: unknown): Promise<void>;
  deactivate(): Promise<void>;
}

function defaults(): Record<string, unknown> {
  const properties = manifest().contributes.configuration.properties;
  return Object.fromEntries(Object.entries(properties).map(([key, p]) => [key, p.default]));
}

/** Loads a fresh copy of the bundle with `fake` as its `vscode`, and activates it. */
async function activate(fake: FakeVscode): Promise<{ extension: Extension; uninstall: () => void }> {
  if (!fs.existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
  }
  const uninstall = fake.install();
  delete require.cache[require.resolve(BUNDLE)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const extension = require(BUNDLE) as Extension;
  await extension.activate({
    subscriptions: [],
    extensionUri: Uri.file(EXTENSION_DIR),
    extensionPath: EXTENSION_DIR,
  });
  return { extension, uninstall };
}

describe('the built extension, activated', () => {
  let project: Project;
  let fake: FakeVscode;
  let extension: Extension;
  let uninstall: () => void;
  let source: string;
  let levelsUri: string;

  before(async () => {
    project = measuredProject();
    source = fs.readFileSync(path.join(project.root, LEVELS), 'utf8');
    levelsUri = pathToFileURL(path.join(project.root, LEVELS)).href;
    fake = new FakeVscode(defaults(), project.root, {
      'testgap.path': serverBinary(),
      'testgap.trace.server': 'verbose',
    });
    const document = textDocument(path.join(project.root, LEVELS), source);
    fake.textDocuments.push(document);
    fake.activeTextEditor = { document, selection: { active: new Position(3, 4) } };
    ({ extension, uninstall } = await activate(fake));
  });

  after(async () => {
    await extension?.deactivate();
    uninstall?.();
    project?.remove();
  });

  it('registers its commands beside the server\'s', () => {
    for (const command of Object.values(EXTENSION_COMMANDS)) {
      assert.ok(fake.commands.has(command), command);
    }
    // The client library registers what the server advertises (code lenses run one).
    assert.ok(fake.commands.has(SERVER_COMMANDS.showFunctionCoverage));
  });

  it('starts the server with the settings as initializationOptions', async () => {
    // The client's verbose trace carries each request's parameters.
    const logged = await fake.until('the initialize request in the trace', () =>
      fake.log.find((l) => l.includes("Sending request 'initialize")),
    );
    const params = JSON.parse(logged.slice(logged.indexOf('Params: ') + 'Params: '.length)) as {
      initializationOptions: unknown;
      capabilities: { general?: { positionEncodings?: string[] } };
    };
    assert.deepEqual(params.initializationOptions, SERVER_DEFAULTS);
  });

  it('shows the diagnostics of the open file', async () => {
    const expected = Object.entries(fileEntry(project.report, LEVELS).functions).filter(
      ([name, f]) => name !== '' && f.missing_lines.length > 0,
    );
    const diagnostics = await fake.until('diagnostics', () => {
      const d = fake.diagnostics.get(levelsUri);
      return d && d.length > 0 ? d : undefined;
    });
    assert.deepEqual(
      diagnostics.map((d) => d.range.start.line).sort((a, b) => a - b),
      expected.map(([name]) => defPosition(source, name).line).sort((a, b) => a - b),
    );
    assert.ok(diagnostics.every((d) => d.source === 'testgap'));
  });

  it('gives VS Code the inlay hints', async () => {
    const registration = fake.providers.find((p) => p.kind === 'registerInlayHintsProvider');
    assert.ok(registration, fake.providers.map((p) => p.kind).join(', '));
    const provider = registration.args[1] as {
      provideInlayHints(document: unknown, range: unknown, token: unknown): Promise<{ args: unknown[] }[]>;
    };
    const hints = await provider.provideInlayHints(
      fake.textDocuments[0],
      new Range(0, 0, source.split('\n').length, 0),
      new CancellationTokenSource().token,
    );
    const labels = hints.map((h) => h.args[1]);
    assert.ok(labels.includes('untested'), JSON.stringify(labels));
    const classify = fileEntry(project.report, LEVELS).functions.classify.summary;
    assert.ok(
      labels.includes(`${classify.percent_covered_display}% covered · ${classify.covered_branches}/${classify.num_branches} branches`),
      JSON.stringify(labels),
    );
  });

  it('puts the file\'s coverage in the status bar', async () => {
    const display = fileEntry(project.report, LEVELS).summary.percent_covered_display;
    await fake.until('the status bar', () => fake.statusBar.visible && fake.statusBar.text === `$(beaker) ${display}%`);
  });

  it('shows the audit and opens a function from it', async () => {
    await fake.commands.get(EXTENSION_COMMANDS.showAudit)?.();
    const view = await fake.until('the audit view', () => fake.webviews.find((w) => w.html.includes(LEVELS)));
    const match = /data-target="(\d+)"><code>classify<\/code>/.exec(view.html);
    assert.ok(match, view.html);
    await view.receive({ type: 'open', target: Number(match[1]) });
    assert.deepEqual(fake.opened.at(-1), {
      file: path.join(project.root, LEVELS),
      line: defPosition(source, 'classify').line,
    });
  });

  it('passes a settings change on without a restart', async () => {
    fake.configure({ 'testgap.granularity': 'lines' });
    await fake.until('per-line diagnostics', () => fake.diagnostics.get(levelsUri)?.some((d) => d.code === 'uncovered-lines'));
    fake.configure({ 'testgap.granularity': 'function' });
    await fake.until('per-function diagnostics only', () => {
      const d = fake.diagnostics.get(levelsUri) ?? [];
      return d.length > 0 && d.every((x) => x.code === 'uncovered-function');
    });
  });

  it('shows the server\'s reason when Run Tests cannot run from the active file', async () => {
    // levels.py is a module of the project, not a test module.
    await fake.commands.get(EXTENSION_COMMANDS.runTests)?.();
    const message = await fake.until('a message', () => fake.messages.find((m) => m.text.includes('Running tests')));
    assert.equal(message.level, 'error');
    assert.match(message.text, /Running tests failed: .*stock\/levels\.py is not a test module/);
  });
});

describe('the built extension without a server', () => {
  it('names a testgap.path that is not executable and offers the install steps', async () => {
    const fake = new FakeVscode(defaults(), EXTENSION_DIR, { 'testgap.path': path.join(EXTENSION_DIR, 'no-such-testgap') });
    const { extension, uninstall } = await activate(fake);
    try {
      const message = await fake.until('an error', () => fake.messages.find((m) => m.level === 'error'));
      assert.match(message.text, /testgap\.path is set to .*no-such-testgap, which is not an executable file/);
      assert.deepEqual(message.items, ['Install Steps', 'Open Settings']);
    } finally {
      await extension.deactivate();
      uninstall();
    }
  });

  it('says it looked in bin/ and on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(EXTENSION_DIR, 'no-such-dir');
    const fake = new FakeVscode(defaults(), EXTENSION_DIR);
    const { extension, uninstall } = await activate(fake).finally(() => {
      process.env.PATH = saved;
    });
    try {
      const message = await fake.until('an error', () => fake.messages.find((m) => m.level === 'error'));
      assert.match(message.text, /cannot find the testgap server/);
      assert.ok(fake.log.some((l) => l.includes(path.join('bin', 'testgap'))), fake.log.join('\n'));
    } finally {
      await extension.deactivate();
      uninstall();
    }
  });
});

describe('the built extension with a later server', () => {
  it('starts although the server offers a command id the extension owns', async () => {
    const script = path.join(__dirname, 'support', 'fakeServer.js');
    fs.chmodSync(script, 0o755);
    process.env.FAKE_SERVER_COMMANDS = [SERVER_COMMANDS.audit, SERVER_COMMANDS.runTests].join(',');
    const fake = new FakeVscode(defaults(), EXTENSION_DIR, { 'testgap.path': script });
    const { extension, uninstall } = await activate(fake);
    try {
      await fake.until('the client library registering the server commands', () => fake.commands.has(SERVER_COMMANDS.audit));
      assert.deepEqual(
        fake.messages.filter((m) => m.level === 'error'),
        [],
      );
      assert.ok(!fake.log.some((l) => l.includes('already exists')), fake.log.join('\n'));
      assert.ok(fake.commands.has(EXTENSION_COMMANDS.runTests));
    } finally {
      delete process.env.FAKE_SERVER_COMMANDS;
      await extension.deactivate();
      uninstall();
    }
  });
});
