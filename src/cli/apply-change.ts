/**
 * Runs an operator operation the way the driver runs an action: the pure decision inside one
 * locked store update, then one audit line per span it touched (or one line saying it failed).
 */
import { appendAudit, type AuditFacts } from '../audit/audit-log.ts';
import type { Book } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import type { Outcome } from '../operator/operation.ts';
import type { CliContext } from './context.ts';
import { noticeLockWait } from './lock-notice.ts';

/** `attempt`: what the command was asked to touch, recorded when it fails (so `log --ip` finds refusals too). */
export async function applyChange<R>(context: CliContext, action: string, decide: (book: Book, config: Config, now: string) => Outcome<R>, attempt: AuditFacts = {}): Promise<R> {
  const config = context.config();
  const store = context.store();
  const bookPath = context.bookPath();
  const now = context.now().toISOString();
  const waited = noticeLockWait(bookPath, context.stderr, config.lockTimeoutMs);
  try {
    const outcome = await store.update((book) => {
      const decided = decide(book, config, now);
      return { ...(decided.book ? { book: decided.book } : {}), result: decided };
    }).finally(waited);
    if (outcome.book) for (const facts of outcome.audit ?? [{}]) appendAudit(bookPath, { time: now, actor: context.actor, action, ...facts, result: 'ok' });
    return outcome.result;
  } catch (error) {
    appendAudit(bookPath, { time: now, actor: context.actor, action, ...attempt, result: 'error', error: (error as Error).message });
    throw error;
  }
}
