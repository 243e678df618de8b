import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMac } from '../../../../src/core/address/mac.ts';
import { OnedAr } from '../../../support/driver-harness.ts';
import { InProcessOned, leasedIndices } from '../../../support/in-process-oned.ts';

const MAD = { IPAM_MAD: 'mydrv' };
function sampleRange() {
  const oned = new InProcessOned();
  const { ar } = oned.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv', GATEWAY: '10.0.0.1' });
  return { oned, ar };
}

test('the free sample: 10.0.0.12 is freed, and freeing it again is a quiet success', () => {
  const { oned, ar } = sampleRange();
  oned.get(ar, 3);
  const decision = oned.free(ar, 2n);
  assert.equal(decision.result, undefined);
  assert.deepEqual(leasedIndices(oned.rangeOf(ar)), [0n, 1n]);
  const before = oned.rangeOf(ar);
  const again = oned.free(ar, 2n);
  assert.deepEqual(again.audit, [], 'nothing freed, nothing audited');
  assert.deepEqual(oned.rangeOf(ar).leases, before.leases, 'no lease changes');
});

test('freeing what was never leased, outside the range or in an unknown range succeeds and changes nothing', () => {
  const { oned, ar } = sampleRange();
  // The first request records oned's count (0, as the book's); after that nothing is written.
  assert.deepEqual(oned.free(ar, 4n).audit, []);
  // No book written, no audit record, no reply.
  const nothing = { result: undefined, audit: [] };
  assert.deepEqual(oned.free(ar, 10n), nothing);
  assert.deepEqual(oned.free(ar, -3n), nothing);
  assert.deepEqual(oned.free(new OnedAr({ ...ar.attrs, NEBULA_IPAM_RANGE: 'r9' }), 0n), nothing);
  assert.deepEqual(
    oned.free(new OnedAr({ ...ar.attrs, IP: '10.9.0.10', NEBULA_IPAM_RANGE: 'r9' }), 0n),
    nothing,
    'no range has those addresses either',
  );
  assert.deepEqual(oned.rangeOf(ar).leases, []);
});

test('a block leased in one call is freed one address at a time, each free taking just that one', () => {
  const { oned, ar } = sampleRange();
  oned.get(ar, 4);
  oned.free(ar, 1n);
  const pieces = oned.rangeOf(ar).leases.map((l) => [l.first, l.last, formatMac(l.mac!)]);
  assert.deepEqual(
    pieces,
    [
      [0n, 0n, '02:00:0a:00:00:0a'],
      [2n, 3n, '02:00:0a:00:00:0c'],
    ],
    'each piece names the MAC of its own first address',
  );
  oned.free(ar, 0n);
  oned.free(ar, 3n);
  assert.deepEqual(leasedIndices(oned.rangeOf(ar)), [2n]);
  oned.free(ar, 2n);
  assert.deepEqual(oned.rangeOf(ar).leases, []);
});

test("operator leases are untouched by oned's frees", () => {
  const { oned, ar } = sampleRange();
  const range = oned.rangeOf(ar);
  oned.book = {
    ...oned.book,
    ranges: [{ ...range, leases: [{ first: 4n, last: 6n, holder: 'operator', owner: 'lb', at: 'then' }] }],
  };
  assert.deepEqual(oned.free(ar, 5n).audit, []);
  assert.deepEqual(leasedIndices(oned.rangeOf(ar)), [4n, 5n, 6n]);
});

test('free finds the address by MAC on ETHER and IP6_STATIC (oned sends IP6 as 0), by IP on IP4_6', () => {
  const oned = new InProcessOned();
  const ether = oned.register({ ...MAD, TYPE: 'ETHER', SIZE: '10', MAC: '02:00:00:00:01:00' });
  oned.allocate(ether.ar, 3n, 2);
  oned.free(ether.ar, 3n);
  assert.deepEqual(leasedIndices(oned.rangeOf(ether.ar)), [4n]);
  const stat = oned.register({ ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db9::', PREFIX_LENGTH: '64', SIZE: '10' });
  oned.allocate(stat.ar, 0n);
  oned.free(stat.ar, 0n);
  assert.deepEqual(oned.rangeOf(stat.ar).leases, []);
  const dual = oned.register({ ...MAD, TYPE: 'IP4_6', IP: '10.0.0.10', GLOBAL_PREFIX: '2001:db8::', SIZE: '10' });
  oned.get(dual.ar, 3);
  oned.free(dual.ar, 2n);
  assert.deepEqual(leasedIndices(oned.rangeOf(dual.ar)), [0n, 1n]);
});
