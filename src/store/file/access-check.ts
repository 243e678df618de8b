/**
 * What oned will meet (issue 15 item 5): the file book, its directory, lock and audit log opened
 * as oned's user would open them, not judged from their modes. ACLs, a read-only mount, a
 * directory above that does not let the user in, SELinux: the kernel answers for all of them.
 *
 * Run as root, the probe acts as that user for its few system calls: effective uid and gid, and
 * the user's groups, switched for the probe and back (the real uid stays root, so switching back
 * is allowed). A child process with the user's ids would do the same, but the bundle never
 * spawns one (docs/guarantees.md). Run as that user, it probes as itself; as anyone else it
 * cannot tell, and says so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { account, groupName, type Account } from '../../access/accounts.ts';
import { modeText } from '../../access/denied.ts';
import { auditPath } from './audit-log.ts';
import { lockPath } from './lock.ts';
import { OWNER_FILE } from './lock-owner.ts';
import { randomHex } from '../../random-hex.ts';
import type { AccessProblem } from '../../core/verify/access-finding.ts';
import type { AccessCheck } from '../store.ts';

const { O_RDONLY, O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fs.constants;

/** `book`: the book's real path. */
export function checkFileAccess(book: string, user: Account): AccessCheck {
  const who = account('uid', user.uid);
  const euid = process.geteuid?.();
  if (euid !== 0 && euid !== user.uid) return { user: who, checked: false, problems: [] };
  return { user: who, checked: true, problems: actingAs(user, () => probe(book, user, who)) };
}

function probe(book: string, user: Account, who: string): AccessProblem[] {
  const dir = path.dirname(book);
  const blocked = closedAbove(dir);
  if (blocked) return [problemFor(blocked, 'a directory above the lease book', 'enter', { code: 'EACCES' }, user, who)];
  const problems: AccessProblem[] = [];
  const attempt = (file: string, what: string, needs: AccessProblem['needs'], open: () => void) => {
    try {
      open();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') problems.push(problemFor(file, what, needs, error as NodeJS.ErrnoException, user, who));
    }
  };
  // Every write makes a temp file beside the book and renames it over: a file made and removed
  // again here, under the name a killed writer's leftover has (the store sweeps those).
  attempt(dir, "the lease book's directory", 'write', () => {
    const probeFile = path.join(dir, `.${path.basename(book)}.${process.pid}.${randomHex(6)}.tmp`);
    fs.closeSync(fs.openSync(probeFile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, 0o600));
    fs.rmSync(probeFile);
  });
  attempt(book, 'the lease book', 'read', () => fs.closeSync(fs.openSync(book, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)));
  const log = auditPath(book);
  attempt(log, 'the audit log', 'write', () =>
    fs.closeSync(fs.openSync(log, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK)),
  );
  // A lock left behind: its holder is checked from its record, and it is removed by whoever
  // waits next (lock.ts). Nothing is created in it: its holder's release would then fail.
  const lock = lockPath(book);
  attempt(lock, 'the lock', 'read', () => fs.closeSync(fs.openSync(lock, O_RDONLY | O_DIRECTORY | O_NONBLOCK)));
  attempt(lock, 'the lock', 'read', () =>
    fs.closeSync(fs.openSync(path.join(lock, OWNER_FILE), O_RDONLY | O_NOFOLLOW | O_NONBLOCK)),
  );
  return problems;
}

/**
 * The directory above `dir` (or `dir` itself) this user cannot enter, found by looking at each
 * one from the root down: looking at a name needs every directory above it entered.
 */
function closedAbove(dir: string): string | undefined {
  const chain: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    chain.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (let i = 1; i < chain.length; i++) {
    try {
      fs.lstatSync(chain[i]!);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') return chain[i - 1];
      return undefined;
    }
  }
  // The directory itself: entering it is what opening the book needs.
  try {
    fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') return dir;
  }
  return undefined;
}

function problemFor(
  file: string,
  what: string,
  needs: AccessProblem['needs'],
  error: { code?: string | undefined },
  user: Account,
  who: string,
): AccessProblem {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(file);
  } catch {
    // Described without its owner.
  }
  const owner = stat
    ? `${account('uid', stat.uid)}, ${account('group', stat.gid)}, mode ${modeText(stat.mode)}`
    : 'unknown';
  if (error.code === 'EROFS') {
    const mount = mountPointOf(file);
    return {
      path: file,
      what,
      user: who,
      needs,
      reason: 'read-only file system',
      owner,
      fix: `mount ${mount} read-write (mount -o remount,rw ${shell(mount)})`,
    };
  }
  const reason = error.code === 'EACCES' || error.code === 'EPERM' ? 'permission denied' : (error.code ?? 'failed');
  return { path: file, what, user: who, needs, reason, owner, fix: fixFor(file, what, stat, user) };
}

function fixFor(file: string, what: string, stat: fs.Stats | undefined, user: Account): string {
  const isDir = stat?.isDirectory() ?? false;
  const owned = `${user.name}:${groupName(user.gid)}`;
  if (what === 'a directory above the lease book')
    return `chmod o+x ${shell(file)} (or make ${user.name} a member of its group and chmod g+x ${shell(file)})`;
  if (what === 'the lock') return `chown -R ${owned} ${shell(file)}`;
  const bits = isDir ? 'rwx' : 'rw';
  const steps: string[] = [];
  if (!stat || stat.uid !== user.uid) steps.push(`chown ${owned} ${shell(file)}`);
  const ownerBits = (isDir ? 0o700 : 0o600) & (stat?.mode ?? 0);
  if (ownerBits !== (isDir ? 0o700 : 0o600)) steps.push(`chmod u+${bits} ${shell(file)}`);
  return steps.length > 0
    ? steps.join(' && ')
    : `look at ${shell(file)}'s ACLs and security labels (getfacl, ls -Z): its owner and mode let ${user.name} in`;
}

/** The mount point holding `file` (the longest of /proc/self/mountinfo's that contains it). */
function mountPointOf(file: string): string {
  let best = '/';
  try {
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const point = line
        .split(' ')[4]
        ?.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
      if (
        point &&
        (file === point || file.startsWith(point.endsWith('/') ? point : `${point}/`)) &&
        point.length > best.length
      )
        best = point;
    }
  } catch {
    // Without mountinfo: the root.
  }
  return best;
}

function shell(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Runs `probe` with `user`'s effective ids and groups when root (module comment). */
function actingAs<T>(user: Account, probe: () => T): T {
  if (process.geteuid?.() === user.uid) return probe();
  const groups = process.getgroups!();
  const egid = process.getegid!();
  try {
    // Node has it on POSIX; @types/node 18 leaves it out.
    (process as unknown as { initgroups(user: string, extraGroup: number): void }).initgroups(user.name, user.gid);
  } catch {
    process.setgroups!([user.gid]);
  }
  process.setegid!(user.gid);
  process.seteuid!(user.uid);
  try {
    return probe();
  } finally {
    process.seteuid!(0);
    process.setegid!(egid);
    process.setgroups!(groups);
  }
}
