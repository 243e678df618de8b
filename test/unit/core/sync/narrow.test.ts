/**
 * sync --follow's change pass, in its pure part (core/sync/narrow.ts): the targets as the last
 * pass left them, and the plan cut down to what a book change touches. A change pass plans
 * exactly the updates a full pass over the same targets would, and nothing for the names and
 * hosts the change did not touch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Book } from '../../../../src/core/book/book.ts';
import { desiredState } from '../../../../src/core/sync/desired-state.ts';
import { narrowed, observedAfter } from '../../../../src/core/sync/narrow.ts';
import { plan } from '../../../../src/core/sync/plan.ts';
import type { Observed, SyncPlan } from '../../../../src/core/sync/sync-plan.ts';
import type { PassOutcomes } from '../../../../src/core/sync/tally-after.ts';
import { lease, syncBook, syncConfig } from '../../../support/sync-fixtures.ts';

const NOW = Date.parse('2026-12-07T16:00:00.000Z');
const config = syncConfig();
const empty: Observed = {
  zones: ['0.0.0.0.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa', '0.77.10.in-addr.arpa', 'cloud.example.com'].map((zone) => ({
    target: 'bind',
    zone,
    records: [],
  })),
  dhcp: [{ target: 'kea', entries: [] }],
};

/** Every planned change confirmed, or those `refused` names' updates answered NXRRSET. */
function allApplied(p: SyncPlan, refused: readonly string[] = []): PassOutcomes {
  return {
    dns: Object.fromEntries(
      p.dns.map((t) => [
        t.target,
        t.updates.map((u) =>
          u.add.some((r) => refused.includes(r.name))
            ? { applied: false as const, rcode: 'NXRRSET' }
            : { applied: true as const },
        ),
      ]),
    ),
    dhcp: Object.fromEntries(
      p.dhcp.map((t) => [t.target, { put: t.put.map(() => true), remove: t.remove.map(() => true) }]),
    ),
  };
}

const changes = (p: SyncPlan) =>
  p.dns.reduce((n, t) => n + t.updates.length, 0) + p.dhcp.reduce((n, t) => n + t.put.length + t.remove.length, 0);
const names = (p: SyncPlan) =>
  p.dns
    .flatMap((t) =>
      t.updates.flatMap((u) => [...u.add, ...u.remove].filter((r) => r.type !== 'TXT').map((r) => r.name)),
    )
    .sort();

/** The first pass, over empty targets, all of it applied: the memory a change pass starts from. */
function firstPass(book: Book) {
  const desired = desiredState(book, config);
  const planned = plan(desired, empty, NOW);
  return { desired, planned, outcomes: allApplied(planned) };
}

function withLeases(book: Book, leases: Book['ranges'][number]['leases']): Book {
  const [r1, ...rest] = book.ranges;
  return { ...book, generation: book.generation + 1, ranges: [{ ...r1!, leases }, ...rest] };
}

test('after a pass, the targets as it left them have nothing more to change', () => {
  const first = firstPass(syncBook());
  assert.ok(changes(first.planned) > 10);
  const after = observedAfter(empty, first.planned, first.outcomes, NOW / 1000);
  assert.equal(changes(plan(first.desired, after, NOW)), 0);
});

test('a new lease: the change pass plans its A, PTR and DHCP host only, as a full pass over the same targets would', () => {
  const before = syncBook();
  const first = firstPass(before);
  const after = observedAfter(empty, first.planned, first.outcomes, NOW / 1000);
  const next = withLeases(before, [...before.ranges[0]!.leases, lease(7, 7)]);
  const desired = desiredState(next, config);
  const cut = narrowed(first.desired, desired, after);
  const change = plan(cut.desired, cut.observed, NOW);
  assert.deepEqual(names(change), ['17.0.77.10.in-addr.arpa', 'vm-10-77-0-17.cloud.example.com']);
  assert.deepEqual(
    change.dhcp.flatMap((t) => t.put.map((p) => [p.host.address, p.why])),
    [['10.77.0.17', 'new']],
  );
  assert.deepEqual(change.dns, plan(desired, after, NOW).dns, 'the same updates, prerequisites and all');
  assert.deepEqual(change.conflicts, []);
});

test('a freed lease: the change pass deletes its names and removes its DHCP host, and touches nothing else', () => {
  const before = syncBook();
  const first = firstPass(before);
  const after = observedAfter(empty, first.planned, first.outcomes, NOW / 1000);
  const next = withLeases(before, before.ranges[0]!.leases.slice(1));
  const desired = desiredState(next, config);
  const cut = narrowed(first.desired, desired, after);
  const change = plan(cut.desired, cut.observed, NOW);
  assert.deepEqual(names(change), ['10.0.77.10.in-addr.arpa', 'vm-10-77-0-10.cloud.example.com']);
  assert.ok(change.dns.flatMap((t) => t.updates).every((u) => u.add.length === 0 && u.remove.length > 0));
  assert.deepEqual(
    change.dhcp.flatMap((t) => t.remove.map((e) => e.address)),
    ['10.77.0.10'],
  );
  assert.deepEqual(change.dns, plan(desired, after, NOW).dns);
});

test('an update the server refused is not taken for applied: the targets as left lack it, and the next full plan sends it again', () => {
  const first = firstPass(syncBook());
  const outcomes = allApplied(first.planned, ['vm-10-77-0-10.cloud.example.com']);
  const after = observedAfter(empty, first.planned, outcomes, NOW / 1000);
  const again = plan(first.desired, after, NOW);
  assert.deepEqual(names(again), ['vm-10-77-0-10.cloud.example.com']);
});

test('a book change that changes no record (only its generation) plans nothing', () => {
  const before = syncBook();
  const first = firstPass(before);
  const after = observedAfter(empty, first.planned, first.outcomes, NOW / 1000);
  const next = { ...before, generation: before.generation + 1 };
  const cut = narrowed(first.desired, desiredState(next, config), after);
  assert.equal(changes(plan(cut.desired, cut.observed, NOW)), 0);
});
