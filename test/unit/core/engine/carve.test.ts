import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIPv4, parseIPv4 } from '../../../../src/core/address/ipv4.ts';
import { formatIPv6, parseIPv6 } from '../../../../src/core/address/ipv6.ts';
import { formatPrefix, prefixInterval } from '../../../../src/core/address/prefix.ts';
import type { Pool } from '../../../../src/core/config/config.ts';
import { carve, gatewayOf, reservedIn, subnetCapacity, type Carved } from '../../../../src/core/engine/carve.ts';
import type { Interval } from '../../../../src/core/intervals/interval.ts';
import { configWith, ISSUE2_CONFIG } from '../../../support/sample-config.ts';

const PRIVATE = ISSUE2_CONFIG.pools[0]!;
const PUBLIC6 = ISSUE2_CONFIG.pools[1]!;
const pool4 = (extra: object): Pool => configWith([{ name: 'p', network: '10.20.0.0/16', ...extra }]).pools[0]!;
const v4 = (text: string) => parseIPv4(text)!;
const span4 = (cidr: string): Interval => {
  const [ip, len] = cidr.split('/');
  return prefixInterval({ family: 'ipv4', base: v4(ip!), length: Number(len) });
};

/** What an operator reads off a carve: the subnet, the first address, the size, the gateway. */
function shown(c: Carved | undefined, format = formatIPv4) {
  assert.ok(c, 'carved');
  return {
    subnet: formatPrefix(c.subnet),
    first: format(c.first),
    size: c.size,
    gateway: c.gateway === undefined ? undefined : format(c.gateway),
  };
}

test('the first free aligned /24 of the pool, past the network, gateway and DNS addresses', () => {
  assert.deepEqual(shown(carve(PRIVATE, [], 10n)), {
    subnet: '10.20.0.0/24',
    first: '10.20.0.3',
    size: 10n,
    gateway: '10.20.0.1',
  });
  assert.deepEqual(
    shown(carve(PRIVATE, [], undefined)),
    { subnet: '10.20.0.0/24', first: '10.20.0.3', size: 252n, gateway: '10.20.0.1' },
    'no SIZE: the whole run up to the broadcast',
  );
  assert.deepEqual(shown(carve(PRIVATE, [span4('10.20.0.0/24')], undefined)), {
    subnet: '10.20.1.0/24',
    first: '10.20.1.2',
    size: 253n,
    gateway: '10.20.1.1',
  });
  // A range taking only part of a /24 still makes the whole /24 unavailable.
  assert.equal(
    shown(carve(PRIVATE, [span4('10.20.0.0/24'), { first: v4('10.20.1.200'), last: v4('10.20.1.200') }], 5n)).subnet,
    '10.20.2.0/24',
  );
});

test('a subnet whose DNS server leaves too little room is passed over for the next one', () => {
  assert.deepEqual(shown(carve(PRIVATE, [], 253n)), {
    subnet: '10.20.1.0/24',
    first: '10.20.1.2',
    size: 253n,
    gateway: '10.20.1.1',
  });
  assert.equal(carve(PRIVATE, [], 254n), undefined);
});

test('the gateway rule decides where the range starts and how long it can be', () => {
  assert.deepEqual(shown(carve(pool4({ subnetPrefix: 24, gateway: 'last' }), [], undefined)), {
    subnet: '10.20.0.0/24',
    first: '10.20.0.1',
    size: 253n,
    gateway: '10.20.0.254',
  });
  assert.deepEqual(shown(carve(pool4({ subnetPrefix: 24, gateway: 'none' }), [], undefined)), {
    subnet: '10.20.0.0/24',
    first: '10.20.0.1',
    size: 254n,
    gateway: undefined,
  });
  const six = { ...PUBLIC6, gateway: 'last' as const };
  const subnet = { family: 'ipv6' as const, base: parseIPv6('2001:db8:100::')!, length: 64 };
  assert.equal(formatIPv6(gatewayOf(six, subnet)!), '2001:db8:100:0:ffff:ffff:ffff:ffff', 'IPv6 has no broadcast');
  assert.equal(formatIPv6(gatewayOf(PUBLIC6, subnet)!), '2001:db8:100::1');
});

test('reserved addresses say what they are', () => {
  const subnet = { family: 'ipv4' as const, base: v4('10.20.0.0'), length: 24 };
  assert.deepEqual(
    reservedIn(PRIVATE, subnet).map(({ address, role }) => [formatIPv4(address), role]),
    [
      ['10.20.0.0', 'network address'],
      ['10.20.0.1', 'gateway'],
      ['10.20.0.2', 'DNS server'],
      ['10.20.0.255', 'broadcast address'],
    ],
  );
});

test('an address with two roles (a DNS server listed twice, or on the gateway) is reserved once, by its first role', () => {
  const subnet = { family: 'ipv4' as const, base: v4('10.20.0.0'), length: 24 };
  const pool = { ...PRIVATE, dns: ['10.20.0.1', '10.20.0.7', '10.20.0.7'] };
  assert.deepEqual(
    reservedIn(pool, subnet).map(({ address, role }) => [formatIPv4(address), role]),
    [
      ['10.20.0.0', 'network address'],
      ['10.20.0.1', 'gateway'],
      ['10.20.0.7', 'DNS server'],
      ['10.20.0.255', 'broadcast address'],
    ],
  );
});

test('without subnetPrefix, the smallest subnet whose usable run holds SIZE', () => {
  const pool = pool4({});
  assert.equal(shown(carve(pool, [], 1n)).subnet, '10.20.0.0/30');
  assert.equal(shown(carve(pool, [], 5n)).subnet, '10.20.0.0/29');
  assert.equal(shown(carve(pool, [], 6n)).subnet, '10.20.0.0/28');
  assert.deepEqual(shown(carve(pool, [span4('10.20.0.0/28')], 13n)), {
    subnet: '10.20.0.16/28',
    first: '10.20.0.18',
    size: 13n,
    gateway: '10.20.0.17',
  });
  assert.equal(shown(carve(pool, [], 14n)).subnet, '10.20.0.0/27');
  assert.equal(carve(pool, [], 65534n), undefined, 'more than the whole /16 can hold');
});

test('a /8 pool costs what a /24 costs, even when most candidate subnets are too small', () => {
  // 2^20 /28s of a /8 are each one address too small for SIZE 14; walking them took seconds.
  const big = configWith([{ name: 'big', network: '10.0.0.0/8' }]).pools[0]!;
  assert.equal(shown(carve(big, [], 14n)).subnet, '10.0.0.0/27');
  const tiny = configWith([{ name: 'tiny', network: '10.0.0.0/8', subnetPrefix: 30 }]).pools[0]!;
  assert.equal(carve(tiny, [], 2n), undefined);
  assert.deepEqual(shown(carve(tiny, [span4('10.0.0.0/9')], 1n)), {
    subnet: '10.128.0.0/30',
    first: '10.128.0.2',
    size: 1n,
    gateway: '10.128.0.1',
  });
});

test('IPv6 subnets from a /48: a /64 with a run of SIZE after the gateway', () => {
  const c = carve(PUBLIC6, [], 100n);
  assert.deepEqual(shown(c, formatIPv6), {
    subnet: '2001:db8:100::/64',
    first: '2001:db8:100::2',
    size: 100n,
    gateway: '2001:db8:100::1',
  });
  const taken = [prefixInterval(c!.subnet)];
  assert.equal(shown(carve(PUBLIC6, taken, 1n << 32n), formatIPv6).subnet, '2001:db8:100:1::/64');
});

test('subnet capacity: what SIZE can ever fit, DNS servers aside', () => {
  assert.equal(subnetCapacity(PRIVATE, 24), 253n);
  assert.equal(subnetCapacity(pool4({ gateway: 'none' }), 24), 254n);
  assert.equal(subnetCapacity(pool4({ gateway: 'last' }), 30), 1n);
  assert.equal(subnetCapacity(pool4({}), 30), 1n);
  assert.equal(subnetCapacity(PUBLIC6, 64), (1n << 64n) - 2n);
  assert.equal(subnetCapacity({ ...PUBLIC6, gateway: 'none' }, 127), 1n);
});
