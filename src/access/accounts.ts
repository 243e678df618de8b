/**
 * Users and groups by number and by name, from /etc/passwd and /etc/group (read as every file is,
 * regular-file.ts), for messages ("uid 9869 (oneadmin)") and for acting as oned's user (verify).
 * Without the files, numbers alone.
 */
import { readRegularFile } from './regular-file.ts';

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Whom a file is given to (fchown): the store's files, a program install writes. */
export type FileOwner = Pick<Account, 'uid' | 'gid'>;

function entries(file: '/etc/passwd' | '/etc/group'): string[][] {
  let text = '';
  try {
    text =
      readRegularFile(file, { what: 'the account list', kind: 'internal', maxBytes: 8 * 1024 * 1024 })?.bytes.toString(
        'utf8',
      ) ?? '';
  } catch {
    // Without names, the numbers alone.
  }
  return text.split('\n').map((line) => line.split(':'));
}

/** "uid 9869 (oneadmin)" or "group 9869 (oneadmin)": the name when the system has one. */
export function account(kind: 'uid' | 'group', id: number): string {
  const name = entries(kind === 'uid' ? '/etc/passwd' : '/etc/group').find((fields) => fields[2] === String(id))?.[0];
  return `${kind} ${id}${name ? ` (${name})` : ''}`;
}

/** The name of group `gid`, or its number. */
export function groupName(gid: number): string {
  return entries('/etc/group').find((fields) => fields[2] === String(gid))?.[0] ?? String(gid);
}

/** The user called `name`, or undefined when there is none. */
export function accountNamed(name: string): Account | undefined {
  const fields = entries('/etc/passwd').find((f) => f[0] === name);
  return fields ? { name, uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

/** The user with uid `uid` (name: its number when it has none). */
export function accountOf(uid: number, gid: number): Account {
  const fields = entries('/etc/passwd').find((f) => f[2] === String(uid));
  return { name: fields?.[0] ?? String(uid), uid, gid: fields ? Number(fields[3]) : gid };
}

/** `user`'s primary group and every group /etc/group lists it in. */
export function memberGids(user: Account): number[] {
  const gids = new Set<number>([user.gid]);
  for (const group of entries('/etc/group'))
    if ((group[3] ?? '').split(',').includes(user.name)) gids.add(Number(group[2]));
  return [...gids];
}
