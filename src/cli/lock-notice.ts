/**
 * A command waiting for the book's lock (oned or another operator holds it) used to look hung
 * for the whole lock timeout. On a terminal it now says, after about a second, who holds the
 * lock and since when. Only on a terminal: scripts and oned's log get no chatter.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import { lockPath } from '../store/file/lock.ts';
import { describeOwner, OWNER_FILE, readOwner } from '../store/file/lock-owner.ts';

const LOCK_NOTICE_AFTER_MS = 1_000;

/** Starts watching; call the returned function once the store call has returned. */
export function noticeLockWait(
  bookPath: string,
  stderr: (text: string) => void,
  lockTimeoutMs: number,
  onTerminal: boolean = isatty(2),
): () => void {
  if (!onTerminal) return () => {};
  const timer = setTimeout(() => {
    const dir = lockPath(bookPath);
    const owner = readOwner(dir);
    if (!fs.existsSync(dir) || owner?.pid === process.pid) return;
    let since = '';
    try {
      since = ` since ${fs.statSync(path.join(dir, OWNER_FILE)).mtime.toISOString()}`;
    } catch {
      // No record yet: the holder is between taking the lock and writing it.
    }
    stderr(
      `Waiting for the lease book's lock, held by ${owner ? describeOwner(owner) : 'another process'}${since} (${dir}); giving up after ${lockTimeoutMs / 1000} s...\n`,
    );
  }, LOCK_NOTICE_AFTER_MS);
  return () => clearTimeout(timer);
}
