/** The plan: what one sync pass sends each target, against what the targets hold. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAMILIES } from '../../../../src/core/address/family.ts';
import { desiredState, type DesiredState } from '../../../../src/core/sync/desired-state.ts';
import { plan } from '../../../../src/core/sync/plan.ts';
import type { Observed, SyncPlan } from '../../../../src/core/sync/sync-plan.ts';
import type { DnsRecord, ObservedDhcpEntry } from '../../../../src/core/sync/target-records.ts';
import { applyDhcp, applyUpdate } from '../../../support/sync-server-model.ts';
import { ip, syncBook, syncConfig } from '../../../support/sync-fixtures.ts';

const NOW = Date.parse('2026-12-07T16:00:00.000Z');
const NOW_S = NOW / 1000;
const FWD = 'cloud.example.com';
const REV = '0.77.10.in-addr.arpa';
const REV6 = '0.0.0.0.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa';
const desired = (): DesiredState =>
  desiredState(syncBook(), syncConfig(), { vms: new Map([['2001:db8:77::100', { id: 7, name: 'web1' }]]) });

function observed(
  zones: Partial<Record<string, DnsRecord[] | null>> = {},
  kea: ObservedDhcpEntry[] | null = [],
): Observed {
  return {
    zones: [FWD, REV, REV6].flatMap((zone) =>
      zones[zone] === null ? [] : [{ target: 'bind', zone, records: zones[zone] ?? [] }],
    ),
    dhcp: kea === null ? [] : [{ target: 'kea', entries: kea }],
  };
}
const A = (name: string, data: string): DnsRecord => ({ name: `${name}.${FWD}`, type: 'A', ttl: 300, data });
const mark = (name: string, owner: string, lease: string): DnsRecord => ({
  name: `_nebula-ipam.${name}`,
  type: 'TXT',
  ttl: 300,
  data: `heritage=nebula-ipam,owner=${owner},lease=${lease}`,
});
const updatesOf = (p: SyncPlan) => p.dns.flatMap((d) => d.updates);
const updateAt = (p: SyncPlan, name: string) =>
  updatesOf(p).find((u) => [...u.add, ...u.remove].some((r) => r.name === name));

/** The targets after the plan, as the server models apply it. */
function applied(d: DesiredState, obs: Observed, p: SyncPlan, expiresAt = NOW_S + 3600): Observed {
  const zones = obs.zones.map((z) => {
    let records = [...z.records];
    for (const u of updatesOf(p).filter((u) => u.zone === z.zone)) records = applyUpdate(records, u).records;
    return { ...z, records };
  });
  const dhcp = obs.dhcp.map((k) => {
    const t = p.dhcp.find((x) => x.target === k.target)!;
    return {
      ...k,
      entries: applyDhcp(
        k.entries,
        t.put.map((x) => x.host),
        t.remove,
        expiresAt,
      ),
    };
  });
  void d;
  return { zones, dhcp };
}

test('a first pass over empty zones adds every name with name-not-in-use and no TXT mark yet; a second pass has nothing to do', () => {
  const d = desired();
  const obs = observed();
  const first = plan(d, obs, NOW);
  const u = updateAt(first, `vm-10-77-0-10.${FWD}`)!;
  assert.deepEqual(u.prerequisites, [
    { kind: 'name-not-in-use', name: `vm-10-77-0-10.${FWD}` },
    { kind: 'rrset-absent', name: `_nebula-ipam.vm-10-77-0-10.${FWD}`, type: 'TXT' },
  ]);
  assert.deepEqual(
    u.add,
    [mark(`vm-10-77-0-10.${FWD}`, 'cloud-a', 'r1/10.77.0.10'), A('vm-10-77-0-10', '10.77.0.10')],
    'sorted by name',
  );
  assert.deepEqual(u.remove, []);
  assert.equal(updatesOf(first).length, 7 + 7, 'one UPDATE per name: 7 forward names, 6 IPv4 and 1 IPv6 PTR names');
  assert.deepEqual(
    first.dhcp[0]!.put.map((p) => `${p.host.address} ${p.why}`),
    ['10.77.0.10 new', '10.77.0.11 new', '10.77.0.12 new', '10.77.0.13 new', '10.77.0.100 new', '2001:db8:77::100 new'],
  );
  assert.deepEqual(first.tallies, [
    { target: 'bind', kind: 'dns', desired: 14, inPlace: 0, pending: 14, conflicting: 0, unverified: 0, read: true },
    { target: 'kea', kind: 'dhcp', desired: 6, inPlace: 0, pending: 6, conflicting: 0, unverified: 0, read: true },
  ]);

  const second = plan(d, applied(d, obs, first), NOW);
  assert.deepEqual(updatesOf(second), []);
  assert.deepEqual(second.dhcp[0], { target: 'kea', put: [], remove: [] });
  assert.deepEqual(
    second.tallies.map((t) => [t.inPlace, t.pending]),
    [
      [14, 0],
      [6, 0],
    ],
  );
});

test('a name somebody else holds is a conflict: no update for it, its records untouched', () => {
  const theirs = A('vm-10-77-0-10', '10.77.0.10');
  const p = plan(desired(), observed({ [FWD]: [theirs] }), NOW);
  assert.equal(updateAt(p, theirs.name), undefined);
  assert.deepEqual(p.conflicts, [
    { kind: 'name-taken', target: 'bind', zone: FWD, name: theirs.name, otherOwners: [] },
  ]);
  assert.equal(p.tallies[0]!.conflicting, 1);
  assert.equal(p.tallies[0]!.pending, 13);
});

test("a name another book's marks claim is a conflict naming that owner", () => {
  const name = `vm-10-77-0-10.${FWD}`;
  const p = plan(
    desired(),
    observed({ [FWD]: [A('vm-10-77-0-10', '10.77.0.10'), mark(name, 'cloud-b', 'r9/10.77.0.10')] }),
    NOW,
  );
  assert.deepEqual(p.conflicts, [{ kind: 'name-taken', target: 'bind', zone: FWD, name, otherOwners: ['cloud-b'] }]);
  assert.equal(updateAt(p, name), undefined);
});

test('a change: what we wrote is replaced, under rrset-equals of the rrset and the marks as read', () => {
  const name = `10.0.77.10.in-addr.arpa`;
  const old: DnsRecord = { name, type: 'PTR', ttl: 300, data: `old-name.${FWD}` };
  const ourMark = mark(name, 'cloud-a', 'r1/10.77.0.10');
  const p = plan(desired(), observed({ [REV]: [old, ourMark] }), NOW);
  const u = updateAt(p, name)!;
  assert.deepEqual(u.prerequisites, [
    { kind: 'rrset-equals', records: [old] },
    { kind: 'rrset-equals', records: [ourMark] },
  ]);
  assert.deepEqual(u.remove, [old]);
  assert.deepEqual(u.add, [{ ...old, data: `vm-10-77-0-10.${FWD}` }]);
});

test('a delete: records of ours the book no longer wants go, only while they hold exactly what we wrote; a record beside them stays', () => {
  const name = `vm-10-77-0-14.${FWD}`;
  const ours = A('vm-10-77-0-14', '10.77.0.14');
  const beside = A('vm-10-77-0-14', '10.77.0.99');
  const ourMark = mark(name, 'cloud-a', 'r1/10.77.0.14');
  const p = plan(desired(), observed({ [FWD]: [ours, beside, ourMark] }), NOW);
  const u = updateAt(p, name)!;
  assert.deepEqual(u.prerequisites, [
    { kind: 'rrset-equals', records: [ours, beside] },
    { kind: 'rrset-equals', records: [ourMark] },
  ]);
  assert.deepEqual(u.remove, [ourMark, ours]);
  assert.deepEqual(u.add, []);
  assert.deepEqual(
    p.holds.map((h) => `${FAMILIES[h.family].format(h.address)} ${h.pool} ${h.reason}`),
    [`10.77.0.99 lan A record ${name} on target bind`],
    'the record beside ours uses a free pool address: a hold',
  );
});

test('records of somebody else that use pool addresses: on a lease a conflict, in free pool space a hold, gateway and outside addresses nothing', () => {
  const onLease = A('printer-by-hand', '10.77.0.15');
  const inPool = A('laptop', '10.77.0.50');
  const freeInRange = A('squatter', '10.77.0.14');
  const gateway = A('gw', '10.77.0.1');
  const outside = A('www', '192.0.2.80');
  const ptr: DnsRecord = { name: '60.0.77.10.in-addr.arpa', type: 'PTR', ttl: 60, data: 'old.example.com' };
  const p = plan(desired(), observed({ [FWD]: [onLease, inPool, freeInRange, gateway, outside], [REV]: [ptr] }), NOW);
  assert.deepEqual(p.conflicts, [
    { kind: 'record-on-lease', target: 'bind', zone: FWD, record: onLease, address: '10.77.0.15', range: 'r1' },
  ]);
  assert.deepEqual(
    p.holds,
    [
      {
        family: 'ipv4',
        address: ip('10.77.0.60'),
        pool: 'lan',
        source: 'dns',
        reason: 'PTR record 60.0.77.10.in-addr.arpa on target bind',
        seenAt: '2026-12-07T16:00:00.000Z',
      },
      {
        family: 'ipv4',
        address: ip('10.77.0.50'),
        pool: 'lan',
        source: 'dns',
        reason: `A record laptop.${FWD} on target bind`,
        seenAt: '2026-12-07T16:00:00.000Z',
      },
      {
        family: 'ipv4',
        address: ip('10.77.0.14'),
        pool: 'lan',
        source: 'dns',
        reason: `A record squatter.${FWD} on target bind`,
        seenAt: '2026-12-07T16:00:00.000Z',
      },
    ],
    'zones in name order (the reverse zone first), records as read',
  );
  for (const r of [onLease, inPool, freeInRange, gateway, outside, ptr])
    assert.ok(!updatesOf(p).some((u) => u.remove.some((x) => x.name === r.name)));
});

test('DHCP: ours in place stays, half expired is renewed, another MAC is changed, one the book lost is removed; foreign entries are conflicts or holds, never removed', () => {
  const entries: ObservedDhcpEntry[] = [
    { family: 'ipv4', mac: '02:00:0a:4d:00:0a', address: '10.77.0.10', ours: true, expiresAt: NOW_S + 3000 },
    { family: 'ipv4', mac: '02:00:00:00:00:b1', address: '10.77.0.11', ours: true, expiresAt: NOW_S + 1799 },
    { family: 'ipv4', mac: '52:54:00:ff:ff:ff', address: '10.77.0.12', ours: true, expiresAt: NOW_S + 3000 },
    { family: 'ipv4', mac: '52:54:00:00:00:09', address: '10.77.0.19', ours: true, expiresAt: NOW_S + 3000 },
    { family: 'ipv4', mac: 'aa:bb:cc:00:00:01', address: '10.77.0.13', ours: false, expiresAt: NOW_S + 100 },
    { family: 'ipv4', mac: 'aa:bb:cc:00:00:02', address: '10.77.0.200', ours: false, expiresAt: NOW_S + 100 },
    { family: 'ipv4', mac: 'aa:bb:cc:00:00:03', address: '172.16.0.5', ours: false },
  ];
  const p = plan(desired(), observed({}, entries), NOW);
  const kea = p.dhcp[0]!;
  assert.deepEqual(
    kea.put.map((x) => `${x.host.address} ${x.why}`),
    ['10.77.0.11 renew', '10.77.0.12 changed', '10.77.0.100 new', '2001:db8:77::100 new'],
  );
  assert.deepEqual(kea.remove, [entries[3]]);
  assert.deepEqual(p.conflicts, [{ kind: 'dhcp-on-lease', target: 'kea', entry: entries[4], range: 'r1' }]);
  assert.deepEqual(
    p.holds.map((h) => `${FAMILIES[h.family].format(h.address)} ${h.pool} ${h.reason}`),
    ['10.77.0.200 lan DHCP lease of aa:bb:cc:00:00:02 on target kea'],
  );
  assert.deepEqual(p.tallies[1], {
    target: 'kea',
    kind: 'dhcp',
    desired: 6,
    inPlace: 1,
    pending: 4,
    conflicting: 1,
    unverified: 0,
    read: true,
  });
});

test('a zone or DHCP target that was not read gets nothing planned and is listed as unread', () => {
  const p = plan(desired(), observed({ [REV]: null }, null), NOW);
  assert.deepEqual(p.unread, [{ target: 'bind', zone: REV }, { target: 'kea' }]);
  assert.ok(!updatesOf(p).some((u) => u.zone === REV));
  assert.deepEqual(p.dhcp, []);
  assert.equal(p.tallies[0]!.read, false);
  assert.equal(p.tallies[1]!.read, false);
  assert.equal(p.tallies[1]!.pending, 0, 'not read: unverified, not pending');
  assert.equal(p.tallies[1]!.unverified, 6);
});

test("a foreign record in a range's carved subnet, outside its addresses, is held and reported; nothing is deleted", () => {
  // r1 carved the whole /24 (its block) but has only 10.77.0.10-19: 10.77.0.200 is in no range.
  const carved = syncBook();
  const r1 = { ...carved.ranges[0]!, block: { first: ip('10.77.0.0'), last: ip('10.77.0.255') } };
  const book = { ...carved, ranges: [r1, ...carved.ranges.slice(1)] };
  const d = desiredState(book, syncConfig(), { vms: new Map([['2001:db8:77::100', { id: 7, name: 'web1' }]]) });
  const theirs = A('nas', '10.77.0.200');
  const ptr: DnsRecord = { name: '201.0.77.10.in-addr.arpa', type: 'PTR', ttl: 60, data: `nas2.${FWD}` };
  const p = plan(d, observed({ [FWD]: [theirs], [REV]: [ptr] }), NOW);
  assert.deepEqual(
    p.holds.map((h) => `${FAMILIES[h.family].format(h.address)} ${h.pool} ${h.source} ${h.reason}`),
    [
      `10.77.0.201 lan dns PTR record ${ptr.name} on target bind`,
      `10.77.0.200 lan dns A record ${theirs.name} on target bind`,
    ],
    'held as a record in free pool space is (the reverse zone first)',
  );
  assert.deepEqual(p.carvedSpace, [
    { target: 'bind', zone: REV, record: ptr, address: '10.77.0.201', range: 'r1', pool: 'lan' },
    { target: 'bind', zone: FWD, record: theirs, address: '10.77.0.200', range: 'r1', pool: 'lan' },
  ]);
  assert.deepEqual(p.conflicts, []);
  for (const r of [theirs, ptr]) assert.ok(!updatesOf(p).some((u) => u.remove.some((x) => x.name === r.name)));
  assert.deepEqual(plan(desired(), observed(), NOW).carvedSpace, [], 'none without such a record');
});
