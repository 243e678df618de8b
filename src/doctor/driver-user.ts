/**
 * The user oned runs the actions as (oneadmin), and whether the mode bits let it at a file.
 * oned's user owns its remotes tree, so the owner of the IPAM remotes directory is taken as that
 * user: no name is guessed, and a self-contained OpenNebula under another account is judged
 * right. Root passes every read and write check, as the kernel lets it.
 */
import * as fs from 'node:fs';
import { readRegularFile } from '../regular-file.ts';

export interface DriverUser {
  readonly uid: number;
  readonly gids: readonly number[];
  /** "oneadmin (uid 9869)" or "uid 9869". */
  readonly name: string;
}

export function driverUserOf(remotesIpam: string): DriverUser | undefined {
  let uid: number;
  try {
    uid = fs.statSync(remotesIpam).uid;
  } catch {
    return undefined;
  }
  const passwd = accounts('/etc/passwd').find((f) => f[2] === String(uid));
  const login = passwd?.[0];
  const gids = new Set<number>(passwd?.[3] !== undefined ? [Number(passwd[3])] : []);
  for (const group of accounts('/etc/group')) {
    if (login !== undefined && (group[3] ?? '').split(',').includes(login)) gids.add(Number(group[2]));
  }
  return { uid, gids: [...gids], name: login ? `${login} (uid ${uid})` : `uid ${uid}` };
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
