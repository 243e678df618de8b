/**
 * The shape of an operator operation, like a driver action's: a pure decision over the book
 * that says what the new book is (or nothing changes), what the command reports, and what the
 * audit log records, one line per span of addresses touched.
 */
import type { AuditFacts } from '../../audit/audit-record.ts';
import type { Book } from '../book/book.ts';

export interface Outcome<R> {
  readonly book?: Book;
  readonly result: R;
  readonly audit?: readonly AuditFacts[];
}
