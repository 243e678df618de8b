/** Holds in the book file (issue 18 item 5): in the head line, checked on read, absent when none. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_BOOK, type Book } from '../../../../src/core/book/book.ts';
import { recordHolds } from '../../../../src/core/book/holds.ts';
import { IpamError } from '../../../../src/core/errors.ts';
import { decodeBook, decodeBookLazily, encodeBook } from '../../../../src/store/encoding/codec.ts';

const ranged: Book = {
  ...EMPTY_BOOK,
  nextRangeId: 2,
  ranges: [{ id: 'r1', type: 'IP4', size: 10n, ip: 0x0a000001n, createdAt: '2026-12-07T00:00:00.000Z', leases: [] }],
};
const held = recordHolds(ranged, [
  {
    family: 'ipv6',
    address: 0x20010db8n << 96n,
    pool: 'v6',
    source: 'dns',
    reason: 'AAAA x',
    seenAt: '2026-12-07T10:00:00.000Z',
  },
  {
    family: 'ipv4',
    address: 0x0a000005n,
    pool: 'lan',
    source: 'dhcp',
    reason: 'Kea lease',
    seenAt: '2026-12-07T10:00:00.000Z',
  },
]);

test('holds are one readable member of the head line, read back the same by the line reader and the full parser', () => {
  const text = encodeBook(held);
  const head = text.split('\n')[0]!;
  assert.match(head, /"holds":\[\{"ip":"10\.0\.0\.5","pool":"lan","source":"dhcp","reason":"Kea lease",/);
  assert.match(head, /\{"ip":"2001:db8::","pool":"v6","source":"dns"/);
  assert.deepEqual(decodeBookLazily(text, 'x').holds, held.holds);
  // Reformatted by hand: the full parser.
  assert.deepEqual(decodeBook(JSON.stringify(JSON.parse(text), null, 2), 'x').holds, held.holds);
});

test('a book without holds is written exactly as before holds existed, and decodes without a holds key', () => {
  const text = encodeBook(ranged);
  assert.ok(!text.includes('holds'));
  assert.equal(text.split('\n')[0], '{"schema":1,"format":2,"generation":0,"nextRangeId":2,"ranges":[');
  assert.equal('holds' in decodeBook(text, 'x'), false);
});

test('every field of a hold is checked on read: a bad one is refused with its path', () => {
  const text = encodeBook(held);
  for (const [bad, path] of [
    ['"source":"dhcp"', '"source":"guess"'],
    ['"ip":"10.0.0.5"', '"ip":"10.0.0.300"'],
    ['"first":"2026-12-07T10:00:00.000Z"', '"first":"yesterday"'],
    ['"reason":"Kea lease"', '"reason":7'],
    ['"pool":"lan",', '"pool":"lan","extra":1,'],
  ] as const) {
    assert.throws(
      () => decodeBook(text.replace(bad, path), 'x'),
      (error: unknown) =>
        error instanceof IpamError && error.kind === 'store-corrupt' && /holds\[0\]/.test(error.message),
      path,
    );
  }
  // Two holds on one address: holdAt would see one of them.
  const twice = text.replace('"ip":"2001:db8::"', '"ip":"10.0.0.5"');
  assert.throws(() => decodeBook(twice, 'x'), /holds\[1\]\.ip/);
});
