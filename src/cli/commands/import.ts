/**
 * `nebula-ipam import FILE`: adds the ranges of an exported lease book to this one, or (with
 * `--format csv`) the operator leases of an `export --format csv`.
 */
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import { decodeBook } from '../../store/book-text.ts';
import { IpamError } from '../../core/errors.ts';
import { announceLongRead } from '../long-read.ts';
import { noSuchFile } from '../../core/no-such-file.ts';
import { readRegularFile } from '../../access/regular-file.ts';
import { MAX_BOOK_BYTES } from '../../store/book-text.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { importBook } from '../../core/operator/import-book.ts';
import { applyChange } from '../apply-change.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { requireBook } from '../require-book.ts';
import { renderJson } from '../render/json.ts';
import { importLeases } from '../../core/operator/import-leases.ts';
import { LEASES_JSON_FORMAT } from './export.ts';
import type { CliContext } from '../context.ts';

export const importCommand: Command = {
  name: 'import',
  summary: 'add the ranges and leases of an exported lease book, or the operator leases of a CSV',
  usage: `Usage: nebula-ipam import FILE [--format book|csv] [--dry-run] [--json]

Reads FILE (written by \`nebula-ipam export\`, or a copy of a lease book), checks it as
strictly as the lease book itself, and adds its ranges with their leases to this book in
one locked step. Nothing is imported when any of it would overlap what is here: a range
whose space touches a range of this book, or an OpenNebula range whose id this book already
uses (oned names its ranges by that id). Operator ranges whose id is taken get a new id.

  --format csv  FILE is a CSV written by \`export --format csv\` (or a spreadsheet saved
              from one): its operator leases are leased again at the same addresses with
              the same owner, note and time, each in the range of this book that has them
              free, or in its operator range made again (range_first..range_last).
              OpenNebula's rows are skipped (oned holds them; \`reconcile\` brings them
              back). The first bad row refuses the file with its line, column and value,
              and nothing is imported
  --dry-run   check FILE against the book as it is now and say what would be imported
              (and refused), writing nothing

${exitCodeHelp([[0, 'imported'], [2, 'bad option'], [3, 'FILE is not a valid lease book'], [5, 'overlap, or no such FILE'], [6, 'the lease book stayed locked (another command or oned holds it)'], [8, 'FILE cannot be read'], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(
      'import',
      args,
      { 'dry-run': { type: 'boolean' }, format: { type: 'string' } },
      { min: 1, max: 1, names: 'the file to import' },
    );
    const dryRun = values['dry-run'] === true;
    const file = positionals[0]!;
    const format = values.format ?? 'book';
    if (format !== 'book' && format !== 'csv')
      throw usageError('import', `--format must be book or csv, not ${JSON.stringify(format)}`);
    // Into the book that is there: a missing one is refused before FILE is even read.
    await requireBook(context);
    announceLongRead(file, 'the file to import', context.stderr);
    // As big as a book may be; a FIFO or a device is refused at once, not waited on.
    const read = readRegularFile(file, { what: 'the file to import', kind: 'store-io', maxBytes: MAX_BOOK_BYTES });
    if (read === undefined) throw noSuchFile('the file to import', file);
    const text = read.bytes.toString('utf8');
    if (format === 'csv') return importCsv(context, file, text, dryRun);
    let incoming;
    try {
      incoming = decodeBook(text, file);
    } catch (error) {
      if (!(error instanceof IpamError) || error.facts.reason === undefined) throw error;
      const other = otherFormat(text);
      // The codec speaks of the lease book; here the bad file is the one being imported.
      throw new IpamError(
        'bad-request',
        `Cannot import ${file}: ${other ?? error.facts.reason}; nothing was imported`,
        {
          subject: file,
          reason: error.facts.reason,
        },
      );
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

/** `import --format csv`: the operator leases of the CSV, in one locked step (or decided on a snapshot). */
async function importCsv(context: CliContext, file: string, text: string, dryRun: boolean): Promise<number> {
  const result = dryRun
    ? importLeases(await context.store().read(), context.config(), text, file, context.now().toISOString()).result
    : await applyChange(context, 'import', (book, config, now) => importLeases(book, config, text, file, now));
  if (context.json) {
    context.stdout(renderJson({ file, format: 'csv', dryRun, ...result }));
    return EXIT_CODES.ok;
  }
  const plural = (n: number | bigint, one: string, many: string) => `${n} ${n === 1 || n === 1n ? one : many}`;
  const ranges = result.newRanges.length
    ? ` (${dryRun ? 'making' : 'made'} operator range${result.newRanges.length === 1 ? '' : 's'} ${result.newRanges.join(', ')} again)`
    : '';
  const skipped = result.skipped
    ? `\nSkipped ${plural(result.skipped, "OpenNebula lease (oned's own; reconcile brings it back)", "OpenNebula leases (oned's own; reconcile brings them back)")}`
    : '';
  const what = `${plural(result.leases, 'operator lease', 'operator leases')} (${plural(result.addresses, 'address', 'addresses')}) from ${file}${ranges}${skipped}`;
  context.stdout(dryRun ? `Would import ${what}\nDry run: nothing was changed.\n` : `Imported ${what}\n`);
  return EXIT_CODES.ok;
}

/** Why FILE, which is not a book, may be another thing export writes: said instead of the codec's reason. */
function otherFormat(text: string): string | undefined {
  if (/^\s*range,pool,/.test(text))
    return 'it is a CSV of leases (export --format csv), not a lease book: import it with --format csv';
  if (text.includes(`"format": "${LEASES_JSON_FORMAT}"`))
    return 'it is the leases for scripts (export --format json), not a lease book: a backup is `nebula-ipam export` (--format book)';
  return undefined;
}
