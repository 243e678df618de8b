/**
 * The Kea edge against a real Kea 2.2 (Debian's kea-dhcp4-server and kea-ctrl-agent, started by
 * test/support/kea-server.ts on 127.0.0.1): a book's host put through the control agent is what
 * a relayed DISCOVER/REQUEST from its MAC gets, with the pool's gateway, DNS servers, MTU and
 * search domain; leases nebula-ipam did not make are reported and never removed; what Kea does
 * with a MAC the book does not know, with and without the DROP guard the renderer writes; and a
 * control agent that hangs or is gone fails in one line within the timeout. Every packet goes to
 * 127.0.0.0/8; 10.77.0.0/24 is data in the payloads only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DhcpHost } from '../../../src/core/sync/target-records.ts';
import { subnetFor } from '../../../src/targets/kea/kea-subnets.ts';
import { openKea } from '../../../src/targets/kea/open-kea.ts';
import { checkSubnet, type DhcpPool, renderKeaSubnets } from '../../../src/targets/kea/subnet-options.ts';
import { openRelayedClient } from '../../support/dhcp-client.ts';
import { expectIpamRejection } from '../../support/expect-ipam-error.ts';
import { type KeaServer, startKeaServer } from '../../support/kea-server.ts';

const POOL: DhcpPool & { id: number } = {
  id: 77,
  family: 'ipv4',
  subnet: '10.77.0.0/24',
  ranges: [{ first: '10.77.0.10', last: '10.77.0.200' }],
  gateway: '10.77.0.1',
  dnsServers: ['10.77.0.2', '10.77.0.3'],
  mtu: 1450,
  searchDomain: 'cloud.example.com',
};

const HOST: DhcpHost = {
  family: 'ipv4',
  mac: '02:00:0a:4d:00:32',
  address: '10.77.0.50',
  hostname: 'vm-50.cloud.example.com',
  subnet: POOL.subnet,
  gateway: '10.77.0.1',
  dnsServers: ['10.77.0.2', '10.77.0.3'],
  mtu: 1450,
  searchDomain: 'cloud.example.com',
};

/** The operator's subnet: what renderKeaSubnets writes, plus the relay it is reached through. */
function keaSubnets(guard?: Parameters<typeof renderKeaSubnets>[1]) {
  const rendered = renderKeaSubnets([POOL], guard).Dhcp4!;
  const subnets = (rendered.subnet4 as Record<string, unknown>[]).map((s) => ({
    ...s,
    relay: { 'ip-addresses': ['127.0.0.2'] },
  }));
  return {
    subnets,
    ...(rendered['client-classes'] ? { clientClasses: rendered['client-classes'] as Record<string, unknown>[] } : {}),
  };
}

let kea: KeaServer;
before(async () => {
  kea = await startKeaServer(keaSubnets());
});
after(async () => {
  await kea?.stop();
});

const leaseAt = async (address: string) => {
  const answer = await kea.command('lease4-get', { 'ip-address': address });
  return answer.result === 0 ? (answer.arguments as Record<string, unknown>) : undefined;
};

test('Kea 2.2 with lease_cmds: lease mode, and the subnet the renderer wrote has no findings', async () => {
  const edge = openKea({ url: kea.agentUrl, timeoutMs: 2_000 });
  assert.equal(await edge.mode(), 'leases');
  const subnet = subnetFor(await edge.subnets(), 'ipv4', POOL.subnet);
  assert.equal(subnet?.id, 77);
  assert.deepEqual(checkSubnet(POOL, subnet), []);
});

test('a put host is what a relayed DISCOVER/REQUEST from its MAC gets: the address, gateway, DNS servers, MTU, search domain', async () => {
  const edge = openKea({ url: kea.agentUrl, timeoutMs: 2_000 });
  await edge.put(HOST, 3_600);
  const client = await openRelayedClient(kea.dhcp);
  try {
    const { offer, answer } = await client.obtain(HOST.mac);
    assert.equal(offer?.type, 'offer', 'Kea offered');
    assert.equal(offer.yiaddr, '10.77.0.50');
    assert.equal(answer?.type, 'ack', 'Kea acknowledged the REQUEST');
    assert.equal(answer.yiaddr, '10.77.0.50');
    assert.deepEqual(answer.routers, ['10.77.0.1']);
    assert.deepEqual(answer.dnsServers, ['10.77.0.2', '10.77.0.3']);
    assert.equal(answer.mtu, 1450);
    assert.equal(answer.domainName, 'cloud.example.com');
    assert.deepEqual(answer.domainSearch, ['cloud.example.com']);
  } finally {
    await client.close();
  }
  const entry = (await edge.read()).find((e) => e.address === '10.77.0.50');
  assert.equal(entry?.ours, true, 'the renewed lease keeps our mark');
  assert.equal(entry.mac, HOST.mac);
  // Measured: the client's renewal clears the hostname and resets the lifetime to the subnet's;
  // the next pass's put renews it with lease4-update and both are back.
  await edge.put(HOST, 3_600);
  const renewed = await leaseAt('10.77.0.50');
  assert.deepEqual([renewed?.hostname, renewed?.['valid-lft']], ['vm-50.cloud.example.com', 3_600]);
});

test("read() pages through more leases than one page of Kea 2.2's lease4-get-page: each once, in address order", async () => {
  const hosts = Array.from({ length: 7 }, (_, i) => ({
    ...HOST,
    mac: `02:00:0a:4d:00:${(0x70 + i).toString(16)}`,
    address: `10.77.0.${170 + i}`,
    hostname: `vm-${170 + i}`,
  }));
  const edge = openKea({ url: kea.agentUrl, timeoutMs: 2_000, leasePage: 3 });
  // Put at once through the kept-alive connections, as a pass does.
  await Promise.all(hosts.map((h) => edge.put(h, 600, 'absent')));
  try {
    const paged = (await edge.read()).map((e) => e.address);
    const whole = (await kea.command('lease4-get-all')).arguments as { leases: { 'ip-address': string }[] };
    assert.deepEqual(
      paged,
      whole.leases.map((l) => l['ip-address']).sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3])),
    );
    assert.ok(paged.length >= 7, `${paged.length} leases`);
    for (const h of hosts) assert.equal(paged.filter((a) => a === h.address).length, 1, h.address);
  } finally {
    for (const h of hosts) await kea.command('lease4-del', { 'ip-address': h.address });
  }
});

test('a lease planted without our mark is reported not ours, never removed, and its address is not taken by a put', async () => {
  const edge = openKea({ url: kea.agentUrl, timeoutMs: 2_000 });
  const planted = await kea.command('lease4-add', {
    'ip-address': '10.77.0.60',
    'hw-address': '52:54:00:12:34:56',
    'subnet-id': 77,
    'valid-lft': 600,
  });
  assert.equal(planted.result, 0, planted.text);
  await edge.put({ ...HOST, mac: '02:00:0a:4d:00:33', address: '10.77.0.51', hostname: 'vm-51' }, 600);
  const entries = await edge.read();
  const foreign = entries.find((e) => e.address === '10.77.0.60');
  assert.deepEqual(foreign && [foreign.mac, foreign.ours], ['52:54:00:12:34:56', false]);
  for (const entry of entries.filter((e) => e.ours)) await edge.remove(entry);
  const left = (await edge.read()).map((e) => e.address);
  assert.ok(left.includes('10.77.0.60'), `the planted lease stays: ${left}`);
  assert.ok(
    !left.includes('10.77.0.50') && !left.includes('10.77.0.51'),
    `our leases are gone from lease4-get-all: ${left}`,
  );
  await expectIpamRejection(edge.remove(foreign!), 'conflict', [kea.agentUrl, 'lease4-del', '10.77.0.60']);
  await expectIpamRejection(edge.put({ ...HOST, address: '10.77.0.60' }, 600), 'conflict', [
    kea.agentUrl,
    '10.77.0.60',
    '52:54:00:12:34:56',
  ]);
  assert.equal((await leaseAt('10.77.0.60'))?.['hw-address'], '52:54:00:12:34:56', 'untouched');
});

test('without a guard Kea 2.2 gives a MAC the book does not know a free pool address (never a put one), which read reports as not ours', async () => {
  const edge = openKea({ url: kea.agentUrl, timeoutMs: 2_000 });
  await edge.put(HOST, 3_600);
  const client = await openRelayedClient(kea.dhcp);
  try {
    const { answer } = await client.obtain('52:54:00:aa:bb:cc');
    assert.equal(answer?.type, 'ack', 'Kea serves unknown clients from the pool');
    assert.notEqual(answer.yiaddr, '10.77.0.50');
    const entry = (await edge.read()).find((e) => e.address === answer.yiaddr);
    assert.deepEqual(entry && [entry.mac, entry.ours], ['52:54:00:aa:bb:cc', false]);
  } finally {
    await client.close();
  }
});

test("with the DROP guard the renderer writes, an unknown MAC gets nothing while the book's MAC still gets its address", async () => {
  const guarded = await startKeaServer(keaSubnets({ macs: [HOST.mac] }));
  const client = await openRelayedClient(guarded.dhcp, 1_500);
  try {
    const edge = openKea({ url: guarded.agentUrl, timeoutMs: 2_000 });
    await edge.put(HOST, 3_600);
    // Kea answers in order: once the book MAC's OFFER is in, the unknown one's would have come.
    const unknown = client.discover('52:54:00:aa:bb:cc');
    const known = await client.discover(HOST.mac);
    assert.equal(known?.yiaddr, '10.77.0.50');
    assert.equal(await unknown, undefined, 'no OFFER to the unknown MAC');
    assert.deepEqual(
      (await edge.read()).map((e) => e.address),
      ['10.77.0.50'],
    );
  } finally {
    await client.close();
    await guarded.stop();
  }
});

test('a control agent that hangs fails within the timeout, one that is stopped at once, each in one line naming it', async () => {
  const edge = openKea({ url: kea.agentUrl, timeoutMs: 500 });
  kea.agent.pause();
  try {
    await expectIpamRejection(edge.read(), 'store-io', [kea.agentUrl, 'no answer within 500 ms']);
  } finally {
    kea.agent.resume();
  }
  await kea.agent.stop();
  await expectIpamRejection(edge.read(), 'store-io', [kea.agentUrl, 'ECONNREFUSED']);
});
