/** A pool's `probe` (issue 18 item 5): off unless asked, defaults, and one line for each bad value. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parse-config.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';
import { CONFIG_FILE } from '../../support/sample-config.ts';

const parse = (pool: object) =>
  parseConfig(JSON.stringify({ pools: [{ name: 'p', network: '10.77.0.0/24', ...pool }] }), CONFIG_FILE);
const refused = (probe: unknown, mentions: string[]) =>
  expectIpamError(() => parse({ probe }), 'config', [CONFIG_FILE, ...mentions]);

test('absent, a pool is never probed; {} probes port 22, the next 8, 1000 ms each; each can be set', () => {
  assert.equal(parse({}).pools[0]!.probe, undefined);
  assert.deepEqual(parse({ probe: {} }).pools[0]!.probe, { port: 22, next: 8, timeoutMs: 1000 });
  assert.deepEqual(parse({ probe: { port: 443, next: 64, timeoutMs: 50 } }).pools[0]!.probe, {
    port: 443,
    next: 64,
    timeoutMs: 50,
  });
});

test('a bad port, count or timeout, an unknown key, a non-object or an IPv6 pool: one line naming the key and the value', () => {
  refused(true, ['pools[0].probe', 'must be an object such as { "port": 22, "next": 8 }, not true']);
  refused({ port: 0 }, ['pools[0].probe.port', 'must be a whole number (a TCP port) from 1 to 65535, not 0']);
  refused({ port: 65536 }, ['pools[0].probe.port', 'not 65536']);
  refused({ port: '22' }, ['pools[0].probe.port', 'not "22"']);
  refused({ next: 0 }, ['pools[0].probe.next', 'must be a whole number of addresses per range from 1 to 64, not 0']);
  refused({ next: 65 }, ['pools[0].probe.next', 'not 65']);
  refused({ next: 2.5 }, ['pools[0].probe.next', 'not 2.5']);
  refused({ timeoutMs: 10_001 }, ['pools[0].probe.timeoutMs', 'from 50 to 10000, not 10001']);
  refused({ ports: 22 }, ['pools[0].probe.ports', 'is not a known key; did you mean "port"?']);
  refused({ arp: true }, ['pools[0].probe.arp', 'is not a known key (known: port, next, timeoutMs)']);
  expectIpamError(
    () =>
      parseConfig(
        JSON.stringify({ pools: [{ name: 'p6', network: '2001:db8:77::/48', subnetPrefix: 64, probe: {} }] }),
        CONFIG_FILE,
      ),
    'config',
    ['pools[0].probe', 'is for IPv4 pools', '2001:db8:77::/48 is IPv6'],
  );
});
