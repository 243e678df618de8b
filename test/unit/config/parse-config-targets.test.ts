/** Config for sync (issue 18): `targets`, a pool's `dnsNames` and `dhcp`, the TXT registry's prefix and owner. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parse-config.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';
import { CONFIG_FILE } from '../../support/sample-config.ts';

const BIND = {
  type: 'rfc2136',
  host: '127.0.0.1',
  port: 5353,
  tsigKeyName: 'nebula-ipam',
  tsigAlgorithm: 'hmac-sha256',
  tsigSecretFile: '/etc/one/nebula-ipam/tsig.key',
  timeoutMs: 2000,
};
const KEA = { type: 'kea', url: 'http://127.0.0.1:8000/', timeoutMs: 2000 };
const TARGETS = { bind: BIND, kea: KEA };
const NAMES = { forwardZone: 'cloud.example.com', name: 'vm-{ip}', ttl: 300, server: 'bind' };
const pool = (extra: object) => ({ name: 'p', network: '10.77.0.0/24', ...extra });
const doc = (pools: object[], extra: object = {}) => ({ targets: TARGETS, pools, ...extra });
const parse = (d: unknown) => parseConfig(JSON.stringify(d), CONFIG_FILE);
const refused = (d: unknown, mentions: string[]) =>
  expectIpamError(() => parse(d), 'config', [CONFIG_FILE, ...mentions]);

test('the example of the brief is read: targets, dnsNames with a derived reverse zone, dhcp', () => {
  const config = parse(
    doc([pool({ dnsNames: NAMES, dhcp: { server: 'kea', lifetimeSeconds: 3600 } })], {
      registryPrefix: '_Owned',
      registryOwner: 'cloud-a',
    }),
  );
  assert.deepEqual(config.targets, [
    {
      name: 'bind',
      type: 'rfc2136',
      host: '127.0.0.1',
      port: 5353,
      tsig: { keyName: 'nebula-ipam', algorithm: 'hmac-sha256', secretFile: '/etc/one/nebula-ipam/tsig.key' },
      timeoutMs: 2000,
    },
    { name: 'kea', type: 'kea', url: 'http://127.0.0.1:8000/', timeoutMs: 2000 },
  ]);
  const [p] = config.pools;
  assert.equal(p!.dnsNames!.forwardZone, 'cloud.example.com');
  assert.deepEqual(
    p!.dnsNames!.reverseZones.map((z) => z.name),
    ['0.77.10.in-addr.arpa'],
  );
  assert.equal(p!.dnsNames!.ttl, 300);
  assert.equal(p!.dnsNames!.server, 'bind');
  assert.deepEqual(p!.dhcp, { server: 'kea', lifetimeSeconds: 3600 });
  assert.equal(config.registryPrefix, '_owned', 'DNS names are lower case');
  assert.equal(config.registryOwner, 'cloud-a');
});

test('defaults: port 53, hmac-sha256, 2 s, pattern vm-{ip}, TTL 300, lifetime 3600, registry _nebula-ipam owned by "default"', () => {
  const config = parse({
    targets: {
      bind: { type: 'rfc2136', host: '::1', tsigKeyName: 'k', tsigSecretFile: '/k' },
      kea: { type: 'kea', url: 'https://kea.example.com/' },
    },
    pools: [pool({ dnsNames: { forwardZone: 'Cloud.Example.COM.', server: 'bind' }, dhcp: { server: 'kea' } })],
  });
  const bind = config.targets[0]!;
  assert.equal(bind.type === 'rfc2136' && bind.port, 53);
  assert.equal(bind.type === 'rfc2136' && bind.tsig?.algorithm, 'hmac-sha256');
  assert.equal(bind.timeoutMs, 2000);
  const names = config.pools[0]!.dnsNames!;
  assert.equal(names.forwardZone, 'cloud.example.com', 'lower case, final dot dropped');
  assert.equal(names.name, 'vm-{ip}');
  assert.equal(names.ttl, 300);
  assert.equal(config.pools[0]!.dhcp!.lifetimeSeconds, 3600);
  assert.equal(config.registryPrefix, '_nebula-ipam');
  assert.equal(config.registryOwner, 'default');
  assert.deepEqual(parse({}).targets, []);
});

test('a target without TSIG is read (a server that allows updates by address); half a key is refused', () => {
  const config = parse({ targets: { pdns: { type: 'rfc2136', host: '127.0.0.1' } } });
  assert.equal(config.targets[0]!.type === 'rfc2136' && config.targets[0]!.tsig, undefined);
  refused({ targets: { pdns: { type: 'rfc2136', host: '127.0.0.1', tsigKeyName: 'k' } } }, [
    'targets.pdns.tsigKeyName',
    'tsigSecretFile together',
  ]);
  refused({ targets: { pdns: { type: 'rfc2136', host: '127.0.0.1', tsigSecretFile: '/k' } } }, [
    'targets.pdns.tsigSecretFile',
  ]);
  refused({ targets: { pdns: { type: 'rfc2136', host: '127.0.0.1', tsigAlgorithm: 'hmac-sha256' } } }, [
    'targets.pdns.tsigAlgorithm',
  ]);
});

test('every refusal of a target names the key and the value', () => {
  const bind = (extra: object) => ({ targets: { bind: { ...BIND, ...extra } } });
  refused({ targets: [] }, ['targets', 'object of targets by name']);
  refused({ targets: { 'a b': BIND } }, ['targets.a b', 'not a target name']);
  refused({ targets: { bind: 'x' } }, ['targets.bind', 'must be an object']);
  refused({ targets: { bind: { type: 'nsupdate' } } }, ['targets.bind.type', '"rfc2136" or "kea"', '"nsupdate"']);
  refused(bind({ hostt: '127.0.0.1' }), ['targets.bind.hostt', 'did you mean "host"?']);
  refused(bind({ host: 'not a host!' }), ['targets.bind.host', '"not a host!"']);
  refused(bind({ host: 'ns1.example.com' }), ['targets.bind.host', 'IP address', '"ns1.example.com"']);
  refused(bind({ port: 0 }), ['targets.bind.port', '1 to 65535', '0']);
  refused(bind({ port: '53' }), ['targets.bind.port', '"53"']);
  refused(bind({ tsigKeyName: 'two words' }), ['targets.bind.tsigKeyName', '"two words"']);
  refused(bind({ tsigAlgorithm: 'hmac-md5' }), ['targets.bind.tsigAlgorithm', 'hmac-sha256', '"hmac-md5"']);
  refused(bind({ tsigSecretFile: 'tsig.key' }), ['targets.bind.tsigSecretFile', 'absolute path', '"tsig.key"']);
  refused(bind({ timeoutMs: 0 }), ['targets.bind.timeoutMs', '1 to 30000', '0']);
  refused(bind({ timeoutMs: 30001 }), ['targets.bind.timeoutMs', '30001']);
  const kea = (extra: object) => ({ targets: { kea: { ...KEA, ...extra } } });
  refused(kea({ urll: 'x' }), ['targets.kea.urll', 'did you mean "url"?']);
  refused(kea({ url: 'ftp://127.0.0.1/' }), ['targets.kea.url', '"ftp://127.0.0.1/"']);
  refused(kea({ url: 'not a url' }), ['targets.kea.url', '"not a url"']);
  refused(kea({ url: 'http://admin:secret@127.0.0.1:8000/' }), ['targets.kea.url', 'without credentials']);
  refused(kea({ timeoutMs: 1.5 }), ['targets.kea.timeoutMs', '1.5']);
});

test('every refusal of dnsNames names the key and the value', () => {
  const names = (extra: object, network = '10.77.0.0/24') => doc([pool({ network, dnsNames: { ...NAMES, ...extra } })]);
  refused(doc([pool({ dnsNames: 'cloud.example.com' })]), ['pools[0].dnsNames', 'must be an object']);
  refused(names({ forwardzone: 'x' }), ['pools[0].dnsNames.forwardzone', 'did you mean "forwardZone"?']);
  refused(names({ forwardZone: undefined }), ['pools[0].dnsNames.forwardZone', 'undefined']);
  refused(names({ forwardZone: 'cloud..example.com' }), [
    'pools[0].dnsNames.forwardZone',
    '"cloud..example.com"',
    'empty label',
  ]);
  refused(names({ forwardZone: 'cloud example.com' }), ['pools[0].dnsNames.forwardZone', '"cloud example"']);
  refused(names({ reverseZone: 'example.com' }), [
    'pools[0].dnsNames.reverseZone',
    'in-addr.arpa',
    '"example.com"',
    '0.77.10.in-addr.arpa',
  ]);
  refused(names({ reverseZone: '1.77.10.in-addr.arpa' }), [
    'pools[0].dnsNames.reverseZone',
    'does not hold the PTR names of the whole network 10.77.0.0/24',
  ]);
  refused(names({ reverseZone: '8.b.d.0.1.0.0.2.ip6.arpa' }), ['pools[0].dnsNames.reverseZone', 'in-addr.arpa']);
  refused(names({ reverseZone: '0/26.0.77.10.in-addr.arpa' }), ['pools[0].dnsNames.reverseZone', 'does not hold']);
  refused(names({ reverseZone: '5/26.0.77.10.in-addr.arpa' }, '10.77.0.0/26'), [
    'pools[0].dnsNames.reverseZone',
    'BASE/LENGTH',
  ]);
  refused(names({ name: 'vm-{hostname}' }), [
    'pools[0].dnsNames.name',
    '{hostname}',
    '{ip}, {mac}, {range}, {vm}, {owner}',
  ]);
  refused(names({ name: 'vm-{iq}' }), ['pools[0].dnsNames.name', 'did you mean {ip}?']);
  refused(names({ name: 'vm-{ip' }), ['pools[0].dnsNames.name', "'{' or '}'"]);
  refused(names({ name: 'web' }), ['pools[0].dnsNames.name', 'no placeholder']);
  refused(names({ name: 'vm_{ip}' }), ['pools[0].dnsNames.name', 'not host names', '"vm_{ip}"']);
  refused(names({ name: '-{ip}' }), ['pools[0].dnsNames.name', 'not host names']);
  refused(names({ name: `${'x'.repeat(60)}-{ip}` }), ['pools[0].dnsNames.name', 'label of 76 characters']);
  refused(names({ name: 'vm-{ip}.cloud.example.com' }), [
    'pools[0].dnsNames.name',
    'relative to forwardZone',
    'without the zone',
  ]);
  refused(names({ name: 'vm-{ip}.' }), ['pools[0].dnsNames.name', 'final dot']);
  refused(names({ name: 3 }), ['pools[0].dnsNames.name', '3']);
  refused(names({ ttl: 0 }), ['pools[0].dnsNames.ttl', '0']);
  refused(names({ ttl: 2 ** 31 }), ['pools[0].dnsNames.ttl', String(2 ** 31)]);
  refused(names({ server: 'bimd' }), [
    'pools[0].dnsNames.server',
    '"bimd" is not a target',
    'rfc2136 targets: bind',
    'did you mean "bind"?',
  ]);
  refused(names({ server: 'kea' }), ['pools[0].dnsNames.server', '"kea" is a kea target', 'needs a rfc2136 target']);
  refused(names({ server: undefined }), ['pools[0].dnsNames.server', 'must name a rfc2136 target']);
  refused({ pools: [pool({ dnsNames: NAMES })] }, ['pools[0].dnsNames.server', 'there is no rfc2136 target']);
  refused(doc([pool({ dns: { forwardZone: 'cloud.example.com' } })]), ['pools[0].dns', 'DNS servers', 'dnsNames']);
  refused(doc([pool({ dnsname: NAMES })]), ['pools[0].dnsname', 'did you mean "dnsNames"?']);
});

test('every refusal of dhcp and of the registry names the key and the value', () => {
  refused(doc([pool({ dhcp: true })]), ['pools[0].dhcp', 'must be an object']);
  refused(doc([pool({ dhcp: { server: 'kea', lifetime: 3600 } })]), [
    'pools[0].dhcp.lifetime',
    'did you mean "lifetimeSeconds"?',
  ]);
  refused(doc([pool({ dhcp: { server: 'kea', lifetimeSeconds: 59 } })]), [
    'pools[0].dhcp.lifetimeSeconds',
    '60 to',
    '59',
  ]);
  refused(doc([pool({ dhcp: { server: 'kea1' } })]), [
    'pools[0].dhcp.server',
    '"kea1" is not a target',
    'kea targets: kea',
    'did you mean "kea"?',
  ]);
  refused(doc([pool({ dhcp: { server: 'bind' } })]), ['pools[0].dhcp.server', 'is a rfc2136 target']);
  refused(doc([], { registryPrefix: 'two.labels' }), ['registryPrefix', '"two.labels"']);
  refused(doc([], { registryPrefix: '' }), ['registryPrefix', '""']);
  refused(doc([], { registryOwner: 'a,b' }), ['registryOwner', '"a,b"']);
  refused(doc([], { registryOwner: 'a=b' }), ['registryOwner', '"a=b"']);
  refused(doc([], { registryowner: 'x' }), ['registryowner', 'did you mean "registryOwner"?']);
});

test('reverse zones: derived for any prefix length, or the one the config names when it holds the network', () => {
  const zones = (network: string, extra: object = {}) =>
    parse(doc([pool({ network, dnsNames: { ...NAMES, ...extra } })])).pools[0]!.dnsNames!.reverseZones.map(
      (z) => z.name,
    );
  assert.deepEqual(zones('10.77.0.0/16'), ['77.10.in-addr.arpa']);
  assert.deepEqual(zones('10.77.0.0/23'), ['0.77.10.in-addr.arpa', '1.77.10.in-addr.arpa']);
  assert.deepEqual(zones('192.0.2.64/26'), ['64/26.2.0.192.in-addr.arpa']);
  assert.deepEqual(zones('10.77.0.0/23', { reverseZone: '77.10.IN-ADDR.ARPA.' }), ['77.10.in-addr.arpa']);
  assert.deepEqual(zones('192.0.2.64/26', { reverseZone: '2.0.192.in-addr.arpa' }), ['2.0.192.in-addr.arpa']);
  assert.deepEqual(zones('2001:db8:100::/48'), ['0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa']);
  assert.deepEqual(zones('2001:db8:100::/47'), [
    '0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa',
    '1.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa',
  ]);
});
