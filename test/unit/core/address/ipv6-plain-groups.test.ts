import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { plainGroups } from '../../../../src/core/address/ipv6.ts';
import '../../../support/seed.ts';

/** ipaddr.js's reading, which parseIPv6 used alone before the fast path. */
function byIpaddr(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:]+$/.test(text) || !ipaddr.IPv6.isValid(text)) return undefined;
  return ipaddr.IPv6.parse(text).parts.reduce((value, part) => (value << 16n) | BigInt(part), 0n);
}

const group = fc.stringMatching(/^[0-9A-Fa-f]{1,5}$/);
const texts = fc.oneof(
  fc.array(group, { minLength: 0, maxLength: 9 }).map((g) => g.join(':')),
  fc
    .tuple(fc.array(group, { maxLength: 8 }), fc.array(group, { maxLength: 8 }))
    .map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
  fc.stringMatching(/^[0-9A-Fa-f:]{0,45}$/),
  fc.string({ maxLength: 45 }),
);

test('what the fast path reads, ipaddr.js reads the same; the rest it leaves to ipaddr.js', () => {
  fc.assert(
    fc.property(texts, (text) => {
      const fast = plainGroups(text);
      if (fast !== undefined) assert.equal(fast, byIpaddr(text), text);
    }),
    { numRuns: 20_000 },
  );
});

test('the forms a book holds take the fast path', () => {
  for (const text of [
    '2001:db8:100::',
    '::',
    '::1',
    '2001:db8::aff:fe00:a',
    'fe80:0:0:0:1:2:3:4',
    '2001:db8:100:3e8::',
  ]) {
    assert.notEqual(plainGroups(text), undefined, text);
    assert.equal(plainGroups(text), byIpaddr(text), text);
  }
  assert.equal(plainGroups('1:2:3:4:5:6:7::'), undefined, 'a :: of one group is left to ipaddr.js');
});
