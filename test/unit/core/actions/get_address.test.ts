import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { formatMac } from '../../../../src/core/address/mac.ts';
import { NO_CONFIG } from '../../../../src/core/config/config.ts';
import { OnedAr, REPO_ROOT } from '../../../support/driver-harness.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';
import { InProcessOned, leasedIndices } from '../../../support/in-process-oned.ts';
import { configWith, ISSUE2_CONFIG, NOW, PRIVATE_POOL } from '../../../support/sample-config.ts';

const MAD = { IPAM_MAD: 'mydrv' };
/** The AR of docs/oned-contract.md 2.3, registered. */
function sampleRange() {
  const oned = new InProcessOned();
  const { ar } = oned.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv', GATEWAY: '10.0.0.1' });
  return { oned, ar };
}

test('the get_address sample: the first free address, replied as ADDRESS = [ IP, SIZE ]', () => {
  const { oned, ar } = sampleRange();
  const first = oned.get(ar);
  assert.deepEqual(first.reply.pairs, [
    ['IP', '10.0.0.10'],
    ['SIZE', '1'],
  ]);
  assert.deepEqual([oned.get(ar).ip, oned.get(ar).ip], ['10.0.0.11', '10.0.0.12']);
  assert.deepEqual(leasedIndices(oned.rangeOf(ar)), [0n, 1n, 2n]);
});

test('the verbatim sample request works against a range registered without the id attribute', () => {
  const { oned } = sampleRange();
  const xml = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'oned', 'get-address-ip4.xml'), 'utf8');
  const decision = oned.run('get_address', xml);
  assert.equal(decision.result, 'ADDRESS = [\n  IP = "10.0.0.10",\n  SIZE = "1"\n]\n');
});

test('the lease records the MAC of its first address, the request id and the time', () => {
  const { oned, ar } = sampleRange();
  oned.get(ar);
  oned.get(ar, 3);
  const [, block] = oned.rangeOf(ar).leases;
  assert.deepEqual(
    { ...block, mac: formatMac(block!.mac!) },
    { first: 1n, last: 3n, holder: 'opennebula', at: NOW, mac: '02:00:0a:00:00:0b', requestId: '2' },
  );
});

test('a block of SIZE n is the next free contiguous block after the cursor, with the size echoed', () => {
  const { oned, ar } = sampleRange();
  oned.get(ar);
  oned.allocate(ar, 2n); // 10.0.0.12 held: the holes are 10.0.0.11 and 10.0.0.13+
  const block = oned.get(ar, 4);
  assert.deepEqual(block.reply.pairs, [
    ['IP', '10.0.0.13'],
    ['SIZE', '4'],
  ]);
  assert.deepEqual([oned.get(ar).ip, oned.get(ar).ip, oned.get(ar).ip], ['10.0.0.17', '10.0.0.18', '10.0.0.19']);
  assert.equal(oned.get(ar).ip, '10.0.0.11', 'the hole behind the cursor comes once the cursor wraps');
});

test('a freed address is not handed straight back: the cursor goes round the range first (onevnet release)', () => {
  const { oned, ar } = sampleRange();
  assert.equal(oned.get(ar).ip, '10.0.0.10');
  oned.free(ar, 0n);
  assert.equal(oned.get(ar).ip, '10.0.0.11', 'never-used addresses first');
  for (let i = 2; i < 10; i++) oned.get(ar);
  // Now freed in this order: .15, .12, .17; the cursor is past the end, so it wraps to 0.
  for (const index of [5n, 2n, 7n]) oned.free(ar, index);
  assert.deepEqual(
    [oned.get(ar).ip, oned.get(ar).ip, oned.get(ar).ip],
    ['10.0.0.10', '10.0.0.12', '10.0.0.15'],
    'round-robin order from the cursor',
  );
  assert.equal(oned.get(ar).ip, '10.0.0.17');
  expectIpamError(() => oned.get(ar), 'exhausted');
});

test('blocks wrap round too: a block that does not fit after the cursor is taken from the start', () => {
  const { oned, ar } = sampleRange();
  oned.get(ar, 7); // 10.0.0.10-16, cursor at 7
  oned.free(ar, 1n);
  oned.free(ar, 2n);
  assert.equal(oned.get(ar, 2).ip, '10.0.0.17', 'fits after the cursor');
  assert.equal(oned.get(ar, 2).ip, '10.0.0.11', 'does not fit after it: wraps to the first free block');
  assert.equal(oned.rangeOf(ar).nextIndex, 3n);
});

test('the cursor is kept per range and survives a SIZE shrunk under it', () => {
  const { oned, ar } = sampleRange();
  const other = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.1.10', SIZE: '10' }).ar;
  oned.get(ar, 5);
  assert.equal(oned.get(other).ip, '10.0.1.10', 'another range starts at its own 0');
  oned.free(ar, 0n);
  const shrunk = ar.edited({ SIZE: '5' });
  assert.equal(oned.get(shrunk).ip, '10.0.0.10', 'cursor past the SIZE oned now sends: wraps');
});

test('a DNS server or gateway added to the pool after the carve is never handed out', () => {
  const oned = new InProcessOned(configWith([PRIVATE_POOL]));
  const { ar } = oned.register({ ...MAD, SIZE: '10' }); // 10.20.0.3-12
  oned.config = configWith([{ ...PRIVATE_POOL, dns: ['10.20.0.2', '10.20.0.3', '10.20.0.5'] }]);
  assert.deepEqual([oned.get(ar).ip, oned.get(ar).ip], ['10.20.0.4', '10.20.0.6']);
  expectIpamError(() => oned.allocate(ar, 2n), 'conflict', [
    '10.20.0.5',
    'the DNS server of 10.20.0.0/24',
    '"private"',
  ]);
  // A gateway rule that now puts the gateway inside an explicit range (it had none).
  const explicit = new InProcessOned(configWith([{ ...PRIVATE_POOL, gateway: 'none' }]));
  const first = explicit.register({ ...MAD, TYPE: 'IP4', IP: '10.20.7.1', SIZE: '5' }).ar;
  explicit.config = configWith([{ ...PRIVATE_POOL, gateway: 'first' }]);
  assert.equal(explicit.get(first).ip, '10.20.7.2');
  expectIpamError(() => explicit.allocate(first, 0n), 'conflict', ['10.20.7.1', 'the gateway of 10.20.7.0/24']);
});

test('a range that overlaps another range of a hand-edited book is refused, naming both', () => {
  const { oned, ar } = sampleRange();
  const other = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.1.10', SIZE: '10' }).ar;
  oned.book = { ...oned.book, ranges: oned.book.ranges.map((r) => (r.id === 'r2' ? { ...r, ip: 0x0a000012n } : r)) };
  const before = oned.book;
  expectIpamError(() => oned.get(ar), 'conflict', ['r1 IP4 10.0.0.10+10', 'r2 IP4 10.0.0.18+10']);
  expectIpamError(() => oned.get(new OnedAr({ ...other.attrs, IP: '10.0.0.18' })), 'conflict', [
    'r2 IP4 10.0.0.18+10',
    'r1',
  ]);
  assert.equal(oned.book, before);
});

test('no room: kind exhausted (exit 255), naming the range, and the book unchanged', () => {
  const { oned, ar } = sampleRange();
  oned.get(ar, 8);
  const before = oned.book;
  expectIpamError(() => oned.get(ar, 3), 'exhausted', ['3 addresses', '10.0.0.10']);
  assert.equal(oned.book, before);
  oned.get(ar, 2);
  expectIpamError(() => oned.get(ar), 'exhausted', ['1 address ']);
});

test('a SIZE shrunk by onevnet updatear is respected; a grown one cannot reach past the registered range', () => {
  const { oned, ar } = sampleRange();
  const shrunk = new OnedAr({ ...ar.attrs, SIZE: '3' });
  assert.deepEqual(
    [oned.get(shrunk).ip, oned.get(shrunk).ip, oned.get(shrunk).ip],
    ['10.0.0.10', '10.0.0.11', '10.0.0.12'],
  );
  expectIpamError(() => oned.get(shrunk), 'exhausted');
  const grown = new OnedAr({ ...ar.attrs, SIZE: '20' });
  expectIpamError(() => oned.get(grown, 8), 'exhausted');
  assert.equal(oned.get(grown, 7).ip, '10.0.0.13');
  expectIpamError(() => oned.get(grown), 'exhausted', ['10.0.0.10+10']);
});

test('only IPv4-bearing ranges: IP6, IP6_STATIC and ETHER fail at once as unsupported', () => {
  const oned = new InProcessOned();
  for (const ar of [
    { TYPE: 'IP6', SIZE: '10', MAC: '02:00:00:00:01:00' },
    { TYPE: 'IP6_STATIC', IP6: '2001:db8::10', PREFIX_LENGTH: '64', SIZE: '10' },
    { TYPE: 'ETHER', SIZE: '10' },
  ]) {
    const { ar: stored } = oned.register({ ...MAD, ...ar });
    expectIpamError(() => oned.get(stored), 'unsupported', [ar.TYPE]);
  }
});

test('IP4_6 and IP4_6_STATIC ranges hand out their IPv4 side', () => {
  const oned = new InProcessOned();
  const dual = oned.register({ ...MAD, TYPE: 'IP4_6', IP: '10.0.0.10', GLOBAL_PREFIX: '2001:db8::', SIZE: '10' });
  assert.equal(oned.get(dual.ar).ip, '10.0.0.10');
  const stat = oned.register({
    ...MAD,
    TYPE: 'IP4_6_STATIC',
    IP: '10.0.1.10',
    IP6: '2001:db9::10',
    PREFIX_LENGTH: '64',
    SIZE: '10',
  });
  assert.equal(oned.get(stat.ar, 2).ip, '10.0.1.10');
});

test('unknown range: not-found; missing SIZE: bad request', () => {
  const { oned, ar } = sampleRange();
  const gone = new OnedAr({ ...ar.attrs, NEBULA_IPAM_RANGE: 'r99' });
  expectIpamError(() => oned.get(gone), 'not-found', ['"r99"']);
  expectIpamError(
    () => oned.run('get_address', ar.getXml().replace('<ADDRESS><SIZE>1</SIZE></ADDRESS>', '<ADDRESS/>')),
    'bad-request',
    ['SIZE'],
  );
});

test('addresses a pool excludes are never handed out, even when excluded after registration', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const { ar } = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.20.5.10', SIZE: '10' });
  oned.config = configWith([
    {
      name: 'private',
      network: '10.20.0.0/16',
      subnetPrefix: 24,
      exclude: ['10.20.5.10/31', '10.20.255.0/24'],
      default: true,
    },
  ]);
  assert.equal(oned.get(ar).ip, '10.20.5.12');
  expectIpamError(() => oned.get(ar, 8), 'exhausted');
  assert.equal(oned.get(ar, 7).ip, '10.20.5.13', 'what is left after the excluded pair and one lease');
});

test('a range of 2^32 addresses costs what a small one costs', () => {
  const oned = new InProcessOned(NO_CONFIG);
  const { ar } = oned.register({ ...MAD, TYPE: 'IP4', IP: '0.0.0.0', SIZE: '4294967296' });
  oned.allocate(ar, 1n, 1n << 31n);
  assert.equal(oned.get(ar).ip, '0.0.0.0');
  assert.equal(oned.get(ar, 1n << 30n).ip, '128.0.0.1');
  assert.equal(oned.get(ar, (1n << 30n) - 1n).ip, '192.0.0.1');
  expectIpamError(() => oned.get(ar), 'exhausted');
  assert.equal(oned.rangeOf(ar).leases.length, 4);
});
