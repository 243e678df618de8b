import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Book, Lease, RangeRecord } from '../../../../src/core/book/book.ts';
import { parseIPv4 } from '../../../../src/core/address/ipv4.ts';
import { parseIPv6 } from '../../../../src/core/address/ipv6.ts';
import { verifyBook } from '../../../../src/core/verify/verify-book.ts';
import { verifyExitCode, type VerifyFinding } from '../../../../src/core/verify/verify-finding.ts';
import { InProcessOned } from '../../../support/in-process-oned.ts';
import { configWith, ISSUE2_CONFIG, ISSUE2_POOLS, NOW } from '../../../support/sample-config.ts';

const ip = (text: string) => parseIPv4(text)!;
const ip6 = (text: string) => parseIPv6(text)!;
const lease = (first: number, last: number, holder: Lease['holder'] = 'opennebula', owner?: string): Lease => ({
  first: BigInt(first),
  last: BigInt(last),
  holder,
  at: NOW,
  ...(owner === undefined ? {} : { owner }),
});

function range(id: string, fields: Partial<RangeRecord> & Pick<RangeRecord, 'type' | 'size'>): RangeRecord {
  return { id, createdAt: NOW, leases: [], ...fields };
}

function book(ranges: RangeRecord[], header: Partial<Book> = {}): Book {
  return { schema: 1, generation: 3, nextRangeId: 10, ranges, ...header };
}

const kinds = (findings: readonly VerifyFinding[]) =>
  findings.map((f) => `${f.kind}${'range' in f ? ` ${f.range}` : ''}`);

test('a book made by the driver actions (carved, explicit, leased, freed) keeps every invariant', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const carved = oned.register({ IPAM_MAD: 'mydrv', SIZE: '20', IPAM_POOL: 'private' });
  const explicit = oned.register({ TYPE: 'IP4', IP: '192.168.1.10', SIZE: '8', IPAM_MAD: 'mydrv' });
  const six = oned.register({ TYPE: 'IP6_STATIC', SIZE: '16', IPAM_MAD: 'mydrv', IPAM_POOL6: 'public6' });
  oned.get(carved.ar, 3);
  oned.get(explicit.ar);
  oned.allocate(six.ar, 4n);
  oned.free(carved.ar, 1n);
  assert.deepEqual(verifyBook(oned.book, ISSUE2_CONFIG), []);
  assert.equal(verifyExitCode([]), 0);
});

test('overlapping ranges are found per family, naming both', () => {
  const found = verifyBook(
    book([
      range('r1', { type: 'IP4', size: 10n, ip: ip('192.168.1.10') }),
      range('r2', { type: 'IP4', size: 10n, ip: ip('192.168.1.15') }),
      range('r3', { type: 'IP6_STATIC', size: 16n, ip6: ip6('2001:db8::10'), prefixLength: 64 }),
      range('r4', { type: 'IP6_STATIC', size: 16n, ip6: ip6('2001:db8::1f'), prefixLength: 64 }),
      range('r5', { type: 'IP4', size: 10n, ip: ip('192.168.1.20') }),
    ]),
    configWith([]),
  );
  assert.deepEqual(found, [
    { kind: 'ranges-overlap', family: 'ipv4', range: 'r2', other: 'r1', space: '192.168.1.15-192.168.1.19' },
    { kind: 'ranges-overlap', family: 'ipv4', range: 'r5', other: 'r2', space: '192.168.1.20-192.168.1.24' },
    { kind: 'ranges-overlap', family: 'ipv6', range: 'r4', other: 'r3', space: '2001:db8::1f-2001:db8::1f' },
  ]);
});

test("a carved subnet counts as the range's space: another range inside it overlaps", () => {
  const found = verifyBook(
    book([
      range('r1', {
        type: 'IP4',
        size: 20n,
        ip: ip('10.20.0.3'),
        pool: 'private',
        block: { first: ip('10.20.0.0'), last: ip('10.20.0.255') },
      }),
      range('r2', { type: 'IP4', size: 4n, ip: ip('10.20.0.100'), pool: 'private' }),
    ]),
    ISSUE2_CONFIG,
  );
  assert.deepEqual(kinds(found), ['ranges-overlap r2']);
});

test('ranges against pools: outside the named pool, a pool the config dropped, the wrong family, unrecorded', () => {
  const found = verifyBook(
    book([
      range('r1', { type: 'IP4', size: 10n, ip: ip('10.21.0.10'), pool: 'private' }),
      range('r2', { type: 'IP4', size: 10n, ip: ip('172.16.0.10'), pool: 'gone' }),
      range('r3', { type: 'IP4', size: 10n, ip: ip('172.17.0.10'), pool: 'public6' }),
      range('r4', { type: 'IP4', size: 10n, ip: ip('10.20.7.10') }),
      range('r5', { type: 'IP4', size: 10n, ip: ip('10.20.8.10'), unmanaged: true }),
      range('r6', { type: 'IP4', size: 10n, ip: ip('198.51.100.10') }),
    ]),
    ISSUE2_CONFIG,
  );
  assert.deepEqual(
    found,
    [
      {
        kind: 'range-outside-pool',
        range: 'r1',
        family: 'ipv4',
        pool: 'private',
        network: '10.20.0.0/16',
        space: '10.21.0.10-10.21.0.19',
      },
      {
        kind: 'range-pool-unknown',
        range: 'r2',
        family: 'ipv4',
        pool: 'gone',
        config: '/etc/one/nebula-ipam/mydrv.json',
      },
      { kind: 'range-pool-wrong-family', range: 'r3', family: 'ipv4', pool: 'public6' },
      {
        kind: 'range-in-pool-unrecorded',
        range: 'r4',
        family: 'ipv4',
        pool: 'private',
        space: '10.20.7.10-10.20.7.19',
      },
    ],
    'the unmanaged range r5 and r6 outside every pool are fine',
  );
});

test('an exclude added to the config later: the range touching it and each lease on it are found', () => {
  const later = configWith([{ ...ISSUE2_POOLS[0]!, exclude: ['10.20.255.0/24', '10.20.0.8/29'] }]);
  const found = verifyBook(
    book([
      range('r1', {
        type: 'IP4',
        size: 20n,
        ip: ip('10.20.0.3'),
        pool: 'private',
        block: { first: ip('10.20.0.0'), last: ip('10.20.0.255') },
        leases: [lease(0, 5), lease(10, 10, 'operator', 'bmc-3'), lease(15, 16)],
      }),
    ]),
    later,
  );
  assert.deepEqual(found, [
    {
      kind: 'range-on-excluded',
      range: 'r1',
      family: 'ipv4',
      pool: 'private',
      exclude: '10.20.0.8/29',
      space: '10.20.0.0-10.20.0.255',
    },
    {
      kind: 'lease-on-excluded',
      range: 'r1',
      pool: 'private',
      exclude: '10.20.0.8/29',
      addresses: '10.20.0.8',
      holder: 'opennebula',
    },
    {
      kind: 'lease-on-excluded',
      range: 'r1',
      pool: 'private',
      exclude: '10.20.0.8/29',
      addresses: '10.20.0.13',
      holder: 'operator (bmc-3)',
    },
  ]);
});

test('leases out of order, overlapping, or outside their range', () => {
  const found = verifyBook(
    book([
      range('r1', {
        type: 'IP4',
        size: 10n,
        ip: ip('192.168.1.0'),
        leases: [lease(4, 5), lease(2, 2), lease(5, 6), lease(9, 10)],
      }),
    ]),
    configWith([]),
  );
  assert.deepEqual(found, [
    { kind: 'leases-out-of-order', range: 'r1', addresses: '192.168.1.2', previous: '192.168.1.4-192.168.1.5' },
    { kind: 'leases-overlap', range: 'r1', addresses: '192.168.1.5-192.168.1.6', other: '192.168.1.4-192.168.1.5' },
    { kind: 'lease-outside-range', range: 'r1', from: 9, to: 10, size: 10 },
  ]);
});

test('the header and ids: schema, generation, duplicate ids, an id the counter would hand out again', () => {
  const found = verifyBook(
    book(
      [
        range('r1', { type: 'IP4', size: 1n, ip: ip('192.168.1.1') }),
        range('r1', { type: 'IP4', size: 1n, ip: ip('192.168.1.2') }),
        range('r12', { type: 'IP4', size: 1n, ip: ip('192.168.1.3') }),
      ],
      { generation: -1, nextRangeId: 12 },
    ),
    configWith([]),
  );
  assert.deepEqual(kinds(found), ['bad-header', 'duplicate-range-id r1', 'range-id-not-below-next r12']);
});

test('ranges of impossible shape: no size, no address for their type, past the end of the space', () => {
  const found = verifyBook(
    book([
      range('r1', { type: 'IP4', size: 0n, ip: ip('192.168.1.1') }),
      range('r2', { type: 'IP4', size: 4n }),
      range('r3', { type: 'IP6_STATIC', size: 4n, ip6: ip6('2001:db8::') }),
      range('r4', { type: 'IP4', size: 4n, ip: ip('255.255.255.254') }),
    ]),
    configWith([]),
  );
  assert.deepEqual(found, [
    { kind: 'bad-range-size', range: 'r1', size: '0' },
    { kind: 'range-missing-address', range: 'r2', type: 'IP4', missing: 'ip' },
    { kind: 'range-missing-address', range: 'r3', type: 'IP6_STATIC', missing: 'prefixLength' },
    { kind: 'range-past-address-end', range: 'r4', space: 'ipv4', first: '255.255.255.254', size: 4 },
  ]);
});

test('the exit code comes from the findings: 1 for problems, 7 when the book does not decode', () => {
  assert.equal(verifyExitCode([{ kind: 'bad-range-size', range: 'r1', size: '0' }]), 1);
  assert.equal(
    verifyExitCode([{ kind: 'book-unreadable', message: 'Cannot read the lease book /x: it is not valid JSON' }]),
    7,
  );
});
