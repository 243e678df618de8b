/**
 * "Update the store, then audit", the one way the driver, the CLI and reconcile change the
 * book: the pure decision runs inside one store update, its audit records (one per span
 * touched) are stored with the change, and a failure is recorded on its own.
 */
import type { Book } from '../core/book/book.ts';
import type { LeaseStore, UpdateOptions } from '../store/store.ts';
import type { AuditFacts, AuditRecord } from './audit-record.ts';
import { auditOrigin } from './audit-origin.ts';

/** What the caller knows before deciding: who acts, when, and under which action name. */
export interface AuditSubject {
  readonly time: string;
  readonly actor: string;
  readonly action: string;
}

export interface AuditedDecision<R> {
  /** The new book, or undefined when nothing changes. */
  readonly book?: Book;
  readonly result: R;
  /**
   * One entry per span touched (an entry may name its own action, as reconcile's fixes do).
   * Without a book they are recorded as `unchanged`: a request the book deliberately ignored.
   */
  readonly audit?: readonly (AuditFacts & { readonly action?: string })[];
}

/**
 * `attempt`: what was asked for, recorded with a failure (so `log --ip` finds refusals too);
 * `options`: the store's (store.ts).
 */
export async function auditedUpdate<R>(
  store: LeaseStore,
  subject: AuditSubject,
  decide: (book: Book) => AuditedDecision<R>,
  attempt: AuditFacts = {},
  options: UpdateOptions = {},
): Promise<R> {
  let unchanged: AuditRecord[] = [];
  let result: R;
  const origin = auditOrigin();
  try {
    result = await store.update((book) => {
      const decided = decide(book);
      if (decided.book) {
        const audit = (decided.audit ?? [{}]).map(
          (facts): AuditRecord => ({ ...subject, ...origin, ...facts, result: 'ok' }),
        );
        unchanged = [];
        return { book: decided.book, result: decided.result, audit };
      }
      unchanged = (decided.audit ?? []).map(
        (facts): AuditRecord => ({ ...subject, ...origin, ...facts, result: 'unchanged' }),
      );
      return { result: decided.result };
    }, options);
  } catch (error) {
    await store.audit({ ...subject, ...origin, ...attempt, result: 'error', error: (error as Error).message });
    throw error;
  }
  for (const record of unchanged) await store.audit(record);
  return result;
}
