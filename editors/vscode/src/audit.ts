// The answer of `testgap.audit` (the document `testgap audit --format json`
// prints, docs/audit.schema.json) read into rows, rendered as the audit
// view's HTML, and searched for one file's coverage. Plain Node.

import * as path from 'node:path';

export interface Summary {
  statements: number;
  missing_lines: number;
  branches: number;
  missing_branches: number;
  percent_covered: number;
  percent_covered_display: string;
}

export interface AuditFunction {
  name: string;
  line: number;
  end_line: number;
  summary: Summary;
  uncovered_lines?: [number, number][];
}

export interface AuditModule {
  rank: number;
  path: string;
  module: string;
  summary: Summary;
  risk: number;
  stale: boolean;
  functions: AuditFunction[];
}

export interface AuditDocument {
  schema_version: number;
  root: string;
  coverage_file: string;
  coverage: { timestamp: string; branch_coverage: boolean };
  threshold: number;
  totals: Summary;
  files: { total: number; below_threshold: number };
  modules: AuditModule[];
  warnings: { kind: string; path: string; message: string }[];
}

/** The audits in a `testgap.audit` answer: one document per workspace root. */
export function auditDocuments(result: unknown): AuditDocument[] {
  const items = Array.isArray(result) ? result : result === null || result === undefined ? [] : [result];
  return items.filter(isAuditDocument);
}

function isAuditDocument(value: unknown): value is AuditDocument {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Partial<AuditDocument>;
  return typeof v.root === 'string' && Array.isArray(v.modules) && typeof v.totals === 'object';
}

/** A place the audit view links to. */
export interface Target {
  file: string;
  /** 1-based. */
  line: number;
}

/** `[[3, 5], [9, 9]]` as `3–5, 9`. */
export function rangesText(ranges: readonly [number, number][] | undefined): string {
  return (ranges ?? []).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function branches(summary: Summary): string {
  return summary.branches === 0 ? '' : `${summary.branches - summary.missing_branches}/${summary.branches}`;
}

export interface RenderOptions {
  /** Marks the one inline script the page may run. */
  nonce: string;
  /** The webview's `cspSource`. */
  cspSource: string;
  /** The threshold this audit was asked for. */
  threshold: number;
}

/**
 * The audit view: per root, a table of modules below the threshold, each
 * with its least covered functions; every function links to its `def`.
 * Links carry an index into `targets`, never a path, so the page can open
 * only what the audit listed.
 */
export function renderAuditHtml(docs: AuditDocument[], options: RenderOptions): { html: string; targets: Target[] } {
  const targets: Target[] = [];
  const link = (target: Target, label: string): string => {
    targets.push(target);
    return `<a href="#" data-target="${targets.length - 1}">${label}</a>`;
  };
  const sections = docs.map((doc) => {
    const heading =
      `<h2>${escapeHtml(doc.root)}</h2>` +
      `<p class="meta">Total ${escapeHtml(doc.totals.percent_covered_display)}% covered · ` +
      `${doc.files.below_threshold} of ${doc.files.total} files below ${doc.threshold}% · ` +
      `report ${escapeHtml(doc.coverage_file)} (${escapeHtml(doc.coverage.timestamp)})</p>`;
    if (doc.modules.length === 0) {
      return `${heading}<p>No module is below ${doc.threshold}%.</p>`;
    }
    const rows = doc.modules.map((m) => {
      const file = path.resolve(doc.root, m.path);
      const first = m.functions[0];
      const moduleCell = link({ file, line: first ? first.line : 1 }, escapeHtml(m.path));
      const head =
        `<tr class="module"><td class="num">${m.rank}</td><td>${moduleCell}${m.stale ? ' <span class="stale" title="the file changed after coverage ran">stale</span>' : ''}</td>` +
        `<td class="num">${escapeHtml(m.summary.percent_covered_display)}%</td>` +
        `<td class="num">${m.summary.missing_lines}/${m.summary.statements}</td>` +
        `<td class="num">${branches(m.summary)}</td>` +
        `<td class="num">${m.risk.toFixed(1)}</td></tr>`;
      const functions = m.functions.map((f) => {
        const never = rangesText(f.uncovered_lines);
        return (
          `<tr class="function"><td></td><td>${link({ file, line: f.line }, `<code>${escapeHtml(f.name)}</code>`)}` +
          `${never === '' ? '' : ` <span class="lines">never run: ${escapeHtml(never)}</span>`}</td>` +
          `<td class="num">${escapeHtml(f.summary.percent_covered_display)}%</td>` +
          `<td class="num">${f.summary.missing_lines}/${f.summary.statements}</td>` +
          `<td class="num">${branches(f.summary)}</td><td></td></tr>`
        );
      });
      return head + functions.join('');
    });
    const warnings =
      doc.warnings.length === 0
        ? ''
        : `<details><summary>${doc.warnings.length} warning${doc.warnings.length === 1 ? '' : 's'}</summary><ul>` +
          doc.warnings.map((w) => `<li>${escapeHtml(w.path)}: ${escapeHtml(w.message)}</li>`).join('') +
          '</ul></details>';
    return (
      heading +
      '<table><thead><tr><th class="num">#</th><th>module / function</th><th class="num">cover</th>' +
      '<th class="num">missing</th><th class="num">branches</th><th class="num">risk</th></tr></thead>' +
      `<tbody>${rows.join('')}</tbody></table>${warnings}`
    );
  });
  const nonce = escapeHtml(options.nonce);
  const others = options.threshold < 100 ? 100 : 50;
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${escapeHtml(options.cspSource)} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>testgap audit</title>
<style nonce="${nonce}">
body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2px 8px; vertical-align: top; }
th { border-bottom: 1px solid var(--vscode-panel-border); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.module td { padding-top: 8px; font-weight: 600; }
tr.function td:nth-child(2) { padding-left: 24px; }
.meta, .lines { color: var(--vscode-descriptionForeground); }
.stale { color: var(--vscode-editorWarning-foreground); font-weight: normal; }
a { color: var(--vscode-textLink-foreground); text-decoration: none; }
a:hover { text-decoration: underline; }
</style>
</head>
<body>
<p class="meta">Modules below ${options.threshold}%, highest risk first. <a href="#" data-threshold="${others}">Show modules below ${others}%</a> · <a href="#" data-refresh="1">Refresh</a></p>
${sections.join('\n')}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const a = event.target.closest('a');
  if (!a) { return; }
  event.preventDefault();
  if (a.dataset.target !== undefined) { vscode.postMessage({ type: 'open', target: Number(a.dataset.target) }); }
  else if (a.dataset.threshold !== undefined) { vscode.postMessage({ type: 'audit', threshold: Number(a.dataset.threshold) }); }
  else if (a.dataset.refresh !== undefined) { vscode.postMessage({ type: 'audit' }); }
});
</script>
</body>
</html>
`;
  return { html, targets };
}

/** One file's coverage, as the audit measured it. */
export interface FileCoverage {
  percent: number;
  display: string;
  stale: boolean;
  module: string;
  /** Functions with lines no test runs. */
  gaps: number;
}

/**
 * The coverage of `file` in `docs` (audits asked for with threshold 100, so
 * that every module not fully covered is listed), or `undefined` when no
 * audit lists it. `same` compares two absolute paths.
 */
export function fileCoverage(
  docs: AuditDocument[],
  file: string,
  same: (a: string, b: string) => boolean = (a, b) => path.resolve(a) === path.resolve(b),
): FileCoverage | undefined {
  for (const doc of docs) {
    for (const m of doc.modules) {
      if (same(path.resolve(doc.root, m.path), file)) {
        return {
          percent: m.summary.percent_covered,
          display: m.summary.percent_covered_display,
          stale: m.stale,
          module: m.module,
          gaps: m.functions.length,
        };
      }
    }
  }
  return undefined;
}

/** The hover the server gives a line of a file it has no coverage for starts so. */
const NO_COVERAGE = /^\*\*testgap\*\* · (no coverage data.*)$/s;

/**
 * Why the server has no coverage for a file, read from its hover on the
 * file's first line; `undefined` when the hover is about coverage (or absent).
 */
export function noCoverageReason(hover: unknown): string | undefined {
  const contents = typeof hover === 'object' && hover !== null ? (hover as { contents?: unknown }).contents : undefined;
  const value =
    typeof contents === 'object' && contents !== null ? (contents as { value?: unknown }).value : contents;
  const match = typeof value === 'string' ? NO_COVERAGE.exec(value) : null;
  return match ? match[1] : undefined;
}
