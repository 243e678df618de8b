/**
 * The latest time of a file book's log, which a commit's records are never dated before (item 8):
 * read from the log's tail without parsing it, so a time quoted inside a record's text (an error
 * message, an operator's note) is not taken for a record's, and a log that is not there clamps nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { auditPath, latestLogged } from '../../../../src/store/file/audit-log.ts';

test('the latest record time of the tail; a quoted time inside a record is text, not a time', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-tail-'));
  try {
    const book = path.join(dir, 'leases.json');
    assert.equal(latestLogged(book), undefined, 'no log yet');
    const lines = [
      { time: '2026-12-07T10:00:05.000Z', actor: 'cli:a', action: 'lease', result: 'ok' },
      {
        time: '2026-12-07T10:00:03.000Z',
        actor: 'cli:b',
        action: 'lease',
        result: 'error',
        error: 'x "time":"2099-01-01T00:00:00.000Z"',
      },
      {
        actor: 'cli:c',
        action: 'note',
        result: 'ok',
        time: '2026-12-07T10:00:04.000Z',
        note: '{"time":"2098-01-01T00:00:00.000Z"}',
      },
    ];
    fs.writeFileSync(auditPath(book), `${'x'.repeat(10_000)}\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    assert.equal(latestLogged(book), '2026-12-07T10:00:05.000Z');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
