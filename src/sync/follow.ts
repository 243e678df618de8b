/**
 * `sync --follow`: a pass whenever the book changes (its generation, polled twice a second: a
 * read is cheap, leases are decoded only when used), and a full pass every `intervalMs` whatever
 * happens, which is what catches a record somebody deleted on the server or a server that came
 * back. A pass that could not reach a target is retried sooner. Runs until `signal` aborts.
 */
import type { LeaseStore } from '../store/store.ts';
import type { PassReport } from './sync-pass.ts';

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
  pass: () => Promise<PassReport>,
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
    if (generation !== undefined && (generation !== seenGeneration || options.now() >= due)) {
      try {
        const report = await pass();
        // The book the pass planned from; when it wrote holds, the book after them (a change
        // made meanwhile by a driver action then waits for the periodic pass, rare enough).
        seenGeneration = report.held > 0 ? (await store.read()).generation : report.generation;
        due =
          options.now() +
          (report.failures.length > 0 ? Math.min(options.retryMs, options.intervalMs) : options.intervalMs);
      } catch (error) {
        options.onError(error);
        due = options.now() + options.retryMs;
      }
    }
    await pause(options.pollMs, options.signal);
  }
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
