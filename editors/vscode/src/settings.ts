// The extension's `testgap.*` settings mapped to the server's settings (its
// `Config`: camelCase keys, every key optional, partial updates merged).
// Plain Node: the VS Code configuration reaches it through `SettingsSource`.

import * as os from 'node:os';
import * as path from 'node:path';

export const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const GRANULARITIES = ['function', 'lines'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** What the server reads from `initializationOptions` and `workspace/didChangeConfiguration`. */
export interface ServerSettings {
  /** `null`: the server's default (`coverage.json`, else the coverage configuration's `[json] output`). */
  coverageFile: string | null;
  threshold: number;
  functionSeverity: Severity;
  lineSeverity: Severity;
  granularity: Granularity;
  inlayHints: boolean;
  codeLens: boolean;
  /** `null`: the server finds the project's interpreter. */
  python: string | null;
}

/** The server's own defaults (`server/src/lsp/config.rs`); package.json declares the same. */
export const SERVER_DEFAULTS: Readonly<ServerSettings> = Object.freeze({
  coverageFile: null,
  threshold: 100,
  functionSeverity: 'information',
  lineSeverity: 'hint',
  granularity: 'function',
  inlayHints: true,
  codeLens: true,
  python: null,
});

/** Reads one setting of the `testgap` section (`get("threshold")` is `testgap.threshold`). */
export interface SettingsSource {
  get(key: string): unknown;
}

/** Where `~` and `${workspaceFolder}` in path settings point. */
export interface PathContext {
  homedir?: string;
  /** The first workspace folder, when there is one. */
  workspaceFolder?: string;
}

export interface MappedSettings {
  settings: ServerSettings;
  /** One sentence per setting that was ignored, for the user. */
  problems: string[];
}

/**
 * The settings the extension sends to the server: every key, so that a
 * setting the user removes goes back to its default on the server too.
 */
export function serverSettings(source: SettingsSource, context: PathContext = {}): MappedSettings {
  const problems: string[] = [];

  const text = (key: string): string | null => {
    const value = source.get(key);
    if (value === undefined || value === null) {
      return null;
    }
    if (typeof value !== 'string') {
      problems.push(`testgap.${key} must be a string; ignoring ${JSON.stringify(value)}`);
      return null;
    }
    const trimmed = value.trim();
    return trimmed === '' ? null : expandPath(trimmed, context);
  };

  const choice = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = source.get(key);
    if (value === undefined || value === null) {
      return fallback;
    }
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
      return value as T;
    }
    problems.push(
      `testgap.${key} must be one of ${allowed.join(', ')}; ignoring ${JSON.stringify(value)}`,
    );
    return fallback;
  };

  const flag = (key: string, fallback: boolean): boolean => {
    const value = source.get(key);
    if (value === undefined || value === null) {
      return fallback;
    }
    if (typeof value === 'boolean') {
      return value;
    }
    problems.push(`testgap.${key} must be true or false; ignoring ${JSON.stringify(value)}`);
    return fallback;
  };

  const threshold = (): number => {
    const value = source.get('threshold');
    if (value === undefined || value === null) {
      return SERVER_DEFAULTS.threshold;
    }
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100) {
      return value;
    }
    problems.push(
      `testgap.threshold must be a percentage from 0 to 100; ignoring ${JSON.stringify(value)}`,
    );
    return SERVER_DEFAULTS.threshold;
  };

  const settings: ServerSettings = {
    coverageFile: text('coverageFile'),
    threshold: threshold(),
    functionSeverity: choice('functionSeverity', SEVERITIES, SERVER_DEFAULTS.functionSeverity),
    lineSeverity: choice('lineSeverity', SEVERITIES, SERVER_DEFAULTS.lineSeverity),
    granularity: choice('granularity', GRANULARITIES, SERVER_DEFAULTS.granularity),
    inlayHints: flag('inlayHints', SERVER_DEFAULTS.inlayHints),
    codeLens: flag('codeLens', SERVER_DEFAULTS.codeLens),
    python: text('python'),
  };
  return { settings, problems };
}

/** The `workspace/didChangeConfiguration` parameters for `settings`. */
export function configurationChange(settings: ServerSettings): { settings: { testgap: ServerSettings } } {
  return { settings: { testgap: settings } };
}

/** Expands a leading `~` and `${workspaceFolder}` (or `${userHome}`) in a path setting. */
export function expandPath(value: string, context: PathContext = {}): string {
  const home = context.homedir ?? os.homedir();
  let expanded = value.replace(/\$\{userHome\}/g, home);
  if (context.workspaceFolder !== undefined) {
    expanded = expanded.replace(/\$\{workspaceFolder\}/g, context.workspaceFolder);
  }
  if (expanded === '~') {
    return home;
  }
  if (expanded.startsWith('~/') || expanded.startsWith('~\\')) {
    return path.join(home, expanded.slice(2));
  }
  return expanded;
}
