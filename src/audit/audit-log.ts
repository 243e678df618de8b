/**
 * The audit log: one JSON line per attempted change to the book, appended beside it
 * (`<book>.audit.jsonl`). Writing it can never fail or delay an action by more than one append:
 * any error is swallowed, since a lost log line is better than a lost lease.
 */
import * as fs from 'node:fs';

/** What an action says it did, in the domain's words; the runner adds time, actor and result. */
export interface AuditFacts {
  readonly range?: string;
  /** One address, or `first-last` for a block. */
  readonly addresses?: string;
  readonly mac?: string;
  readonly owner?: string;
  /** Why an action changed nothing although it succeeded (result 'unchanged'), in words. */
  readonly detail?: string;
}

export interface AuditRecord extends AuditFacts {
  readonly time: string;
  /** `oned:<request id>` for driver actions, `cli:<user>` for operator commands. */
  readonly actor: string;
  readonly action: string;
  readonly result: 'ok' | 'unchanged' | 'error';
  readonly error?: string;
}

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
