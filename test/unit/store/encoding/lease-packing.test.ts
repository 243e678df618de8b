import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Lease } from '../../../../src/core/book/book.ts';
import { packLeases, unpackLeases } from '../../../../src/store/encoding/lease-packing.ts';
import '../../../support/seed.ts';

const fail = (path: string, value: unknown) => new Error(`${path}=${JSON.stringify(value)}`);
const MAC = 0x020000000a00n;

const MIXED: Lease[] = [
  { first: 0n, last: 0n, holder: 'opennebula', mac: MAC, requestId: '17', at: '2025-01-01T00:00:00.000Z' },
  { first: 1n, last: 4n, holder: 'opennebula', mac: MAC + 1n, requestId: '3', at: '2024-12-31T23:59:59.999Z' },
  { first: 9n, last: 9n, holder: 'opennebula', mac: 0x0200deadbeefn, requestId: 'req-A;1,%', at: 'yesterday, noon' },
  {
    first: 10n,
    last: 10n,
    holder: 'operator',
    owner: 'router "a", 50% ; spare',
    note: 'line\nbreak ~ ünïcode',
    at: '2025-01-02T00:00:00.000Z',
  },
  { first: 11n, last: 11n, holder: 'operator', owner: '', note: '', mac: MAC + 11n, at: '1969-12-31T23:59:59.000Z' },
  {
    first: (1n << 32n) - 2n,
    last: (1n << 32n) - 1n,
    holder: 'opennebula',
    requestId: '999999999999999',
    at: '2025-01-01T00:00:00.000Z',
  },
];

test('leases survive packing and unpacking unchanged, odd texts and edges included', () => {
  assert.deepEqual(unpackLeases(packLeases(MIXED, MAC), 1n << 32n, MAC, fail), MIXED);
  assert.deepEqual(unpackLeases(packLeases(MIXED, undefined), 1n << 32n, undefined, fail), MIXED);
  assert.deepEqual(unpackLeases(packLeases([], MAC), 1n, MAC, fail), []);
});

test('a lease oned took costs about a dozen bytes', () => {
  const leases: Lease[] = Array.from({ length: 100 }, (_, i) => ({
    first: BigInt(i),
    last: BigInt(i),
    holder: 'opennebula',
    mac: MAC + BigInt(i),
    requestId: String(5000 + i * 37),
    at: new Date(Date.UTC(2025, 0, 1) + i * 86_400).toISOString(),
  }));
  const packed = packLeases(leases, MAC);
  assert.ok(packed.length / leases.length < 12, `${packed.length / leases.length} bytes a lease`);
  assert.deepEqual(unpackLeases(packed, 256n, MAC, fail), leases);
});

test('any sorted, disjoint list of leases round-trips', () => {
  const lease = fc.record({
    gap: fc.nat(1000),
    extra: fc.nat(5),
    operator: fc.boolean(),
    owner: fc.option(fc.string(), { nil: undefined }),
    note: fc.option(fc.string(), { nil: undefined }),
    mac: fc.option(fc.bigInt(0n, (1n << 48n) - 1n), { nil: undefined }),
    requestId: fc.option(fc.oneof(fc.nat().map(String), fc.string()), { nil: undefined }),
    at: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
  });
  fc.assert(
    fc.property(
      fc.array(lease, { maxLength: 20 }),
      fc.option(fc.bigInt(0n, 1n << 40n), { nil: undefined }),
      (raw, rangeMac) => {
        let next = 0n;
        const leases: Lease[] = raw.map((l) => {
          const first = next + BigInt(l.gap);
          const last = first + BigInt(l.extra);
          next = last + 1n;
          return {
            first,
            last,
            holder: l.operator ? 'operator' : 'opennebula',
            ...(l.owner === undefined ? {} : { owner: l.owner }),
            ...(l.note === undefined ? {} : { note: l.note }),
            ...(l.mac === undefined ? {} : { mac: l.mac }),
            ...(l.requestId === undefined ? {} : { requestId: l.requestId }),
            at: l.at,
          };
        });
        assert.deepEqual(unpackLeases(packLeases(leases, rangeMac), 1n << 32n, rangeMac, fail), leases);
      },
    ),
    { numRuns: 300 },
  );
});

test('a list out of order is refused when packing, so it can never be written', () => {
  assert.throws(() => packLeases([MIXED[1]!, MIXED[0]!], MAC), /out of order/);
});

test('a packed string that breaks the grammar is refused, naming the lease and field', () => {
  const refused = (packed: string, size: bigint, path: string) =>
    assert.throws(
      () => unpackLeases(packed, size, MAC, fail),
      (e: Error) => e.message.startsWith(`${path}=`),
      packed,
    );
  refused('0,,,,,,,,', 10n, 'leases[0]');
  refused('0;', 10n, 'leases[1].at');
  refused('zz!', 10n, 'leases[0].at');
  refused('0,,-1', 10n, 'leases[0].from');
  refused('0,,,a', 10n, 'leases[0].to');
  refused('0;0,,9', 10n, 'leases[1].to');
  refused('0,,,,,x', 10n, 'leases[0].holder');
  refused('0,,,,,,owner', 10n, 'leases[0].owner');
  refused('0,,,,,,~50%', 10n, 'leases[0].owner');
  refused('0,,,,,,,~%41', 10n, 'leases[0].note');
  refused('0,-1', 10n, 'leases[0].requestId');
  refused('0,,,,-zzzzzzzzzz', 10n, 'leases[0].mac');
  refused('zzzzzzzzzzz', 10n, 'leases[0].at');
});
