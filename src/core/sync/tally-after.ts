/**
 * What an applied sync pass did and left, per target, from its plan and what each target said:
 * only what was applied counts. An update the server refused (a prerequisite failed: somebody
 * changed the name since it was read) is not done; one left unanswered because the target failed
 * partway is not confirmed, and not counted either (the next pass reads what is there). What is
 * in place after is the plan's in place plus what was applied. Pure: the report in words
 * (describe-sync.ts) and the state kept for `status` (src/sync/sync-state.ts) both count from it.
 */
import type { SyncPlan, TargetTally } from './sync-plan.ts';
import type { DnsUpdate, DnsUpdateOutcome } from './target-records.ts';

/** What each target said to the plan's changes, in the plan's order. */
export interface PassOutcomes {
  /**
   * Per DNS target, the server's answer to each planned update; missing (the whole list, or any
   * entry: answers come back out of order): no answer, the target failed first (the change may
   * or may not be there).
   */
  readonly dns: Readonly<Record<string, readonly DnsUpdateOutcome[]>>;
  /** Per DHCP target, whether each planned put, and each removal, was done; missing: not done. */
  readonly dhcp: Readonly<Record<string, { readonly put: readonly boolean[]; readonly remove: readonly boolean[] }>>;
}

/** A change by what it does: DNS names added, changed, deleted; DHCP leases added, changed, renewed, removed. */
export type ChangeKind = 'add' | 'change' | 'renew' | 'delete';

export interface TargetAfter extends TargetTally {
  /** The changes applied, by kind. */
  readonly done: Readonly<Record<ChangeKind, number>>;
  /** Planned changes the target answered no to (DNS: refused; DHCP: not done, for whatever reason). */
  readonly notApplied: number;
  /** Planned DNS updates left without an answer: the target failed first. */
  readonly unconfirmed: number;
}

export function dnsChangeKind(update: DnsUpdate): 'add' | 'change' | 'delete' {
  if (update.remove.length === 0) return 'add';
  return update.add.length === 0 ? 'delete' : 'change';
}

const DHCP_KIND = { new: 'add', changed: 'change', renew: 'renew' } as const;

/** Every tally of the plan as the pass left it: in place and pending count only what was applied. */
export function tallyAfter(plan: SyncPlan, outcomes: PassOutcomes): TargetAfter[] {
  return plan.tallies.map((tally) => {
    const done: Record<ChangeKind, number> = { add: 0, change: 0, renew: 0, delete: 0 };
    let notApplied = 0;
    let unconfirmed = 0;
    // Desired records (or hosts) the applied changes put in place.
    let placed = 0;
    if (tally.kind === 'dns') {
      const updates = plan.dns.find((t) => t.target === tally.target)?.updates ?? [];
      const said = outcomes.dns[tally.target] ?? [];
      updates.forEach((update, i) => {
        const outcome = said[i];
        if (outcome === undefined) unconfirmed++;
        else if (!outcome.applied) notApplied++;
        else {
          done[dnsChangeKind(update)]++;
          placed += update.add.filter((r) => r.type !== 'TXT').length;
        }
      });
    } else {
      const planned = plan.dhcp.find((t) => t.target === tally.target);
      const said = outcomes.dhcp[tally.target];
      planned?.put.forEach((put, i) => {
        if (said?.put[i] !== true) return notApplied++;
        done[DHCP_KIND[put.why]]++;
        placed++;
      });
      planned?.remove.forEach((_, i) => {
        if (said?.remove[i] === true) done.delete++;
        else notApplied++;
      });
    }
    const pending = Math.max(0, tally.pending - placed);
    const inPlace = tally.desired - tally.conflicting - tally.unverified - pending;
    return { ...tally, inPlace, pending, done, notApplied, unconfirmed };
  });
}
