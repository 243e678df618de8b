/** `nebula-ipam restore`: brings back the previous generation of the lease book, after showing what changes. */
import { appendAudit } from '../../audit/audit-log.ts';
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { diffBooks } from '../../operator/book-diff.ts';
import { previousPath, readGenerations, restorePrevious } from '../../store/previous-generation.ts';
import { noticeLockWait } from '../lock-notice.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'bring back the previous generation of the lease book (--yes to apply)',
  usage: `Usage: nebula-ipam restore [--yes] [--json]

Every write keeps the book it replaces as <book>.prev. restore shows what would change
if that previous generation came back (ranges and leases added or removed), and with
--yes writes it back, under the lock, as a new generation. The book it replaces becomes
the new <book>.prev, so running \`restore --yes\` again undoes the restore.
It works when the book itself no longer decodes (exit code 7 from every command).

Leases oned handed out after the previous generation are lost from the book by a restore;
check with \`nebula-ipam reconcile\` afterwards.

  --yes    apply; without it nothing is written
  --json   { book, previous, current: { generation } | { error }, changes: [...], applied }

${exitCodeHelp([[0, 'shown or restored'], [2, 'bad option'], [5, 'no previous generation'], [6, 'the lease book stayed locked, or changed meanwhile'], [7, 'the previous generation does not decode either'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs('restore', args, { yes: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
    const location = context.bookPath();
    const generations = readGenerations(location);
    const { current, previous } = generations;
    const changes = 'book' in current ? diffBooks(current.book, previous) : [];
    let restored;
    if (values.yes) {
      const now = context.now().toISOString();
      try {
        const waited = noticeLockWait(location, context.stderr, context.config().lockTimeoutMs);
        restored = await restorePrevious(location, context.config().lockTimeoutMs, generations).finally(waited);
        appendAudit(location, { time: now, actor: context.actor, action: 'restore', result: 'ok' });
      } catch (error) {
        appendAudit(location, { time: now, actor: context.actor, action: 'restore', result: 'error', error: (error as Error).message });
        throw error;
      }
    }
    if (context.json) {
      context.stdout(renderJson({
        book: location,
        previous: { generation: previous.generation },
        current: 'book' in current ? { generation: current.book.generation } : { error: current.error },
        changes,
        applied: restored !== undefined,
        ...(restored ? { generation: restored.generation } : {}),
      }));
      return EXIT_CODES.ok;
    }
    const head = 'book' in current
      ? `The book ${location} is at generation ${current.book.generation}; ${previousPath(location)} holds generation ${previous.generation}.`
      : `The book ${location} does not decode (${current.error.split('. It was left untouched')[0]});\n${previousPath(location)} holds generation ${previous.generation}.`;
    const body = !('book' in current)
      ? `Restoring brings back its ${previous.ranges.length} range${previous.ranges.length === 1 ? '' : 's'}.\n`
      : changes.length
        ? `Restoring it would change:\n${renderTable([{ header: 'CHANGE' }, { header: 'RANGE' }, { header: 'WHAT', shrink: true }], changes.map((c) => [c.change, c.range, c.what]), context.options.width)}`
        : 'Restoring it would change no range or lease.\n';
    const tail = restored ? `Restored: the book is now generation ${restored.generation} (the replaced book is kept as ${previousPath(location)}).\n` : 'Nothing was changed; run again with --yes to restore.\n';
    context.stdout(`${head}\n${body}${tail}`);
    return EXIT_CODES.ok;
  },
};
