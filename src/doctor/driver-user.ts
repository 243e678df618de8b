/**
 * Whether the mode bits let oned's user at a file that is not the book's (the config, the
 * bundle): the book's files are probed as that user (store/file/access-check.ts). Root passes every
 * read and write check, as the kernel lets it.
 */
import type * as fs from 'node:fs';
import { memberGids, type Account } from '../access/accounts.ts';

export interface DriverUser {
  readonly uid: number;
  readonly gids: readonly number[];
  /** "oneadmin (uid 9869)". */
  readonly name: string;
}

/** `user` (pick-driver-user.ts picks it) with its groups, for judging a file by its mode. */
export function withGroups(user: Account): DriverUser {
  return { uid: user.uid, gids: memberGids(user), name: `${user.name} (uid ${user.uid})` };
}

/** Whether `user` may `want` (r, w, x bits as 4, 2, 1) the file of `stat`, by its mode bits. */
export function mayAccess(user: DriverUser, stat: fs.Stats, want: number): boolean {
  if (user.uid === 0) return (want & 1) === 0 || (stat.mode & 0o111) !== 0;
  const bits =
    stat.uid === user.uid ? (stat.mode >> 6) & 7 : user.gids.includes(stat.gid) ? (stat.mode >> 3) & 7 : stat.mode & 7;
  return (bits & want) === want;
}
