/**
 * The zones and DHCP targets a pass reads, from the config alone: the pass starts reading them
 * before it works out the desired state, so they must be exactly the desired state's, in its order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredState } from '../../../../src/core/sync/desired-state.ts';
import { syncTargets } from '../../../../src/core/sync/sync-targets.ts';
import { book, syncBook, syncConfig, SYNC_POOLS, TARGETS } from '../../../support/sync-fixtures.ts';

const listed = (d: ReturnType<typeof desiredState>) => ({
  zones: d.zones.map(({ target, zone, kind }) => ({ target, zone, kind })),
  dhcp: d.dhcp.map((h) => h.target),
});

test('the targets read are the desired state zones and DHCP targets, in its order, leases or none', () => {
  const config = syncConfig();
  assert.deepEqual(syncTargets(config), listed(desiredState(syncBook(), config)));
  assert.deepEqual(syncTargets(config), listed(desiredState(book([]), config)));
  assert.deepEqual(
    syncTargets(config).zones.map((z) => `${z.target} ${z.kind} ${z.zone}`),
    [
      'bind reverse 0.0.0.0.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'bind reverse 0.77.10.in-addr.arpa',
      'bind forward cloud.example.com',
    ],
  );
});

test('pools on several targets, a pool without targets: each target and zone once, sorted', () => {
  const pools = [
    { name: 'plain', network: '10.9.0.0/24', gateway: 'first' },
    {
      ...SYNC_POOLS[0],
      name: 'b',
      network: '10.78.0.0/24',
      dnsNames: { forwardZone: 'b.example', name: 'vm-{ip}', server: 'bind2' },
      dhcp: { server: 'kea2', lifetimeSeconds: 60 },
    },
    ...SYNC_POOLS,
  ];
  const config = syncConfig(pools, { targets: { ...TARGETS, bind2: TARGETS.bind, kea2: TARGETS.kea } });
  const targets = syncTargets(config);
  assert.deepEqual(targets, listed(desiredState(syncBook(), config)));
  assert.deepEqual(targets.dhcp, ['kea', 'kea2']);
  assert.deepEqual(
    targets.zones.map((z) => `${z.target} ${z.zone}`),
    [
      'bind 0.0.0.0.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'bind 0.77.10.in-addr.arpa',
      'bind cloud.example.com',
      'bind2 0.78.10.in-addr.arpa',
      'bind2 b.example',
    ],
  );
});
