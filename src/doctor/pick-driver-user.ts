/**
 * The user oned runs this driver as, whose access `verify` and `status` check (issue 15 item 5):
 * the owner of the driver's directory in oned's remotes tree (oned's user owns that tree), else
 * `oneadmin` when the system has one; else only the user running this command can be checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accountNamed, accountOf, type Account } from '../access/accounts.ts';
import { defaultPaths, type Env } from '../config/paths.ts';
import { IpamError, shown } from '../core/errors.ts';

/** Undefined when there is neither a driver directory owned by a user nor oneadmin. */
export function driverUser(env: Env, driver: string, named?: string): Account | undefined {
  if (named !== undefined) {
    const user = accountNamed(named);
    if (!user) throw new IpamError('usage', `Cannot check as --as ${shown(named)}: no such user in /etc/passwd`);
    return user;
  }
  try {
    const { uid, gid } = fs.statSync(path.join(defaultPaths(env).remotesIpam, driver));
    if (uid !== 0) return accountOf(uid, gid);
  } catch {
    // No driver directory here (a CLI-only host, or not installed yet).
  }
  return accountNamed('oneadmin');
}

/** This process's user, checked when no driver user is known. */
export function runningUser(): Account {
  return accountOf(process.geteuid?.() ?? 0, process.getegid?.() ?? 0);
}
