// The fixture project (test/fixture/project) copied to a temporary directory
// and measured by a real `coverage run --branch -m pytest` + `coverage json`.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './server';

export interface CoverageSummary {
  num_statements: number;
  covered_lines: number;
  num_branches: number;
  covered_branches: number;
  percent_covered: number;
  percent_covered_display: string;
}

export interface CoverageFunction {
  summary: CoverageSummary;
  missing_lines: number[];
  missing_branches: [number, number][];
}

export interface CoverageFile {
  summary: CoverageSummary;
  functions: Record<string, CoverageFunction>;
}

export interface CoverageReport {
  meta: { format: number; branch_coverage: boolean };
  files: Record<string, CoverageFile>;
}

/** `$TESTGAP_PYTHON`, else the repository's test venv: an interpreter with pytest and coverage.py. */
export function python(): string {
  const configured = process.env.TESTGAP_PYTHON;
  if (configured) {
    return configured;
  }
  const venv = path.join(repoRoot(), '.venv-test', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
  if (fs.existsSync(venv)) {
    return venv;
  }
  throw new Error(
    'set TESTGAP_PYTHON to a Python with pytest and coverage.py (tests/setup_venv.sh makes one in .venv-test)',
  );
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      copyTree(source, target);
    } else {
      fs.copyFileSync(source, target);
    }
  }
}

export interface Project {
  root: string;
  report: CoverageReport;
  remove(): void;
}

/** Copies the fixture, runs the tests under coverage and reads coverage.json. */
export function measuredProject(): Project {
  const fixture = path.join(repoRoot(), 'editors', 'vscode', 'test', 'fixture', 'project');
  // realpath: the server reports resolved paths (macOS's /tmp is a link).
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'testgap-vscode-')));
  copyTree(fixture, root);
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  for (const key of Object.keys(env)) {
    if (key.startsWith('COVERAGE_') || key.startsWith('PYTEST_')) {
      delete env[key];
    }
  }
  const run = (args: string[]) =>
    execFileSync(python(), args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  try {
    run(['-m', 'coverage', 'run', '--branch', '-m', 'pytest', '-q', '-p', 'no:cacheprovider']);
    run(['-m', 'coverage', 'json']);
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(
      `measuring the fixture failed: ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`,
      { cause: error },
    );
  }
  const report = JSON.parse(fs.readFileSync(path.join(root, 'coverage.json'), 'utf8')) as CoverageReport;
  return { root, report, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The report's entry for `rel` (a `/`-separated path under the root). */
export function fileEntry(report: CoverageReport, rel: string): CoverageFile {
  const matches = Object.entries(report.files).filter(([k]) => k.replace(/\\/g, '/') === rel);
  if (matches.length !== 1) {
    throw new Error(`${rel} is not (once) in coverage.json: ${Object.keys(report.files).join(', ')}`);
  }
  return matches[0][1];
}

/** 0-based line and column of the name in `def name(` for a (possibly qualified) function name. */
export function defPosition(source: string, qualname: string): { line: number; character: number } {
  const short = qualname.split('.').pop() ?? qualname;
  const lines = source.split('\n');
  const found = lines.flatMap((text, line) => {
    const match = new RegExp(`^\\s*(?:async\\s+)?def\\s+(${short})\\s*\\(`).exec(text);
    return match ? [{ line, character: text.indexOf(short, text.indexOf('def')) }] : [];
  });
  if (found.length !== 1) {
    throw new Error(`\`def ${short}(\` is not once in the fixture (${found.length} times)`);
  }
  return found[0];
}

/** The report's missing lines as the server's inclusive ranges must cover them. */
export function covers(ranges: [number, number][], missing: number[]): boolean {
  const inRange = (n: number) => ranges.some(([a, b]) => a <= n && n <= b);
  return missing.every(inRange) && ranges.every(([a, b]) => missing.includes(a) && missing.includes(b));
}
