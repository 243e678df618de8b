/**
 * `nebula-ipam sync` with a real Kea 2.2 (Debian's kea-dhcp4-server and kea-ctrl-agent, started
 * by test/support/kea-server.ts on 127.0.0.1), end to end through the built command: leases
 * made through the action links as oned makes them, and by `lease --mac`, become Kea leases with
 * the lifetime the config sets, and a relayed DISCOVER/REQUEST from Node (relay on 127.0.0.2)
 * gets exactly the book's address, gateway and DNS servers; a free removes the lease; a second
 * pass renews and changes nothing else; a Kea lease nebula-ipam did not make is reported, never
 * deleted, and inside the pool it becomes a hold that nothing hands out; a pass that fails
 * partway says only what it did. Every packet goes to 127.0.0.0/8; 192.0.2.0/26 is data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { renderKeaSubnets } from '../../../src/targets/kea/subnet-options.ts';
import { expectCliFailure } from '../../support/cli-harness.ts';
import { openRelayedClient } from '../../support/dhcp-client.ts';
import { type KeaServer, startKeaServer } from '../../support/kea-server.ts';
import { expectCliFailureLine } from '../../support/sync-dns-scenarios.ts';
import { expectHold, heldUntilReleased } from '../../support/sync-holds.ts';
import { createSyncSandbox, DNS_SERVER, GATEWAY, POOL, type SyncSandbox } from '../../support/sync-sandbox.ts';

const SUBNET_ID = 26;
/** What Kea gives on a client's renewal (its valid-lifetime); the config's lifetime is longer. */
const KEA_LIFETIME = 300;
const LIFETIME = 1200;

/** A Kea serving pool p (192.0.2.0/26) as renderKeaSubnets writes it, reached through the relay 127.0.0.2. */
function startPoolKea(): Promise<KeaServer> {
  const rendered = renderKeaSubnets([
    {
      id: SUBNET_ID,
      family: 'ipv4',
      subnet: POOL,
      ranges: [{ first: '192.0.2.2', last: '192.0.2.62' }],
      gateway: GATEWAY,
      dnsServers: [DNS_SERVER],
    },
  ]).Dhcp4!;
  const subnets = (rendered.subnet4 as Record<string, unknown>[]).map((s) => ({
    ...s,
    relay: { 'ip-addresses': ['127.0.0.2'] },
  }));
  return startKeaServer({ subnets, validLifetime: KEA_LIFETIME });
}

type KeaLease = Record<string, unknown>;

function leaseReader(kea: KeaServer) {
  return async (address: string): Promise<KeaLease | undefined> => {
    const answer = await kea.command('lease4-get', { 'ip-address': address });
    return answer.result === 0 ? (answer.arguments as KeaLease) : undefined;
  };
}

function plant(kea: KeaServer, address: string, mac: string) {
  return kea.command('lease4-add', {
    'ip-address': address,
    'hw-address': mac,
    'subnet-id': SUBNET_ID,
    'valid-lft': 600,
  });
}

/** `ip` plus `n` in its last octet (the pool is a /26: no carry). */
const plus = (ip: string, n: number) => ip.replace(/\d+$/, (last) => String(Number(last) + n));

/** A sync that went through: exit 0 and stdout. */
function synced(s: SyncSandbox): string {
  const result = s.cli(['sync']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  return result.stdout;
}

describe('sync with Kea, end to end', () => {
  let kea: KeaServer;
  let s: SyncSandbox;
  let leaseAt: ReturnType<typeof leaseReader>;
  let ip1: string;
  let ip2: string;
  let mac1: string;
  before(async () => {
    kea = await startPoolKea();
    leaseAt = leaseReader(kea);
    s = createSyncSandbox(undefined, { keaUrl: kea.agentUrl, lifetimeSeconds: LIFETIME, size: 8 });
  });
  after(async () => {
    s?.cleanup();
    await kea?.stop();
  });

  it("oned's leases become Kea leases with the config's lifetime, and a relayed DISCOVER/REQUEST gets exactly the book's address, gateway and DNS; status says lease mode", async () => {
    ip1 = s.lease();
    ip2 = plus(s.ar.attrs.IP!, 5);
    const allocated = s.allocate(ip2);
    assert.equal(allocated.code, 0, allocated.stderr);
    mac1 = s.ar.address(s.ar.indexOf(ip1)).MAC;
    const mac2 = s.ar.address(s.ar.indexOf(ip2)).MAC;
    assert.match(synced(s), /^DHCP target kea: added 2 leases$/m);
    for (const [ip, mac] of [
      [ip1, mac1],
      [ip2, mac2],
    ] as const) {
      const lease = await leaseAt(ip);
      assert.deepEqual(
        [lease?.['hw-address'], lease?.['valid-lft'], lease?.['subnet-id']],
        [mac, LIFETIME, SUBNET_ID],
        `${ip}: ${JSON.stringify(lease)}`,
      );
      assert.ok((lease!['user-context'] as Record<string, unknown>)['nebula-ipam'], 'carries our mark');
    }

    // The book's own word on the host: its lease's MAC, its range's gateway and DNS servers.
    const book = s.json<{ range: { gateway: string; dns: string[] } }>(['show', 'r1']).range;
    assert.equal(s.json<{ lease: { mac: string } }>(['show', ip1]).lease.mac, mac1);
    const client = await openRelayedClient(kea.dhcp);
    try {
      const { offer, answer } = await client.obtain(mac1);
      assert.equal(offer?.type, 'offer', 'Kea offered');
      assert.equal(offer.yiaddr, ip1);
      assert.equal(answer?.type, 'ack', 'Kea acknowledged the REQUEST');
      assert.equal(answer.yiaddr, ip1);
      assert.deepEqual(answer.routers, [book.gateway]);
      assert.deepEqual(answer.dnsServers, book.dns);
    } finally {
      await client.close();
    }

    const status = s.cli(['status']);
    assert.match(
      status.stdout,
      /^ {2}kea \(dhcp, Kea leases \(lease_cmds\)\): 2 desired, 2 in place, 0 pending, 0 conflicting; last success \S+ \(\d+ s ago\); answering$/m,
    );
    const json = s.json<{ targets: { target: string; state: { dhcpMode: string } }[] }>(['status']);
    assert.deepEqual(
      json.targets.map((t) => [t.target, t.state.dhcpMode]),
      [['kea', 'leases']],
    );
  });

  it("a second pass renews the lease the client's renewal cut to Kea's lifetime and changes nothing else; a third has nothing to do", async () => {
    assert.equal((await leaseAt(ip1))?.['valid-lft'], KEA_LIFETIME, "the client's renewal took Kea's lifetime");
    const untouched = await leaseAt(ip2);
    const again = synced(s);
    assert.match(again, /^DHCP target kea: renewed 1 lease\n {2}renew {2}/);
    assert.doesNotMatch(again, /added|removed|changed/);
    const renewed = await leaseAt(ip1);
    assert.deepEqual([renewed?.['hw-address'], renewed?.['valid-lft']], [mac1, LIFETIME]);
    assert.deepEqual(await leaseAt(ip2), untouched, 'the other lease is exactly as it was');
    assert.match(synced(s), /^Nothing to change: 2 DHCP leases on kea in place\.$/m);
  });

  it('lease --mac: the operator lease gets its DHCP entry; a bad MAC, or one the range leases, is one line and changes nothing', async () => {
    const host = plus(s.ar.attrs.IP!, 6);
    const generation = () => s.json<{ generation: number }>(['status']).generation;
    const at = generation();
    const bad = s.cli(['lease', '--pool', 'p', '--ip', host, '--owner', 'bm', '--mac', '52:54:00:zz:00:08']);
    expectCliFailure(bad, 2, ['--mac', '"52:54:00:zz:00:08"', 'not a MAC address']);
    const twice = s.cli(['lease', '--pool', 'p', '--ip', host, '--owner', 'bm', '--mac', mac1]);
    assert.equal(twice.code, 5, twice.stderr);
    assert.match(
      twice.stderr,
      new RegExp(
        `^Cannot lease ${host.replaceAll('.', '\\.')} with MAC ${mac1}: range r1 already leases it \\(to OpenNebula`,
        'm',
      ),
    );
    assert.equal(generation(), at, 'the book is unchanged');

    const leased = s.cli(['lease', '--pool', 'p', '--ip', host, '--owner', 'bm', '--mac', '52:54:00:00:00:08']);
    assert.equal(leased.code, 0, leased.stderr);
    assert.match(
      leased.stdout,
      new RegExp(
        `^Leased ${host.replaceAll('.', '\\.')} to "bm" \\(range r1, pool p\\) with MAC 52:54:00:00:00:08$`,
        'm',
      ),
    );
    assert.match(s.cli(['log']).stdout, /lease .*MAC 52:54:00:00:00:08/, 'the audit log has the MAC');
    assert.match(synced(s), /^DHCP target kea: added 1 lease\n {2}add {2}\S+ 52:54:00:00:00:08$/m);
    assert.equal((await leaseAt(host))?.['hw-address'], '52:54:00:00:00:08');
    const client = await openRelayedClient(kea.dhcp);
    try {
      const { answer } = await client.obtain('52:54:00:00:00:08');
      assert.deepEqual(
        [answer?.type, answer?.yiaddr, answer?.routers, answer?.dnsServers],
        ['ack', host, [GATEWAY], [DNS_SERVER]],
      );
    } finally {
      await client.close();
    }
    assert.equal(s.cli(['release', '--ip', host]).code, 0);
    assert.match(synced(s), /^DHCP target kea: removed 1 lease$/m);
    assert.equal(await leaseAt(host), undefined);
  });

  it('free_address, then sync: the Kea lease is gone', async () => {
    s.free(ip2);
    assert.match(synced(s), /^DHCP target kea: removed 1 lease\n {2}remove {2}/m);
    assert.equal(await leaseAt(ip2), undefined);
    assert.ok(await leaseAt(ip1), 'the other lease stays');
  });

  it('a Kea lease nebula-ipam did not make is reported and never deleted: on a lease a conflict, once freed a hold', async () => {
    const ip3 = s.lease();
    const planted = await plant(kea, ip3, '52:54:00:99:99:99');
    assert.equal(planted.result, 0, planted.text);
    const theirs = await leaseAt(ip3);
    const result = s.cli(['sync']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `^1 conflict, left as it is:\\n {2}DHCP target kea leases ${ip3.replaceAll('.', '\\.')} to 52:54:00:99:99:99, leased in range r1 by the book$`,
        'm',
      ),
    );
    assert.deepEqual(await leaseAt(ip3), theirs, 'left exactly as it was');
    s.free(ip3);
    const since = Date.now();
    assert.match(synced(s), /^Held 1 address seen in use outside the book/m);
    expectHold(s, ip3, 'dhcp', 'DHCP lease of 52:54:00:99:99:99 on target kea', since);
    assert.deepEqual(await leaseAt(ip3), theirs, 'a hold frees nothing');
  });
});

describe('sync with Kea: a planted Kea lease inside the pool becomes a hold', () => {
  let kea: KeaServer;
  let s: SyncSandbox;
  let leaseAt: ReturnType<typeof leaseReader>;
  before(async () => {
    kea = await startPoolKea();
    leaseAt = leaseReader(kea);
    s = createSyncSandbox(undefined, { keaUrl: kea.agentUrl, size: 4 });
  });
  after(async () => {
    s?.cleanup();
    await kea?.stop();
  });

  it('held with reason and time, never handed out until released, and the lease never freed or changed', async () => {
    const planted = plus(s.ar.attrs.IP!, 2);
    assert.equal((await plant(kea, planted, '52:54:00:aa:00:01')).result, 0);
    const theirs = await leaseAt(planted);
    const since = Date.now();
    assert.match(synced(s), /^Held 1 address seen in use outside the book \(nebula-ipam hold list\)$/m);
    expectHold(s, planted, 'dhcp', 'DHCP lease of 52:54:00:aa:00:01 on target kea', since);

    const { filled, conflict } = heldUntilReleased(s, planted, '52:54:00:aa:00:01');
    assert.match(filled, /^DHCP target kea: added 3 leases$/m);
    // The book leases it now: Kea's lease there is a conflict, still left alone (and ours not put over it).
    assert.match(conflict, /DHCP target kea leases \S+ to 52:54:00:aa:00:01, leased in range r1 by the book/);
    assert.deepEqual(await leaseAt(planted), theirs, 'the planted lease is exactly as it was, through both passes');
  });
});

describe('sync with Kea: a pass that fails partway', () => {
  let kea: KeaServer;
  let s: SyncSandbox;
  before(async () => {
    kea = await startPoolKea();
    // Pool q sends its leases to the same Kea, which has no subnet for it.
    const q = {
      name: 'q',
      network: '192.0.2.64/26',
      subnetPrefix: 26,
      gateway: 'first',
      dns: [DNS_SERVER],
      dhcp: { server: 'kea' },
    };
    s = createSyncSandbox(undefined, { keaUrl: kea.agentUrl, size: 4, morePools: [q] });
  });
  after(async () => {
    s?.cleanup();
    await kea?.stop();
  });

  it('says only what it applied, one stderr line for the failure, and status counts what is in place', () => {
    s.lease();
    for (const n of [70, 71])
      assert.equal(
        s.cli(['lease', '--pool', 'q', '--ip', `192.0.2.${n}`, '--owner', 'bm', '--mac', `52:54:00:00:00:${n}`]).code,
        0,
      );
    const result = s.cli(['sync']);
    // The first lease went in; the next one's subnet is missing (a config error, so the rest wait).
    assert.match(result.stdout, /^DHCP target kea: added 1 lease; 2 lease changes not done\n/);
    assert.match(result.stdout, /^ {2}add {2}192\.0\.2\.70 52:54:00:00:00:70 \(not done\)$/m);
    expectCliFailureLine(result, 4, ['kea', 'has no subnet 192.0.2.64/26']);
    assert.match(
      s.cli(['status']).stdout,
      /kea \(dhcp, Kea leases \(lease_cmds\)\): 3 desired, 1 in place, 2 pending, 0 conflicting; never in step; failing since \S+: /,
    );
    // The next pass, as JSON: the lease in place stays, the two still wait.
    const json = s.cli(['--json', 'sync']);
    assert.equal(json.code, 4, json.stderr);
    const [after] = (JSON.parse(json.stdout) as { after: Record<string, unknown>[] }).after;
    assert.deepEqual(
      [after!.target, after!.inPlace, after!.pending, after!.notApplied, after!.done],
      ['kea', 1, 2, 2, { add: 0, change: 0, renew: 0, delete: 0 }],
    );
  });
});
