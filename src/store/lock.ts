/**
 * The store's lock: proper-lockfile's lock directory beside the book, taken with a bounded wait.
 * A holder that was killed leaves the directory behind; it is taken over once its mtime is
 * older than STALE_MS (a live holder refreshes it every STALE_MS / 2).
 */
import lockfile from 'proper-lockfile';
import { IpamError } from '../errors.ts';

export const STALE_MS = 5_000;

export interface HeldLock {
  /** Set when another process took the lock over from us; nothing may be committed then. */
  compromised(): Error | undefined;
  release(): Promise<void>;
}

export async function acquireLock(file: string, timeoutMs: number): Promise<HeldLock> {
  let compromise: Error | undefined;
  const options = {
    realpath: false,
    stale: STALE_MS,
    retries: 0,
    // The default throws from a timer and kills the process mid-write; record it instead.
    onCompromised: (error: Error) => {
      compromise = error;
    },
  };
  const deadline = Date.now() + timeoutMs;
  let pause = 2;
  for (;;) {
    try {
      const release = await lockfile.lock(file, options);
      return {
        compromised: () => compromise,
        release: () => release().catch(() => undefined),
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ELOCKED') {
        throw new IpamError('store-io', `Cannot lock the lease book ${file}: ${(error as Error).message}`);
      }
      if (Date.now() + pause > deadline) {
        throw new IpamError('store-locked', `Cannot use the lease book ${file}: it stayed locked by another process for ${timeoutMs} ms (lock: ${file}.lock; a dead holder's lock is taken over after ${STALE_MS} ms)`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 50);
    }
  }
}
