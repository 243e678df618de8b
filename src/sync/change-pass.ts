/**
 * `sync --follow`'s answer to a book change, between its full passes: the book is read and its
 * desired state computed, but the targets are not read again; the pass plans over what the last
 * pass saw them hold (with what they confirmed since), cut down to the names and DHCP addresses
 * the change touches (core/sync/narrow.ts), and applies that. A lease's records are in place
 * well within a second of its action, whatever the size of the book and the zones. What the
 * targets hold is still read in full by the periodic pass: a change pass never replaces it, and
 * a name somebody changed meanwhile fails its update's prerequisites (reported) until that pass.
 */
import { vmFacts } from '../core/book/vms.ts';
import type { Config } from '../core/config/config.ts';
import { desiredState } from '../core/sync/desired-state.ts';
import { narrowed, observedAfter } from '../core/sync/narrow.ts';
import { plan } from '../core/sync/plan.ts';
import type { LeaseStore } from '../store/store.ts';
import { applyPlan } from './apply-plan.ts';
import { type PassMemory, type PassOptions, type PassReport, type TargetFailure, targetFailure } from './sync-pass.ts';
import type { TargetClients } from './target-clients.ts';

export async function changePass(
  store: LeaseStore,
  config: Config,
  clients: TargetClients,
  since: PassMemory,
  options: Omit<PassOptions, 'dryRun'>,
): Promise<PassReport> {
  const startedAt = options.now();
  const book = await store.read();
  const desired = desiredState(book, config, { vms: vmFacts(book) });
  const seen = observedAfter(since.observed, since.planned, since.outcomes, Math.floor(startedAt / 1000));
  const cut = narrowed(since.desired, desired, seen);
  const planned = plan(cut.desired, cut.observed, startedAt);
  const failures: TargetFailure[] = [];
  const outcomes = await applyPlan(planned, cut.observed, clients, (target, error) =>
    failures.push(targetFailure(target, undefined, error)),
  );
  options.remember?.({ generation: book.generation, desired, observed: seen, planned, outcomes });
  const held = planned.holds.length > 0 ? await options.hold(planned.holds) : 0;
  return {
    generation: book.generation,
    plan: planned,
    dryRun: false,
    dhcpModes: {},
    outcomes,
    failures,
    held,
    startedAt,
    finishedAt: options.now(),
  };
}
