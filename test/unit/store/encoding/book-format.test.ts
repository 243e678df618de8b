/**
 * The book records the format that wrote it; a newer format's book is read but never rewritten;
 * fields a newer release wrote (on the book, on a range) survive this release's writes (issue 15
 * item 4). 0.1.0 dropped a range's `next` and `driver`, which it did not know, on every rewrite.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BOOK_FORMAT } from '../../../../src/store/encoding/book-format.ts';
import { replaceRange, type Book, type RangeRecord } from '../../../../src/core/book/book.ts';
import { decodeBook, decodeBookLazily, encodeBook } from '../../../../src/store/encoding/codec.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';

const WHERE = '/books/leases.json';
const range = (n: number): RangeRecord => ({
  id: `r${n}`,
  type: 'IP4',
  size: 16n,
  ip: 0x0a000000n + BigInt(n) * 16n,
  createdAt: '2026-01-01T00:00:00.000Z',
  leases: [],
});
const BOOK: Book = { schema: 1, generation: 3, nextRangeId: 3, ranges: [range(1), range(2)] };
const lease = { first: 2n, last: 2n, holder: 'opennebula' as const, at: '2026-01-02T00:00:00.000Z' };

/** A book as a newer release (format 3) would write it: a top-level field and a range field this release does not know. */
function newerText(format: number): string {
  return encodeBook(BOOK)
    .replace(`"format":${BOOK_FORMAT},`, `"format":${format},`)
    .replace('"nextRangeId":3,', '"nextRangeId":3,"site":{"name":"east"},')
    .replace(
      '"createdAt":"2026-01-01T00:00:00.000Z","leases":""}\n]',
      '"createdAt":"2026-01-01T00:00:00.000Z","vlan":{"id":42,"tags":["a"]},"leases":""}\n]',
    );
}

test('the book records the format that wrote it', () => {
  assert.ok(
    encodeBook(BOOK).startsWith(`{"schema":1,"format":${BOOK_FORMAT},"generation":3,"nextRangeId":3,"ranges":[\n`),
  );
  assert.equal(decodeBook(encodeBook(BOOK), WHERE).newerFormat, undefined, "this release's own format is not newer");
});

test('a book of format 1 (0.1.0 wrote no format) reads, and is written as this format', () => {
  const old = encodeBook(BOOK).replace(`"format":${BOOK_FORMAT},`, '');
  for (const read of [
    decodeBook(old, WHERE),
    decodeBookLazily(Buffer.from(old), WHERE),
    decodeBook(old.replace(/\n/g, ' '), WHERE),
  ]) {
    assert.deepEqual(read, BOOK);
    assert.ok(encodeBook(read).includes(`"format":${BOOK_FORMAT},`));
  }
});

test("fields this release does not know are kept when it changes the range that holds them, and the book's own", () => {
  const text = newerText(BOOK_FORMAT);
  // The line layout (what actions read) and any other layout (a hand-formatted book) alike.
  for (const source of [Buffer.from(text), text.replace(/\n/g, '  ')]) {
    const read = decodeBookLazily(source, WHERE);
    assert.deepEqual(read.unknownFields, { site: { name: 'east' } });
    const changed = replaceRange(read, { ...read.ranges[1]!, leases: [lease] });
    const written = decodeBook(encodeBook(changed), WHERE);
    assert.deepEqual(written.ranges[1]!.unknownFields, { vlan: { id: 42, tags: ['a'] } });
    assert.deepEqual(written.ranges[1]!.leases, [lease]);
    assert.equal(written.ranges[0]!.unknownFields, undefined);
    assert.deepEqual(written.unknownFields, { site: { name: 'east' } });
  }
});

test('an unknown field named like a prototype key stays a field', () => {
  const text = newerText(BOOK_FORMAT).replace('"vlan":', '"__proto__":{"x":1},"vlan":');
  const read = decodeBook(text, WHERE);
  assert.deepEqual(Object.keys(read.ranges[1]!.unknownFields ?? {}), ['__proto__', 'vlan']);
  assert.equal(Object.getPrototypeOf(read.ranges[1]!.unknownFields), Object.prototype);
  assert.ok(encodeBook(replaceRange(read, { ...read.ranges[1]! })).includes('"__proto__":{"x":1},"vlan":'));
});

test('a book of a newer format is read, and refused for writing in one line naming the book and both formats', () => {
  const text = newerText(BOOK_FORMAT + 1);
  for (const read of [decodeBookLazily(Buffer.from(text), WHERE), decodeBook(text.replace(/\n/g, ' '), WHERE)]) {
    assert.equal(read.newerFormat, BOOK_FORMAT + 1);
    assert.deepEqual(
      read.ranges.map((r) => r.id),
      ['r1', 'r2'],
    );
    const changed = replaceRange(read, { ...read.ranges[0]!, leases: [lease] });
    expectIpamError(() => encodeBook(changed, WHERE), 'store-corrupt', [
      WHERE,
      `format ${BOOK_FORMAT + 1}`,
      `format ${BOOK_FORMAT}`,
      'left untouched',
      'upgrade',
    ]);
  }
});

test('a format that is not a format number is refused as any bad field is', () => {
  expectIpamError(
    () => decodeBook(encodeBook(BOOK).replace(`"format":${BOOK_FORMAT}`, '"format":"2"'), WHERE),
    'store-corrupt',
    [WHERE, 'format'],
  );
  expectIpamError(
    () => decodeBook(encodeBook(BOOK).replace(`"format":${BOOK_FORMAT}`, '"format":0'), WHERE),
    'store-corrupt',
    [WHERE, 'format'],
  );
});
