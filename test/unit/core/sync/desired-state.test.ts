/** Desired state: the records and DHCP hosts the book and config call for, and the addresses left without a name. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredState } from '../../../../src/core/sync/desired-state.ts';
import { book, ip, ip6, lease, range, syncBook, syncConfig, SYNC_POOLS } from '../../../support/sync-fixtures.ts';

const V6_ZONE = '0.0.0.0.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa';
const zone = (d: ReturnType<typeof desiredState>, name: string) => d.zones.find((z) => z.zone === name)!.records;
const TXT = (name: string, rangeId: string, address: string, ttl = 300) => ({
  name: `_nebula-ipam.${name}`,
  type: 'TXT',
  ttl,
  data: `heritage=nebula-ipam,owner=cloud-a,lease=${rangeId}/${address}`,
});

test('every leased address of a named pool gets A (or AAAA), PTR and their ownership TXT records', () => {
  const desired = desiredState(syncBook(), syncConfig(), {
    vms: new Map([['2001:db8:77::100', { id: 7, name: 'Web_1' }]]),
  });
  assert.deepEqual(
    desired.zones.map((z) => `${z.target} ${z.kind} ${z.zone}`),
    [
      'bind reverse 0.0.0.0.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'bind reverse 0.77.10.in-addr.arpa',
      'bind forward cloud.example.com',
    ],
    'sorted by target, then zone',
  );
  const forward = zone(desired, 'cloud.example.com');
  assert.deepEqual(
    forward.filter(
      (r) => r.name === 'vm-10-77-0-10.cloud.example.com' || r.name === '_nebula-ipam.vm-10-77-0-10.cloud.example.com',
    ),
    [
      TXT('vm-10-77-0-10.cloud.example.com', 'r1', '10.77.0.10'),
      { name: 'vm-10-77-0-10.cloud.example.com', type: 'A', ttl: 300, data: '10.77.0.10' },
    ],
  );
  // Every address of the operator's two-address block, and the one without a MAC: DNS needs no MAC.
  const names = forward.filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => `${r.name} ${r.type} ${r.data}`);
  assert.deepEqual(names, [
    'vm-10-77-0-10.cloud.example.com A 10.77.0.10',
    'vm-10-77-0-100.cloud.example.com A 10.77.0.100',
    'vm-10-77-0-11.cloud.example.com A 10.77.0.11',
    'vm-10-77-0-12.cloud.example.com A 10.77.0.12',
    'vm-10-77-0-13.cloud.example.com A 10.77.0.13',
    'vm-10-77-0-15.cloud.example.com A 10.77.0.15',
    'web-1.cloud.example.com AAAA 2001:db8:77::100',
  ]);
  const reverse = zone(desired, '0.77.10.in-addr.arpa');
  assert.deepEqual(
    reverse.filter((r) => r.name.startsWith('10.0.77') || r.name.startsWith('_nebula-ipam.10.0.77')),
    [
      { name: '10.0.77.10.in-addr.arpa', type: 'PTR', ttl: 300, data: 'vm-10-77-0-10.cloud.example.com' },
      TXT('10.0.77.10.in-addr.arpa', 'r1', '10.77.0.10'),
    ],
  );
  const ptr6 = zone(desired, V6_ZONE).filter((r) => r.type === 'PTR');
  assert.equal(ptr6.length, 1);
  assert.ok(ptr6[0]!.name.startsWith('0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.'));
  assert.equal(ptr6[0]!.data, 'web-1.cloud.example.com');
  assert.deepEqual(desired.findings, []);
});

test('DHCP hosts: every leased address with a MAC, with the gateway, DNS, MTU and search domain of its pool', () => {
  const desired = desiredState(syncBook(), syncConfig());
  assert.deepEqual(
    desired.dhcp.map((d) => d.target),
    ['kea'],
  );
  const hosts = desired.dhcp[0]!.hosts;
  assert.deepEqual(
    hosts.map((h) => `${h.address} ${h.mac}`),
    [
      '10.77.0.10 02:00:0a:4d:00:0a', // oned's lease: the range's MAC + index
      '10.77.0.11 02:00:00:00:00:b1', // its own MAC
      '10.77.0.12 52:54:00:00:00:02', // an operator lease with a MAC, counted on per address
      '10.77.0.13 52:54:00:00:00:03',
      '10.77.0.100 02:00:0a:4d:00:64',
      '2001:db8:77::100 02:00:0a:4d:00:64',
    ],
    'the operator lease without a MAC (10.77.0.15) has no DHCP host',
  );
  assert.deepEqual(hosts[0], {
    family: 'ipv4',
    mac: '02:00:0a:4d:00:0a',
    address: '10.77.0.10',
    hostname: 'vm-10-77-0-10.cloud.example.com',
    subnet: '10.77.0.0/24',
    gateway: '10.77.0.1',
    dnsServers: ['10.77.0.2'],
    mtu: 1450,
    searchDomain: 'cloud.example.com',
    lifetimeSeconds: 3600,
  });
  const v6 = hosts[5]!;
  assert.equal(v6.family, 'ipv6');
  assert.equal(v6.gateway, undefined, 'lan6 has gateway "none"');
  assert.equal(v6.hostname, undefined, 'no VM known: no name');
});

test("the gateway is the carved subnet's, as show computes it", () => {
  const pools = [{ ...SYNC_POOLS[0]!, network: '10.77.0.0/16', subnetPrefix: 26, gateway: 'last' }];
  const carved = book([
    range('r1', {
      type: 'IP4',
      size: 2n,
      ip: ip('10.77.0.65'),
      mac: 0x020000000001n,
      pool: 'lan',
      block: { first: ip('10.77.0.64'), last: ip('10.77.0.127') },
      leases: [lease(0, 0)],
    }),
  ]);
  const [host] = desiredState(carved, syncConfig(pools)).dhcp[0]!.hosts;
  assert.equal(host!.subnet, '10.77.0.64/26');
  assert.equal(host!.gateway, '10.77.0.126');
});

test('an address whose name needs a value nobody knows gets no records, and a finding that says which', () => {
  const desired = desiredState(syncBook(), syncConfig());
  assert.deepEqual(desired.findings, [
    { kind: 'no-name', range: 'r2', address: '2001:db8:77::100', pool: 'lan6', missing: 'vm' },
  ]);
  assert.equal(zone(desired, V6_ZONE).length, 0, 'no PTR without a name to point at');
  const byOwner = desiredState(
    syncBook(),
    syncConfig([
      { ...SYNC_POOLS[0]!, dnsNames: { forwardZone: 'cloud.example.com', name: '{owner}', server: 'bind' } },
    ]),
  );
  assert.deepEqual(
    byOwner.findings.map((f) => (f.kind === 'no-name' ? `${f.address} ${f.missing}` : f.kind)),
    ['10.77.0.10 owner', '10.77.0.11 owner', '10.77.0.100 owner'],
    "oned's leases have no owner",
  );
  const a = zone(byOwner, 'cloud.example.com').filter((r) => r.type === 'A');
  assert.deepEqual(
    a.map((r) => `${r.name} ${r.data}`),
    [
      'alice-web.cloud.example.com 10.77.0.12',
      'alice-web.cloud.example.com 10.77.0.13',
      'printer.cloud.example.com 10.77.0.15',
    ],
  );
});

test('a value that makes no host name is a finding, not a record', () => {
  const config = syncConfig([
    { ...SYNC_POOLS[0]!, dnsNames: { forwardZone: 'cloud.example.com', name: '{owner}', server: 'bind' } },
  ]);
  const odd = book([
    range('r1', {
      type: 'IP4',
      size: 2n,
      ip: ip('10.77.0.10'),
      pool: 'lan',
      leases: [
        lease(0, 0, { holder: 'operator', owner: '***' }),
        lease(1, 1, { holder: 'operator', owner: 'x'.repeat(70) }),
      ],
    }),
  ]);
  const findings = desiredState(odd, config).findings;
  assert.deepEqual(
    findings.map((f) => f.kind),
    ['no-name', 'bad-name'],
  );
  assert.match(findings[1]!.kind === 'bad-name' ? findings[1]!.why : '', /label of 70 characters/);
});

test('zones and DHCP targets of pools with nothing leased are still listed (the edges read them)', () => {
  const desired = desiredState(book([]), syncConfig());
  assert.equal(desired.zones.length, 3);
  assert.ok(desired.zones.every((z) => z.records.length === 0));
  assert.deepEqual(desired.dhcp, [{ target: 'kea', hosts: [] }]);
  assert.deepEqual(desiredState(syncBook(), syncConfig([{ name: 'plain', network: '10.77.0.0/24' }])).zones, []);
});

test('the same book and config give the same state, whatever the order of ranges', () => {
  const b = syncBook();
  const reversed = { ...b, ranges: [...b.ranges].reverse() };
  const strip = (d: ReturnType<typeof desiredState>) => ({ zones: d.zones, dhcp: d.dhcp });
  assert.deepEqual(strip(desiredState(b, syncConfig())), strip(desiredState(reversed, syncConfig())));
});

test("a SLAAC range's addresses are named from the /64 and each index's MAC, as show finds them", () => {
  const pools = [
    { ...SYNC_POOLS[1]!, dnsNames: { forwardZone: 'cloud.example.com', name: 'vm-{ip}', server: 'bind' } },
  ];
  const slaac = book([
    range('r1', {
      type: 'IP6',
      size: 4n,
      mac: 0x02000a4d0010n,
      globalPrefix: ip6('2001:db8:77::'),
      pool6: 'lan6',
      leases: [lease(1, 1)],
    }),
  ]);
  const desired = desiredState(slaac, syncConfig(pools));
  const aaaa = zone(desired, 'cloud.example.com').filter((r) => r.type === 'AAAA');
  assert.deepEqual(aaaa, [
    {
      name: 'vm-2001-db8-77--aff-fe4d-11.cloud.example.com',
      type: 'AAAA',
      ttl: 300,
      data: '2001:db8:77::aff:fe4d:11',
    },
  ]);
  assert.deepEqual(
    desired.dhcp[0]!.hosts.map((h) => `${h.address} ${h.mac}`),
    ['2001:db8:77::aff:fe4d:11 02:00:0a:4d:00:11'],
  );
});
