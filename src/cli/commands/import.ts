/** `nebula-ipam import FILE`: adds the ranges of an exported lease book to this one. */
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import { decodeBook } from '../../store/book-text.ts';
import { IpamError } from '../../core/errors.ts';
import { announceLongRead } from '../long-read.ts';
import { noSuchFile } from '../../core/no-such-file.ts';
import { readRegularFile } from '../../regular-file.ts';
import { MAX_BOOK_BYTES } from '../../store/book-text.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { importBook } from '../../core/operator/import-book.ts';
import { applyChange } from '../apply-change.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { requireBook } from '../require-book.ts';
import { renderJson } from '../render/json.ts';

export const importCommand: Command = {
  name: 'import',
  summary: 'add the ranges and leases of an exported lease book',
  usage: `Usage: nebula-ipam import FILE [--dry-run] [--json]

Reads FILE (written by \`nebula-ipam export\`, or a copy of a lease book), checks it as
strictly as the lease book itself, and adds its ranges with their leases to this book in
one locked step. Nothing is imported when any of it would overlap what is here: a range
whose space touches a range of this book, or an OpenNebula range whose id this book already
uses (oned names its ranges by that id). Operator ranges whose id is taken get a new id.

  --dry-run   check FILE against the book as it is now and say what would be imported
              (and refused), writing nothing

${exitCodeHelp([[0, 'imported'], [2, 'bad option'], [3, 'FILE is not a valid lease book'], [5, 'overlap, or no such FILE'], [6, 'the lease book stayed locked (another command or oned holds it)'], [8, 'FILE cannot be read'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(
      'import',
      args,
      { 'dry-run': { type: 'boolean' } },
      { min: 1, max: 1, names: 'the file to import' },
    );
    const dryRun = values['dry-run'] === true;
    const file = positionals[0]!;
    // Into the book that is there: a missing one is refused before FILE is even read.
    await requireBook(context);
    announceLongRead(file, 'the file to import', context.stderr);
    // As big as a book may be; a FIFO or a device is refused at once, not waited on.
    const read = readRegularFile(file, { what: 'the file to import', kind: 'store-io', maxBytes: MAX_BOOK_BYTES });
    if (read === undefined) throw noSuchFile('the file to import', file);
    const text = read.bytes.toString('utf8');
    let incoming;
    try {
      incoming = decodeBook(text, file);
    } catch (error) {
      if (!(error instanceof IpamError) || error.facts.reason === undefined) throw error;
      // The codec speaks of the lease book; here the bad file is the one being imported.
      throw new IpamError('bad-request', `Cannot import ${file}: ${error.facts.reason}; nothing was imported`, {
        subject: file,
        reason: error.facts.reason,
      });
    }
    // A dry run decides on a snapshot, unlocked: the same pure step, its book thrown away.
    const result = dryRun
      ? importBook(await context.store().read(), incoming, file).result
      : await applyChange(context, 'import', (book) => importBook(book, incoming, file));
    if (context.json) {
      context.stdout(renderJson({ file, dryRun, ...result }));
      return EXIT_CODES.ok;
    }
    const renumbered = result.renumbered
      .map(([from, to]) => `\n  operator range ${from} ${dryRun ? 'would become' : 'is now'} ${to}`)
      .join('');
    const what = `${result.ranges} range${result.ranges === 1 ? '' : 's'} with ${result.leases} lease${result.leases === 1 ? '' : 's'} from ${file}${renumbered}`;
    context.stdout(dryRun ? `Would import ${what}\nDry run: nothing was changed.\n` : `Imported ${what}\n`);
    return EXIT_CODES.ok;
  },
};
