import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import type { Book, RangeRecord } from '../../../../src/core/book/book.ts';
import { replaceRange } from '../../../../src/core/book/book.ts';
import { decodeBook, decodeBookLazily, encodeBook, encodeBookChunks } from '../../../../src/store/encoding/codec.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';

const WHERE = '/books/leases.json';

function range(n: number, leases: RangeRecord['leases'] = []): RangeRecord {
  const ip = 0x0a000000n + BigInt(n) * 256n;
  return {
    id: `r${n}`,
    type: 'IP4',
    size: 256n,
    ip,
    mac: 0x020000000000n + ip,
    createdAt: '2025-01-01T00:00:00.000Z',
    leases,
  };
}
const lease = (i: number) => ({
  first: BigInt(i),
  last: BigInt(i),
  holder: 'opennebula' as const,
  mac: 0x020000000000n + 0x0a000100n + BigInt(i),
  requestId: String(100 + i),
  at: `2025-01-01T00:00:0${i}.000Z`,
});
const BOOK: Book = {
  schema: 1,
  generation: 7,
  nextRangeId: 5,
  ranges: [range(1, [lease(0), lease(1)]), range(2), range(3, [lease(4)]), range(4)],
};

test('a book read from the bytes of a file is the book that was written', () => {
  assert.deepEqual(decodeBook(Buffer.from(encodeBook(BOOK)), WHERE), BOOK);
});

test('ranges nobody changed are written back as the bytes they were read from, neighbours as one slice', () => {
  const source = Buffer.from(encodeBook(BOOK));
  const read = decodeBookLazily(source, WHERE);
  const changed = replaceRange(read, { ...read.ranges[2]!, leases: [] });
  const chunks = encodeBookChunks({ ...changed, generation: 8 });
  const slices = chunks.filter((c): c is Buffer => Buffer.isBuffer(c));
  assert.equal(slices.length, 2, 'r1+r2 as one slice, r4 as another');
  assert.ok(
    slices.every((s) => s.buffer === source.buffer),
    'slices of the source, not copies',
  );
  assert.deepEqual(decodeBookLazily(encodeBook(changed), WHERE), replaceRange(BOOK, range(3)));
});

test('a line written by an earlier version (leases as objects) stays as it is until its range changes', () => {
  const text = encodeBook(BOOK).replace(
    '"leases":""}',
    '"leases":[{"from":9,"to":9,"holder":"operator","owner":"lab","at":"2024-01-01T00:00:00.000Z"}]}',
  );
  const read = decodeBookLazily(text, WHERE);
  assert.equal(read.ranges[1]!.leases[0]!.owner, 'lab');
  assert.ok(encodeBook(read).includes('"holder":"operator"'), 'untouched: byte for byte');
  const rewritten = encodeBook(replaceRange(read, { ...read.ranges[1]! }));
  assert.ok(!rewritten.includes('"holder"'), 'changed: packed like every other range');
  assert.deepEqual(decodeBookLazily(rewritten, WHERE), decodeBookLazily(text, WHERE));
});

test('leases are checked when read: a corrupt range fails the action that reads it, and only that one', () => {
  const text = encodeBook(BOOK).replace(/"leases":"([^"]*)"\},\n\{"id":"r4"/, '"leases":"0,,zz!"},\n{"id":"r4"');
  const read = decodeBookLazily(Buffer.from(text), WHERE);
  assert.deepEqual(read.ranges[0]!.leases, BOOK.ranges[0]!.leases);
  expectIpamError(() => read.ranges[2]!.leases, 'store-corrupt', [
    WHERE,
    'ranges[2].leases[0].from',
    'nebula-ipam restore',
  ]);
  // Acting on another range keeps the broken line exactly as it was, for an operator to repair.
  assert.ok(encodeBook(replaceRange(read, range(1))).includes('"leases":"0,,zz!"}'));
  const notJson = encodeBook(BOOK).replace('"leases":""}', '"leases":"unterminated}');
  expectIpamError(() => decodeBookLazily(notJson, WHERE).ranges[1]!.leases, 'store-corrupt', ['ranges[1].leases']);
});

test('ids and headers are checked at once, leases when first read', () => {
  expectIpamError(() => decodeBookLazily(encodeBook(BOOK).replace('"id":"r4"', '"id":"r2"'), WHERE), 'store-corrupt', [
    'ranges[3].id',
  ]);
  expectIpamError(
    () => decodeBookLazily(encodeBook(BOOK).replace('"nextRangeId":5', '"nextRangeId":4'), WHERE),
    'store-corrupt',
    ['nextRangeId'],
  );
  expectIpamError(
    () => decodeBookLazily(Buffer.from(encodeBook(BOOK).replace('"ip":"10.0.3.0"', '"ip":"10.0.3"')), WHERE),
    'store-corrupt',
    ['ranges[2].ip', 'nebula-ipam restore'],
  );
  // A repeated key: JSON keeps the last, so the id the line starts with must be the one decoded.
  expectIpamError(
    () => decodeBookLazily(encodeBook(BOOK).replace('"id":"r3","type"', '"id":"r3","id":"r9","type"'), WHERE),
    'store-corrupt',
    ['ranges[2].id', 'r9'],
  );
  expectIpamError(
    () => decodeBookLazily(encodeBook(BOOK).replace('"type":"IP4","size":256,"ip":"10.0.2.0"', '"type":IP4'), WHERE),
    'store-corrupt',
    ['ranges[1]'],
  );
});

test('a decoded range is a plain object: printed, cloned, compared and assigned like the record written', () => {
  const read = decodeBookLazily(Buffer.from(encodeBook(BOOK)), WHERE);
  const r3 = read.ranges[2]!;
  assert.deepEqual(Object.keys(r3), Object.keys(BOOK.ranges[2]!));
  assert.ok('mac' in r3 && !('pool' in r3));
  assert.match(inspect(r3), /^\{\n? *id: 'r3',/);
  assert.match(inspect(r3), /size: 256n/);
  assert.deepEqual(structuredClone(read), BOOK);
  assert.deepEqual({ ...r3 }, BOOK.ranges[2]);
  assert.deepEqual(read, BOOK);
  assert.match(inspect(r3), /leases: \[\n? *\{/, 'once read, the leases print too');
  const r1 = decodeBookLazily(Buffer.from(encodeBook(BOOK)), WHERE).ranges[0]!;
  (r1 as { size: bigint }).size = 300n;
  (r1 as { leases: RangeRecord['leases'] }).leases = [];
  assert.deepEqual([r1.size, r1.leases], [300n, []]);
});

test('a book in another layout is read whole; a truncated one is refused', () => {
  const pretty = JSON.stringify(JSON.parse(encodeBook(BOOK)), null, 2);
  assert.deepEqual(decodeBook(pretty, WHERE), BOOK);
  const text = encodeBook(BOOK);
  for (const cut of [text.length - 2, text.length - 4, text.indexOf('{"id":"r3"') + 20, text.indexOf('\n') + 1]) {
    expectIpamError(() => decodeBook(Buffer.from(text.slice(0, cut)), WHERE), 'store-corrupt', [WHERE]);
  }
});

test('decodeBook checks everything at once, for readers and for books taken from outside', () => {
  const text = encodeBook(BOOK);
  expectIpamError(
    () => decodeBook(Buffer.from(text.replace('"ip":"10.0.3.0"', '"ip":"10.0.3"')), WHERE),
    'store-corrupt',
    ['ranges[2].ip'],
  );
  expectIpamError(
    () => decodeBook(text.replace(/"leases":"([^"]*)"\},\n\{"id":"r4"/, '"leases":"0,,zz!"},\n{"id":"r4"'), WHERE),
    'store-corrupt',
    ['ranges[2].leases[0].from'],
  );
});
