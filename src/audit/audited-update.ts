/**
 * "Update the store, then audit", the one way the driver, the CLI and reconcile change the
 * book: the pure change runs inside one store update, its audit facts (one per span touched)
 * are stamped into records and stored with the book, and a failure is recorded on its own.
 */
import type { Book } from '../core/book/book.ts';
import type { AuditFacts, AuditRecord, Change } from '../core/change.ts';
import type { LeaseStore, UpdateOptions } from '../store/store.ts';
import { auditOrigin } from './audit-origin.ts';

/** What the caller knows before deciding: who acts, when, and under which action name. */
export interface AuditSubject {
  readonly time: string;
  readonly actor: string;
  readonly action: string;
}

/**
 * `attempt`: what was asked for, recorded with a failure (so `log --ip` finds refusals too);
 * `options`: the store's (store.ts).
 */
export async function auditedUpdate<R>(
  store: LeaseStore,
  subject: AuditSubject,
  decide: (book: Book) => Change<R>,
  attempt: AuditFacts = {},
  options: UpdateOptions = {},
): Promise<R> {
  let unchanged: AuditRecord[] = [];
  let result: R;
  const origin = auditOrigin();
  const stamp = (facts: readonly AuditFacts[], outcome: AuditRecord['result']) =>
    facts.map((fact): AuditRecord => ({ ...subject, ...origin, ...fact, result: outcome }));
  try {
    result = await store.update((book) => {
      const change = decide(book);
      unchanged = change.book ? [] : stamp(change.audit ?? [], 'unchanged');
      return change.book
        ? { ...change, audit: stamp(change.audit?.length ? change.audit : [{}], 'ok') }
        : { result: change.result };
    }, options);
  } catch (error) {
    await store.audit({ ...subject, ...origin, ...attempt, result: 'error', error: (error as Error).message });
    throw error;
  }
  for (const record of unchanged) await store.audit(record);
  return result;
}
