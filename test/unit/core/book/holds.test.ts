import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_BOOK } from '../../../../src/core/book/book.ts';
import { holdAt, recordHolds, releaseHold, type SeenInUse } from '../../../../src/core/book/holds.ts';

const seen = (address: bigint, seenAt: string, reason = 'A record web.example.com on target bind'): SeenInUse => ({
  family: 'ipv4',
  address,
  pool: 'lan',
  source: 'dns',
  reason,
  seenAt,
});

test('an address seen in use is held, keeping its first sighting; seen again unchanged, the book is the same object', () => {
  const once = recordHolds(EMPTY_BOOK, [seen(10n, '2026-12-07T10:00:00.000Z')]);
  assert.deepEqual(holdAt(once, 'ipv4', 10n), {
    family: 'ipv4',
    address: 10n,
    pool: 'lan',
    source: 'dns',
    reason: 'A record web.example.com on target bind',
    firstSeen: '2026-12-07T10:00:00.000Z',
    lastSeen: '2026-12-07T10:00:00.000Z',
  });
  assert.equal(recordHolds(once, [seen(10n, '2026-12-07T09:00:00.000Z')]), once);
  const later = recordHolds(once, [seen(10n, '2026-12-07T11:00:00.000Z'), seen(3n, '2026-12-07T11:00:00.000Z')]);
  assert.equal(holdAt(later, 'ipv4', 10n)?.firstSeen, '2026-12-07T10:00:00.000Z');
  assert.equal(holdAt(later, 'ipv4', 10n)?.lastSeen, '2026-12-07T11:00:00.000Z');
  assert.deepEqual(
    later.holds?.map((h) => h.address),
    [3n, 10n],
  );
});

test('a hold not seen again stays; only release removes it, and the last release leaves no holds field', () => {
  const book = recordHolds(EMPTY_BOOK, [seen(10n, '2026-12-07T10:00:00.000Z')]);
  assert.equal(recordHolds(book, []), book);
  const { book: after, released } = releaseHold(book, 'ipv4', 10n);
  assert.equal(released?.address, 10n);
  assert.equal('holds' in after, false);
  assert.equal(releaseHold(after, 'ipv4', 10n).released, undefined);
});
