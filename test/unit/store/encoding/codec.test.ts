import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIPv4 } from '../../../../src/core/address/ipv4.ts';
import { parseIPv6 } from '../../../../src/core/address/ipv6.ts';
import { EMPTY_BOOK, type Book } from '../../../../src/core/book/book.ts';
import { decodeBook, decodeBookLazily, encodeBook } from '../../../../src/store/encoding/codec.ts';
import { footprint } from '../../../../src/core/book/footprint.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';

const WHERE = '/var/lib/one/nebula-ipam/mydrv/leases.json';

const FULL: Book = {
  schema: 1,
  generation: 42,
  nextRangeId: 4,
  ranges: [
    {
      id: 'r1',
      type: 'IP4',
      size: 1n << 32n,
      ip: 0n,
      mac: 0x020000000000n,
      createdAt: '2024-01-01T00:00:00.000Z',
      requestId: '3',
      leases: [
        {
          first: 0n,
          last: 0n,
          holder: 'opennebula',
          mac: 0x020000000000n,
          requestId: '4',
          at: '2024-01-01T00:00:01.000Z',
        },
        {
          first: (1n << 32n) - 2n,
          last: (1n << 32n) - 1n,
          holder: 'operator',
          owner: 'router "a"',
          note: 'spare\nline',
          at: '2024-01-02T00:00:00.000Z',
        },
      ],
    },
    {
      id: 'r3',
      type: 'IP4_6_STATIC',
      size: 10n,
      ip: 0x0a140003n,
      ip6: (1n << 128n) - 10n,
      prefixLength: 120,
      pool: 'private',
      pool6: 'public6',
      block: { first: 0x0a140000n, last: 0x0a1400ffn },
      block6: { first: (1n << 128n) - 256n, last: (1n << 128n) - 1n },
      unmanaged: true,
      createdAt: '2024-01-03T00:00:00.000Z',
      leases: [],
    },
    {
      id: 'r2',
      type: 'IP6',
      size: 5n,
      mac: 0x0200c0ffee42n,
      globalPrefix: parseIPv6('2001:db8:100::')!,
      pool6: 'public6',
      block6: { first: parseIPv6('2001:db8:100::')!, last: parseIPv6('2001:db8:100::ffff:ffff:ffff:ffff')! },
      createdAt: '2024-01-04T00:00:00.000Z',
      leases: [],
    },
  ],
};

test('a book survives encoding and decoding unchanged, edges of both families included', () => {
  assert.deepEqual(decodeBook(encodeBook(FULL), WHERE), FULL);
  assert.deepEqual(decodeBook(encodeBook(EMPTY_BOOK), WHERE), EMPTY_BOOK);
});

test('the text is readable: one range per line, addresses as text', () => {
  const text = encodeBook(FULL);
  assert.equal(text.split('\n').filter((line) => line.startsWith('{"id"')).length, 3);
  assert.ok(text.includes('"ip":"0.0.0.0"'));
  assert.ok(text.includes('"block":["10.20.0.0","10.20.0.255"]'));
  assert.ok(text.includes('"globalPrefix":"2001:db8:100::"'));
  assert.ok(text.endsWith('\n'));
  assert.equal(encodeBook(EMPTY_BOOK), '{"schema":1,"format":2,"generation":0,"nextRangeId":1,"ranges":[]}\n');
});

/** The FULL book as JSON, with one change applied, decoded. */
// biome-ignore lint/suspicious/noExplicitAny: the test edits the raw JSON document in any way it likes
function decodeChanged(change: (doc: any) => void): () => Book {
  const doc = JSON.parse(encodeBook(FULL));
  change(doc);
  return () => decodeBook(JSON.stringify(doc), WHERE);
}

test('a book that is not what nebula-ipam wrote is refused, naming the file, the field and the way back', () => {
  const message = expectIpamError(() => decodeBook('{"schema":1,', WHERE), 'store-corrupt', [WHERE, 'not valid JSON']);
  assert.ok(
    message.includes('`nebula-ipam restore`') && !message.includes('copy'),
    'says how to recover: restore (the backend names where its previous generation is), never a copy over the book',
  );
  expectIpamError(() => decodeBook('', WHERE), 'store-corrupt', [WHERE]);
  expectIpamError(() => decodeBook('[]', WHERE), 'store-corrupt', ['(top)']);
  expectIpamError(
    decodeChanged((d) => {
      d.schema = 2;
    }),
    'store-corrupt',
    ['schema is 2'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.generation = -1;
    }),
    'store-corrupt',
    ['generation'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges = {};
    }),
    'store-corrupt',
    ['ranges'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[0].type = 'IP5';
    }),
    'store-corrupt',
    ['ranges[0].type', 'IP5'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[0].ip = '010.0.0.1';
    }),
    'store-corrupt',
    ['ranges[0].ip', '010.0.0.1'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[0].mac = '02:00';
    }),
    'store-corrupt',
    ['ranges[0].mac'],
  );
  // Leases as JSON objects (books written before leases were packed); packed ones: lease-packing.test.ts.
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[0].leases = [{ from: 0, to: 0, holder: 'me', at: 't' }];
    }),
    'store-corrupt',
    ['ranges[0].leases[0].holder', 'me'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[0].leases = [{ from: 0, to: 0, holder: 'opennebula', at: 5 }];
    }),
    'store-corrupt',
    ['ranges[0].leases[0].at'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].block = ['10.20.0.255', '10.20.0.0'];
    }),
    'store-corrupt',
    ['ranges[1].block'],
  );
});

test('leases outside their range or overlapping each other are refused', () => {
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].leases = [{ from: 0, to: 10, holder: 'opennebula', at: 't' }];
    }),
    'store-corrupt',
    ['ranges[1].leases[0].to', '10'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].leases = [{ from: 3, to: 2, holder: 'opennebula', at: 't' }];
    }),
    'store-corrupt',
    ['ranges[1].leases[0].to'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].leases = [
        { from: 0, to: 4, holder: 'opennebula', at: 't' },
        { from: 4, to: 5, holder: 'operator', at: 't' },
      ];
    }),
    'store-corrupt',
    ['ranges[1].leases[1].from'],
  );
});

test('the round-robin cursor: written as "next", absent in older books (0), at most the range size', () => {
  const withCursor: Book = { ...FULL, ranges: FULL.ranges.map((r) => (r.id === 'r3' ? { ...r, nextIndex: 7n } : r)) };
  const text = encodeBook(withCursor);
  assert.match(text, /"next":7,/);
  assert.deepEqual(decodeBook(text, WHERE), withCursor);
  assert.doesNotMatch(encodeBook(FULL), /"next"/, 'no cursor, no field: books stay as they were');
  assert.equal(decodeBook(encodeBook(FULL), WHERE).ranges[1]!.nextIndex, undefined);
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].next = 11;
    }),
    'store-corrupt',
    ['ranges[1].next', '11'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].next = -1;
    }),
    'store-corrupt',
    ['ranges[1].next'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].next = '3';
    }),
    'store-corrupt',
    ['ranges[1].next'],
  );
  assert.equal(
    decodeBook(
      JSON.stringify({
        ...JSON.parse(encodeBook(FULL)),
        ranges: [{ ...JSON.parse(encodeBook(FULL)).ranges[1], next: 10 }],
      }),
      WHERE,
    ).ranges[0]!.nextIndex,
    10n,
    'the size itself: wraps on use',
  );
});

test('ranges that no action could have written are refused', () => {
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].size = 0;
    }),
    'store-corrupt',
    ['ranges[1].size'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[0].size = 2 ** 32 + 1;
    }),
    'store-corrupt',
    ['ranges[0].size'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[0].ip = '0.0.0.1';
    }),
    'store-corrupt',
    ['ranges[0].size'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].prefixLength = 129;
    }),
    'store-corrupt',
    ['ranges[1].prefixLength'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[1].unmanaged = 'yes';
    }),
    'store-corrupt',
    ['ranges[1].unmanaged'],
  );
  expectIpamError(
    decodeChanged((d) => {
      d.ranges[2].id = 'r1';
    }),
    'store-corrupt',
    ['ranges[2].id', 'r1'],
  );
  // The counter must stay ahead of every id it handed out, or the next register reuses one.
  expectIpamError(
    decodeChanged((d) => {
      d.nextRangeId = 3;
    }),
    'store-corrupt',
    ['nextRangeId', '3'],
  );
});

test('an IPv4 range may end exactly at 255.255.255.255', () => {
  const book = decodeChanged((d) => {
    d.ranges[0].ip = '255.255.255.0';
    d.ranges[0].size = 256;
    d.ranges[0].leases = [];
  })();
  assert.equal(book.ranges[0]!.ip, parseIPv4('255.255.255.0'));
});

test('the driver that registered a range is kept; a book without it (written before) still decodes', () => {
  const line = (extra: string) =>
    `{"schema":1,"format":2,"generation":1,"nextRangeId":2,"ranges":[\n{"id":"r1","type":"IP4","size":4,"ip":"10.0.0.1",${extra}"createdAt":"2026-01-01T00:00:00.000Z","leases":""}\n]}\n`;
  const old = decodeBook(line(''), WHERE);
  assert.equal(old.ranges[0]!.driver, undefined);
  assert.equal(
    encodeBook({ ...old, ranges: old.ranges.map((r) => ({ ...r })) }),
    line(''),
    'no driver field is invented',
  );
  const withDriver = decodeBook(line('"driver":"alpha",'), WHERE);
  assert.equal(withDriver.ranges[0]!.driver, 'alpha');
  assert.equal(
    encodeBook({ ...withDriver, ranges: withDriver.ranges.map((r) => ({ ...r })) }),
    line('"driver":"alpha",'),
  );
  expectIpamError(() => decodeBook(line('"driver":7,'), WHERE), 'store-corrupt', ['ranges[0].driver']);
});

test("every range's footprint (what the overlap check reads) is decoded at once, as written, whatever its text holds", () => {
  const book: Book = {
    ...FULL,
    nextRangeId: 9,
    ranges: [
      ...FULL.ranges,
      { id: 'r4', type: 'IP4', size: 10n, ip: 0x0a00000an, createdAt: 't', leases: [] },
      {
        id: 'r6',
        type: 'ETHER',
        size: 3n,
        mac: 0x020000000001n,
        owner: '"ip":"9.9.9.9" "block":["1.1.1.1","2.2.2.2"]',
        createdAt: 't',
        leases: [],
      },
    ],
  };
  const text = encodeBook(book);
  const read = decodeBookLazily(Buffer.from(text), WHERE);
  for (const family of ['ipv4', 'ipv6'] as const)
    for (let i = 0; i < book.ranges.length; i++)
      assert.deepEqual(footprint(read.ranges[i]!, family), footprint(book.ranges[i]!, family), `r${i} ${family}`);
  // A key written twice: JSON keeps the last.
  const twice = decodeBookLazily(text.replace('"ip":"10.0.0.10"', '"ip":"10.0.0.99","ip":"10.0.0.10"'), WHERE);
  assert.deepEqual(footprint(twice.ranges[3]!, 'ipv4'), { first: 0x0a00000an, last: 0x0a000013n });
  // A broken address in any range fails the read of the book for a change.
  expectIpamError(
    () => decodeBookLazily(text.replace('"ip":"10.0.0.10"', '"ip":"10.0.0.300"'), WHERE),
    'store-corrupt',
    ['ranges[3].ip'],
  );
});
