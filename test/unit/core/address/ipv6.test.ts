import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatIPv6, IPV6_MAX, parseIPv6 } from '../../../../src/core/address/ipv6.ts';
import '../../../support/seed.ts';

test('IPv6 text is read as a 128-bit number, edges included', () => {
  assert.equal(parseIPv6('::'), 0n);
  assert.equal(parseIPv6('::1'), 1n);
  assert.equal(parseIPv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), IPV6_MAX);
  assert.equal(parseIPv6('2001:db8::1'), (0x20010db8n << 96n) | 1n);
  assert.equal(parseIPv6('2001:DB8:0:0:0:0:0:1'), parseIPv6('2001:db8::1'), 'case and compression do not matter');
});

test('IPv4-mapped, zoned and malformed forms are refused', () => {
  for (const text of [
    '::ffff:10.0.0.1',
    '::10.0.0.1',
    'fe80::1%eth0',
    '1::2::3',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    ':::',
    'g::1',
    ' ::1',
    '::1 ',
    '10.0.0.1',
    '',
  ]) {
    assert.equal(parseIPv6(text), undefined, JSON.stringify(text));
  }
});

test('formatting is RFC 5952: lower case, longest zero run compressed', () => {
  assert.equal(formatIPv6(0n), '::');
  assert.equal(formatIPv6(IPV6_MAX), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  assert.equal(formatIPv6(parseIPv6('2001:0DB8:0:0:1:0:0:1')!), '2001:db8::1:0:0:1');
  assert.equal(formatIPv6(parseIPv6('2001:db8:100:0:0:0:0:0')!), '2001:db8:100::');
});

test('format and parse are inverse over the whole space', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: IPV6_MAX }), (value) => parseIPv6(formatIPv6(value)) === value),
    { numRuns: 2000 },
  );
});
