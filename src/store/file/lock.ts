/**
 * The store's lock: proper-lockfile's lock directory `<book>.lock`, taken with a bounded wait,
 * holding an owner record (`lock-owner.ts`) written right after it is taken.
 *
 * proper-lockfile makes the directory (mkdir is atomic, also on NFS), keeps its mtime fresh while
 * we hold it, and reports a lock lost on a timer. On its own it has three weaknesses: it knows a
 * dead holder only by age (every SIGKILLed action stalled the next one for STALE_MS), it removes a
 * stale lock with an unguarded rmdir (two waiters can both take it), and its release and exit
 * handler rmdir whatever lock is there. The owner record answers all three:
 * - a waiter reads it and takes over at once a lock whose holder was a process of this machine
 *   that no longer exists; one whose holder cannot be checked (another front-end, no record)
 *   only once the lock has not been refreshed for STALE_MS; one seen alive never;
 * - proper-lockfile's own removals are plain rmdir, which fails on a directory holding a record
 *   (ENOTEMPTY): every removal of a recorded lock goes through `takeOverIfDead`, one waiter at a
 *   time under `<book>.lock.takeover`, re-checking there;
 * - release removes the record only while it carries this holder's token, and never calls
 *   proper-lockfile's release once the lock is not ours, so a successor's lock stays.
 * The commit step asks `compromised()`, which reads the record again: a lost lock is seen at
 * the last moment, not only on a timer.
 *
 * Two more cases the lock's age alone gets wrong or cannot reach: a lock dated in the future (the
 * clock was stepped back after its last refresh, or its holder's clock runs ahead) has no age, so
 * it counts as stale once a waiter has watched it stay unchanged for STALE_MS; and a lock made by
 * root is given to the book's owner (`ownership.ts`), so oned's user can read its record and
 * remove it. One it still cannot remove (left by an older version run as root) is reported in
 * one line that says how to remove it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import lockfile from 'proper-lockfile';
import { IpamError } from '../../core/errors.ts';
import {
  holderOf,
  holderState,
  isRecordName,
  newOwner,
  OWNER_FILE,
  readOwner,
  writeOwner,
  type LockOwner,
} from './lock-owner.ts';
import { giveDirectory, storeOwner } from './ownership.ts';
import { pause as sleep, stopIfAborted } from '../stop-before-commit.ts';
import { ioReason } from '../../access/denied.ts';
import { describeHolder, type StoreWait } from '../store-wait.ts';

/** Age after which a lock whose holder cannot be checked directly is taken over. */
export const STALE_MS = 5_000;
/** How often a live holder touches its lock; far below STALE_MS so a busy holder is not taken for dead. */
export const REFRESH_MS = 1_000;
/** The longest pause between two attempts while waiting. */
const MAX_PAUSE_MS = 25;
/**
 * How far in the future a lock's mtime may be and still count as a time: proper-lockfile itself
 * dates a new lock up to 1 s ahead (it rounds up to probe the mtime's precision).
 */
const FUTURE_MARGIN_MS = 2_000;

export interface HeldLock {
  /** Why the lock is no longer ours (taken over, removed), checked now; undefined while it is ours. */
  compromised(): Error | undefined;
  release(): Promise<void>;
}

export function lockPath(file: string): string {
  return `${file}.lock`;
}

export interface LockWait {
  /** Stops the wait (stop-before-commit.ts): nothing is held then. */
  readonly signal?: AbortSignal | undefined;
  /** Told who holds the lock when it is first found held, and again whenever its holder changes. */
  readonly onWait?: (wait: StoreWait & { readonly for: 'lock' }) => void;
  /**
   * Runs right after the lock is taken, before anything is put in it; a throw releases the lock
   * and is thrown from acquireLock (the book's directory was swapped while this process waited).
   */
  readonly whenTaken?: () => void;
}

export async function acquireLock(file: string, timeoutMs: number, wait: LockWait = {}): Promise<HeldLock> {
  const dir = lockPath(file);
  const deadline = Date.now() + timeoutMs;
  const owner = newOwner();
  let pause = 1;
  let reported: string | undefined;
  for (;;) {
    stopIfAborted(wait.signal, file, 'while waiting for its lock');
    const made = await tryLock(file, dir, owner, wait);
    if (made) return made;
    const holder = readOwner(dir);
    // Reported again when the record appears or another holder takes over.
    if (wait.onWait && (reported === undefined || reported !== (holder?.token ?? ''))) {
      reported = holder?.token ?? '';
      wait.onWait({ for: 'lock', lock: dir, ...(holder ? { holder: holderOf(holder) } : {}), ...heldSince(dir) });
    }
    const tookOver = takeOverIfDead(dir, file);
    // The whole wait, not less: a last attempt is made at the deadline itself.
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new IpamError(
        'store-locked',
        `Cannot use the lease book ${file}: it stayed locked by ${holder ? describeHolder(holderOf(holder)) : 'another process'} for ${timeoutMs} ms (lock: ${dir}; a dead holder on this machine is taken over at once, one elsewhere after ${STALE_MS} ms)`,
      );
    }
    if (tookOver) continue;
    await sleep(Math.min(pause, left), wait.signal);
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
}

/** When the holder wrote its record: when it took the lock. */
function heldSince(dir: string): { since?: string } {
  try {
    return { since: fs.statSync(path.join(dir, OWNER_FILE)).mtime.toISOString() };
  } catch {
    // No record yet: the holder is between taking the lock and writing it.
    return {};
  }
}

/** The lock directory we made: its inode tells it from a successor's when no record could be written. */
interface Made {
  readonly ino: number | undefined;
  /** False on a full disk: the directory (no data blocks) could be made, the record not. */
  readonly recorded: boolean;
}

/** proper-lockfile with owner-only lock directories. */
// fs as the prototype, not spread: spreading reads fs's lazy getters (promises, streams), which
// loads Node's stream modules into every action (~5 ms).
const LOCK_FS = Object.create(fs, {
  mkdir: {
    value: (dir: string, done: (error: NodeJS.ErrnoException | null) => void) => fs.mkdir(dir, { mode: 0o700 }, done),
  },
}) as typeof fs;

/** One attempt; the waiting is acquireLock's. */
async function tryLock(file: string, dir: string, owner: LockOwner, checks: LockWait): Promise<HeldLock | undefined> {
  let lost: Error | undefined;
  let unlock: () => Promise<void>;
  try {
    unlock = await lockfile.lock(file, {
      realpath: false,
      lockfilePath: dir,
      stale: STALE_MS,
      update: REFRESH_MS,
      retries: 0,
      fs: LOCK_FS,
      // The default throws from a timer and kills the process mid-write; record it instead.
      onCompromised: (error: Error) => {
        lost = error;
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ELOCKED: held. ENOTEMPTY: proper-lockfile found it stale but it holds a record, which only
    // takeOverIfDead may remove. EEXIST/ENOTDIR: something else stands at the lock's name.
    if (code === 'ELOCKED' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return undefined;
    throw new IpamError('store-io', `Cannot lock the lease book ${file}: ${ioReason(error, file)}`);
  }
  try {
    checks.whenTaken?.();
  } catch (error) {
    await unlock().catch(() => undefined);
    throw error;
  }
  let recorded = true;
  try {
    // Read now, holding the lock: whose the book is as this holder will write it.
    const fileOwner = storeOwner(file);
    giveDirectory(dir, fileOwner);
    const dated = fs.statSync(dir).mtime;
    writeOwner(dir, owner, fileOwner);
    // Putting the record in changed the directory's mtime, which proper-lockfile's next refresh
    // (after REFRESH_MS) would take for another process's: a lock held longer was lost.
    fs.utimesSync(dir, dated, dated);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Not a directory any more (ENOTDIR, or ELOOP for a symlink): someone who can write the
    // book's directory put a file at the lock's name the moment it was made. Not a lock.
    if (code === 'ENOTDIR' || code === 'ELOOP') {
      await unlock().catch(() => undefined);
      throw new IpamError(
        'store-locked',
        `Cannot lock the lease book ${file}: something other than a directory took the place of its lock ${dir} as it was taken; nothing was written, look at it and remove it`,
      );
    }
    // Without a record the lock still excludes others; a dead holder is then known by age alone.
    // Reading the book (and refusing to write it, if the disk is full) still works.
    recorded = false;
  }
  return held(dir, owner, { ino: attemptIno(dir), recorded }, unlock, () => lost);
}

function held(
  dir: string,
  owner: LockOwner,
  made: Made,
  unlock: () => Promise<void>,
  lost: () => Error | undefined,
): HeldLock {
  let released = false;
  const compromised = (): Error | undefined => {
    const timer = lost();
    if (timer) return timer;
    if (!made.recorded) {
      return attemptIno(dir) === made.ino ? undefined : new Error('the lock was removed or taken over');
    }
    let now: LockOwner | undefined;
    try {
      now = readOwner(dir);
    } catch (error) {
      // Something else stands at the record's name: not ours any more.
      return error as Error;
    }
    if (now?.token === owner.token) return undefined;
    return new Error(now ? `the lock was taken over by process ${now.pid} on ${now.host}` : 'the lock was removed');
  };
  return {
    compromised,
    release: async () => {
      if (released) return;
      released = true;
      // Not ours any more: proper-lockfile's release would remove the successor's lock.
      if (compromised()) return;
      fs.rmSync(path.join(dir, OWNER_FILE), { force: true });
      // Rejected when already gone, or when proper-lockfile saw it lost: not ours to remove then.
      await unlock().catch(() => undefined);
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
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new IpamError('store-io', `Cannot lock the lease book ${file}: ${ioReason(error, file)}`);
    // Another waiter is taking over right now (it holds the guard for microseconds), or died
    // doing so; in that case the guard itself goes stale.
    if (notRefreshedFor(guard, STALE_MS)) remove(guard, file);
    return false;
  }
  try {
    giveDirectory(guard, storeOwner(file));
    if (!isDead(dir)) return false;
    remove(dir, file);
    return true;
  } finally {
    remove(guard, file);
  }
}

/**
 * Removes a dead lock (or guard). An empty directory goes with rmdir, whoever made it (only the
 * book's directory must be writable); one holding a record this user cannot remove is reported.
 * Never recursively: the lock is in oneadmin's directory, and a recursive removal walks names
 * that can be swapped for a symlink between its look and its unlink, so root's takeover of a
 * lock planted with a subdirectory could delete files anywhere. Only what a lock holds (its
 * record, a record's temp file) is removed; anything else is reported with the `rm -r` to run.
 */
function remove(dir: string, file: string): void {
  try {
    fs.rmdirSync(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw cannotRemove(dir, file, error as Error);
  }
  try {
    // Not a directory (a symlink, a file): unlink removes that name, never what it leads to.
    if (!fs.lstatSync(dir).isDirectory()) {
      fs.unlinkSync(dir);
      return;
    }
    // unlink(2) never follows a symlink and fails on a directory: one level, by these names only.
    for (const name of fs.readdirSync(dir)) if (isRecordName(name)) fs.unlinkSync(path.join(dir, name));
    fs.rmdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw cannotRemove(dir, file, error as Error);
  }
}

function cannotRemove(dir: string, file: string, error: Error): IpamError {
  let whose = '';
  try {
    whose = ` (it belongs to uid ${fs.lstatSync(dir).uid}, this process runs as uid ${process.geteuid?.()})`;
  } catch {
    // Only for the message.
  }
  return new IpamError(
    'store-locked',
    `Cannot take over the lock ${dir} of the lease book ${file}: its holder is gone but it cannot be removed${whose}: ${error.message}; remove it as its owner or root: rm -r ${dir}`,
  );
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
  return notRefreshedFor(dir, STALE_MS);
}

/** Locks dated in the future, as first seen by this process: their mtime then, and when (monotonic). */
const watched = new Map<string, { readonly mtimeMs: number; readonly ino: number; readonly since: number }>();

/**
 * True when nobody has touched `dir` for `ms`: by its mtime, or, when that lies in the future and
 * so tells no age, by this process having seen it stay unchanged for `ms` of its own monotonic
 * time (a live holder touches its lock every REFRESH_MS, whatever its clock says).
 */
function notRefreshedFor(dir: string, ms: number): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return false;
  }
  const now = Date.now();
  if (stat.mtimeMs <= now + FUTURE_MARGIN_MS) {
    watched.delete(dir);
    return stat.mtimeMs < now - ms;
  }
  const seen = watched.get(dir);
  const at = performance.now();
  if (!seen || seen.mtimeMs !== stat.mtimeMs || seen.ino !== stat.ino) {
    watched.set(dir, { mtimeMs: stat.mtimeMs, ino: stat.ino, since: at });
    return false;
  }
  return at - seen.since >= ms;
}
