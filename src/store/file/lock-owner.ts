/**
 * Who holds the store's lock: a small record inside the lock directory naming the holder's
 * process, host, boot and pid namespace, command and uid (for the waiter's message), plus a
 * random token that tells one holding of the lock from the next. It lets a waiter see at once that a holder on this machine has died (a SIGKILLed
 * action, a crashed operator command) instead of waiting for the lock to go stale, and lets a
 * holder check, right before it commits, that the lock is still its own.
 *
 * A record that cannot be trusted (another host, another pid namespace, after a reboot, half
 * written, absent, unreadable) never declares a holder dead: the caller falls back to the lock's
 * age. One that is not a regular file (a FIFO would block the reader for ever) is refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileOwner } from '../../access/accounts.ts';
import { writeTemp } from './atomic-write.ts';
import { randomHex } from '../../random-hex.ts';
import { NotRegularFile, readRegularFile } from '../../access/regular-file.ts';
import { accountOf } from '../../access/accounts.ts';
import type { LockHolder } from '../store-wait.ts';

export interface LockOwner {
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  /** /proc/sys/kernel/random/boot_id: pids of an earlier boot mean nothing now. */
  readonly boot?: string;
  /** /proc/self/ns/pid: a pid from another container's namespace means nothing here. */
  readonly pidns?: string;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat), to tell a reused pid. */
  readonly started?: string;
  /** `get_address 17`, `nebula-ipam lease --pool private`: for messages only. */
  readonly command?: string;
  /** The holder's effective uid; its name is looked up by the waiter that shows it. */
  readonly uid?: number;
}

export const OWNER_FILE = 'owner';

/** The names a lock directory may hold: the record, and the temp file of a holder killed writing it. */
export function isRecordName(name: string): boolean {
  return name === OWNER_FILE || /^owner\.[0-9a-f]{12}\.tmp$/.test(name);
}

export function newOwner(): LockOwner {
  const here = machine();
  return {
    token: randomHex(12),
    pid: process.pid,
    host: os.hostname(),
    ...(here.boot === undefined ? {} : { boot: here.boot }),
    ...(here.pidns === undefined ? {} : { pidns: here.pidns }),
    ...optional('started', processStart(process.pid)),
    command: commandLine(),
    ...optional('uid', process.geteuid?.()),
  };
}

/** The program by the name it was run as (an action's link, `nebula-ipam`) and its arguments, cut short. */
function commandLine(): string {
  const [program = '', ...args] = process.argv.slice(1);
  const line = [path.basename(program), ...args].join(' ');
  return line.length > MAX_COMMAND ? `${line.slice(0, MAX_COMMAND - 3)}...` : line;
}
const MAX_COMMAND = 80;

/** A real record is ~250 bytes; a bigger file is not one, and is not read. */
const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Written inside the lock directory, atomically (a reader never sees half a record), owner-only,
 * and given to `fileOwner` (the book's owner, when root writes it).
 */
export function writeOwner(lockDir: string, owner: LockOwner, fileOwner?: FileOwner): void {
  const temp = path.join(lockDir, `${OWNER_FILE}.${randomHex(6)}.tmp`);
  writeTemp(temp, fileOwner, (fd) => fs.writeFileSync(fd, JSON.stringify(owner)));
  try {
    fs.renameSync(temp, path.join(lockDir, OWNER_FILE));
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * The record, or undefined when there is none or it cannot be read as one. Throws (store-io) when
 * something other than a regular file stands at its name.
 */
export function readOwner(lockDir: string): LockOwner | undefined {
  let bytes: Buffer | undefined;
  try {
    bytes = readRegularFile(path.join(lockDir, OWNER_FILE), {
      what: "the lock's owner record",
      kind: 'store-io',
      follow: false,
      maxBytes: MAX_RECORD_BYTES,
    })?.bytes;
  } catch (error) {
    // Unreadable or too big: no record to trust. A FIFO or such at its name is refused.
    if (error instanceof NotRegularFile) throw error;
    return undefined;
  }
  if (bytes === undefined) return undefined;
  try {
    const raw: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const o = raw as Record<string, unknown>;
    if (
      typeof o.token !== 'string' ||
      typeof o.host !== 'string' ||
      typeof o.pid !== 'number' ||
      !Number.isSafeInteger(o.pid) ||
      o.pid <= 0
    )
      return undefined;
    return {
      token: o.token,
      pid: o.pid,
      host: o.host,
      ...optional('boot', typeof o.boot === 'string' ? o.boot : undefined),
      ...optional('pidns', typeof o.pidns === 'string' ? o.pidns : undefined),
      ...optional('started', typeof o.started === 'string' ? o.started : undefined),
      // Older releases wrote neither.
      ...optional('command', typeof o.command === 'string' ? o.command.slice(0, MAX_COMMAND) : undefined),
      ...optional('uid', Number.isSafeInteger(o.uid) && (o.uid as number) >= 0 ? (o.uid as number) : undefined),
    };
  } catch {
    return undefined;
  }
}

/**
 * What the record says about its holder: 'dead' only when certainly gone (same host, boot and
 * pid namespace, and its pid no longer exists or now belongs to a process started at another
 * time); 'alive' when that process is certainly still there; 'unknown' otherwise.
 */
export function holderState(owner: LockOwner): 'dead' | 'alive' | 'unknown' {
  const here = machine();
  if (here.boot === undefined || here.pidns === undefined) return 'unknown';
  if (owner.host !== os.hostname() || owner.boot !== here.boot || owner.pidns !== here.pidns) return 'unknown';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'alive';
  }
  if (owner.started === undefined) return 'alive';
  const started = processStart(owner.pid);
  return started === undefined ? 'unknown' : started === owner.started ? 'alive' : 'dead';
}

/** The holder as a waiter shows it (store-wait.ts), its uid by name. */
export function holderOf(owner: LockOwner): LockHolder {
  return {
    pid: owner.pid,
    host: owner.host,
    ...optional('command', owner.command),
    ...optional('user', owner.uid === undefined ? undefined : accountOf(owner.uid, 0).name),
  };
}

let cachedMachine: { boot?: string; pidns?: string } | undefined;
function machine(): { boot?: string; pidns?: string } {
  cachedMachine ??= {
    ...optional(
      'boot',
      attempt(() => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    ),
    ...optional(
      'pidns',
      attempt(() => fs.readlinkSync('/proc/self/ns/pid')),
    ),
  };
  return cachedMachine;
}

function processStart(pid: number): string | undefined {
  return attempt(() => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  });
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read() || undefined;
  } catch {
    return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
