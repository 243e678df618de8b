/**
 * Whether the mode bits let oned's user at a file that is not the book's (the config, the
 * bundle): the book's files are probed as that user (store/access-check.ts). Root passes every
 * read and write check, as the kernel lets it.
 */
import type * as fs from 'node:fs';
import type { Account } from '../access/accounts.ts';
import { readRegularFile } from '../regular-file.ts';

export interface DriverUser {
  readonly uid: number;
  readonly gids: readonly number[];
  /** "oneadmin (uid 9869)" or "uid 9869". */
  readonly name: string;
}

/** `user` (cli/driver-user.ts picks it) with its groups, for judging a file by its mode. */
export function withGroups(user: Account): DriverUser {
  const gids = new Set<number>([user.gid]);
  for (const group of accounts('/etc/group')) if ((group[3] ?? '').split(',').includes(user.name)) gids.add(Number(group[2]));
  return { uid: user.uid, gids: [...gids], name: `${user.name} (uid ${user.uid})` };
}

/** Whether `user` may `want` (r, w, x bits as 4, 2, 1) the file of `stat`, by its mode bits. */
export function mayAccess(user: DriverUser, stat: fs.Stats, want: number): boolean {
  if (user.uid === 0) return (want & 1) === 0 || (stat.mode & 0o111) !== 0;
  const bits = stat.uid === user.uid ? (stat.mode >> 6) & 7 : user.gids.includes(stat.gid) ? (stat.mode >> 3) & 7 : stat.mode & 7;
  return (bits & want) === want;
}

function accounts(file: string): string[][] {
  try {
    const text = readRegularFile(file, { what: 'the account list', kind: 'internal', maxBytes: 8 * 1024 * 1024 })?.bytes.toString('utf8') ?? '';
    return text.split('\n').map((line) => line.split(':'));
  } catch {
    return [];
  }
}
