/** `nebula-ipam restore`: brings back the previous generation of the lease book, after showing what changes. */
import { auditOrigin } from '../../audit/audit-origin.ts';
import { restoredBook } from '../../core/operator/restored-book.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { restoreChanges, summariseChanges } from '../../core/operator/restore-listing.ts';
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import { noticeWaits } from '../lock-notice.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { requireBook } from '../require-book.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'bring back the previous generation of the lease book (--yes to apply)',
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam restore [--yes] [--json]

Every write keeps the book it replaces as the previous generation (<book>.prev beside a
file book). restore shows what would change if that previous generation came back (ranges
and leases added or removed), and with --yes writes it back, under the lock, as a new
generation. The book it replaces becomes the previous generation, so running
\`restore --yes\` again undoes the restore. Range ids never go back: ids handed out since
stay used. It works when the book itself no longer decodes (exit code 7 from every command).

What OpenNebula holds is never undone, since oned undoes nothing: ranges oned registered
and leases it took since the previous generation are kept. Addresses oned freed since come
back as leased; \`nebula-ipam reconcile\` returns them.

  --yes    apply; without it nothing is written
  --json   { book, previous, current: { generation } | { error }, changes: [...], applied }

${exitCodeHelp([[0, 'shown or restored'], [2, 'bad option'], [5, 'no previous generation'], [6, 'the lease book stayed locked, or changed meanwhile'], [7, 'the previous generation does not decode either'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs('restore', args, { yes: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
    await requireBook(context);
    const store = context.store();
    const location = store.description.location;
    const generations = await store.generations();
    const { current, previous } = generations;
    const book = restoredBook('book' in current ? current.book : undefined, previous);
    const changes = restoreChanges('book' in current ? current.book : undefined, book);
    let restored;
    if (values.yes) {
      const subject = {
        time: context.now().toISOString(),
        actor: context.actor,
        action: 'restore',
        ...auditOrigin(context.env),
        detail: `generation ${previous.generation} brought back: ${summariseChanges(changes)}`,
      };
      try {
        const notice = noticeWaits(context.stderr, context.config().lockTimeoutMs);
        // Restore takes no signal: one that comes meanwhile lets it finish, then says so.
        restored = await context.interrupts
          .write(location, () => store.restore(generations, book, { ...subject, result: 'ok' }, notice.options))
          .finally(notice.done);
      } catch (error) {
        await store.audit({ ...subject, result: 'error', error: (error as Error).message });
        throw error;
      }
    }
    if (context.json) {
      context.stdout(
        renderJson({
          book: location,
          previous: { generation: previous.generation },
          current: 'book' in current ? { generation: current.book.generation } : { error: current.error },
          changes,
          applied: restored !== undefined,
          ...(restored ? { generation: restored.generation } : {}),
        }),
      );
      return EXIT_CODES.ok;
    }
    const head =
      'book' in current
        ? `The book ${location} is at generation ${current.book.generation}; the previous generation is ${previous.generation}.`
        : `The book ${location} does not decode (${current.error});\nthe previous generation is ${previous.generation}.`;
    const body = changes.length
      ? `${restored ? 'Restoring changed' : 'Restoring it would change'} (${summariseChanges(changes)}):\n${renderTable(
          [{ header: 'CHANGE' }, { header: 'RANGE' }, { header: 'WHAT', shrink: true }],
          changes.map((c) => [c.change, c.range, c.what]),
          context.options.width,
        )}`
      : 'Restoring it would change no range or lease.\n';
    const tail = restored
      ? `Restored: the book is now generation ${restored.generation} (the replaced book is now the previous generation).\n`
      : 'Nothing was changed; run again with --yes to restore.\n';
    context.stdout(`${head}\n${body}${tail}`);
    return EXIT_CODES.ok;
  },
};
