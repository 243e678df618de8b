/**
 * A pass through the probe's real edge (src/sync/probe.ts), in-process and without privilege:
 * on the host every 127/8 address is local, so each candidate answers, refused (RST) or, where
 * a listener is, accepted. The black-box test in network namespaces (test/e2e/sync/probe.test.ts)
 * shows silence and ARP; this one runs wherever the tests run.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import { formatIPv4 } from '../../../src/core/address/ipv4.ts';
import type { SeenInUse } from '../../../src/core/book/holds.ts';
import { MemoryStore } from '../../../src/store/memory/memory-store.ts';
import { syncPass } from '../../../src/sync/sync-pass.ts';
import { targetClients } from '../../../src/sync/target-clients.ts';
import { configWith } from '../../support/sample-config.ts';
import { book, ip, lease, range } from '../../support/sync-fixtures.ts';

const NOW = Date.parse('2026-12-07T19:00:00.000Z');

test("a pass holds the free candidates that answer, each with its port and time, after the plan's own; a dry run connects to none", async () => {
  let connections = 0;
  const listener = net.createServer((socket) => {
    connections++;
    socket.end();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.78.0.3', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  try {
    const config = configWith([{ name: 'loop', network: '127.78.0.0/24', probe: { port, next: 3, timeoutMs: 2000 } }]);
    // .1 is the gateway; .2 is leased: the candidates are .3 (the listener), .4 and .5 (refused).
    const store = new MemoryStore(
      book([range('r1', { type: 'IP4', size: 6n, ip: ip('127.78.0.2'), pool: 'loop', leases: [lease(0, 0)] })]),
    );
    const held: SeenInUse[][] = [];
    const options = (dryRun: boolean) => ({
      dryRun,
      now: () => NOW,
      hold: async (seen: readonly SeenInUse[]) => {
        held.push([...seen]);
        return seen.length;
      },
    });

    const dry = await syncPass(store, config, targetClients(config), options(true));
    assert.deepEqual([dry.plan.holds, held, connections], [[], [], 0], 'a dry run sends nothing and holds nothing');

    const report = await syncPass(store, config, targetClients(config), options(false));
    const at = new Date(NOW).toISOString();
    assert.deepEqual(
      held.flat().map((h) => [formatIPv4(h.address), h.pool, h.source, h.reason, h.seenAt]),
      ['127.78.0.3', '127.78.0.4', '127.78.0.5'].map((a) => [
        a,
        'loop',
        'probe',
        `answered TCP on port ${port} at ${at}`,
        at,
      ]),
    );
    assert.equal(report.held, 3);
    assert.equal(report.plan.holds.length, 3, 'the report shows what was held');
    assert.equal(connections, 1, 'the listener was connected to once');
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
});
