import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  auditDocuments,
  fileCoverage,
  noCoverageReason,
  rangesText,
  renderAuditHtml,
  type AuditDocument,
  type Summary,
} from '../src/audit';

const summary = (percent: number, display: string): Summary => ({
  statements: 10,
  missing_lines: 4,
  branches: 4,
  missing_branches: 2,
  percent_covered: percent,
  percent_covered_display: display,
});

const doc: AuditDocument = {
  schema_version: 1,
  root: '/w/shop',
  coverage_file: '/w/shop/coverage.json',
  coverage: { timestamp: '2026-01-01T00:00:00', branch_coverage: true },
  threshold: 50,
  totals: summary(61.2, '61'),
  files: { total: 3, below_threshold: 1 },
  modules: [
    {
      rank: 1,
      path: 'shop/cart.py',
      module: 'shop.cart',
      summary: summary(42.9, '43'),
      risk: 12.5,
      stale: true,
      functions: [
        { name: 'Cart.<total>', line: 7, end_line: 12, summary: summary(0, '0'), uncovered_lines: [[8, 12]] },
        { name: 'discount', line: 20, end_line: 25, summary: summary(60, '60'), uncovered_lines: [[22, 22], [24, 25]] },
      ],
    },
  ],
  warnings: [{ kind: 'stale', path: 'shop/cart.py', message: 'changed <after> coverage ran' }],
};

describe('audit view', () => {
  it('accepts one document or a list of them', () => {
    assert.deepEqual(auditDocuments(doc), [doc]);
    assert.deepEqual(auditDocuments([doc, doc]), [doc, doc]);
    assert.deepEqual(auditDocuments(null), []);
    assert.deepEqual(auditDocuments({ reloaded: 1 }), []);
  });

  it('links every module and function to its place, by index only', () => {
    const { html, targets } = renderAuditHtml([doc], { nonce: 'abc', cspSource: 'vscode-resource:', threshold: 50 });
    assert.deepEqual(targets, [
      { file: '/w/shop/shop/cart.py', line: 7 },
      { file: '/w/shop/shop/cart.py', line: 7 },
      { file: '/w/shop/shop/cart.py', line: 20 },
    ]);
    assert.match(html, /data-target="2"><code>discount<\/code><\/a> <span class="lines">never run: 22, 24–25<\/span>/);
    assert.ok(!html.includes('/w/shop/shop/cart.py'), 'no path in a link');
    assert.match(html, /<code>Cart\.&lt;total&gt;<\/code>/);
    assert.match(html, /changed &lt;after&gt; coverage ran/);
    assert.match(html, /script-src 'nonce-abc'/);
    assert.match(html, /<script nonce="abc">/);
    assert.match(html, /stale/);
    assert.match(html, /Total 61% covered · 1 of 3 files below 50%/);
    assert.match(html, /data-threshold="100">Show modules below 100%/);
  });

  it('says so when no module is below the threshold', () => {
    const { html, targets } = renderAuditHtml([{ ...doc, modules: [], threshold: 100 }], {
      nonce: 'n',
      cspSource: 'c',
      threshold: 100,
    });
    assert.deepEqual(targets, []);
    assert.match(html, /No module is below 100%\./);
    assert.match(html, /data-threshold="50"/);
  });

  it('finds a file\'s coverage', () => {
    assert.deepEqual(fileCoverage([doc], '/w/shop/shop/cart.py'), {
      percent: 42.9,
      display: '43',
      stale: true,
      module: 'shop.cart',
      gaps: 2,
    });
    assert.equal(fileCoverage([doc], '/w/shop/shop/other.py'), undefined);
  });

  it('formats line ranges as the server does', () => {
    assert.equal(rangesText([[3, 5], [9, 9]]), '3–5, 9');
    assert.equal(rangesText(undefined), '');
  });

  it('reads "no coverage data" out of a hover', () => {
    const hover = (value: string) => ({ contents: { kind: 'markdown', value } });
    assert.equal(
      noCoverageReason(hover('**testgap** · no coverage data: the report does not measure this file')),
      'no coverage data: the report does not measure this file',
    );
    assert.equal(noCoverageReason(hover('**testgap** · line 1 runs')), undefined);
    assert.equal(noCoverageReason(null), undefined);
  });
});
