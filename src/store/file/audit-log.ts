/**
 * The file book's audit log: one JSON line per attempted change to the book, appended beside
 * it (`<book>.audit.jsonl`, beside the real file when the book's path is a symlink). Writing it
 * can never fail or delay an action by more than one append: any error is swallowed, since a lost
 * log line is better than a lost lease. So a log that is not a regular file (a FIFO would block
 * the append for ever) is skipped.
 *
 * Root appends to a log in a directory oneadmin can write, so oneadmin chooses what is at its
 * name. Only a log this very append created (O_EXCL) is given to the book's owner: giving away
 * whatever is there would give oneadmin any file it can hard-link to (`/etc/shadow`, where
 * `fs.protected_hardlinks` is 0). And a log with more than one name is not appended to at all,
 * whoever runs: its other name may be any file of the user running this. That skip is said in
 * one WARN line (oned logs it and the action goes on).
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { IpamError } from '../../core/errors.ts';
import { openRegularFile } from '../../access/regular-file.ts';
import { giveFd, storeOwner } from './ownership.ts';
import type { AuditLog } from '../store.ts';
import type { AuditRecord } from '../../core/change.ts';

/** `book`: the book's real path (`store/file/book-path.ts`); the log lives beside the real file. */
export function auditPath(book: string): string {
  return `${book}.audit.jsonl`;
}

/**
 * `checkDirectory` throws when the book's directory is no longer the one the book was found in
 * (`store/file/book-directory.ts`): then nothing is appended there, and that is said.
 */
export function appendAudit(book: string, record: AuditRecord, checkDirectory?: () => void): void {
  const log = auditPath(book);
  try {
    checkDirectory?.();
  } catch (error) {
    warn(
      `Cannot append to the audit log ${log}: ${(error as IpamError).facts.reason ?? (error as Error).message}; this change is not logged`,
    );
    return;
  }
  try {
    const { fd, created } = openLog(log);
    try {
      const { nlink } = fs.fstatSync(fd);
      if (nlink !== 1) {
        warn(
          `Cannot append to the audit log ${log}: it has ${nlink} names (hard links), and another name may be any file; this change is not logged. Move it away: mv ${log} ${log}.linked`,
        );
        return;
      }
      // Read now, after the lock, from the book as it is: the owner of the book this change is in.
      if (created) giveFd(fd, storeOwner(book));
      fs.writeSync(fd, `${JSON.stringify(record)}\n`);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Deliberately ignored: see the module comment.
  }
}

/** The log opened for appending, and whether this open created it (then, and only then, it may be given away). */
function openLog(log: string): { fd: number; created: boolean } {
  const { O_WRONLY, O_APPEND, O_CREAT, O_EXCL } = fs.constants;
  const rules = { what: 'the audit log', kind: 'store-io', follow: false } as const;
  try {
    return { fd: openRegularFile(log, O_WRONLY | O_APPEND | O_CREAT | O_EXCL, rules).fd, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { fd: openRegularFile(log, O_WRONLY | O_APPEND, rules).fd, created: false };
}

/** One line for oned's log (7.0+ files `WARN:` lines there) or the operator's terminal; never fails. */
function warn(line: string): void {
  try {
    fs.writeSync(2, `WARN: ${line}\n`);
  } catch {
    // stderr closed: nowhere left to say it.
  }
}

/** The tail read for the latest time: a score of records, at the cost of one small read. */
const TAIL_BYTES = 4096;
/**
 * A record's time as this release writes it (toISOString: fixed width, so text order is time
 * order), found without parsing each line: a quote inside a string value is escaped, so
 * `"time":"` after `{` or `,` is a record's own field.
 */
const RECORD_TIME = /[{,]"time":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"/g;

/**
 * The latest time among the last records of the book's log (store/audit-order.ts), or undefined
 * when there is none or it cannot be read (then nothing is clamped: a log problem never fails a
 * change). Records appended outside the lock (refusals) may stand after the last commit, so the
 * latest of the tail, not the last line, is taken.
 */
export function latestLogged(book: string): string | undefined {
  try {
    const { fd, stat } = openRegularFile(auditPath(book), fs.constants.O_RDONLY, {
      what: 'the audit log',
      kind: 'store-io',
      follow: false,
    });
    try {
      const length = Math.min(stat.size, TAIL_BYTES);
      const tail = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const n = fs.readSync(fd, tail, read, length - read, stat.size - length + read);
        if (n === 0) break;
        read += n;
      }
      // A record cut at the tail's start gives its time whole or not at all.
      let latest: string | undefined;
      for (const [, time] of tail.subarray(0, read).toString('utf8').matchAll(RECORD_TIME))
        if (latest === undefined || time! > latest) latest = time;
      return latest;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Streams the log (it only grows), keeping only what `keep` accepts, and at most `last` of that. */
export async function readAuditFile(
  file: string,
  keep: (record: AuditRecord) => boolean,
  last?: number,
): Promise<AuditLog> {
  const records: AuditRecord[] = [];
  let skipped = 0;
  let stream: fs.ReadStream;
  try {
    // Opened here, not by the stream: a FIFO at the log's name is refused instead of read for ever.
    const { fd } = openRegularFile(file, fs.constants.O_RDONLY, {
      what: 'the audit log',
      kind: 'store-io',
      follow: false,
    });
    stream = fs.createReadStream('', { fd, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { location: file, records, skipped };
    if (error instanceof IpamError) throw error;
    throw new IpamError('store-io', `Cannot read the audit log ${file}: ${(error as Error).message}`);
  }
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const record = parseAuditLine(line);
    if (!record) {
      skipped++;
      continue;
    }
    if (!keep(record)) continue;
    records.push(record);
    if (last !== undefined && records.length > last) records.shift();
  }
  return { location: file, records, skipped };
}

/** The record on one line, or undefined for a line that is not one (a torn write, an edit). */
export function parseAuditLine(line: string): AuditRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (
    typeof record.time !== 'string' ||
    typeof record.actor !== 'string' ||
    typeof record.action !== 'string' ||
    typeof record.result !== 'string'
  )
    return undefined;
  return record as unknown as AuditRecord;
}
