/** Reverse zones for any prefix (RFC 2317 below /24, nibbles for IPv6) and PTR names in them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FAMILIES } from '../../../../src/core/address/family.ts';
import { parsePrefix, prefixInterval, type Prefix } from '../../../../src/core/address/prefix.ts';
import { addressOfPtrName, parseReverseZone, ptrName, reverseZoneFor } from '../../../../src/core/dns/reverse-zone.ts';

const prefix = (text: string): Prefix => {
  const parsed = parsePrefix(text);
  assert.ok(parsed.ok, text);
  return parsed.prefix;
};
const names = (text: string) => reverseZoneFor(prefix(text)).map((z) => z.name);
const v4 = (text: string) => FAMILIES.ipv4.parse(text)!;
const v6 = (text: string) => FAMILIES.ipv6.parse(text)!;

test('IPv4 on octet boundaries: one zone; between them the zones of the next boundary it spans', () => {
  assert.deepEqual(names('10.0.0.0/8'), ['10.in-addr.arpa']);
  assert.deepEqual(names('10.77.0.0/16'), ['77.10.in-addr.arpa']);
  assert.deepEqual(names('10.77.0.0/24'), ['0.77.10.in-addr.arpa']);
  assert.deepEqual(names('0.0.0.0/0'), ['in-addr.arpa']);
  const twenty = names('10.77.16.0/20');
  assert.equal(twenty.length, 16);
  assert.equal(twenty[0], '16.77.10.in-addr.arpa');
  assert.equal(twenty[15], '31.77.10.in-addr.arpa');
  assert.deepEqual(names('172.16.0.0/12').slice(0, 2), ['16.172.in-addr.arpa', '17.172.in-addr.arpa']);
});

test('IPv4 below /24: one RFC 2317 classless zone BASE/LENGTH.c.b.a, PTR <last octet>.<zone>', () => {
  assert.deepEqual(names('192.0.2.0/26'), ['0/26.2.0.192.in-addr.arpa']);
  assert.deepEqual(names('192.0.2.128/25'), ['128/25.2.0.192.in-addr.arpa']);
  assert.deepEqual(names('192.0.2.5/32'), ['5/32.2.0.192.in-addr.arpa']);
  const [zone] = reverseZoneFor(prefix('192.0.2.64/26'));
  assert.equal(ptrName(v4('192.0.2.70'), zone!), '70.64/26.2.0.192.in-addr.arpa');
  assert.equal(ptrName(v4('192.0.2.5'), zone!), undefined, 'not in the zone');
  assert.deepEqual(addressOfPtrName('70.64/26.2.0.192.in-addr.arpa'), { family: 'ipv4', address: v4('192.0.2.70') });
  assert.equal(addressOfPtrName('5.64/26.2.0.192.in-addr.arpa'), undefined, 'an address outside the classless block');
});

test('octet zones: the PTR name is the full reverse name', () => {
  const [zone] = reverseZoneFor(prefix('10.77.0.0/16'));
  assert.equal(ptrName(v4('10.77.3.9'), zone!), '9.3.77.10.in-addr.arpa');
  assert.deepEqual(addressOfPtrName('9.3.77.10.in-addr.arpa'), { family: 'ipv4', address: v4('10.77.3.9') });
  assert.equal(addressOfPtrName('3.77.10.in-addr.arpa'), undefined, 'a zone, not an address');
  assert.equal(addressOfPtrName('256.3.77.10.in-addr.arpa'), undefined);
  assert.equal(addressOfPtrName('09.3.77.10.in-addr.arpa'), undefined);
});

test('IPv6: nibble zones, rounded to the next nibble the same way', () => {
  assert.deepEqual(names('2001:db8::/32'), ['8.b.d.0.1.0.0.2.ip6.arpa']);
  assert.deepEqual(names('2001:db8::/34'), [
    '0.8.b.d.0.1.0.0.2.ip6.arpa',
    '1.8.b.d.0.1.0.0.2.ip6.arpa',
    '2.8.b.d.0.1.0.0.2.ip6.arpa',
    '3.8.b.d.0.1.0.0.2.ip6.arpa',
  ]);
  assert.equal(names('2001:db8:0:1::/64')[0], '1.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  const [zone] = reverseZoneFor(prefix('2001:db8::/32'));
  const ptr = ptrName(v6('2001:db8::5'), zone!);
  assert.equal(ptr, '5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  assert.deepEqual(addressOfPtrName(ptr!), { family: 'ipv6', address: v6('2001:db8::5') });
});

test('parseReverseZone reads what reverseZoneFor writes, and refuses other names', () => {
  assert.deepEqual(parseReverseZone('0/26.2.0.192.in-addr.arpa')?.prefix, prefix('192.0.2.0/26'));
  assert.deepEqual(parseReverseZone('77.10.in-addr.arpa')?.prefix, prefix('10.77.0.0/16'));
  assert.deepEqual(parseReverseZone('8.b.d.0.1.0.0.2.ip6.arpa')?.prefix, prefix('2001:db8::/32'));
  for (const bad of [
    'example.com',
    '5/26.2.0.192.in-addr.arpa',
    '0/24.2.0.192.in-addr.arpa',
    '0-26.2.0.192.in-addr.arpa',
    'x.ip6.arpa',
    '10.in-addr.arpa.com',
    '300.10.in-addr.arpa',
  ]) {
    assert.equal(parseReverseZone(bad), undefined, bad);
  }
});

const anyPrefix = fc.oneof(
  fc
    .tuple(fc.bigInt({ min: 0n, max: FAMILIES.ipv4.max }), fc.integer({ min: 0, max: 32 }))
    .map(([a, l]): Prefix => align({ family: 'ipv4', base: a, length: l })),
  fc
    .tuple(fc.bigInt({ min: 0n, max: FAMILIES.ipv6.max }), fc.integer({ min: 0, max: 128 }))
    .map(([a, l]): Prefix => align({ family: 'ipv6', base: a, length: l })),
);
function align(p: Prefix): Prefix {
  const bits = BigInt(FAMILIES[p.family].bits - p.length);
  return { ...p, base: (p.base >> bits) << bits };
}

test('property: every address of a prefix is in exactly one of its zones, its PTR name ends with that zone and names it back', () => {
  fc.assert(
    fc.property(anyPrefix, fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (p, offset) => {
      const span = prefixInterval(p);
      const address = span.first + (offset % (span.last - span.first + 1n));
      const zones = reverseZoneFor(p);
      assert.ok(zones.length >= 1 && zones.length <= 128);
      const holding = zones.filter((z) => ptrName(address, z) !== undefined);
      assert.equal(holding.length, 1);
      const ptr = ptrName(address, holding[0]!)!;
      assert.ok(ptr === holding[0]!.name || ptr.endsWith(`.${holding[0]!.name}`), `${ptr} in ${holding[0]!.name}`);
      assert.deepEqual(addressOfPtrName(ptr), { family: p.family, address });
      // Every zone's name reads back as the block it was made for.
      for (const zone of zones) assert.deepEqual(parseReverseZone(zone.name), zone);
    }),
    { numRuns: 500 },
  );
});
