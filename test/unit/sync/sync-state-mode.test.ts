/**
 * The Kea mode in the state a pass leaves (issue 18 item 4: `status` says which is in use): a
 * pass through the real edge against a control agent with host_cmds finds reservations, and the
 * line status prints says so; a pass that cannot reach it keeps the mode last seen. In-process:
 * Debian's Kea 2.2 has no host_cmds to start (the e2e tests show lease mode on a real Kea).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetHealth, targetHealthLine } from '../../../src/core/sync/target-health.ts';
import { MemoryStore } from '../../../src/store/memory/memory-store.ts';
import { syncPass } from '../../../src/sync/sync-pass.ts';
import { nextSyncState } from '../../../src/sync/sync-state.ts';
import { targetClients } from '../../../src/sync/target-clients.ts';
import { reservationScript, startFakeKeaAgent } from '../../support/fake-kea-agent.ts';
import { book, ip, lease, mac, range, syncConfig } from '../../support/sync-fixtures.ts';

test('a pass against a Kea with host_cmds records reservation mode, which the status line says, also once the agent is gone', async () => {
  const reservations = new Map<string, Record<string, unknown>>();
  const agent = await startFakeKeaAgent(reservationScript(reservations));
  const config = syncConfig(
    [{ name: 'lan', network: '10.77.0.0/24', gateway: 'first', dns: ['10.77.0.2'], dhcp: { server: 'kea' } }],
    { targets: { kea: { type: 'kea', url: agent.url, timeoutMs: 1000 } } },
  );
  const store = new MemoryStore(
    book([
      range('r1', {
        type: 'IP4',
        size: 4n,
        ip: ip('10.77.0.10'),
        pool: 'lan',
        leases: [lease(0, 0, { mac: mac('52:54:00:00:00:01') })],
      }),
    ]),
  );
  const options = { dryRun: false, now: () => Date.parse('2026-12-07T19:00:00.000Z'), hold: async () => 0 };
  let line: string;
  try {
    const report = await syncPass(store, config, targetClients(config), options);
    assert.deepEqual(report.dhcpModes, { kea: 'reservations' });
    const state = nextSyncState(undefined, report);
    assert.equal(state.targets[0]!.dhcpMode, 'reservations');
    line = targetHealthLine(targetHealth(config.targets, state, options.now(), 300)[0]!);
    assert.match(line, /^kea \(dhcp, Kea reservations \(host_cmds\)\): 1 desired, 1 in place, 0 pending/);
    assert.deepEqual([...reservations.keys()], ['10.77.0.10']);
    await agent.close();
    const down = await syncPass(store, config, targetClients(config), options);
    assert.deepEqual(down.dhcpModes, {});
    const after = nextSyncState(state, down);
    line = targetHealthLine(targetHealth(config.targets, after, options.now(), 300)[0]!);
    assert.match(
      line,
      /^kea \(dhcp, Kea reservations \(host_cmds\)\): 1 desired, 0 in place, 0 pending, 0 conflicting, 1 unverified; .*; down since \S+: /,
    );
  } finally {
    await agent.close();
  }
});
