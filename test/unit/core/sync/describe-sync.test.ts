/** The plan in words, for `sync --dry-run` and `sync`: counts with singular and plural right, every list an operator acts on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSync } from '../../../../src/core/sync/describe-sync.ts';
import { desiredState } from '../../../../src/core/sync/desired-state.ts';
import { plan } from '../../../../src/core/sync/plan.ts';
import { tallyAfter } from '../../../../src/core/sync/tally-after.ts';
import type { Observed, SyncPlan } from '../../../../src/core/sync/sync-plan.ts';
import { book, ip, lease, range, syncBook, syncConfig } from '../../../support/sync-fixtures.ts';

const NOW = Date.parse('2026-12-07T16:00:00.000Z');
const FWD = 'cloud.example.com';
const REV = '0.77.10.in-addr.arpa';
const REV6 = '0.0.0.0.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa';
const empty: Observed = {
  zones: [FWD, REV, REV6].map((zone) => ({ target: 'bind', zone, records: [] })),
  dhcp: [{ target: 'kea', entries: [] }],
};

test('a dry run of a first pass says what would be added, per target, and the address without a name', () => {
  const text = describeSync(plan(desiredState(syncBook(), syncConfig()), empty, NOW), { applied: false, limit: 2 });
  assert.equal(
    text,
    [
      'DNS target bind: would add 12 names',
      '  add     10.0.77.10.in-addr.arpa PTR vm-10-77-0-10.cloud.example.com',
      '  add     100.0.77.10.in-addr.arpa PTR vm-10-77-0-100.cloud.example.com',
      '  ... and 10 more',
      'DHCP target kea: would add 6 leases',
      '  add  10.77.0.10 02:00:0a:4d:00:0a vm-10-77-0-10.cloud.example.com',
      '  add  10.77.0.11 02:00:00:00:00:b1 vm-10-77-0-11.cloud.example.com',
      '  ... and 4 more',
      '1 address without a DNS name:',
      '  2001:db8:77::100 (range r2, pool lan6): no {vm} known for it',
      '',
    ].join('\n'),
  );
});

test('after applying: past tense, one of each in the singular, a failed update said so, conflicts, holds and what was in place', () => {
  const one = book([
    range('r1', {
      type: 'IP4',
      size: 4n,
      ip: ip('10.77.0.10'),
      pool: 'lan',
      leases: [lease(0, 0, { holder: 'operator', owner: 'x' })],
    }),
  ]);
  const config = syncConfig([{ name: 'lan', network: '10.77.0.0/24', dnsNames: { forwardZone: FWD, server: 'bind' } }]);
  const observed: Observed = {
    zones: [
      {
        target: 'bind',
        zone: FWD,
        records: [
          { name: `laptop.${FWD}`, type: 'A', ttl: 60, data: '10.77.0.50' },
          { name: `vm-10-77-0-12.${FWD}`, type: 'A', ttl: 300, data: '10.77.0.12' },
          {
            name: `_nebula-ipam.vm-10-77-0-12.${FWD}`,
            type: 'TXT',
            ttl: 300,
            data: 'heritage=nebula-ipam,owner=cloud-a,lease=r1/10.77.0.12',
          },
        ],
      },
    ],
    dhcp: [],
  };
  const p: SyncPlan = plan(desiredState(one, config), observed, NOW);
  const text = describeSync(p, {
    applied: true,
    outcomes: { dns: { bind: [{ applied: true }, { applied: false, rcode: 'YXRRSET' }] }, dhcp: {} },
  });
  assert.equal(
    text,
    [
      // The refused delete is not counted as deleted: only what was applied.
      'DNS target bind: added 1 name; 1 update not applied',
      '  add     vm-10-77-0-10.cloud.example.com A 10.77.0.10',
      '  delete  vm-10-77-0-12.cloud.example.com A 10.77.0.12 (not applied: YXRRSET, it changed since it was read; the next pass decides)',
      '1 address of pools in use outside the book, to hold:',
      '  10.77.0.50 (pool lan): A record laptop.cloud.example.com on target bind',
      'Not read, so not synced (their records wait for the next pass):',
      '  zone 0.77.10.in-addr.arpa on DNS target bind',
      // What the pass put there: the record added.
      'In place: 1 DNS record on bind.',
      '',
    ].join('\n'),
  );
});

test('nothing to change says what is in place; conflicts are counted in the plural', () => {
  const d = desiredState(syncBook(), syncConfig());
  const first = plan(d, empty, NOW);
  const filled: Observed = {
    zones: empty.zones.map((z) => ({
      ...z,
      records: first.dns[0]!.updates.filter((u) => u.zone === z.zone).flatMap((u) => u.add),
    })),
    dhcp: [
      {
        target: 'kea',
        entries: first.dhcp[0]!.put.map((x) => ({
          family: x.host.family,
          mac: x.host.mac,
          address: x.host.address,
          ours: true,
          expiresAt: NOW / 1000 + 3600,
        })),
      },
    ],
  };
  const text = describeSync(plan(d, filled, NOW), { applied: false });
  assert.match(text, /^Nothing to change: 12 DNS records on bind, 6 DHCP leases on kea in place\.\n/);
  const taken: Observed = {
    ...filled,
    zones: [
      {
        target: 'bind',
        zone: FWD,
        records: [
          { name: `vm-10-77-0-10.${FWD}`, type: 'A', ttl: 1, data: '10.77.0.10' },
          { name: `vm-10-77-0-11.${FWD}`, type: 'A', ttl: 1, data: '192.0.2.1' },
        ],
      },
      ...filled.zones.slice(1),
    ],
  };
  const conflicts = describeSync(plan(d, taken, NOW), { applied: false });
  assert.match(
    conflicts,
    /\n2 conflicts, left as they are:\n {2}vm-10-77-0-10\.cloud\.example\.com \(zone cloud\.example\.com on bind\) is held by records nebula-ipam did not write\n/,
  );
});

test('a pass that failed partway says only what was applied: a refused update in a batch, a target that stopped answering, a Kea put not done', () => {
  const first = plan(desiredState(syncBook(), syncConfig()), empty, NOW);
  const updates = first.dns[0]!.updates;
  // 12 adds to bind: the first 3 answered (the third refused), then the server stopped answering.
  const said = [{ applied: true }, { applied: true }, { applied: false, rcode: 'YXDOMAIN' }] as const;
  const outcomes = {
    dns: { bind: said },
    dhcp: { kea: { put: first.dhcp[0]!.put.map((_, i) => i < 2), remove: [] } },
  };
  const text = describeSync(first, { applied: true, outcomes, limit: 4 });
  assert.match(
    text,
    /^DNS target bind: added 2 names; 1 update not applied, 9 not confirmed \(the target failed first\)\n/,
  );
  assert.match(
    text,
    /\n {2}add {5}\S+ PTR \S+ \(not applied: YXDOMAIN, it changed since it was read; the next pass decides\)\n/,
  );
  assert.match(
    text,
    /\n {2}add {5}\S+ PTR \S+ \(not confirmed: the target failed first; the next pass reads what is there\)\n/,
  );
  assert.match(text, /\nDHCP target kea: added 2 leases; 4 lease changes not done\n/);
  assert.match(text, /\n {2}add {2}10\.77\.0\.12 \S+ \S+ \(not done\)\n/);
  const placed = updates.slice(0, 2).flatMap((u) => u.add.filter((r) => r.type !== 'TXT')).length;
  assert.match(text, new RegExp(`\\nIn place: ${placed} DNS records on bind, 2 DHCP leases on kea\\.\\n$`));

  const after = tallyAfter(first, outcomes);
  const bind = after.find((t) => t.kind === 'dns')!;
  const kea = after.find((t) => t.kind === 'dhcp')!;
  assert.deepEqual([bind.desired, bind.inPlace, bind.pending], [12, placed, 12 - placed]);
  assert.deepEqual([kea.desired, kea.inPlace, kea.pending], [6, 2, 4]);
  assert.deepEqual(kea.done, { add: 2, change: 0, renew: 0, delete: 0 });

  // The whole batch unanswered (applyUpdates threw): nothing is said to be added.
  const none = describeSync(first, { applied: true, outcomes: { dns: {}, dhcp: {} } });
  assert.match(none, /^DNS target bind: nothing applied; 12 not confirmed \(the target failed first\)\n/);
  assert.match(none, /\nDHCP target kea: nothing applied; 6 lease changes not done\n/);
  assert.doesNotMatch(none, /In place/);
});
