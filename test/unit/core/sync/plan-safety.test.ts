/**
 * Property: for random states of the targets, nothing somebody else owns is ever removed or
 * written over, every UPDATE's prerequisites hold on the state it was planned from, and one
 * applied plan leaves the next pass nothing to do.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { desiredState } from '../../../../src/core/sync/desired-state.ts';
import { plan } from '../../../../src/core/sync/plan.ts';
import type { Observed } from '../../../../src/core/sync/sync-plan.ts';
import type { DnsRecord, ObservedDhcpEntry } from '../../../../src/core/sync/target-records.ts';
import { applyDhcp, applyUpdate, prerequisiteHolds } from '../../../support/sync-server-model.ts';
import { syncBook, syncConfig } from '../../../support/sync-fixtures.ts';

const NOW = Date.parse('2026-12-07T16:00:00.000Z');
const FWD = 'cloud.example.com';
const REV = '0.77.10.in-addr.arpa';
const LAST = [1, 2, 10, 11, 12, 13, 14, 15, 16, 50, 100, 200];
const ADDRESSES = [...LAST.map((n) => `10.77.0.${n}`), '192.0.2.1'];
const NAMES = [...LAST.map((n) => `vm-10-77-0-${n}.${FWD}`), `other.${FWD}`];
const OWNERS = ['cloud-a', 'cloud-a', 'cloud-b'];
const reg = (name: string) => `_nebula-ipam.${name}`;
const ptrOf = (address: string) => `${address.split('.').reverse().join('.')}.in-addr.arpa`;
const addressOfPtr = (name: string) => name.replace('.in-addr.arpa', '').split('.').reverse().join('.');

const forwardRecord = fc.oneof(
  fc.record({
    name: fc.constantFrom(...NAMES),
    type: fc.constant('A' as const),
    ttl: fc.constantFrom(60, 300),
    data: fc.constantFrom(...ADDRESSES),
  }),
  fc
    .tuple(
      fc.constantFrom(...NAMES),
      fc.constantFrom(...OWNERS),
      fc.constantFrom(...ADDRESSES),
      fc.constantFrom(60, 300),
    )
    .map(
      ([name, owner, address, ttl]): DnsRecord => ({
        name: reg(name),
        type: 'TXT',
        ttl,
        data: `heritage=nebula-ipam,owner=${owner},lease=r1/${address}`,
      }),
    ),
  fc.record({
    name: fc.constantFrom(...NAMES),
    type: fc.constant('TXT' as const),
    ttl: fc.constant(300),
    data: fc.constant('v=spf1 -all'),
  }),
);
const reverseRecord = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ADDRESSES.slice(0, -1)), fc.constantFrom(...NAMES))
    .map(([address, name]): DnsRecord => ({ name: ptrOf(address), type: 'PTR', ttl: 300, data: name })),
  fc.tuple(fc.constantFrom(...ADDRESSES.slice(0, -1)), fc.constantFrom(...OWNERS), fc.constantFrom(...ADDRESSES)).map(
    ([address, owner, claimed]): DnsRecord => ({
      name: reg(ptrOf(address)),
      type: 'TXT',
      ttl: 300,
      data: `heritage=nebula-ipam,owner=${owner},lease=r1/${claimed}`,
    }),
  ),
);
const keaEntry = fc.record({
  family: fc.constant('ipv4' as const),
  mac: fc.constantFrom('02:00:0a:4d:00:0a', '02:00:00:00:00:b1', 'aa:bb:cc:dd:ee:ff'),
  address: fc.constantFrom(...ADDRESSES),
  ours: fc.boolean(),
  expiresAt: fc.integer({ min: NOW / 1000 - 100, max: NOW / 1000 + 4000 }),
});

const uniqueRecords = (records: DnsRecord[]) =>
  records.filter((r, i) => records.findIndex((q) => q.name === r.name && q.type === r.type && q.data === r.data) === i);

/** Ours as the README defines it, written apart from the code it checks. */
function oursByDefinition(record: DnsRecord, zone: readonly DnsRecord[]): boolean {
  const marks = (name: string) =>
    zone.filter(
      (r) => r.name === reg(name) && r.type === 'TXT' && r.data.startsWith('heritage=nebula-ipam,owner=cloud-a,'),
    );
  if (record.type === 'TXT') return record.data.startsWith('heritage=nebula-ipam,owner=cloud-a,');
  if (record.type === 'A') return marks(record.name).some((m) => m.data.endsWith(`/${record.data}`));
  if (record.type === 'PTR') return marks(record.name).some((m) => m.data.endsWith(`/${addressOfPtr(record.name)}`));
  return false;
}

test('property: nothing owned by somebody else is removed or written over, prerequisites hold as read, and one applied plan converges', () => {
  const desired = desiredState(syncBook(), syncConfig([{ ...syncConfigPools()[0] }]));
  fc.assert(
    fc.property(
      fc.array(forwardRecord, { maxLength: 30 }),
      fc.array(reverseRecord, { maxLength: 20 }),
      fc.uniqueArray(keaEntry, { selector: (e) => e.address, maxLength: 10 }),
      (fwd, rev, kea) => {
        const zones: Record<string, DnsRecord[]> = { [FWD]: uniqueRecords(fwd), [REV]: uniqueRecords(rev) };
        const observed: Observed = {
          zones: Object.entries(zones).map(([zone, records]) => ({ target: 'bind', zone, records })),
          dhcp: [{ target: 'kea', entries: kea as ObservedDhcpEntry[] }],
        };
        const p = plan(desired, observed, NOW);
        for (const { updates } of p.dns) {
          for (const u of updates) {
            const zone = zones[u.zone]!;
            for (const r of u.remove) {
              assert.ok(
                zone.some((q) => q.name === r.name && q.type === r.type && q.data === r.data),
                `removes only what is there: ${JSON.stringify(r)}`,
              );
              assert.ok(oursByDefinition(r, zone), `removes only ours: ${JSON.stringify(r)}`);
            }
            for (const r of u.add) {
              const base = r.name.startsWith('_nebula-ipam.') ? r.name.slice('_nebula-ipam.'.length) : r.name;
              const foreign = zone.filter(
                (q) => (q.name === base || q.name === reg(base)) && !oursByDefinition(q, zone),
              );
              const ourMarks = zone.filter((q) => q.name === reg(base) && oursByDefinition(q, zone));
              assert.ok(
                ourMarks.length > 0 ? !foreign.some((q) => q.name === reg(base)) : foreign.length === 0,
                `adds ${r.name} only to a free name or one of ours alone`,
              );
            }
            for (const pre of u.prerequisites)
              assert.ok(prerequisiteHolds(zone, pre), `prerequisite holds as read: ${JSON.stringify(pre)}`);
          }
        }
        const dhcp = p.dhcp[0]!;
        assert.ok(dhcp.remove.every((e) => e.ours));
        assert.ok(
          !dhcp.put.some((x) => kea.some((e) => !e.ours && e.address === x.host.address)),
          'never put over a foreign entry',
        );

        const after: Observed = {
          zones: observed.zones.map((z) => ({
            ...z,
            records: p.dns[0]!.updates.filter((u) => u.zone === z.zone).reduce(
              (records, u) => applyUpdate(records, u).records,
              [...z.records],
            ),
          })),
          dhcp: [
            {
              target: 'kea',
              entries: applyDhcp(
                kea as ObservedDhcpEntry[],
                dhcp.put.map((x) => x.host),
                dhcp.remove,
                NOW / 1000 + 3600,
              ),
            },
          ],
        };
        const again = plan(desired, after, NOW);
        assert.deepEqual(again.dns[0]!.updates, [], 'the next pass changes nothing');
        assert.deepEqual(again.dhcp[0], { target: 'kea', put: [], remove: [] });
        for (const t of again.tallies) assert.equal(t.pending, 0, `${t.target}: all in place or in conflict`);
      },
    ),
    { numRuns: 400 },
  );
});

function syncConfigPools() {
  return [
    {
      name: 'lan',
      network: '10.77.0.0/24',
      dns: ['10.77.0.2'],
      dnsNames: { forwardZone: FWD, name: 'vm-{ip}', server: 'bind' },
      dhcp: { server: 'kea' },
    },
  ];
}
