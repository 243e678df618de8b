/**
 * The store's lock: a directory `<book>.lock` (mkdir is atomic, also on NFS) holding an owner
 * record (`lock-owner.ts`), taken with a bounded wait.
 *
 * A holder that died leaves the directory behind. It is taken over
 * - at once when its owner record shows a process of this machine that no longer exists
 *   (a SIGKILLed action, an operator command that crashed): the next action waits only its
 *   retry pause, a few ms;
 * - never while the record shows a process of this machine that is still alive;
 * - otherwise (a holder on another front-end sharing the book, a record never written) once the
 *   directory's mtime, which a live holder refreshes every REFRESH_MS, is older than STALE_MS.
 *
 * Taking over is done by one waiter at a time, under a second directory `<book>.lock.takeover`,
 * and re-checks staleness there: two waiters that both saw a dead holder cannot both remove the
 * lock, and a waiter can never remove a lock that was taken over and re-taken meanwhile. Release
 * removes the lock only while the record still carries this holder's token, so a holder that was
 * taken over cannot remove its successor's lock. The commit step asks `compromised()`, which
 * reads the record again, so a lost lock is seen at the last moment, not on a timer.
 *
 * proper-lockfile was used before; it removes a stale lock with rmdir + mkdir unguarded (two
 * waiters can both take it), its release and exit handler remove whatever lock is there, and it
 * knows staleness by age only (every SIGKILLed holder stalled the next action for 5 s).
 */
import * as fs from 'node:fs';
import { IpamError } from '../errors.ts';
import { describeOwner, holderState, newOwner, readOwner, writeOwner, type LockOwner } from './lock-owner.ts';

/** Age after which a lock whose holder cannot be checked directly is taken over. */
export const STALE_MS = 5_000;
/** How often a live holder touches its lock; far below STALE_MS so a busy holder is not taken for dead. */
export const REFRESH_MS = 1_000;
/** The longest pause between two attempts while waiting. */
const MAX_PAUSE_MS = 25;

export interface HeldLock {
  /** Why the lock is no longer ours (taken over, removed), checked now; undefined while it is ours. */
  compromised(): Error | undefined;
  release(): Promise<void>;
}

export function lockPath(file: string): string {
  return `${file}.lock`;
}

export async function acquireLock(file: string, timeoutMs: number): Promise<HeldLock> {
  const dir = lockPath(file);
  const deadline = Date.now() + timeoutMs;
  const owner = newOwner();
  let pause = 1;
  for (;;) {
    const made = tryCreate(dir, owner, file);
    if (made) return held(dir, owner, made);
    const tookOver = takeOverIfDead(dir, file);
    if (Date.now() + (tookOver ? 0 : pause) > deadline) {
      const holder = readOwner(dir);
      throw new IpamError('store-locked', `Cannot use the lease book ${file}: it stayed locked by ${holder ? describeOwner(holder) : 'another process'} for ${timeoutMs} ms (lock: ${dir}; a dead holder on this machine is taken over at once, one elsewhere after ${STALE_MS} ms)`);
    }
    if (tookOver) continue;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
}

/** The lock directory we made: its inode tells it from a successor's when no record could be written. */
interface Made {
  readonly ino: number;
  /** False on a full disk: the directory (no data blocks) could be made, the record not. */
  readonly recorded: boolean;
}

function tryCreate(dir: string, owner: LockOwner, file: string): Made | undefined {
  let ino: number;
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
    ino = fs.statSync(dir).ino;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new IpamError('store-io', `Cannot lock the lease book ${file}: ${(error as Error).message}`);
  }
  try {
    writeOwner(dir, owner);
    return { ino, recorded: true };
  } catch {
    // Without a record the lock still excludes others; a dead holder is then known by age alone.
    // Reading the book (and refusing to write it, if the disk is full) still works.
    return { ino, recorded: false };
  }
}

function held(dir: string, owner: LockOwner, made: Made): HeldLock {
  let released = false;
  const compromised = (): Error | undefined => {
    if (!made.recorded) {
      const ino = attemptIno(dir);
      return ino === made.ino ? undefined : new Error('the lock was removed or taken over');
    }
    const now = readOwner(dir);
    if (now?.token === owner.token) return undefined;
    return new Error(now ? `the lock was taken over by process ${now.pid} on ${now.host}` : 'the lock was removed');
  };
  // A live holder keeps its lock young, so that waiters elsewhere do not take it for dead.
  const refresh = setInterval(() => {
    if (released || compromised()) return;
    const now = new Date();
    try {
      fs.utimesSync(dir, now, now);
    } catch {
      // Seen by compromised() at commit time if the lock is gone.
    }
  }, REFRESH_MS);
  refresh.unref();
  return {
    compromised,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(refresh);
      if (compromised()) return;
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // A lock left behind without a record goes stale after STALE_MS; nothing else to do.
      }
    },
  };
}

function attemptIno(dir: string): number | undefined {
  try {
    return fs.statSync(dir).ino;
  } catch {
    return undefined;
  }
}

/** True when the lock was dead and has been removed, so creating it can be tried again now. */
function takeOverIfDead(dir: string, file: string): boolean {
  if (!isDead(dir)) return false;
  const guard = `${dir}.takeover`;
  try {
    fs.mkdirSync(guard, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new IpamError('store-io', `Cannot lock the lease book ${file}: ${(error as Error).message}`);
    // Another waiter is taking over right now (it holds the guard for microseconds), or died
    // doing so; in that case the guard itself goes stale.
    if (olderThan(guard, STALE_MS)) fs.rmSync(guard, { recursive: true, force: true });
    return false;
  }
  try {
    if (!isDead(dir)) return false;
    fs.rmSync(dir, { recursive: true, force: true });
    return true;
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
}

/**
 * A holder seen alive on this machine is never taken over, however long it holds the lock (a
 * blocked holder makes waiters fail with "locked", never write beside it); one seen dead is at
 * once; one that cannot be checked once the lock has not been refreshed for STALE_MS.
 */
function isDead(dir: string): boolean {
  const owner = readOwner(dir);
  const state = owner ? holderState(owner) : 'unknown';
  if (state === 'alive') return false;
  if (state === 'dead') return fs.existsSync(dir);
  return olderThan(dir, STALE_MS);
}

function olderThan(dir: string, ms: number): boolean {
  try {
    return fs.statSync(dir).mtimeMs < Date.now() - ms;
  } catch {
    return false;
  }
}
