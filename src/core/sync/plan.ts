/**
 * `plan(desired, observed, now)`: what one sync pass sends each target, and what it reports.
 * Pure: the edges read `observed` before and apply the plan after. A zone or DHCP target that
 * was not read gets nothing planned (its records wait for the next pass) and is listed in
 * `unread`. Nothing owned by somebody else is ever in an update's removals, in an add to a name
 * already in use, or in a DHCP removal (test/unit/core/sync/plan-safety.test.ts).
 */
import type { DesiredState } from './desired-state.ts';
import { guestHolds } from './guest-holds.ts';
import { planDhcp } from './plan-dhcp.ts';
import { planZone } from './plan-dns.ts';
import type {
  CarvedSpaceRecord,
  DhcpTargetPlan,
  DnsTargetPlan,
  Observed,
  SyncConflict,
  SyncHold,
  SyncPlan,
  TargetTally,
} from './sync-plan.ts';
import type { DnsUpdate } from './target-records.ts';

/** `now`: milliseconds since the epoch (holds are stamped with it; DHCP expiry is compared with it). */
export function plan(desired: DesiredState, observed: Observed, now: number): SyncPlan {
  const seenAt = new Date(now).toISOString();
  const context = { owner: desired.owner, prefix: desired.registryPrefix, book: desired.book, config: desired.config };
  const conflicts: SyncConflict[] = [];
  const holds: Omit<SyncHold, 'seenAt'>[] = [];
  const carvedSpace: CarvedSpaceRecord[] = [];
  const unread: { target: string; zone?: string }[] = [];
  const tallies = new Map<
    string,
    {
      target: string;
      kind: 'dns' | 'dhcp';
      desired: number;
      inPlace: number;
      conflicting: number;
      unverified: number;
      read: boolean;
    }
  >();
  const tallyOf = (target: string, kind: 'dns' | 'dhcp') => {
    const key = `${kind}\u0000${target}`;
    let tally = tallies.get(key);
    if (!tally) {
      tally = { target, kind, desired: 0, inPlace: 0, conflicting: 0, unverified: 0, read: true };
      tallies.set(key, tally);
    }
    return tally;
  };

  const zonesRead = new Map(observed.zones.map((z) => [`${z.target}\u0000${z.zone}`, z.records]));
  const updates = new Map<string, DnsUpdate[]>();
  for (const zone of desired.zones) {
    const tally = tallyOf(zone.target, 'dns');
    if (!updates.has(zone.target)) updates.set(zone.target, []);
    const read = zonesRead.get(`${zone.target}\u0000${zone.zone}`);
    if (read === undefined) {
      unread.push({ target: zone.target, zone: zone.zone });
      tally.read = false;
      const records = zone.records.filter((r) => r.type !== 'TXT').length;
      tally.desired += records;
      tally.unverified += records;
      continue;
    }
    const planned = planZone(zone, read, context);
    updates.get(zone.target)!.push(...planned.updates);
    conflicts.push(...planned.conflicts);
    holds.push(...planned.holds);
    carvedSpace.push(...planned.carvedSpace);
    tally.desired += planned.desired;
    tally.inPlace += planned.inPlace;
    tally.conflicting += planned.conflicting;
  }

  const dhcpRead = new Map(observed.dhcp.map((d) => [d.target, d.entries]));
  const dhcp: DhcpTargetPlan[] = [];
  const nowSeconds = Math.floor(now / 1000);
  for (const want of desired.dhcp) {
    const tally = tallyOf(want.target, 'dhcp');
    const entries = dhcpRead.get(want.target);
    if (entries === undefined) {
      unread.push({ target: want.target });
      tally.read = false;
      tally.desired += want.hosts.length;
      tally.unverified += want.hosts.length;
      continue;
    }
    const planned = planDhcp(want, entries, desired.book, desired.config, nowSeconds);
    dhcp.push({ target: want.target, put: planned.put, remove: planned.remove });
    conflicts.push(...planned.conflicts);
    holds.push(...planned.holds);
    tally.desired += planned.desired;
    tally.inPlace += planned.inPlace;
    tally.conflicting += planned.conflicting;
  }

  holds.push(...guestHolds(desired.book, desired.config, observed.guests ?? []));

  const dns: DnsTargetPlan[] = [...updates.entries()].map(([target, list]) => ({ target, updates: list }));
  return {
    dns,
    dhcp,
    conflicts,
    holds: onePerAddress(holds).map((h) => ({ ...h, seenAt })),
    carvedSpace,
    tallies: [...tallies.values()].map(
      (t): TargetTally => ({ ...t, pending: t.desired - t.inPlace - t.conflicting - t.unverified }),
    ),
    unread,
    findings: desired.findings,
  };
}

/** One hold per address: the first reason seen (DNS zones in order, then DHCP targets, then guest agents). */
function onePerAddress(holds: readonly Omit<SyncHold, 'seenAt'>[]): Omit<SyncHold, 'seenAt'>[] {
  const seen = new Set<string>();
  return holds.filter((h) => {
    const key = `${h.family}/${h.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
