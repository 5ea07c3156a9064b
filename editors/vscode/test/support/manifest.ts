// The extension's package.json as VS Code reads it: contributed settings with
// their defaults, commands, activation events.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SettingsSource } from '../../src/settings';
import { repoRoot } from './server';

export interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    configuration: { properties: Record<string, { default?: unknown; type: string; enum?: string[] }> };
    commands: { command: string; title: string }[];
  };
}

export function manifest(): Manifest {
  const file = path.join(repoRoot(), 'editors', 'vscode', 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
}

/**
 * `workspace.getConfiguration('testgap')` of a user who set only `overrides`
 * (keys without the `testgap.` prefix): VS Code answers the rest with the
 * package.json defaults.
 */
export function userSettings(overrides: Record<string, unknown> = {}): SettingsSource {
  const properties = manifest().contributes.configuration.properties;
  return {
    get(key: string): unknown {
      if (key in overrides) {
        return overrides[key];
      }
      return properties[`testgap.${key}`]?.default;
    },
  };
}
