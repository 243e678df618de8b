/** restoredBook: the previous generation comes back, the range-id counter never goes back. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_BOOK, type Book } from '../../../../src/core/book/book.ts';
import { rangeIdFloor } from '../../../../src/store/encoding/range-id-floor.ts';
import { restoredBook } from '../../../../src/core/operator/restored-book.ts';

const book = (nextRangeId: number, ids: string[]): Book => ({
  ...EMPTY_BOOK,
  nextRangeId,
  ranges: ids.map((id) => ({
    id,
    type: 'IP4',
    size: 4n,
    ip: 0x0a000000n,
    createdAt: '2026-01-01T00:00:00.000Z',
    leases: [],
  })),
});

test('the counter of the replaced book wins when it is ahead, the previous one when it is', () => {
  assert.equal(restoredBook(book(5, ['r1', 'r4']), book(3, ['r1', 'r2'])).nextRangeId, 5);
  assert.equal(restoredBook(book(2, ['r1']), book(3, ['r1', 'r2'])).nextRangeId, 3);
  assert.equal(restoredBook(undefined, book(3, ['r1', 'r2'])).nextRangeId, 3);
});

test("ranges, leases and everything else are the previous generation's, but for what oned holds", () => {
  const previous = book(3, ['r1', 'r2']);
  const unmanaged = { ...book(7, ['r6']), ranges: book(7, ['r6']).ranges.map((r) => ({ ...r, unmanaged: true })) };
  const restored = restoredBook(unmanaged, previous);
  assert.deepEqual(restored.ranges, previous.ranges, 'an operator range made since is undone');
  assert.equal(restored.generation, previous.generation);
  assert.equal(restoredBook(book(1, []), previous), previous, 'nothing to raise or keep: the very same book');
});

test("oned's ranges registered since and its leases taken since are kept; operator leases are undone", () => {
  const at = '2026-01-02T00:00:00.000Z';
  const plain = book(3, ['r1', 'r2']);
  const previous: Book = {
    ...plain,
    ranges: [
      { ...plain.ranges[0]!, leases: [{ first: 0n, last: 0n, holder: 'operator', owner: 'bmc', at }] },
      plain.ranges[1]!,
    ],
  };
  const current: Book = {
    ...EMPTY_BOOK,
    nextRangeId: 4,
    ranges: [
      // r1: the operator lease was released, oned took 0-2 (0 overlaps the restored operator lease) and 3.
      {
        ...previous.ranges[0]!,
        nextIndex: 3n,
        leases: [
          { first: 0n, last: 2n, holder: 'opennebula', at },
          { first: 3n, last: 3n, holder: 'operator', owner: 'x', at },
        ],
      },
      previous.ranges[1]!,
      {
        ...previous.ranges[1]!,
        id: 'r3',
        ip: 0x0a000010n,
        leases: [{ first: 1n, last: 1n, holder: 'opennebula', at }],
      },
    ],
  };
  const restored = restoredBook(current, previous);
  assert.deepEqual(
    restored.ranges.map((r) => r.id),
    ['r1', 'r2', 'r3'],
  );
  assert.deepEqual(
    restored.ranges[0]!.leases.map((l) => [l.first, l.last, l.holder]),
    [
      [0n, 0n, 'operator'],
      [1n, 2n, 'opennebula'],
    ],
  );
  assert.equal(restored.ranges[0]!.nextIndex, 3n, 'the cursor does not go back either');
  assert.equal(restored.ranges[2], current.ranges[2]);
  assert.equal(restored.nextRangeId, 4);
});

test('a replaced book that no longer decodes: its text still raises the counter', () => {
  assert.equal(rangeIdFloor('{"schema":1,"generation":9,"nextRangeId":6,"ranges":[\n{"id":"r1"'), 6);
  assert.equal(
    rangeIdFloor('{"schema":1,"generation":9,"nextRangeId":4,"ranges":[\n{"id":"r1"},\n{"id":"r11","ty'),
    12,
  );
  assert.equal(rangeIdFloor('{"id":"x5","nextRangeId":"7"}'), 0, 'only counted ids and a numeric counter count');
  assert.equal(rangeIdFloor('\u0000\u0001garbage'), 0);
});

test('a range the previous generation lacks but whose id it had handed out stays gone; one overlapping a restored range is left out', () => {
  const at = '2026-01-02T00:00:00.000Z';
  const base = book(4, ['r1']);
  // The previous generation: r2 was unregistered by oned (its id was handed out: counter 4).
  const previous: Book = { ...base, ranges: [{ ...base.ranges[0]!, ip: 0x0a000100n }] };
  const current: Book = {
    ...EMPTY_BOOK,
    nextRangeId: 6,
    ranges: [
      previous.ranges[0]!,
      // r2 came back by an earlier restore: not registered since.
      { id: 'r2', type: 'IP4', size: 4n, ip: 0x0a000000n, createdAt: at, leases: [] },
      // r4: registered since, but on r1's addresses (a reconcile that removed and added at once).
      { id: 'r4', type: 'IP4', size: 4n, ip: 0x0a000101n, createdAt: at, leases: [] },
      // r5: registered since, clear of everything: kept.
      { id: 'r5', type: 'IP4', size: 4n, ip: 0x0a000200n, createdAt: at, leases: [] },
    ],
  };
  assert.deepEqual(
    restoredBook(current, previous).ranges.map((r) => r.id),
    ['r1', 'r5'],
  );
});
