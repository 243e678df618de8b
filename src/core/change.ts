/**
 * A change to the book, the one shape a decision has from the pure action or operator operation
 * to the store's `update`: the new book (or none: nothing is written), what the caller gets back,
 * and what the audit log records. The runner (`auditedUpdate`) stamps the facts into
 * records; the store keeps them with the book it writes (a JSON-lines file beside a file book,
 * keys beside an etcd book).
 */
import type { Book } from './book/book.ts';

/** What a change says it did, in the domain's words; the runner adds time, actor and result. */
export interface AuditFacts {
  /** The change's own action name, where it is not the command's (reconcile's fixes). */
  readonly action?: string;
  readonly range?: string;
  /** One address, or `first-last` for a block. */
  readonly addresses?: string;
  readonly mac?: string;
  readonly owner?: string;
  /** What was kept or skipped and why, when the change did less than asked. */
  readonly detail?: string;
}

/** One line of the audit log: one per attempted change to the book. */
export interface AuditRecord extends AuditFacts {
  readonly time: string;
  /** `oned:<request id>` for driver actions, `cli:<user>` for operator commands. */
  readonly actor: string;
  readonly action: string;
  /** The host that wrote the record (audit-origin.ts); absent in records of older releases. */
  readonly host?: string;
  /** `SUDO_USER` of a command run through sudo. */
  readonly sudoUser?: string;
  readonly result: 'ok' | 'unchanged' | 'error';
  readonly error?: string;
}

/**
 * `F`: facts as a decision states them; whole records (`AuditRecord`) once stamped for the store.
 * A change is a pure function's value: it may be computed more than once (store.ts).
 */
export interface Change<R, F extends AuditFacts = AuditFacts> {
  /** The new book, or undefined to leave the stored one as it is. */
  readonly book?: Book;
  readonly result: R;
  /**
   * One entry per span touched, in order; a book without any gets one record of no facts. Without
   * a book the runner records them as `unchanged` (a request the book deliberately ignored), and
   * the store writes none.
   */
  readonly audit?: readonly F[];
}
