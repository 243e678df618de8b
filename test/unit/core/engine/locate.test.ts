/** Which range an AR stands for: the id, checked against every fact that pins the range. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIPv6 } from '../../../../src/core/address/ipv6.ts';
import { parseMac } from '../../../../src/core/address/mac.ts';
import type { RangeRecord } from '../../../../src/core/book/book.ts';
import { EMPTY_BOOK } from '../../../../src/core/book/book.ts';
import { indexOfAddress, locateRange, mismatchOf, withPinnedMac } from '../../../../src/core/engine/locate.ts';

const at = (attrs: Record<string, string>) => new Map(Object.entries(attrs));
const base = { createdAt: 't', leases: [] };
const ip4: RangeRecord = { ...base, id: 'r1', type: 'IP4', size: 10n, ip: 0x0a00000an };
const slaac: RangeRecord = {
  ...base,
  id: 'r2',
  type: 'IP6',
  size: 10n,
  globalPrefix: parseIPv6('2001:db8:1::')!,
  ulaPrefix: parseIPv6('fd00:1::')!,
  mac: parseMac('02:00:5e:00:01:00')!,
};
const static6: RangeRecord = {
  ...base,
  id: 'r3',
  type: 'IP6_STATIC',
  size: 16n,
  ip6: parseIPv6('2001:db8:200::10')!,
  prefixLength: 64,
};
const ether: RangeRecord = { ...base, id: 'r4', type: 'ETHER', size: 16n };

test('every fact oned protects, and the prefixes, must agree', () => {
  assert.equal(
    mismatchOf(ip4, at({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '3', MAC: '02:00:0a:00:00:0a' })),
    undefined,
    'SIZE may change',
  );
  assert.match(mismatchOf(ip4, at({ TYPE: 'IP4_6', IP: '10.0.0.10' }))!, /TYPE is IP4_6/);
  assert.match(
    mismatchOf(ip4, at({ TYPE: 'IP4', IP: '10.0.0.11' }))!,
    /IP is 10\.0\.0\.11, the range's is 10\.0\.0\.10/,
  );
  assert.match(mismatchOf(ip4, at({ TYPE: 'IP4' }))!, /IP is missing/);
  assert.equal(
    mismatchOf(
      slaac,
      at({ TYPE: 'IP6', MAC: '02:00:5e:00:01:00', GLOBAL_PREFIX: '2001:db8:1::', ULA_PREFIX: 'fd00:1:0:0::' }),
    ),
    undefined,
  );
  assert.match(
    mismatchOf(
      slaac,
      at({ TYPE: 'IP6', MAC: '02:00:5e:00:02:00', GLOBAL_PREFIX: '2001:db8:1::', ULA_PREFIX: 'fd00:1::' }),
    )!,
    /MAC is 02:00:5e:00:02:00/,
  );
  assert.match(
    mismatchOf(slaac, at({ TYPE: 'IP6', MAC: '02:00:5e:00:01:00', ULA_PREFIX: 'fd00:1::' }))!,
    /GLOBAL_PREFIX is missing/,
  );
  assert.match(
    mismatchOf(
      slaac,
      at({ TYPE: 'IP6', MAC: '02:00:5e:00:01:00', GLOBAL_PREFIX: '2001:db8:1::', ULA_PREFIX: 'fd00:2::' }),
    )!,
    /ULA_PREFIX is fd00:2::/,
  );
  assert.match(mismatchOf(static6, at({ TYPE: 'IP6_STATIC', IP6: '2001:db8:200::11' }))!, /IP6 is 2001:db8:200::11/);
  assert.equal(
    mismatchOf(ether, at({ TYPE: 'ETHER', MAC: '02:00:00:00:00:01' })),
    undefined,
    'no MAC known yet: nothing to hold it against',
  );
});

test('the id finds the range; a mismatch is reported, not acted on; an unknown id is absent', () => {
  const book = { ...EMPTY_BOOK, nextRangeId: 5, ranges: [ip4, slaac, static6, ether] };
  assert.equal(locateRange(book, at({ NEBULA_IPAM_RANGE: 'r1', TYPE: 'IP4', IP: '10.0.0.10' })).kind, 'found');
  const forged = locateRange(
    book,
    at({ NEBULA_IPAM_RANGE: 'r2', TYPE: 'IP6', MAC: '02:00:5e:00:09:00', GLOBAL_PREFIX: '2001:db8:9::' }),
  );
  assert.equal(forged.kind, 'mismatch');
  assert.equal(locateRange(book, at({ NEBULA_IPAM_RANGE: 'r9', TYPE: 'IP4', IP: '10.0.0.10' })).kind, 'absent');
  assert.equal(
    locateRange(book, at({ TYPE: 'IP6_STATIC', IP6: '2001:db8:200::10' })).kind,
    'found',
    'by first address without an id',
  );
});

test('the MAC is pinned once and never replaced', () => {
  const pinned = withPinnedMac(ether, at({ MAC: '02:00:00:00:00:01' }));
  assert.equal(pinned.mac, parseMac('02:00:00:00:00:01'));
  assert.equal(withPinnedMac(pinned, at({ MAC: '02:00:00:00:00:09' })).mac, parseMac('02:00:00:00:00:01'));
});

test('an address is its IP on IPv4 types, MAC - AR.MAC elsewhere; the IPv6 fields (always 0) are never read', () => {
  const ar = at({ TYPE: 'IP6_STATIC', MAC: '02:00:0e:50:4c:f0' });
  assert.deepEqual(indexOfAddress(static6, ar, at({ MAC: '02:00:0e:50:4c:fb', IP6: '0', SIZE: '1' })), {
    index: 11n,
    shown: '02:00:0e:50:4c:fb (2001:db8:200::1b)',
  });
  assert.equal(
    indexOfAddress(static6, ar, at({ MAC: '02:00:0e:50:4c:ef', IP6: '0' })).index,
    (1n << 32n) - 1n,
    'below AR.MAC: past the range',
  );
  const wrapped = at({ TYPE: 'ETHER', MAC: '02:00:ff:ff:ff:fe' });
  assert.equal(
    indexOfAddress(ether, wrapped, at({ MAC: '02:00:00:00:00:01' })).index,
    3n,
    'oned wraps a random MAC in its last four bytes',
  );
  assert.equal(
    indexOfAddress(static6, ar, at({ MAC: '02:01:0e:50:4c:f1', IP6: '0' })).index,
    undefined,
    'other first two bytes: no index at all',
  );
  assert.equal(
    indexOfAddress(ip4, at({ TYPE: 'IP4' }), at({ MAC: '02:00:00:00:00:00', IP: '10.0.0.15', IP6_GLOBAL: '0' })).index,
    5n,
  );
  const zero: RangeRecord = { ...ip4, ip: 0n };
  assert.equal(
    indexOfAddress(zero, at({ TYPE: 'IP4', MAC: '02:00:00:00:00:00' }), at({ MAC: '02:00:00:00:00:07' })).index,
    7n,
    'oned sends no IP for a range at 0.0.0.0',
  );
});
