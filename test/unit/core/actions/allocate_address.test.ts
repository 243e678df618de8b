import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMac } from '../../../../src/core/address/mac.ts';
import type { Book } from '../../../../src/core/book/book.ts';
import { addressXml, OnedAr, requestXml } from '../../../support/driver-harness.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';
import { InProcessOned, leasedIndices } from '../../../support/in-process-oned.ts';
import { configWith, ISSUE2_CONFIG } from '../../../support/sample-config.ts';

const MAD = { IPAM_MAD: 'mydrv' };
function sampleRange() {
  const oned = new InProcessOned();
  const { ar } = oned.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv', GATEWAY: '10.0.0.1' });
  return { oned, ar };
}

test('the allocate sample: 10.0.0.15 is leased, with its MAC, and cannot be leased twice', () => {
  const { oned, ar } = sampleRange();
  const decision = oned.allocate(ar, 5n);
  assert.equal(decision.result, undefined, 'only the exit status counts');
  const [lease] = oned.rangeOf(ar).leases;
  assert.deepEqual(
    [lease!.first, lease!.last, formatMac(lease!.mac!), lease!.holder],
    [5n, 5n, '02:00:0a:00:00:0f', 'opennebula'],
  );
  expectIpamError(() => oned.allocate(ar, 5n), 'conflict', ['10.0.0.15', 'OpenNebula (request 1)']);
});

test('a block of SIZE n must fit inside the range and be free as a whole', () => {
  const { oned, ar } = sampleRange();
  oned.allocate(ar, 7n, 3);
  assert.deepEqual(leasedIndices(oned.rangeOf(ar)), [7n, 8n, 9n]);
  expectIpamError(() => oned.allocate(ar, 5n, 3), 'conflict', ['10.0.0.15', 'SIZE 3']);
  expectIpamError(() => oned.allocate(ar, 9n, 2), 'conflict', ['outside range']);
  assert.equal(leasedIndices(oned.rangeOf(ar)).length, 3, 'a refused allocation takes nothing');
});

test('addresses outside the range are refused, below and above', () => {
  const { oned, ar } = sampleRange();
  expectIpamError(() => oned.allocate(ar, -1n), 'conflict', ['10.0.0.9', 'outside']);
  expectIpamError(() => oned.allocate(ar, 10n), 'conflict', ['10.0.0.20', 'outside']);
  const shrunk = new OnedAr({ ...ar.attrs, SIZE: '5' });
  expectIpamError(() => oned.allocate(shrunk, 5n), 'conflict', ['10.0.0.15', 'outside']);
});

test('the address is found by MAC on IP6, IP6_STATIC and ETHER ranges (oned sends IP6 as 0), by IP where there is IPv4', () => {
  const oned = new InProcessOned();
  const slaac = oned.register({
    ...MAD,
    TYPE: 'IP6',
    GLOBAL_PREFIX: '2001:db8::',
    SIZE: '10',
    MAC: '02:00:00:00:01:00',
  });
  oned.allocate(slaac.ar, 4n);
  assert.deepEqual(leasedIndices(oned.rangeOf(slaac.ar)), [4n]);
  const ether = oned.register({ ...MAD, TYPE: 'ETHER', SIZE: '10' });
  oned.allocate(ether.ar, 9n);
  assert.deepEqual(leasedIndices(oned.rangeOf(ether.ar)), [9n]);
  const stat = oned.register({ ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db9::ff', PREFIX_LENGTH: '64', SIZE: '10' });
  oned.allocate(stat.ar, 1n, 2);
  assert.deepEqual(leasedIndices(oned.rangeOf(stat.ar)), [1n, 2n]);
  expectIpamError(() => oned.allocate(stat.ar, 2n), 'conflict', ['2001:db9::101']);
  const dual = oned.register({
    ...MAD,
    TYPE: 'IP4_6_STATIC',
    IP: '10.1.0.10',
    IP6: '2001:dba::',
    PREFIX_LENGTH: '64',
    SIZE: '10',
  });
  oned.allocate(dual.ar, 3n);
  assert.deepEqual(leasedIndices(oned.rangeOf(dual.ar)), [3n]);
});

test('an ADDRESS without the field its range type needs is a bad request', () => {
  const { oned, ar } = sampleRange();
  const xml = requestXml(ar.storedInner(), addressXml({ MAC: '02:00:0a:00:00:0f', SIZE: 1 }));
  expectIpamError(() => oned.run('allocate_address', xml), 'bad-request', ['IP', 'IP4']);
  const bad = requestXml(ar.storedInner(), addressXml({ MAC: '02:00:0a:00:00:0f', IP: '10.0.0.015', SIZE: 1 }));
  expectIpamError(() => oned.run('allocate_address', bad), 'bad-request', ['10.0.0.015']);
});

test('an address the pool excludes is refused as excluded', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const { ar } = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.20.5.10', SIZE: '10' });
  oned.config = configWith([
    { name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, exclude: ['10.20.5.16/30'], default: true },
  ]);
  expectIpamError(() => oned.allocate(ar, 7n), 'conflict', ['10.20.5.17', 'excluded']);
  oned.allocate(ar, 5n);
});

test("an address an operator holds is refused, naming the operator's owner", () => {
  const { oned, ar } = sampleRange();
  const range = oned.rangeOf(ar);
  const book: Book = {
    ...oned.book,
    ranges: [{ ...range, leases: [{ first: 2n, last: 3n, holder: 'operator', owner: 'core-router', at: 'then' }] }],
  };
  oned.book = book;
  expectIpamError(() => oned.allocate(ar, 3n), 'conflict', ['10.0.0.13', 'core-router']);
});

test('an unknown range is not-found', () => {
  const { oned, ar } = sampleRange();
  expectIpamError(() => oned.allocate(new OnedAr({ ...ar.attrs, NEBULA_IPAM_RANGE: 'r9' }), 0n), 'not-found', ['"r9"']);
});
