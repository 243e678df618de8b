/**
 * The book's directory, as it was when the book was found. Whoever can write the directory above
 * it (oneadmin, on every front-end) can rename it away and put a symlink in its place, for
 * instance while a root command waits for the lock that oneadmin holds: root would then write the
 * book, its lock, `.prev` and audit log into whatever directory the symlink names
 * (`/etc/apt/apt.conf.d`). So the directory's (dev, ino) is recorded once, when the book's path is
 * resolved, and checked again by name after the lock is taken and before every write; a directory
 * that is no longer the one recorded is refused in one line, nothing written.
 *
 * The check is by name, so a swap between it and the write that follows it (microseconds, with no
 * lock to hold it open) is not excluded; it closes the wait for the lock, where the swap was free.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IpamError } from '../../core/errors.ts';

export interface DirectoryIdentity {
  readonly dir: string;
  readonly dev: number;
  readonly ino: number;
}

/** The book's directory as it is now (followed, as every path through it is). */
export function directoryOf(file: string): DirectoryIdentity {
  const dir = path.dirname(file);
  const { dev, ino } = fs.statSync(dir);
  return { dir, dev, ino };
}

/** Whether `recorded`'s name still leads to the directory it named. */
export function stillThere(recorded: DirectoryIdentity): boolean {
  const now = statOrNothing(recorded.dir);
  return now !== undefined && now.dev === recorded.dev && now.ino === recorded.ino;
}

/** Throws when `recorded`'s name no longer leads to the directory it named. */
export function checkDirectory(recorded: DirectoryIdentity, file: string): void {
  if (stillThere(recorded)) return;
  const now = statOrNothing(recorded.dir);
  const what = now ? `device ${now.dev} inode ${now.ino}` : 'nothing';
  const reason = `its directory ${recorded.dir} was replaced since the book was found (device ${recorded.dev} inode ${recorded.ino} then, ${what} now)`;
  throw new IpamError(
    'store-io',
    `Cannot write the lease book ${file}: ${reason}; nothing was written. Someone who can write ${path.dirname(recorded.dir)} moved it: look at what ${recorded.dir} is now`,
    {
      subject: recorded.dir,
      reason,
    },
  );
}

function statOrNothing(dir: string): fs.Stats | undefined {
  try {
    return fs.statSync(dir);
  } catch {
    return undefined;
  }
}
