import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIPv4 } from '../../../../src/core/address/ipv4.ts';
import { parseIPv6 } from '../../../../src/core/address/ipv6.ts';
import { decodeBook, encodeBook } from '../../../../src/store/encoding/codec.ts';
import { NO_CONFIG, type Config } from '../../../../src/core/config/config.ts';
import { cdata, PLACEHOLDER_ADDRESS, requestXml } from '../../../support/driver-harness.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';
import { InProcessOned } from '../../../support/in-process-oned.ts';
import { configWith, ISSUE2_CONFIG } from '../../../support/sample-config.ts';

const MAD = { IPAM_MAD: 'mydrv' };
const reg = (config: Config, ar: Record<string, string>) => new InProcessOned(config).register({ ...MAD, ...ar });
const replyOf = (config: Config, ar: Record<string, string>) => Object.fromEntries(reg(config, ar).reply.attrs);
const refused = (
  config: Config,
  ar: Record<string, string>,
  kind: Parameters<typeof expectIpamError>[1],
  mentions: string[],
) => expectIpamError(() => reg(config, ar), kind, mentions);

test('the first sample of docs/oned-contract.md 2.3: an explicit IP4 range is recorded and echoed whole', () => {
  for (const config of [NO_CONFIG, ISSUE2_CONFIG]) {
    const oned = new InProcessOned(config);
    const { reply, range } = oned.register({
      TYPE: 'IP4',
      IP: '10.0.0.10',
      SIZE: '10',
      IPAM_MAD: 'mydrv',
      GATEWAY: '10.0.0.1',
    });
    assert.deepEqual(
      Object.fromEntries(reply.attrs),
      {
        GATEWAY: '10.0.0.1',
        IP: '10.0.0.10',
        IPAM_MAD: 'mydrv',
        SIZE: '10',
        TYPE: 'IP4',
        NEBULA_IPAM_RANGE: 'r1',
      },
      'outside every pool: nothing added but the range id',
    );
    assert.equal(range.ip, parseIPv4('10.0.0.10'));
    assert.equal(range.size, 10n);
    assert.equal(range.pool, undefined);
    assert.deepEqual(range.leases, []);
    assert.equal(oned.book.nextRangeId, 2);
  }
});

test("the minimal sample AR=[SIZE=21] is carved from the default pool, with the pool's settings", () => {
  assert.deepEqual(replyOf(ISSUE2_CONFIG, { SIZE: '21' }), {
    IPAM_MAD: 'mydrv',
    SIZE: '21',
    IP: '10.20.0.3',
    TYPE: 'IP4',
    NETWORK_ADDRESS: '10.20.0.0',
    NETWORK_MASK: '255.255.255.0',
    GATEWAY: '10.20.0.1',
    DNS: '10.20.0.2',
    GUEST_MTU: '1500',
    SEARCH_DOMAIN: 'cloud.example.com',
    IPAM_POOL: 'private',
    NEBULA_IPAM_RANGE: 'r1',
  });
  const { range } = reg(ISSUE2_CONFIG, { SIZE: '21' });
  assert.equal(range.pool, 'private');
  assert.deepEqual(range.block, { first: parseIPv4('10.20.0.0'), last: parseIPv4('10.20.0.255') });
});

test('an AR with only IPAM_MAD gets the whole usable run of a subnet', () => {
  const reply = replyOf(ISSUE2_CONFIG, {});
  assert.equal(reply.IP, '10.20.0.3', 'past network, gateway and the DNS server 10.20.0.2');
  assert.equal(reply.SIZE, '252', 'up to 10.20.0.254');
  assert.equal(reply.TYPE, 'IP4');
});

test('with nothing to carve from, a missing TYPE/IP/SIZE is a clear bad request', () => {
  refused(NO_CONFIG, { SIZE: '21' }, 'bad-request', ['no TYPE, no IP and no pool', '(no config file)']);
  refused(NO_CONFIG, { TYPE: 'IP4', SIZE: '21' }, 'bad-request', ['no IP', 'IPAM_POOL']);
  refused(NO_CONFIG, { TYPE: 'IP4', IP: '10.0.0.1' }, 'bad-request', ['SIZE is missing', '10.0.0.1']);
  refused(configWith([{ name: 'p', network: '10.20.0.0/16', default: true }]), {}, 'bad-request', [
    'SIZE is missing',
    'subnetPrefix',
  ]);
});

test("every input attribute is echoed; the user's values win over the pool's", () => {
  const reply = replyOf(ISSUE2_CONFIG, {
    SIZE: '10',
    SECURITY_GROUPS: '0,100',
    X_OWNER: 'team "blue" <ops>',
    GATEWAY: '10.20.0.254',
    DNS: '1.1.1.1 8.8.8.8',
    GUEST_MTU: '9000',
  });
  assert.equal(reply.SECURITY_GROUPS, '0,100');
  assert.equal(reply.X_OWNER, 'team "blue" <ops>');
  assert.equal(reply.GATEWAY, '10.20.0.254');
  assert.equal(reply.DNS, '1.1.1.1 8.8.8.8');
  assert.equal(reply.GUEST_MTU, '9000');
  assert.equal(reply.SEARCH_DOMAIN, 'cloud.example.com', 'what the user did not give comes from the pool');
  assert.equal(reply.IPAM_MAD, 'mydrv');
  for (const key of ['IPAM_MAD', 'TYPE', 'SIZE', 'IP', 'NEBULA_IPAM_RANGE']) assert.ok(key in reply, key);
});

test('a value that cannot travel back to oned is refused, naming the attribute', () => {
  const xml = requestXml(
    `<IP>${cdata('10.0.0.10')}</IP><IPAM_MAD>${cdata('mydrv')}</IPAM_MAD><SIZE>${cdata('1')}</SIZE><X_NOTE>${cdata('a]]>b')}</X_NOTE>`,
    PLACEHOLDER_ADDRESS,
  );
  const oned = new InProcessOned();
  expectIpamError(() => oned.run('register_address_range', xml), 'bad-request', ['X_NOTE', ']]>']);
  assert.equal(oned.book.ranges.length, 0);
});

test('IPv4 addresses must be strict dotted quads', () => {
  for (const ip of ['010.0.0.1', '0x0a.0.0.1', '10.1', '::ffff:10.0.0.1', '10.0.0.256']) {
    refused(NO_CONFIG, { TYPE: 'IP4', IP: ip, SIZE: '1' }, 'bad-request', ['IP', ip]);
  }
});

test('SIZE must be a whole number from 1 to 2^32', () => {
  for (const size of ['0', '-1', '1.5', '1e3', '010', '4294967297', 'ten']) {
    refused(NO_CONFIG, { TYPE: 'IP4', IP: '10.0.0.1', SIZE: size }, 'bad-request', ['SIZE', size]);
  }
  refused(NO_CONFIG, { TYPE: 'IP5', IP: '10.0.0.1', SIZE: '1' }, 'bad-request', ['TYPE', 'IP5']);
});

test('ranges at both ends of the IPv4 space, SIZE 1 and 2^32', () => {
  assert.equal(replyOf(NO_CONFIG, { TYPE: 'IP4', IP: '0.0.0.0', SIZE: '1' }).IP, '0.0.0.0');
  assert.equal(replyOf(NO_CONFIG, { TYPE: 'IP4', IP: '255.255.255.255', SIZE: '1' }).IP, '255.255.255.255');
  assert.equal(replyOf(NO_CONFIG, { TYPE: 'IP4', IP: '255.255.255.0', SIZE: '256' }).SIZE, '256');
  const whole = reg(NO_CONFIG, { TYPE: 'IP4', IP: '0.0.0.0', SIZE: '4294967296' });
  assert.equal(whole.range.size, 1n << 32n);
  refused(NO_CONFIG, { TYPE: 'IP4', IP: '255.255.255.255', SIZE: '2' }, 'bad-request', [
    '255.255.255.255',
    'runs past',
  ]);
  refused(NO_CONFIG, { TYPE: 'IP4', IP: '0.0.0.1', SIZE: '4294967296' }, 'bad-request', ['runs past']);
});

test('static IPv6 ranges at the ends of the IPv6 space', () => {
  const end = reg(NO_CONFIG, {
    TYPE: 'IP6_STATIC',
    IP6: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    PREFIX_LENGTH: '128',
    SIZE: '1',
  });
  assert.equal(end.range.ip6, (1n << 128n) - 1n);
  assert.equal(end.reply.attrs.get('PREFIX_LENGTH'), '128');
  assert.equal(
    replyOf(NO_CONFIG, { TYPE: 'IP6_STATIC', IP6: '::', PREFIX_LENGTH: '64', SIZE: '4294967296' }).IP6,
    '::',
  );
  refused(
    NO_CONFIG,
    { TYPE: 'IP6_STATIC', IP6: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', PREFIX_LENGTH: '128', SIZE: '2' },
    'bad-request',
    ['runs past the end'],
  );
  refused(NO_CONFIG, { TYPE: 'IP6_STATIC', IP6: '2001:db8::10', SIZE: '2' }, 'bad-request', [
    'PREFIX_LENGTH is missing',
  ]);
  refused(NO_CONFIG, { TYPE: 'IP6_STATIC', IP6: '::ffff:10.0.0.1', PREFIX_LENGTH: '64', SIZE: '2' }, 'bad-request', [
    'IP6',
    '::ffff:10.0.0.1',
  ]);
});

test('an overlapping range is refused, naming the range it overlaps', () => {
  const oned = new InProcessOned();
  oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' });
  expectIpamError(() => oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.15', SIZE: '10' }), 'conflict', [
    '10.0.0.15',
    'r1',
    '10.0.0.10',
  ]);
  expectIpamError(() => oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.0', SIZE: '11' }), 'conflict', ['r1']);
  expectIpamError(
    () =>
      oned.register({
        ...MAD,
        TYPE: 'IP4_6_STATIC',
        IP: '10.0.0.19',
        IP6: '2001:db8::1',
        PREFIX_LENGTH: '64',
        SIZE: '1',
      }),
    'conflict',
    ['r1'],
  );
  assert.equal(
    oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.20', SIZE: '5' }).reply.attrs.get('NEBULA_IPAM_RANGE'),
    'r2',
    'adjacent is fine',
  );
  oned.register({ ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8::', PREFIX_LENGTH: '64', SIZE: '100' });
  expectIpamError(
    () => oned.register({ ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8::63', PREFIX_LENGTH: '64', SIZE: '1' }),
    'conflict',
    ['r3'],
  );
});

test("an explicit range inside a pool must avoid the subnet's special addresses and the excludes", () => {
  const reply = replyOf(ISSUE2_CONFIG, { TYPE: 'IP4', IP: '10.20.5.10', SIZE: '10' });
  assert.equal(reply.NETWORK_ADDRESS, '10.20.5.0');
  assert.equal(reply.GATEWAY, '10.20.5.1');
  assert.equal(reply.IPAM_POOL, 'private');
  refused(ISSUE2_CONFIG, { TYPE: 'IP4', IP: '10.20.5.1', SIZE: '5' }, 'conflict', ['10.20.5.1', 'gateway']);
  refused(ISSUE2_CONFIG, { TYPE: 'IP4', IP: '10.20.0.2', SIZE: '1' }, 'conflict', ['10.20.0.2', 'DNS server']);
  refused(ISSUE2_CONFIG, { TYPE: 'IP4', IP: '10.20.5.250', SIZE: '6' }, 'conflict', ['10.20.5.255']);
  // Two /24s are two L3 networks: one range cannot have both gateways.
  refused(ISSUE2_CONFIG, { TYPE: 'IP4', IP: '10.20.5.200', SIZE: '100' }, 'conflict', [
    '10.20.5.200-10.20.6.43',
    'crosses',
    '/24',
  ]);
  refused(ISSUE2_CONFIG, { TYPE: 'IP4', IP: '10.20.255.10', SIZE: '1' }, 'conflict', ['10.20.255.0/24', 'excluded']);
  refused(ISSUE2_CONFIG, { TYPE: 'IP4', IP: '10.19.255.250', SIZE: '10' }, 'conflict', ['outside pool "private"']);
  refused(ISSUE2_CONFIG, { TYPE: 'IP4', IP: '10.0.0.1', SIZE: '1', IPAM_POOL: 'private' }, 'conflict', [
    'outside pool "private"',
  ]);
});

test('carving takes the first free /24, and unregister gives it back', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const nets = [0, 1, 2].map(() => oned.register({ ...MAD, SIZE: '10' }));
  assert.deepEqual(
    nets.map((n) => n.reply.attrs.get('NETWORK_ADDRESS')),
    ['10.20.0.0', '10.20.1.0', '10.20.2.0'],
  );
  oned.unregister(nets[1]!.ar);
  const again = oned.register({ ...MAD, SIZE: '10' });
  assert.equal(again.reply.attrs.get('NETWORK_ADDRESS'), '10.20.1.0');
  assert.equal(again.reply.attrs.get('IP'), '10.20.1.2');
  assert.equal(again.reply.attrs.get('NEBULA_IPAM_RANGE'), 'r4', 'range ids are never reused');
});

test('carving skips subnets taken by explicit ranges', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  oned.register({ ...MAD, TYPE: 'IP4', IP: '10.20.0.100', SIZE: '1' });
  assert.equal(oned.register({ ...MAD, SIZE: '10' }).reply.attrs.get('NETWORK_ADDRESS'), '10.20.1.0');
  expectIpamError(() => oned.register({ ...MAD, TYPE: 'IP4', IP: '10.20.1.200', SIZE: '1' }), 'conflict', ['r2']);
});

test('excluded prefixes are never carved, and a full pool is exhausted (exit 255), naming it', () => {
  const config = configWith([
    { name: 'small', network: '10.9.0.0/22', subnetPrefix: 24, exclude: ['10.9.1.0/24'], default: true },
  ]);
  const oned = new InProcessOned(config);
  const carved = [0, 1, 2].map(() => oned.register({ ...MAD, SIZE: '100' }).reply.attrs.get('NETWORK_ADDRESS'));
  assert.deepEqual(carved, ['10.9.0.0', '10.9.2.0', '10.9.3.0']);
  expectIpamError(() => oned.register({ ...MAD, SIZE: '100' }), 'exhausted', ['"small"', '10.9.0.0/22']);
});

test('a SIZE no subnet of the pool can hold is a bad request, not an exhausted pool', () => {
  refused(ISSUE2_CONFIG, { SIZE: '300' }, 'bad-request', ['SIZE 300', '/24', '"private"', '253']);
  refused(
    configWith([{ name: 'big', network: '10.0.0.0/8', subnetPrefix: 30, default: true }]),
    { SIZE: '2' },
    'bad-request',
    ['SIZE 2', '/30'],
  );
});

test('without subnetPrefix the smallest subnet that holds SIZE, and a /8 costs what a /24 costs', () => {
  const small = configWith([{ name: 'p', network: '10.30.0.0/16', default: true }]);
  assert.equal(replyOf(small, { SIZE: '5' }).NETWORK_MASK, '255.255.255.248');
  assert.equal(replyOf(small, { SIZE: '6' }).NETWORK_MASK, '255.255.255.240');
  const big = configWith([{ name: 'big', network: '10.0.0.0/8', default: true }]);
  assert.deepEqual(
    [replyOf(big, { SIZE: '14' }).NETWORK_MASK, replyOf(big, { SIZE: '14' }).IP],
    ['255.255.255.224', '10.0.0.2'],
  );
  refused(big, { SIZE: '16777214' }, 'bad-request', ['SIZE 16777214', '/8', '16777213']);
});

test('gateway rules first, last and none', () => {
  const rule = (gateway: string) =>
    replyOf(configWith([{ name: 'p', network: '10.20.0.0/16', subnetPrefix: 24, gateway, default: true }]), {});
  assert.deepEqual([rule('first').IP, rule('first').GATEWAY, rule('first').SIZE], ['10.20.0.2', '10.20.0.1', '253']);
  assert.deepEqual([rule('last').IP, rule('last').GATEWAY, rule('last').SIZE], ['10.20.0.1', '10.20.0.254', '253']);
  assert.deepEqual([rule('none').IP, rule('none').GATEWAY, rule('none').SIZE], ['10.20.0.1', undefined, '254']);
});

test('IP6 and IP4_6 ranges without GLOBAL_PREFIX are delegated consecutive /64s', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const a = oned.register({ ...MAD, TYPE: 'IP6', IPAM_POOL6: 'public6', SIZE: '10' });
  assert.equal(a.reply.attrs.get('GLOBAL_PREFIX'), '2001:db8:100::');
  assert.equal(a.range.globalPrefix, parseIPv6('2001:db8:100::'));
  assert.equal(a.range.pool6, 'public6');
  const b = oned.register({ ...MAD, TYPE: 'IP4_6', IPAM_POOL6: 'public6', SIZE: '10' });
  assert.deepEqual([b.reply.attrs.get('GLOBAL_PREFIX'), b.reply.attrs.get('IP')], ['2001:db8:100:1::', '10.20.0.3']);
  oned.unregister(a.ar);
  assert.equal(
    oned.register({ ...MAD, TYPE: 'IP6', IPAM_POOL6: 'public6', SIZE: '1' }).reply.attrs.get('GLOBAL_PREFIX'),
    '2001:db8:100::',
  );
  // No IPv6 pool named and none default, beside IPv6 pools: a forgotten IPAM_POOL6, refused
  // (a link-local-only range is registered only where no IPv6 pool is configured: cli-views).
  assert.throws(
    () => oned.register({ ...MAD, TYPE: 'IP6', SIZE: '10' }),
    /no GLOBAL_PREFIX and no IPv6 pool to delegate a \/64 from \(name one with IPAM_POOL6: public6/,
  );
});

test('a GLOBAL_PREFIX given inside a pool is accepted, recorded and never delegated again', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const given = oned.register({ ...MAD, TYPE: 'IP6', GLOBAL_PREFIX: '2001:db8:100::', SIZE: '10' });
  assert.equal(given.reply.attrs.get('GLOBAL_PREFIX'), '2001:db8:100::');
  assert.equal(given.range.pool6, 'public6');
  assert.equal(
    oned.register({ ...MAD, TYPE: 'IP6', IPAM_POOL6: 'public6', SIZE: '1' }).reply.attrs.get('GLOBAL_PREFIX'),
    '2001:db8:100:1::',
  );
  expectIpamError(
    () => oned.register({ ...MAD, TYPE: 'IP6', GLOBAL_PREFIX: '2001:db8:100::', SIZE: '1' }),
    'conflict',
    ['r1'],
  );
  refused(ISSUE2_CONFIG, { TYPE: 'IP6', GLOBAL_PREFIX: '2001:db8::1', SIZE: '1' }, 'bad-request', [
    'GLOBAL_PREFIX',
    '2001:db8::1',
  ]);
  assert.equal(
    replyOf(ISSUE2_CONFIG, { TYPE: 'IP4_6', GLOBAL_PREFIX: '2001:db8::', IP: '10.0.0.10', SIZE: '10' }).GLOBAL_PREFIX,
    '2001:db8::',
    'outside pools',
  );
});

test('IP6_STATIC without IP6 is carved a subnet: IP6 and PREFIX_LENGTH', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const a = oned.register({ ...MAD, TYPE: 'IP6_STATIC', IPAM_POOL6: 'public6', SIZE: '100' });
  assert.deepEqual(
    [a.reply.attrs.get('IP6'), a.reply.attrs.get('PREFIX_LENGTH'), a.reply.attrs.get('GATEWAY6')],
    ['2001:db8:100::2', '64', '2001:db8:100::1'],
  );
  assert.equal(a.range.ip6, parseIPv6('2001:db8:100::2'));
  const b = oned.register({ ...MAD, TYPE: 'IP4_6_STATIC', IPAM_POOL6: 'public6', SIZE: '100' });
  assert.deepEqual(
    [b.reply.attrs.get('IP6'), b.reply.attrs.get('IP'), b.reply.attrs.get('PREFIX_LENGTH')],
    ['2001:db8:100:1::2', '10.20.0.3', '64'],
  );
  // oned counts static IPv6 addresses in their last 32 bits: 2^32 of them from ::2 would wrap.
  expectIpamError(
    () => oned.register({ ...MAD, TYPE: 'IP6_STATIC', IPAM_POOL6: 'public6', SIZE: '4294967296' }),
    'bad-request',
    ['2001:db8:100:2::2', '4294967296', 'last 32 bits'],
  );
  const c = oned.register({ ...MAD, TYPE: 'IP6_STATIC', IPAM_POOL6: 'public6', SIZE: '4294967294' });
  assert.equal(c.range.size, (1n << 32n) - 2n, 'a /64 holds the largest AR that does not wrap');
  refused(ISSUE2_CONFIG, { TYPE: 'IP6_STATIC', IPAM_POOL6: 'public6' }, 'bad-request', ['SIZE is missing', '/64']);
});

test('pool names must exist and be of the right family', () => {
  refused(ISSUE2_CONFIG, { SIZE: '1', IPAM_POOL: 'nope' }, 'bad-request', ['IPAM_POOL', '"nope"', 'private, public6']);
  refused(ISSUE2_CONFIG, { SIZE: '1', IPAM_POOL: 'public6' }, 'bad-request', ['"public6"', 'ipv6']);
  refused(ISSUE2_CONFIG, { TYPE: 'IP6_STATIC', SIZE: '1', IPAM_POOL6: 'private' }, 'bad-request', ['"private"']);
});

test('a MAC range carrying past its last four bytes is refused: oned counts MACs there and would wrap', () => {
  refused(NO_CONFIG, { TYPE: 'ETHER', MAC: 'ff:ff:ff:ff:ff:f0', SIZE: '17' }, 'bad-request', [
    'ff:ff:ff:ff:ff:f0',
    '17',
  ]);
  assert.equal(replyOf(NO_CONFIG, { TYPE: 'ETHER', MAC: 'ff:ff:ff:ff:ff:f0', SIZE: '16' }).MAC, 'ff:ff:ff:ff:ff:f0');
  refused(NO_CONFIG, { TYPE: 'ETHER', MAC: '02:00:ff:ff:ff:f0', SIZE: '17' }, 'bad-request', [
    '02:00:ff:ff:ff:f0',
    '17',
    'wrap to 02:00:00:00:00:00',
  ]);
  refused(NO_CONFIG, { TYPE: 'IP4', IP: '10.0.0.10', MAC: '02:00:ff:ff:ff:ff', SIZE: '2' }, 'bad-request', [
    '02:00:ff:ff:ff:ff',
  ]);
  assert.equal(replyOf(NO_CONFIG, { TYPE: 'ETHER', MAC: '02:00:ff:ff:ff:f0', SIZE: '16' }).MAC, '02:00:ff:ff:ff:f0');
});

test('the book after registrations at every edge still encodes and decodes', () => {
  const oned = new InProcessOned(NO_CONFIG);
  oned.register({ ...MAD, TYPE: 'IP4', IP: '0.0.0.0', SIZE: '4294967296' });
  oned.register({
    ...MAD,
    TYPE: 'IP6_STATIC',
    IP6: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:0',
    PREFIX_LENGTH: '112',
    SIZE: '65536',
  });
  assert.deepEqual(decodeBook(encodeBook(oned.book), 'x'), oned.book);
});
