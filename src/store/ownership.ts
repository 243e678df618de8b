/**
 * Whose the store's files are. oned runs the driver as `oneadmin`; an operator often runs the CLI
 * as root. A book (or `.prev`, audit log, lock directory, owner record) that root created as
 * root:root 0600 locks oneadmin out: every action then fails with EACCES, and a lock root left
 * behind cannot even be read to see that its holder is dead. So whatever root creates for the
 * store is given, right after it is created, the owner and group of the book (of the nearest
 * existing directory above it while there is no book yet). Other users cannot give files away;
 * for them this is a no-op.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

/** The owner to give new files beside `realBook`, or undefined when not root or when it is root's. */
export function storeOwner(realBook: string): FileOwner | undefined {
  if (process.geteuid?.() !== 0) return undefined;
  for (let at = realBook; ; ) {
    try {
      const { uid, gid } = fs.statSync(at);
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

/** Gives the file or directory itself (never a symlink's target) to `owner`. */
export function givePath(file: string, owner: FileOwner | undefined): void {
  if (owner) fs.lchownSync(file, owner.uid, owner.gid);
}
