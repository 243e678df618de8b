/**
 * `sync --follow`: a pass whenever the book changes (its generation, polled four times a second:
 * a read is cheap, leases are decoded only when used), and a full pass every `intervalMs` whatever
 * happens, which is what catches a record somebody deleted on the server or a server that came
 * back. The pass after a change is a `change` pass (the caller may make it one that applies only
 * what the change needs, change-pass.ts), the first one and the periodic ones are `full`. A pass
 * that could not reach a target, or a change pass a target refused a change of (it planned from
 * what the last pass read: somebody changed it since), brings the next full pass to `retryMs`.
 * Runs until `signal` aborts.
 */
import type { LeaseStore } from '../store/store.ts';
import type { PassReport } from './sync-pass.ts';

export type PassKind = 'full' | 'change';

export interface FollowOptions {
  readonly intervalMs: number;
  /** How often the book's generation is looked at. */
  readonly pollMs: number;
  /** After a pass with a failure: the next one comes this much later at most. */
  readonly retryMs: number;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** A pass failed as a whole (the book could not be read): said, then retried. */
  readonly onError: (error: unknown) => void;
}

export async function follow(
  store: LeaseStore,
  pass: (kind: PassKind) => Promise<PassReport>,
  options: FollowOptions,
): Promise<void> {
  let seenGeneration: number | undefined;
  let due = 0;
  while (!options.signal.aborted) {
    let generation: number | undefined;
    try {
      generation = (await store.read()).generation;
    } catch (error) {
      options.onError(error);
      due = options.now() + options.retryMs;
    }
    const dueNow = options.now() >= due;
    if (generation !== undefined && (generation !== seenGeneration || dueNow)) {
      const kind: PassKind = dueNow || seenGeneration === undefined ? 'full' : 'change';
      try {
        const report = await pass(kind);
        // The book the pass planned from; when it wrote holds, the book after them (a change
        // made meanwhile by a driver action then waits for the periodic pass, rare enough).
        seenGeneration = report.held > 0 ? (await store.read()).generation : report.generation;
        // A change the targets refused in a change pass: what it planned from is out of date.
        const soon = report.failures.length > 0 || (kind === 'change' && somethingRefused(report));
        const next = soon ? Math.min(options.retryMs, options.intervalMs) : options.intervalMs;
        // A change pass leaves the periodic one where it was, or brings it closer after a failure.
        due = kind === 'full' ? options.now() + next : Math.min(due, options.now() + next);
      } catch (error) {
        options.onError(error);
        due = options.now() + options.retryMs;
      }
    }
    await pause(options.pollMs, options.signal);
  }
}

function somethingRefused(report: PassReport): boolean {
  const { dns, dhcp } = report.outcomes;
  return (
    Object.values(dns).some((said) => said.some((outcome) => outcome !== undefined && !outcome.applied)) ||
    Object.values(dhcp).some((done) => done.put.includes(false) || done.remove.includes(false))
  );
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
