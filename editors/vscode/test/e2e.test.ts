// End to end: the real `testgap lsp`, driven through the protocol layer the
// extension's client is built on, on a project measured by a real
// `coverage run --branch -m pytest` + `coverage json`. The server gets exactly
// what the extension sends: its settings mapping, its command arguments.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  ErrorCodes,
  ResponseError,
  type CodeAction,
  type Command,
  type Diagnostic,
  type Hover,
  type InitializeResult,
  type InlayHint,
} from 'vscode-languageserver-protocol/node';
import { auditDocuments, fileCoverage, noCoverageReason, renderAuditHtml } from '../src/audit';
import {
  AUDIT_THRESHOLD,
  SERVER_COMMANDS,
  auditArguments,
  documentArguments,
  resultMessage,
} from '../src/commands';
import { configurationChange, serverSettings } from '../src/settings';
import { userSettings } from './support/manifest';
import { covers, defPosition, fileEntry, measuredProject, type CoverageFile, type Project } from './support/project';
import { ServerProcess, VSCODE_CAPABILITIES, serverBinary } from './support/server';

const LEVELS = 'stock/levels.py';
const SEVERITY = { error: 1, warning: 2, information: 3, hint: 4 } as const;

/** A diagnostic's message as text (LSP 3.18 also allows markup). */
function messageText(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

/** The line ranges and the count of branches never taken that a function diagnostic names. */
function gapsInMessage(text: string): { ranges: [number, number][]; branches: number } {
  const lines = /lines? ([\d–, ]+) never run/.exec(text);
  const ranges = (lines?.[1] ?? '')
    .split(', ')
    .filter((part) => part.length > 0)
    .map((part): [number, number] => {
      const [a, b] = part.split('–').map(Number);
      return [a, b ?? a];
    });
  const branches = /; (\d+) branch(?:es)? never taken/.exec(text);
  return { ranges, branches: branches ? Number(branches[1]) : 0 };
}

function uriOf(root: string, rel: string): string {
  return pathToFileURL(path.join(root, rel)).href;
}

/** Functions of a report entry with lines no test runs (module level, named "", left out). */
function gaps(entry: CoverageFile) {
  return Object.entries(entry.functions).filter(([name, f]) => name !== '' && f.missing_lines.length > 0);
}

describe('testgap lsp through the extension\'s protocol stack', () => {
  let project: Project;
  let server: ServerProcess;
  let init: InitializeResult;
  let source: string;
  let levelsUri: string;
  /** What the extension sends at start with the user's settings untouched. */
  const initializationOptions = serverSettings(userSettings()).settings;

  before(async () => {
    project = measuredProject();
    server = new ServerProcess(serverBinary(), project.root);
    init = await server.connection.sendRequest('initialize', {
      processId: process.pid,
      clientInfo: { name: 'Visual Studio Code', version: '1.91.0' },
      rootUri: pathToFileURL(project.root).href,
      workspaceFolders: [{ uri: pathToFileURL(project.root).href, name: 'project' }],
      capabilities: VSCODE_CAPABILITIES,
      initializationOptions,
    });
    await server.connection.sendNotification('initialized', {});
    source = fs.readFileSync(path.join(project.root, LEVELS), 'utf8');
    levelsUri = uriOf(project.root, LEVELS);
    await server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: levelsUri, languageId: 'python', version: 1, text: source },
    });
  });

  after(async () => {
    if (server) {
      const code = await server.stop();
      assert.equal(code, 0, `the server exited with ${code}: ${server.stderr}`);
    }
    project?.remove();
  });

  it('answers initialize with what the extension uses', () => {
    assert.equal(init.serverInfo?.name, 'testgap');
    const caps = init.capabilities;
    assert.equal(caps.positionEncoding ?? 'utf-16', 'utf-16');
    assert.ok(caps.inlayHintProvider, 'inlay hints');
    assert.ok(caps.hoverProvider, 'hover (the status bar reads it for unmeasured files)');
    assert.ok(caps.executeCommandProvider?.commands.includes(SERVER_COMMANDS.audit));
    assert.deepEqual(initializationOptions, {
      coverageFile: null,
      threshold: 100,
      functionSeverity: 'information',
      lineSeverity: 'hint',
      granularity: 'function',
      inlayHints: true,
      codeLens: true,
      python: null,
    });
  });

  it('publishes one diagnostic per function with a gap, as coverage.json measured it', async () => {
    const entry = fileEntry(project.report, LEVELS);
    const expected = gaps(entry);
    assert.ok(expected.length >= 3 && expected.length < Object.keys(entry.functions).length - 1, 'fixture shape');
    const diagnostics = await server.diagnostics(levelsUri, (d) => d.length > 0);
    assert.equal(diagnostics.length, expected.length, JSON.stringify(diagnostics.map(messageText)));
    for (const [name, f] of expected) {
      const at = defPosition(source, name);
      const d = diagnostics.find((x) => x.range.start.line === at.line);
      assert.ok(d, `no diagnostic on the def line of ${name}`);
      assert.deepEqual(d.range.start, at);
      assert.equal(d.range.end.character, at.character + (name.split('.').pop() ?? '').length);
      assert.equal(d.source, 'testgap');
      assert.equal(d.code, 'uncovered-function');
      assert.equal(d.severity, SEVERITY[initializationOptions.functionSeverity]);
      assert.ok(messageText(d).includes(`${f.summary.percent_covered_display}% covered`), messageText(d));
      // `data` names the function for code actions; the gaps are in the message.
      assert.equal((d.data as { function: string }).function, name);
      const gaps = gapsInMessage(messageText(d));
      assert.ok(covers(gaps.ranges, f.missing_lines), `${name}: ${messageText(d)} vs ${JSON.stringify(f.missing_lines)}`);
      assert.equal(gaps.branches, f.missing_branches.length);
    }
  });

  it('gives an inlay hint after each def line the report measured', async () => {
    const entry = fileEntry(project.report, LEVELS);
    const lines = source.split('\n');
    const hints = await server.connection.sendRequest<InlayHint[] | null>('textDocument/inlayHint', {
      textDocument: { uri: levelsUri },
      range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
    });
    assert.ok(hints);
    const measured = Object.entries(entry.functions).filter(([name, f]) => name !== '' && f.summary.num_statements > 0);
    assert.equal(hints.length, measured.length);
    for (const [name, f] of measured) {
      const at = defPosition(source, name);
      const hint: InlayHint | undefined = hints.find((h) => h.position.line === at.line);
      assert.ok(hint, `no hint for ${name}`);
      assert.equal(hint.position.character, lines[at.line].length, 'at the end of the def line');
      const s = f.summary;
      const label =
        s.covered_lines === 0
          ? 'untested'
          : s.num_branches > 0
            ? `${s.percent_covered_display}% covered · ${s.covered_branches}/${s.num_branches} branches`
            : `${s.percent_covered_display}% covered`;
      assert.equal(hint.label, label, name);
    }
  });

  it('runs testgap.audit as "Show Coverage Audit" asks for it', async () => {
    const result = await server.connection.sendRequest('workspace/executeCommand', {
      command: SERVER_COMMANDS.audit,
      arguments: auditArguments({ threshold: AUDIT_THRESHOLD }),
    });
    const docs = auditDocuments(result);
    assert.equal(docs.length, 1);
    assert.equal(docs[0].root, project.root);
    const below = Object.entries(project.report.files)
      .filter(([, f]) => f.summary.percent_covered < AUDIT_THRESHOLD)
      .map(([k]) => k)
      .sort();
    assert.deepEqual(docs[0].modules.map((m) => m.path).sort(), below);
    const { targets } = renderAuditHtml(docs, { nonce: 'n', cspSource: 'c', threshold: AUDIT_THRESHOLD });
    // Every function with a gap in the listed modules is one click away, at its def.
    for (const rel of below) {
      const text = fs.readFileSync(path.join(project.root, rel), 'utf8');
      for (const [name] of gaps(fileEntry(project.report, rel))) {
        const line = defPosition(text, name).line + 1;
        assert.ok(
          targets.some((t) => t.file === path.join(project.root, rel) && t.line === line),
          `${rel}:${line} (${name}) is not linked`,
        );
      }
    }
  });

  it('gives the status bar each file\'s coverage', async () => {
    const result = await server.connection.sendRequest('workspace/executeCommand', {
      command: SERVER_COMMANDS.audit,
      arguments: auditArguments({ threshold: 100, maxModules: 1_000_000 }),
    });
    const docs = auditDocuments(result);
    for (const [rel, entry] of Object.entries(project.report.files)) {
      const found = fileCoverage(docs, path.join(project.root, rel));
      if (entry.summary.percent_covered < 100) {
        assert.equal(found?.display, entry.summary.percent_covered_display, rel);
      } else {
        assert.equal(found, undefined, rel);
      }
    }
    // Not listed: fully covered (the hover speaks of coverage) or not measured (it says so).
    const hoverFirstLine = async (rel: string) => {
      const uri = uriOf(project.root, rel);
      const text = fs.readFileSync(path.join(project.root, rel), 'utf8');
      await server.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'python', version: 1, text },
      });
      return server.connection.sendRequest<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line: 0, character: 0 },
      });
    };
    assert.equal(noCoverageReason(await hoverFirstLine('stock/units.py')), undefined);
    assert.match(noCoverageReason(await hoverFirstLine('stock/unused.py')) ?? '', /^no coverage data: the report does not measure this file/);
  });

  it('answers code action requests; actions it offers resolve to an edit or a command', async () => {
    const diagnostics = await server.diagnostics(levelsUri, (d) => d.length > 0);
    const first = diagnostics[0];
    let actions: (CodeAction | Command)[] | null;
    try {
      actions = await server.connection.sendRequest<(CodeAction | Command)[] | null>('textDocument/codeAction', {
        textDocument: { uri: levelsUri },
        range: first.range,
        context: { diagnostics: [first], triggerKind: 1 },
      });
    } catch (error) {
      // A server without code actions may answer MethodNotFound; VS Code
      // never asks one that does not advertise them.
      assert.ok(!init.capabilities.codeActionProvider, `codeAction failed: ${String(error)}`);
      assert.ok(error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound, String(error));
      actions = null;
    }
    if (!init.capabilities.codeActionProvider) {
      assert.ok(actions === null || actions.length === 0, JSON.stringify(actions));
      return;
    }
    const provider = init.capabilities.codeActionProvider;
    const resolves = typeof provider === 'object' && provider.resolveProvider === true;
    // Resolving generates tests: it runs the project's Python, which the
    // user points the extension at (testgap.python).
    await server.connection.sendNotification('workspace/didChangeConfiguration', {
      settings: { testgap: { python: process.env.TESTGAP_PYTHON } },
    });
    // One resolve is enough to check the shape; each one runs pytest.
    for (const action of (actions ?? []).slice(0, 1)) {
      if (!('kind' in action) && typeof action.command === 'string') {
        continue; // a bare Command
      }
      let resolved = action as CodeAction;
      if (resolves && resolved.edit === undefined && resolved.command === undefined) {
        resolved = await server.connection.sendRequest<CodeAction>('codeAction/resolve', resolved);
      }
      assert.ok(resolved.edit ?? resolved.command, `action "${resolved.title}" does nothing`);
    }
  });

  it('runs a broken test, shows why it fails, and fixes it through Run Tests and Fix Failing Tests', async () => {
    // A refactor renames `to_dozens`'s keyword; a test still uses the old one.
    const unitsPath = path.join(project.root, 'stock/units.py');
    const code = fs.readFileSync(unitsPath, 'utf8').replace(/\bcount\b/g, 'amount');
    fs.writeFileSync(unitsPath, code);
    const rel = 'tests/check_keywords.py';
    const testText = [
      'from stock import units',
      '',
      '',
      'def test_dozens_by_keyword():',
      '    assert units.to_dozens(count=36) == 3',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(project.root, rel), testText);
    const uri = uriOf(project.root, rel);
    await server.connection.sendNotification('workspace/didChangeConfiguration', {
      settings: { testgap: { python: process.env.TESTGAP_PYTHON } },
    });
    await server.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: testText },
    });
    const since = server.published.length;
    const cursor = { line: 4, character: 8 };
    const ran = await server.connection.sendRequest<{ passed: number; failed: number; failures: { category: string }[]; message: string }>(
      'workspace/executeCommand',
      { command: SERVER_COMMANDS.runTests, arguments: documentArguments(uri, cursor) },
    );
    assert.equal(ran.failed, 1, JSON.stringify(ran));
    assert.equal(ran.failures[0]?.category, 'type_error');
    assert.equal(resultMessage(ran), ran.message);
    const failing = (d: Diagnostic[]) => d.filter((x) => x.code === 'failing-test');
    const [diagnostic] = failing(await server.diagnostics(uri, (d) => failing(d).length === 1, since));
    assert.equal(diagnostic.range.start.line, 4);
    assert.equal(diagnostic.severity, SEVERITY.error);
    assert.match(messageText(diagnostic), /`test_dozens_by_keyword` fails: .*count.*\(type_error\)/);

    const actions = await server.connection.sendRequest<(CodeAction | Command)[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: cursor, end: cursor },
      context: { diagnostics: [diagnostic] },
    });
    const quickFix = actions.find((a): a is CodeAction => 'kind' in a && a.title.startsWith('Fix failing test'));
    assert.ok(quickFix, JSON.stringify(actions));
    assert.equal(quickFix.kind, 'quickfix');
    const resolved = await server.connection.sendRequest<CodeAction>('codeAction/resolve', quickFix);
    const change = resolved.edit?.documentChanges?.[0];
    assert.ok(change && 'textDocument' in change, JSON.stringify(resolved.edit));
    assert.equal(change.textDocument.version, 1);
    const annotations = Object.values(resolved.edit?.changeAnnotations ?? {});
    assert.ok(annotations.some((a) => a.label.includes('type_error')), JSON.stringify(annotations));
    assert.equal(fs.readFileSync(path.join(project.root, rel), 'utf8'), testText, 'resolving writes nothing');

    // "Fix Failing Tests": the server asks VS Code to apply the same repair.
    const fixed = await server.connection.sendRequest<{ fixed: number; applied: boolean; message: string }>(
      'workspace/executeCommand',
      { command: SERVER_COMMANDS.fix, arguments: documentArguments(uri, cursor) },
    );
    assert.equal(fixed.fixed, 1, JSON.stringify(fixed));
    assert.equal(fixed.applied, true);
    const applied = JSON.stringify(server.editsToApply.at(-1));
    assert.match(applied, /units\.to_dozens\(amount=36\)/);
  });

  it('applies a settings change the way the extension sends it', async () => {
    const since = server.published.length;
    const changed = serverSettings(userSettings({ granularity: 'lines', lineSeverity: 'warning' })).settings;
    await server.connection.sendNotification('workspace/didChangeConfiguration', configurationChange(changed));
    const codes = (d: Diagnostic[]) => new Set(d.map((x) => x.code));
    const diagnostics = await server.diagnostics(levelsUri, (d) => codes(d).has('uncovered-lines'), since);
    assert.ok(codes(diagnostics).has('missing-branch'));
    for (const d of diagnostics.filter((x) => x.code !== 'uncovered-function')) {
      assert.equal(d.severity, SEVERITY.warning, messageText(d));
    }
    // Back to the defaults: the per-line diagnostics go away again.
    const reset = server.published.length;
    await server.connection.sendNotification(
      'workspace/didChangeConfiguration',
      configurationChange(serverSettings(userSettings()).settings),
    );
    const back = await server.diagnostics(levelsUri, (d) => d.length > 0 && !codes(d).has('uncovered-lines'), reset);
    assert.equal(back.length, gaps(fileEntry(project.report, LEVELS)).length);
  });
});
