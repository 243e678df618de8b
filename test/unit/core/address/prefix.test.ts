import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIPv4 } from '../../../../src/core/address/ipv4.ts';
import { parseIPv6 } from '../../../../src/core/address/ipv6.ts';
import {
  enclosingPrefix,
  formatPrefix,
  ipv4Netmask,
  parsePrefix,
  prefixInterval,
  prefixSize,
  type Prefix,
} from '../../../../src/core/address/prefix.ts';

function ok(text: string): Prefix {
  const parsed = parsePrefix(text);
  assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.why}`);
  return parsed.prefix;
}

function why(text: string): string {
  const parsed = parsePrefix(text);
  assert.ok(!parsed.ok, `${text} should be refused`);
  return parsed.why;
}

test('CIDR prefixes of both families parse, with their size and interval', () => {
  const pool = ok('10.20.0.0/16');
  assert.deepEqual(pool, { family: 'ipv4', base: parseIPv4('10.20.0.0'), length: 16 });
  assert.equal(prefixSize(pool), 65536n);
  assert.deepEqual(prefixInterval(pool), { first: parseIPv4('10.20.0.0'), last: parseIPv4('10.20.255.255') });
  assert.equal(prefixSize(ok('0.0.0.0/0')), 1n << 32n);
  assert.equal(prefixSize(ok('255.255.255.255/32')), 1n);
  const six = ok('2001:db8:100::/48');
  assert.equal(six.family, 'ipv6');
  assert.equal(prefixSize(six), 1n << 80n);
  assert.equal(prefixSize(ok('::/0')), 1n << 128n);
  assert.deepEqual(prefixInterval(ok('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128')), {
    first: (1n << 128n) - 1n,
    last: (1n << 128n) - 1n,
  });
});

test('host bits are refused with the prefix that was probably meant', () => {
  assert.match(why('10.20.0.1/16'), /host bits.*10\.20\.0\.0\/16/);
  assert.match(why('2001:db8::1/64'), /host bits.*2001:db8::\/64/);
});

test('bad lengths and addresses are refused', () => {
  assert.match(why('10.20.0.0/33'), /0\.\.32/);
  assert.match(why('2001:db8::/129'), /0\.\.128/);
  for (const text of ['10.20.0.0/016', '10.20.0.0/', '10.20.0.0/-1', '10.20.0.0/ 16', '10.20.0.0/1e1']) why(text);
  assert.match(why('10.20.0.0'), /not a prefix/);
  assert.match(why('010.20.0.0/16'), /IPv4 or IPv6/);
  assert.match(why('::ffff:10.0.0.0/120'), /IPv4 or IPv6/);
});

test('formatting and the IPv4 netmask', () => {
  assert.equal(formatPrefix(ok('2001:DB8:100::/48')), '2001:db8:100::/48');
  assert.equal(ipv4Netmask(24), '255.255.255.0');
  assert.equal(ipv4Netmask(27), '255.255.255.224');
  assert.equal(ipv4Netmask(0), '0.0.0.0');
  assert.equal(ipv4Netmask(32), '255.255.255.255');
});

test('the smallest prefix enclosing an interval', () => {
  const a = parseIPv4('10.0.0.10')!;
  assert.equal(formatPrefix(enclosingPrefix('ipv4', { first: a, last: a + 9n })), '10.0.0.0/27');
  assert.equal(formatPrefix(enclosingPrefix('ipv4', { first: a, last: a })), '10.0.0.10/32');
  assert.equal(formatPrefix(enclosingPrefix('ipv4', { first: 0n, last: (1n << 32n) - 1n })), '0.0.0.0/0');
  const b = parseIPv6('2001:db8::ffff')!;
  assert.equal(formatPrefix(enclosingPrefix('ipv6', { first: b, last: b + 1n })), '2001:db8::/111');
});
