/**
 * The file book's audit log: one JSON line per attempted change to the book, appended beside
 * it (`<book>.audit.jsonl`). Writing it can never fail or delay an action by more than one append:
 * any error is swallowed, since a lost log line is better than a lost lease.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { IpamError } from '../errors.ts';
import type { AuditLog } from '../store/store.ts';
import { parseAuditLine } from './audit-query.ts';
import type { AuditRecord } from './audit-record.ts';


export function auditPath(bookPath: string): string {
  return `${bookPath}.audit.jsonl`;
}

export function appendAudit(bookPath: string, record: AuditRecord): void {
  try {
    // O_NOFOLLOW: a symlink planted at the log's name must not make us append to its target.
    const fd = fs.openSync(auditPath(bookPath), fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(record)}\n`);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Deliberately ignored: see the module comment.
  }
}

/** Streams the log (it only grows), keeping only what `keep` accepts, and at most `last` of that. */
export async function readAuditFile(file: string, keep: (record: AuditRecord) => boolean, last?: number): Promise<AuditLog> {
  const records: AuditRecord[] = [];
  let skipped = 0;
  let stream: fs.ReadStream;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    stream = fs.createReadStream(file, { encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { location: file, records, skipped };
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
