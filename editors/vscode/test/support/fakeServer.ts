#!/usr/bin/env node
// A stand-in language server that advertises the commands given in
// $FAKE_SERVER_COMMANDS (comma-separated), to test how the extension's client
// copes with server commands of later versions.

import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';

const connection = createProtocolConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest('initialize', () => ({
  capabilities: {
    textDocumentSync: { openClose: true, change: 2 },
    executeCommandProvider: { commands: (process.env.FAKE_SERVER_COMMANDS ?? '').split(',').filter((c) => c !== '') },
  },
  serverInfo: { name: 'fake testgap' },
}));
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.listen();
