// Finding the `testgap` executable: the `testgap.path` setting, else a binary
// bundled in the extension's `bin/`, else `PATH`. Plain Node, so that it is
// tested without VS Code; the file system is reached through `isExecutable`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { expandPath } from './settings';

export type ServerSource = 'setting' | 'bundled' | 'PATH';

export type ServerLookup =
  | { found: true; path: string; source: ServerSource }
  | { found: false; reason: string; tried: string[] };

export interface LookupContext {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** The extension's install directory; its `bin/` may hold a bundled server. */
  extensionDir: string;
  homedir?: string;
  /** Relative `testgap.path` values are resolved against it. */
  workspaceFolder?: string;
  isExecutable: (file: string) => boolean;
}

/** The executable's file name on `platform`. */
export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'testgap.exe' : 'testgap';
}

/** Where the server is, or why it is not found (one sentence) and every path looked at. */
export function findServer(configured: string | undefined, context: LookupContext): ServerLookup {
  const name = binaryName(context.platform);
  const pathApi = context.platform === 'win32' ? path.win32 : path.posix;
  const setting = configured?.trim() ?? '';
  if (setting !== '') {
    let file = expandPath(setting, {
      homedir: context.homedir,
      workspaceFolder: context.workspaceFolder,
    });
    if (!pathApi.isAbsolute(file) && context.workspaceFolder !== undefined) {
      file = pathApi.resolve(context.workspaceFolder, file);
    }
    if (context.isExecutable(file)) {
      return { found: true, path: file, source: 'setting' };
    }
    // A directory is a common slip: accept the binary inside it.
    const inside = pathApi.join(file, name);
    if (context.isExecutable(inside)) {
      return { found: true, path: inside, source: 'setting' };
    }
    return {
      found: false,
      reason: `testgap.path is set to ${setting}, which is not an executable file`,
      tried: [file],
    };
  }

  const tried: string[] = [];
  const bundled = pathApi.join(context.extensionDir, 'bin', name);
  tried.push(bundled);
  if (context.isExecutable(bundled)) {
    return { found: true, path: bundled, source: 'bundled' };
  }

  for (const candidate of pathCandidates(context)) {
    tried.push(candidate);
    if (context.isExecutable(candidate)) {
      return { found: true, path: candidate, source: 'PATH' };
    }
  }
  return {
    found: false,
    reason: `cannot find the testgap server: it is not bundled with the extension and \`${name}\` is not on PATH`,
    tried,
  };
}

/** Every file `testgap` on PATH could be, in lookup order. */
function pathCandidates(context: LookupContext): string[] {
  const windows = context.platform === 'win32';
  const pathApi = windows ? path.win32 : path.posix;
  // Windows keeps `Path` in any case; the first spelling found wins.
  const key = Object.keys(context.env).find((k) => (windows ? k.toUpperCase() === 'PATH' : k === 'PATH'));
  const dirs = (key ? (context.env[key] ?? '') : '')
    .split(windows ? ';' : ':')
    .map((d) => (windows ? d.replace(/^"(.*)"$/, '$1') : d))
    .filter((d) => d !== '');
  const names = windows
    ? (context.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD')
        .split(';')
        .filter((e) => e !== '')
        .map((e) => `testgap${e.toLowerCase()}`)
    : ['testgap'];
  return dirs.flatMap((dir) => names.map((n) => pathApi.join(dir, n)));
}

/** True for a regular file this process may execute (on Windows: any regular file). */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
