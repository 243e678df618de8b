/**
 * Runs an operator operation the way the driver runs an action: the pure decision inside one
 * store update, with one audit record per span it touched (or one saying it failed).
 */
import { auditedUpdate } from '../audit/audited-update.ts';
import type { AuditFacts, Change } from '../core/change.ts';
import type { Book } from '../core/book/book.ts';
import type { Config } from '../core/config/config.ts';
import type { CliContext } from './context.ts';
import { noticeWaits } from './lock-notice.ts';

/** `attempt`: what the command was asked to touch, recorded when it fails (so `log --ip` finds refusals too). */
export async function applyChange<R>(
  context: CliContext,
  action: string,
  decide: (book: Book, config: Config, now: string) => Change<R>,
  attempt: AuditFacts = {},
): Promise<R> {
  const config = context.config();
  const now = context.now().toISOString();
  const where = context.store().description.location;
  const notice = noticeWaits(context.stderr, config.lockTimeoutMs);
  return context.interrupts
    .write(where, (options) =>
      auditedUpdate(
        context.store(),
        { time: now, actor: context.actor, action },
        (book) => decide(book, config, now),
        attempt,
        { ...options, ...notice.options },
      ),
    )
    .finally(notice.done);
}
