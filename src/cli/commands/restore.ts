/** `nebula-ipam restore`: brings back the previous generation of the lease book, after showing what changes. */
import { restoredBook } from '../../book/restored-book.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { diffBooks } from '../../operator/book-diff.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'bring back the previous generation of the lease book (--yes to apply)',
  usage: `Usage: nebula-ipam restore [--yes] [--json]

Every write keeps the book it replaces as the previous generation (<book>.prev beside a
file book). restore shows what would change if that previous generation came back (ranges
and leases added or removed), and with --yes writes it back, under the lock, as a new
generation. The book it replaces becomes the previous generation, so running
\`restore --yes\` again undoes the restore. Range ids never go back: ids handed out since
stay used. It works when the book itself no longer decodes (exit code 7 from every command).

Leases oned handed out after the previous generation are lost from the book by a restore;
check with \`nebula-ipam reconcile\` afterwards.

  --yes    apply; without it nothing is written
  --json   { book, previous, current: { generation } | { error }, changes: [...], applied }

Exit codes: 0 shown or restored; 5 no previous generation; 6 locked or changed meanwhile;
7 the previous generation does not decode either.
`,
  async run(args, context) {
    const { values } = parseCommandArgs('restore', args, { yes: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
    const store = context.store();
    const location = store.description.location;
    const generations = await store.generations();
    const { current, previous } = generations;
    const changes = 'book' in current ? diffBooks(current.book, previous) : [];
    let restored;
    if (values.yes) {
      const subject = { time: context.now().toISOString(), actor: context.actor, action: 'restore' };
      const book = restoredBook('book' in current ? current.book : undefined, previous);
      try {
        restored = await store.restore(generations, book, { ...subject, result: 'ok' });
      } catch (error) {
        await store.audit({ ...subject, result: 'error', error: (error as Error).message });
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
      ? `The book ${location} is at generation ${current.book.generation}; the previous generation is ${previous.generation}.`
      : `The book ${location} does not decode (${current.error});\nthe previous generation is ${previous.generation}.`;
    const body = !('book' in current)
      ? `Restoring brings back its ${previous.ranges.length} range${previous.ranges.length === 1 ? '' : 's'}.\n`
      : changes.length
        ? `Restoring it would change:\n${renderTable([{ header: 'CHANGE' }, { header: 'RANGE' }, { header: 'WHAT' }], changes.map((c) => [c.change, c.range, c.what]))}`
        : 'Restoring it would change no range or lease.\n';
    const tail = restored ? `Restored: the book is now generation ${restored.generation} (the replaced book is now the previous generation).\n` : 'Nothing was changed; run again with --yes to restore.\n';
    context.stdout(`${head}\n${body}${tail}`);
    return EXIT_CODES.ok;
  },
};
