import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, ResponseError } from 'vscode-languageserver-protocol/node';
import {
  EXTENSION_COMMANDS,
  METHOD_NOT_FOUND,
  SERVER_COMMANDS,
  auditArguments,
  clientRegisteredCommands,
  describeCommandFailure,
  documentArguments,
  lastFailedArguments,
  resultMessage,
} from '../src/commands';
import { manifest } from './support/manifest';

describe('commands', () => {
  it('contributes exactly the commands the extension registers', () => {
    const contributed = manifest().contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(EXTENSION_COMMANDS).sort());
  });

  it('activates on Python files and on a coverage.json in the workspace', () => {
    const m = manifest();
    assert.deepEqual(m.activationEvents, ['onLanguage:python', 'workspaceContains:**/coverage.json']);
    assert.equal(m.main, './dist/extension.js');
  });

  it('tells "not available yet" from other failures', () => {
    assert.equal(METHOD_NOT_FOUND, ErrorCodes.MethodNotFound);
    const notFound = new ResponseError(ErrorCodes.MethodNotFound, 'Method not found');
    const generate = describeCommandFailure(SERVER_COMMANDS.generate, notFound);
    assert.deepEqual(generate, {
      message:
        'testgap: Generating tests is not available in this server version yet (the server does not know `testgap.generate`).',
      notYet: true,
    });
    assert.match(describeCommandFailure(SERVER_COMMANDS.fix, notFound).message, /^testgap: Fixing failing tests is not available/);
    const invalid = new ResponseError(ErrorCodes.InvalidParams, 'no coverage data found');
    assert.deepEqual(describeCommandFailure(SERVER_COMMANDS.audit, invalid), {
      message: 'testgap: The coverage audit failed: no coverage data found',
      notYet: false,
    });
    assert.equal(
      describeCommandFailure('testgap.other', new Error('the testgap server is not running')).message,
      'testgap: `testgap.other` failed: the testgap server is not running',
    );
  });

  it('builds the arguments the server reads', () => {
    assert.deepEqual(auditArguments(), []);
    assert.deepEqual(auditArguments({ threshold: 100, maxModules: 10 }), [{ threshold: 100, maxModules: 10 }]);
    assert.deepEqual(auditArguments({ root: '/w' }), [{ root: '/w' }]);
    assert.deepEqual(documentArguments('file:///w/a.py'), [{ textDocument: { uri: 'file:///w/a.py' } }]);
    assert.deepEqual(documentArguments('file:///w/a.py', { line: 3, character: 4 }), [
      { textDocument: { uri: 'file:///w/a.py' }, position: { line: 3, character: 4 } },
    ]);
  });

  it('asks for the last failed tests, of the active file\'s workspace when there is one', () => {
    assert.deepEqual(lastFailedArguments(), [{ lastFailed: true }]);
    assert.deepEqual(lastFailedArguments('file:///w/a.py'), [{ textDocument: { uri: 'file:///w/a.py' }, lastFailed: true }]);
  });

  it('reads a message out of a result', () => {
    assert.equal(resultMessage('3 tests written'), '3 tests written');
    assert.equal(resultMessage({ message: 'fixed' }), 'fixed');
    assert.equal(resultMessage({ reloaded: 1 }), undefined);
    assert.equal(resultMessage(null), undefined);
    assert.equal(resultMessage(''), undefined);
  });

  it('keeps the client library from registering a command id the extension owns', () => {
    assert.deepEqual(
      clientRegisteredCommands(['testgap.audit', 'testgap.runTests', 'testgap.showFunctionCoverage']),
      ['testgap.audit', 'testgap.showFunctionCoverage'],
    );
  });
});
