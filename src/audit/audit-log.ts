/**
 * The file book's audit log: one JSON line per attempted change to the book, appended beside
 * it (`<book>.audit.jsonl`, beside the real file when the book's path is a symlink). Writing it
 * can never fail or delay an action by more than one append: any error is swallowed, since a lost
 * log line is better than a lost lease. So a log that is not a regular file (a FIFO would block
 * the append for ever) is skipped, and one root creates is given to the book's owner.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { IpamError } from '../errors.ts';
import { giveFd, storeOwner } from '../store/ownership.ts';
import { openRegular } from '../store/safe-open.ts';
import type { AuditLog } from '../store/store.ts';
import { parseAuditLine } from './audit-query.ts';
import type { AuditRecord } from './audit-record.ts';

/** `book`: the book's real path (`store/book-path.ts`); the log lives beside the real file. */
export function auditPath(book: string): string {
  return `${book}.audit.jsonl`;
}

export function appendAudit(book: string, record: AuditRecord): void {
  try {
    // O_NOFOLLOW: a symlink planted at the log's name must not make us append to its target.
    const { fd, stat } = openRegular(auditPath(book), fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 'the audit log');
    try {
      const owner = storeOwner(book);
      if (owner && (stat.uid !== owner.uid || stat.gid !== owner.gid)) giveFd(fd, owner);
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
    // Opened here, not by the stream: a FIFO at the log's name is refused instead of read for ever.
    const { fd } = openRegular(file, fs.constants.O_RDONLY, 'the audit log');
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
