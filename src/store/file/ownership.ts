/**
 * Whose the store's files are. oned runs the driver as `oneadmin`; an operator often runs the CLI
 * as root. A book (or `.prev`, audit log, lock directory, owner record) that root created as
 * root:root 0600 locks oneadmin out: every action then fails with EACCES, and a lock root left
 * behind cannot even be read to see that its holder is dead. So whatever root creates for the
 * store is given, right after it is created, the owner and group of the book (of the nearest
 * existing directory above it while there is no book yet). Other users cannot give files away;
 * for them this is a no-op.
 *
 * Root gives away only what it has just made, and through a descriptor, never by name: the
 * directory it all happens in is oneadmin's, so oneadmin chooses what stands at a name between
 * root making it and root chowning it. A chown by name there would give oneadmin a hard link to
 * any file of that filesystem (`/etc/shadow`, where `fs.protected_hardlinks` is 0). A directory
 * is opened O_DIRECTORY, so no file can take its place (and directories cannot be hard-linked).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileOwner } from '../../access/accounts.ts';

/** The owner to give new files beside `realBook`, or undefined when not root or when it is root's. */
export function storeOwner(realBook: string): FileOwner | undefined {
  if (process.geteuid?.() !== 0) return undefined;
  for (let at = realBook; ; ) {
    try {
      // lstat: a symlink planted at the book's name tells its planter, not its target's owner.
      const { uid, gid } = fs.lstatSync(at);
      return uid === 0 && gid === 0 ? undefined : { uid, gid };
    } catch {
      const up = path.dirname(at);
      if (up === at) return undefined;
      at = up;
    }
  }
}

/** Gives the open file to `owner` (a no-op without one). */
export function giveFd(fd: number, owner: FileOwner | undefined): void {
  if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
}

/**
 * Gives the directory just made at `dir` to `owner` (a no-op without one), through a descriptor
 * of it: whatever is at that name by then that is not a directory is not given (ENOTDIR).
 */
export function giveDirectory(dir: string, owner: FileOwner | undefined): void {
  if (!owner) return;
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  try {
    fs.fchownSync(fd, owner.uid, owner.gid);
  } finally {
    fs.closeSync(fd);
  }
}
