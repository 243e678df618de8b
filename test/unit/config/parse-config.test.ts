import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIPv4 } from '../../../src/core/address/ipv4.ts';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../../../src/core/config/config.ts';
import { parseConfig } from '../../../src/config/parse-config.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';
import { CONFIG_FILE, ISSUE2_POOLS } from '../../support/sample-config.ts';

const parse = (doc: unknown) => parseConfig(JSON.stringify(doc), CONFIG_FILE);
const refused = (doc: unknown, mentions: string[]) =>
  expectIpamError(() => parse(doc), 'config', [CONFIG_FILE, ...mentions]);
const pool = (extra: object) => ({ name: 'p', network: '10.20.0.0/16', ...extra });

test('the example of issue 2 is read with every key', () => {
  const config = parse({ store: '/var/lib/one/nebula-ipam/leases.json', lockTimeoutMs: 20000, pools: ISSUE2_POOLS });
  assert.equal(config.source, CONFIG_FILE);
  assert.equal(config.store, '/var/lib/one/nebula-ipam/leases.json');
  assert.equal(config.lockTimeoutMs, 20000);
  const [priv, pub] = config.pools;
  assert.deepEqual(priv, {
    name: 'private',
    family: 'ipv4',
    network: { family: 'ipv4', base: parseIPv4('10.20.0.0'), length: 16 },
    subnetPrefix: 24,
    gateway: 'first',
    dns: ['10.20.0.2'],
    mtu: 1500,
    searchDomain: 'cloud.example.com',
    exclude: [{ family: 'ipv4', base: parseIPv4('10.20.255.0'), length: 24 }],
    isDefault: true,
  });
  assert.equal(pub!.family, 'ipv6');
  assert.equal(pub!.subnetPrefix, 64);
  assert.equal(pub!.gateway, 'first', 'the default gateway rule');
  assert.deepEqual(pub!.dns, []);
  assert.equal(pub!.isDefault, false);
});

test('an empty config is valid: no pools, the default lock wait', () => {
  const config = parse({});
  assert.deepEqual(config.pools, []);
  assert.equal(config.lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS);
  assert.equal(config.store, undefined);
});

test('a bad file or top-level key is named with the file', () => {
  expectIpamError(() => parseConfig('{ "pools": [', CONFIG_FILE), 'config', [CONFIG_FILE, 'not valid JSON']);
  refused([], ['JSON object']);
  refused({ pool: [] }, ['pool', 'not a known key']);
  refused({ store: 'leases.json' }, ['store', 'leases.json']);
  refused({ lockTimeoutMs: 0 }, ['lockTimeoutMs']);
  refused({ lockTimeoutMs: 90000 }, ['lockTimeoutMs', '90000']);
  refused({ lockTimeoutMs: 1.5 }, ['lockTimeoutMs']);
  refused({ pools: {} }, ['pools', 'list']);
});

test('each bad pool key is named with its pool index and the value', () => {
  refused({ pools: ['x'] }, ['pools[0]', 'object']);
  refused({ pools: [pool({ colour: 'red' })] }, ['pools[0].colour', 'not a known key']);
  refused({ pools: [pool({ name: 'has space' })] }, ['pools[0].name', 'has space']);
  refused({ pools: [pool({ network: '10.20.0.1/16' })] }, ['pools[0].network', 'host bits', '10.20.0.0/16']);
  refused({ pools: [pool({ network: '010.20.0.0/16' })] }, ['pools[0].network', '010.20.0.0/16']);
  refused({ pools: [pool({ subnetPrefix: 8 })] }, ['pools[0].subnetPrefix', '16 to 30']);
  refused({ pools: [pool({ subnetPrefix: 31 })] }, ['pools[0].subnetPrefix', '31']);
  refused({ pools: [{ name: 'v6', network: '2001:db8::/48', subnetPrefix: 128 }] }, [
    'pools[0].subnetPrefix',
    '48 to 127',
  ]);
  refused({ pools: [pool({ gateway: 'middle' })] }, ['pools[0].gateway', 'middle']);
  refused({ pools: [pool({ gateway: '10.21.0.1' })] }, ['pools[0].gateway', '10.21.0.1', '10.20.0.0/16']);
  refused({ pools: [pool({ gateway: '10.20.255.255' })] }, ['pools[0].gateway', 'not a host address']);
  refused({ pools: [pool({ gateway: '2001:db8::1' })] }, ['pools[0].gateway', 'ipv4 address']);
  refused({ pools: [pool({ dns: ['10.20.0.256'] })] }, ['pools[0].dns', '10.20.0.256']);
  refused({ pools: [pool({ dns: '10.20.0.2' })] }, ['pools[0].dns']);
  refused({ pools: [pool({ mtu: 67 })] }, ['pools[0].mtu', '67']);
  refused({ pools: [pool({ searchDomain: 'a"b' })] }, ['pools[0].searchDomain']);
  refused({ pools: [pool({ searchDomain: 'a\\' })] }, ['pools[0].searchDomain']);
  refused({ pools: [pool({ exclude: ['10.21.0.0/24'] })] }, ['pools[0].exclude[0]', '10.21.0.0/24', 'not inside']);
  refused({ pools: [pool({ exclude: ['2001:db8::/64'] })] }, ['pools[0].exclude[0]']);
  refused({ pools: [pool({ default: 'yes' })] }, ['pools[0].default']);
});

test('pools that collide with each other are refused', () => {
  refused({ pools: [pool({}), { name: 'p', network: '10.30.0.0/16' }] }, ['pools[1].name', '"p"', 'two pools']);
  refused({ pools: [pool({}), { name: 'q', network: '10.20.128.0/17' }] }, ['pools[1].network', 'overlaps pool "p"']);
  refused({ pools: [pool({ default: true }), { name: 'q', network: '10.30.0.0/16', default: true }] }, [
    'pools[1].default',
    '"p"',
    '"q"',
  ]);
  // One default per family is fine.
  assert.equal(
    parse({ pools: [pool({ default: true }), { name: 'q', network: '2001:db8::/48', default: true }] }).pools.length,
    2,
  );
});

test('a pool gateway may be an explicit address of its network', () => {
  const config = parseConfig(JSON.stringify({ pools: [pool({ gateway: '10.20.0.200' })] }), 'x.json');
  assert.equal(config.pools[0]!.gateway, 0x0a1400c8n);
});
