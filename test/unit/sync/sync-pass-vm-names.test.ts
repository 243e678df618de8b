/**
 * A sync pass names addresses with `{vm}` from the VMs the hooks recorded in the book (issue 18
 * item 6): the pass hands the book's `vms` to the desired state. In-process, dry run, against a
 * DNS target on a 127.0.0.1 port nothing listens on (only the names are looked at).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../../../src/store/memory/memory-store.ts';
import { syncPass } from '../../../src/sync/sync-pass.ts';
import { book, ip, lease, range, syncConfig } from '../../support/sync-fixtures.ts';
import { closedPort } from '../../support/closed-port.ts';

test('{vm} names come from the VMs the hooks recorded; an address with no VM is a no-name finding', async () => {
  const port = await closedPort();
  const config = syncConfig(
    [
      {
        name: 'lan',
        network: '10.77.0.0/24',
        gateway: 'first',
        dnsNames: { forwardZone: 'cloud.example.com', server: 'bind', name: '{vm}' },
      },
    ],
    { targets: { bind: { type: 'rfc2136', host: '127.0.0.1', port, timeoutMs: 500 } } },
  );
  const store = new MemoryStore({
    ...book([range('r1', { type: 'IP4', size: 4n, ip: ip('10.77.0.10'), pool: 'lan', leases: [lease(0, 1)] })]),
    vms: [{ space: 'ipv4', address: ip('10.77.0.10'), id: 42, name: 'web-1' }],
  });
  const report = await syncPass(
    store,
    config,
    {
      dns: () => ({ host: '127.0.0.1', port, timeoutMs: 500 }),
      kea: () => assert.fail('no Kea target'),
    },
    { dryRun: true, now: () => Date.parse('2026-12-07T19:00:00.000Z'), hold: async () => 0 },
  );
  assert.deepEqual(
    report.plan.findings.map((f) => `${f.kind} ${'address' in f ? f.address : ''}`),
    ['no-name 10.77.0.11'],
    '10.77.0.10 is named after VM 42; 10.77.0.11 has no VM yet',
  );
});
