/**
 * Figures backed by a file: the benchmark table of README.md and of docs/performance.md is the one
 * bench/results.json (written by `npm run bench`) gives, and nothing else.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { DOCUMENTS, RESULTS, resultsMarkdown, staleDocuments, withBlock } from '../../../bench/results-table.mjs';

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
