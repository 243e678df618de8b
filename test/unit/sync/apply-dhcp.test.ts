/**
 * A DHCP target's plan applied with several commands in flight (src/sync/apply-dhcp.ts), against
 * an in-process Kea whose answers the test orders: what Kea confirmed is what the pass says it
 * applied, a failure that is not a conflict stops what was not yet sent and is said once, a
 * conflict stops nothing, and a put is told what the pass read at its address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpamError } from '../../../src/core/errors.ts';
import type { DhcpPut, DhcpTargetPlan } from '../../../src/core/sync/sync-plan.ts';
import type { DhcpHost, ObservedDhcpEntry } from '../../../src/core/sync/target-records.ts';
import { applyDhcp } from '../../../src/sync/apply-dhcp.ts';
import type { Kea } from '../../../src/targets/kea/open-kea.ts';

const host = (n: number): DhcpHost => ({
  family: 'ipv4',
  mac: `52:54:00:00:00:${n.toString(16).padStart(2, '0')}`,
  address: `10.77.0.${n}`,
  subnet: '10.77.0.0/24',
  dnsServers: ['10.77.0.2'],
});

const plan = (puts: DhcpPut[], remove: ObservedDhcpEntry[] = []): DhcpTargetPlan => ({
  target: 'kea',
  put: puts,
  remove,
});

/** A Kea whose every command answers a turn of the event loop later, as `answer` says. */
function fakeKea(answer: (address: string) => 'ok' | IpamError) {
  const started: string[] = [];
  const applied = new Set<string>();
  const given = new Map<string, ObservedDhcpEntry | 'absent' | undefined>();
  let inFlight = 0;
  let most = 0;
  const run = async (address: string) => {
    started.push(address);
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    const said = answer(address);
    if (said !== 'ok') throw said;
    applied.add(address);
  };
  const kea = {
    url: 'http://127.0.0.1:1/',
    put: async (h: DhcpHost, _lifetime: number, current?: ObservedDhcpEntry | 'absent') => {
      given.set(h.address, current);
      await run(h.address);
    },
    remove: async (entry: ObservedDhcpEntry) => run(entry.address),
  } as unknown as Kea;
  return { kea, started, applied, given, most: () => most };
}

const down = () => new IpamError('store-io', "Cannot run lease4-add on Kea's control agent: ECONNREFUSED");

test('a failure in the middle of parallel puts: done is exactly what Kea confirmed, nothing more is sent, the failure is said once', async () => {
  const hosts = Array.from({ length: 40 }, (_, i) => host(i + 10));
  let broken = false;
  // The 13th answer finds the server gone; every answer after it too (what was in flight with it).
  let answers = 0;
  const fake = fakeKea(() => {
    if (++answers === 13) broken = true;
    return broken ? down() : 'ok';
  });
  const failures: unknown[] = [];
  const done = await applyDhcp(
    fake.kea,
    plan(hosts.map((h) => ({ host: h, why: 'new' }))),
    [],
    (e) => failures.push(e),
    8,
  );
  assert.equal(fake.most(), 8, 'eight commands in flight at most, and that many used');
  assert.equal(failures.length, 1, 'one failure said');
  assert.match(String(failures[0]), /ECONNREFUSED/);
  assert.equal(fake.applied.size, 12);
  assert.deepEqual(
    hosts.map((h, i) => done.put[i] === fake.applied.has(h.address)),
    hosts.map(() => true),
    'done says exactly what Kea applied',
  );
  // Sent: the 13 answered, plus at most the 7 that were in flight beside the failing one.
  assert.ok(fake.started.length <= 20, `${fake.started.length} sent`);
  assert.ok(fake.started.length < hosts.length);
});

test('conflicts stop nothing: each is said, every other put is applied', async () => {
  const hosts = Array.from({ length: 20 }, (_, i) => host(i + 10));
  const fake = fakeKea((address) =>
    address === '10.77.0.13' || address === '10.77.0.25'
      ? new IpamError('conflict', `${address} is held by a lease nebula-ipam did not make`)
      : 'ok',
  );
  const failures: unknown[] = [];
  const done = await applyDhcp(fake.kea, plan(hosts.map((h) => ({ host: h, why: 'new' }))), [], (e) =>
    failures.push(e),
  );
  assert.equal(failures.length, 2);
  assert.equal(done.put.filter(Boolean).length, 18);
  assert.equal(fake.started.length, 20);
});

test("a put is told what the pass read at its address: nothing for a new one, the entry for a renewal; removals follow a put's failure", async () => {
  const renewed: ObservedDhcpEntry = {
    family: 'ipv4',
    address: '10.77.0.11',
    mac: host(11).mac,
    ours: true,
    expiresAt: 5,
  };
  const stale: ObservedDhcpEntry = { family: 'ipv4', address: '10.77.0.40', mac: host(40).mac, ours: true };
  const fake = fakeKea((address) => (address === '10.77.0.12' ? down() : 'ok'));
  const failures: unknown[] = [];
  const done = await applyDhcp(
    fake.kea,
    plan(
      [
        { host: host(10), why: 'new' },
        { host: host(11), why: 'renew' },
        { host: host(12), why: 'new' },
      ],
      [stale],
    ),
    [renewed, stale],
    (e) => failures.push(e),
    1,
  );
  assert.equal(fake.given.get('10.77.0.10'), 'absent');
  assert.deepEqual(fake.given.get('10.77.0.11'), renewed);
  assert.deepEqual(done, { put: [true, true, false], remove: [true] });
  assert.equal(failures.length, 1);
});
