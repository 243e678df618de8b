/**
 * Who else could change a program root will run. Root runs `BINDIR/nebula-ipam`; whoever can
 * write that link's directory, the program it leads to, or any directory above either, can make
 * root run their code (issue 16 item 1: the driver directory, which oned's user owns, is no
 * place for it). Trusted are root and the user running install; a directory with the sticky bit
 * (/tmp) lets nobody else rename or remove what is ours in it, so its others' write bit is fine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { account } from '../access/accounts.ts';

export interface ForeignWriter {
  /** The file or directory someone else may write. */
  readonly path: string;
  /** Who: "uid 9869 (oneadmin), its owner" or "group 9869 (oneadmin)". */
  readonly who: string;
}

/** The uids whose files a program run by this process may live in: root, and this user. */
export function trustedUids(): readonly number[] {
  const euid = process.geteuid?.() ?? 0;
  return euid === 0 ? [0] : [0, euid];
}

/**
 * The first of `file` (or, while it does not exist, its nearest existing directory) and each
 * directory above it, symlinks resolved, that someone outside `trusted` may write; undefined
 * when there is none.
 */
export function foreignWriter(file: string, trusted: readonly number[]): ForeignWriter | undefined {
  let at = path.resolve(file);
  for (;;) {
    try {
      at = fs.realpathSync(at);
      break;
    } catch {
      const up = path.dirname(at);
      if (up === at) return undefined;
      at = up;
    }
  }
  for (;;) {
    const stat = fs.statSync(at);
    if (!trusted.includes(stat.uid)) return { path: at, who: `${account('uid', stat.uid)}, its owner` };
    const sticky = stat.isDirectory() && (stat.mode & 0o1000) !== 0;
    if (!sticky && (stat.mode & 0o002) !== 0) return { path: at, who: 'every user' };
    if (!sticky && (stat.mode & 0o020) !== 0 && !(stat.gid === 0 && trusted.length === 1))
      return { path: at, who: account('group', stat.gid) };
    const up = path.dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}
