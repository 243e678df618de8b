/**
 * The checks that let a signal stop a write while nothing is written yet (store.ts,
 * `UpdateOptions.signal`). A store calls `stopIfAborted` at each of its stop points; before one
 * that follows synchronous work (a long change, writing the temp file) it first awaits
 * `letSignalsIn`: Node runs a signal's handlers only between turns of the event loop, so a
 * signal that arrived during that work is not yet seen as an abort until one turn has passed.
 */
import { IpamError } from '../core/errors.ts';

/** The signal an abort's reason names (the CLI and the driver abort with the signal's name). */
function abortReasonSignal(signal: AbortSignal): 'SIGINT' | 'SIGTERM' | undefined {
  const reason: unknown = signal.reason;
  return reason === 'SIGINT' || reason === 'SIGTERM' ? reason : undefined;
}

/**
 * Throws when `signal` is aborted. `where`: the book's location; `when`: the stop point, as a
 * phrase ("while waiting for its lock").
 */
export function stopIfAborted(signal: AbortSignal | undefined, where: string, when: string): void {
  if (!signal?.aborted) return;
  const by = abortReasonSignal(signal);
  const reason = `interrupted by ${by ?? 'the caller'} ${when}`;
  throw new IpamError(
    by === 'SIGTERM' ? 'terminated' : 'interrupted',
    `Cannot update the lease book ${where}: ${reason}; nothing was written`,
    { subject: where, reason },
  );
}

/** One turn of the event loop, so that a signal delivered meanwhile has aborted `signal`. */
export function letSignalsIn(signal: AbortSignal | undefined): Promise<void> {
  if (!signal || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => setImmediate(resolve));
}

/** `ms`, or less when `signal` aborts first. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
