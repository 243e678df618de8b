/** restoredBook: the previous generation comes back, the range-id counter never goes back. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_BOOK, type Book } from '../../src/book/book.ts';
import { rangeIdFloor, restoredBook } from '../../src/book/restored-book.ts';

const book = (nextRangeId: number, ids: string[]): Book => ({
  ...EMPTY_BOOK,
  nextRangeId,
  ranges: ids.map((id) => ({ id, type: 'IP4', size: 4n, ip: 0x0a000000n, createdAt: '2026-01-01T00:00:00.000Z', leases: [] })),
});

test('the counter of the replaced book wins when it is ahead, the previous one when it is', () => {
  assert.equal(restoredBook(book(5, ['r1', 'r4']), book(3, ['r1', 'r2'])).nextRangeId, 5);
  assert.equal(restoredBook(book(2, ['r1']), book(3, ['r1', 'r2'])).nextRangeId, 3);
  assert.equal(restoredBook(undefined, book(3, ['r1', 'r2'])).nextRangeId, 3);
});

test('ranges, leases and everything else are the previous generation\'s', () => {
  const previous = book(3, ['r1', 'r2']);
  const restored = restoredBook(book(7, ['r6']), previous);
  assert.deepEqual(restored.ranges, previous.ranges);
  assert.equal(restored.generation, previous.generation);
  assert.equal(restoredBook(book(1, []), previous), previous, 'nothing to raise: the very same book');
});

test('a replaced book that no longer decodes: its text still raises the counter', () => {
  assert.equal(restoredBook(undefined, book(2, ['r1']), '{"schema":1,"generation":9,"nextRangeId":6,"ranges":[\n{"id":"r1"').nextRangeId, 6);
  assert.equal(rangeIdFloor('{"schema":1,"generation":9,"nextRangeId":4,"ranges":[\n{"id":"r1"},\n{"id":"r11","ty'), 12);
  assert.equal(rangeIdFloor('{"id":"x5","nextRangeId":"7"}'), 0, 'only counted ids and a numeric counter count');
  assert.equal(rangeIdFloor('\u0000\u0001garbage'), 0);
});
