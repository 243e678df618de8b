/** `nebula-ipam export`: the lease book as JSON (which `import` reads) or CSV (one row per lease). */
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import type { Book } from '../../core/book/book.ts';
import { encodeBook } from '../../store/book-text.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { bookSource } from '../book-source.ts';
import { requireBook } from '../require-book.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { leaseRow } from '../../core/view/lease-row.ts';
import { rangeRow } from '../../core/view/range-row.ts';
import type { Config } from '../../config/config.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'print the lease book as JSON (for import) or CSV',
  usage: `Usage: nebula-ipam export [--format json|csv] [--serializable] > FILE

  --format json   (default; also --json) the whole lease book in its own file format:
                  a backup that \`nebula-ipam import\` reads
  --format csv    one row per lease, for spreadsheets and reports:
                  range,pool,type,managed_by,range_first,range_last,addresses,count,
                  holder,owner,note,mac,request_id,since

  --serializable  etcd only: read one member's own copy, even with quorum lost (the
                  disaster copy); a line on stderr says whose copy and how old it may be

Reads a consistent snapshot without taking the lock, so oned is never held up.

${exitCodeHelp([[0, 'written'], [2, 'bad option'], ...READS_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'export',
      args,
      { format: { type: 'string' }, serializable: { type: 'boolean' } },
      { min: 0, max: 0, names: '' },
    );
    const format = values.format ?? 'json';
    if (format !== 'json' && format !== 'csv')
      throw usageError('export', `--format must be json or csv, not ${JSON.stringify(format)}`);
    if (format === 'csv' && context.json) throw usageError('export', '--json and --format csv contradict each other');
    const { store, copy } = await bookSource('export', context, values.serializable === true);
    await requireBook(context, store);
    const book = await store.read();
    if (copy) context.stderr(`${copy.age}\n`);
    context.stdout(format === 'json' ? encodeBook(book) : leasesCsv(book, context.config()));
    return EXIT_CODES.ok;
  },
};

const CSV_HEADER = [
  'range',
  'pool',
  'type',
  'managed_by',
  'range_first',
  'range_last',
  'addresses',
  'count',
  'holder',
  'owner',
  'note',
  'mac',
  'request_id',
  'since',
];

function leasesCsv(book: Book, config: Config): string {
  const lines = [CSV_HEADER.join(',')];
  for (const range of book.ranges) {
    const r = rangeRow(range, config);
    for (const lease of range.leases) {
      const l = leaseRow(range, lease);
      lines.push(
        [
          r.id,
          r.pool ?? '',
          r.type,
          r.managedBy,
          r.first,
          r.last,
          l.addresses,
          String(l.count),
          l.holder,
          l.owner ?? '',
          l.note ?? '',
          l.mac ?? '',
          l.requestId ?? '',
          l.since,
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 4180: quote fields holding a comma, quote or line break; double the quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
