/**
 * Figures backed by a file: the benchmark table of README.md and of docs/performance.md is the one
 * bench/results.json (written by `npm run bench`) gives, and nothing else.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import {
  DOCUMENTS,
  mergedResults,
  RESULTS,
  resultsMarkdown,
  staleDocuments,
  withBlock,
} from '../../../bench/results-table.mjs';
import { syncDocumentStale, syncMarkdown, withSyncBlock } from '../../../bench/sync-table.mjs';

test('README.md and docs/performance.md show exactly the table bench/results.json gives', () => {
  assert.deepEqual(staleDocuments(), []);
});

test('a figure edited by hand in a document, or a changed results file, is caught', () => {
  const results = JSON.parse(fs.readFileSync(RESULTS, 'utf8'));
  const block = resultsMarkdown(results);
  for (const file of DOCUMENTS) {
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(withBlock(text, block, file), text, file);
    const row = results.rows[0];
    const edited = text.replace(
      `| ${row.scenario} | ${row.n} | ${row.medianMs.toFixed(1)} |`,
      `| ${row.scenario} | ${row.n} | ${(row.medianMs - 10).toFixed(1)} |`,
    );
    assert.notEqual(edited, text, 'the first row is in the document');
    assert.notEqual(withBlock(edited, block, file), edited);
  }
  const other = resultsMarkdown({
    ...results,
    rows: results.rows.map((r: { ratio: number }) => ({ ...r, ratio: r.ratio + 0.1 })),
  });
  assert.notEqual(other, block);
});

test('the block must be in a document exactly once', () => {
  assert.throws(() => withBlock('no markers', 'x', 'doc'), /exactly once/);
  assert.throws(
    () => withBlock('<!-- bench-results -->a<!-- /bench-results --><!-- bench-results -->', 'x', 'doc'),
    /exactly once/,
  );
});

test('bench/run.mjs keeps the sync part of bench/results.json, and bench/sync.mjs keeps the rest', () => {
  const sync = { date: '2026-12-07T00:00:00.000Z', leases: 10_000 };
  const before = { date: '2026-12-06T00:00:00.000Z', rows: [{ scenario: 'old' }], sync };
  const run = { date: '2026-12-08T00:00:00.000Z', rows: [{ scenario: 'new' }] };
  assert.deepEqual(mergedResults(before, run), { ...run, sync });
  assert.deepEqual(mergedResults(undefined, run), run);
  const newer = { ...sync, leases: 9 };
  assert.deepEqual(mergedResults(before, { sync: newer }), { ...before, sync: newer });
  assert.deepEqual(mergedResults(undefined, { sync: newer }), { sync: newer });
});

test('docs/performance.md shows exactly the sync block bench/results.json gives, each number with its target and whether it was met', () => {
  assert.equal(syncDocumentStale(), false);
  const sync = {
    date: '2026-12-07T23:45:40.000Z',
    machine: { cpu: 'CPU', cores: 2, node: 'v20', loadAverage: [5.45, 6.18, 5.94] },
    leases: 10_000,
    dns: [
      {
        server: 'BIND',
        firstPassMs: 20_484,
        firstPassChanges: 30_000,
        noChangeMedianMs: 2_100,
        noChangeMaxMs: 2_500,
        noChangePasses: 5,
      },
    ],
    follow: { server: 'BIND', leases: 5, medianMs: 900, maxMs: 1_300 },
    actions: [
      { config: 'with targets', n: 15, getRatio: 2.05, freeRatio: 2.5 },
      { config: 'without targets', n: 15, getRatio: 2.0, freeRatio: 2.0 },
    ],
  };
  const block = syncMarkdown(sync);
  assert.match(block, /load average 5\.45 6\.18 5\.94/);
  assert.match(block, /\| first `sync` of 10,000 leases, BIND \(30,000 changes\) \| < 30 s \| 20\.48 s \| met \|/);
  assert.match(
    block,
    /\| a pass with nothing to change, BIND: median \(max\) of 5 \| < 2 s \| 2\.10 s \(2\.50 s\) \| \*\*missed\*\* \|/,
  );
  assert.match(block, /`sync --follow` .* \| < 2 s \| 0\.90 s \(1\.30 s\) \| met \|/);
  assert.match(block, /\| get_address, .* \| 2\.05x \/ 2\.00x \| met \|/);
  assert.match(block, /\| free_address, .* \| 2\.50x \/ 2\.00x \| \*\*missed\*\* \|/);
  assert.throws(() => withSyncBlock('no markers', 'x'), /exactly once/);
});
