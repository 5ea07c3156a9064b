// What the extension's commands send to the server (`workspace/executeCommand`)
// and how the answers read to the user. Plain Node: no VS Code here.

/** Commands the server executes. */
export const SERVER_COMMANDS = {
  audit: 'testgap.audit',
  leastCovered: 'testgap.leastCovered',
  reloadCoverage: 'testgap.reloadCoverage',
  showFunctionCoverage: 'testgap.showFunctionCoverage',
  generate: 'testgap.generate',
  runTests: 'testgap.runTests',
  fix: 'testgap.fix',
} as const;

/** The extension's own commands (package.json `contributes.commands`). */
export const EXTENSION_COMMANDS = {
  showAudit: 'testgap.showAudit',
  generateTests: 'testgap.generateTests',
  runTests: 'testgap.runTests',
  runLastFailedTests: 'testgap.runLastFailedTests',
  fixFailingTests: 'testgap.fixFailingTests',
  restartServer: 'testgap.restartServer',
} as const;

/** JSON-RPC's "method not found", the server's answer to a command it does not know. */
export const METHOD_NOT_FOUND = -32601;

/** What each server command does, for messages. */
const WHAT: Record<string, string> = {
  [SERVER_COMMANDS.generate]: 'Generating tests',
  [SERVER_COMMANDS.runTests]: 'Running tests',
  [SERVER_COMMANDS.fix]: 'Fixing failing tests',
  [SERVER_COMMANDS.audit]: 'The coverage audit',
  [SERVER_COMMANDS.leastCovered]: 'Listing the least covered functions',
};

/** Audits list modules below this percentage unless asked otherwise (the CLI's default). */
export const AUDIT_THRESHOLD = 50;

/** Arguments of `testgap.audit`: `{threshold?, maxModules?, root?}`. */
export function auditArguments(options: { threshold?: number; maxModules?: number; root?: string } = {}): unknown[] {
  const argument: Record<string, unknown> = {};
  if (options.root !== undefined) {
    argument.root = options.root;
  }
  if (options.threshold !== undefined) {
    argument.threshold = options.threshold;
  }
  if (options.maxModules !== undefined) {
    argument.maxModules = options.maxModules;
  }
  return Object.keys(argument).length === 0 ? [] : [argument];
}

export interface Position {
  line: number;
  character: number;
}

/** Arguments for generate (a whole file) and for run and fix (the cursor's function or test). */
export function documentArguments(uri: string, position?: Position): unknown[] {
  return position === undefined
    ? [{ textDocument: { uri } }]
    : [{ textDocument: { uri }, position: { line: position.line, character: position.character } }];
}

/** Arguments of `testgap.runTests` for the tests that failed in pytest's last run (its cache). */
export function lastFailedArguments(uri?: string): unknown[] {
  return uri === undefined ? [{ lastFailed: true }] : [{ textDocument: { uri }, lastFailed: true }];
}

/** A JSON-RPC error as the client library hands it over. */
export interface RequestError {
  code?: unknown;
  message?: unknown;
}

function isRequestError(error: unknown): error is RequestError {
  return typeof error === 'object' && error !== null && 'code' in error;
}

/** True when the server answered that it has no such command. */
export function isMethodNotFound(error: unknown): boolean {
  return isRequestError(error) && error.code === METHOD_NOT_FOUND;
}

/** One sentence for a failed command; `notYet` is true for "this server cannot do that". */
export function describeCommandFailure(command: string, error: unknown): { message: string; notYet: boolean } {
  const what = WHAT[command] ?? `\`${command}\``;
  if (isMethodNotFound(error)) {
    return {
      message: `testgap: ${what} is not available in this server version yet (the server does not know \`${command}\`).`,
      notYet: true,
    };
  }
  const reason =
    isRequestError(error) && typeof error.message === 'string'
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error);
  return { message: `testgap: ${what} failed: ${reason}`, notYet: false };
}

/** The message a command's result carries, if any (`"…"` or `{message: "…"}`). */
export function resultMessage(result: unknown): string | undefined {
  if (typeof result === 'string' && result !== '') {
    return result;
  }
  if (typeof result === 'object' && result !== null && 'message' in result) {
    const message = result.message;
    if (typeof message === 'string' && message !== '') {
      return message;
    }
  }
  return undefined;
}

/**
 * The server commands the client library may register as VS Code commands:
 * those the extension registers itself (`testgap.runTests`) are left out, as
 * registering one twice would stop the client from starting.
 */
export function clientRegisteredCommands(serverCommands: readonly string[]): string[] {
  const own = new Set<string>(Object.values(EXTENSION_COMMANDS));
  return serverCommands.filter((c) => !own.has(c));
}
