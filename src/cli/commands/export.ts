/**
 * `nebula-ipam export`: the lease book in its own file format (a backup `import` reads), or its
 * leases for scripts (JSON, one object per lease) and spreadsheets (CSV, one row per lease).
 */
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import type { Book, RangeRecord } from '../../core/book/book.ts';
import { holdsOf } from '../../core/book/holds.ts';
import { encodeBook } from '../../store/book-text.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { bookSource } from '../book-source.ts';
import { requireBook } from '../require-book.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { leaseRow } from '../../core/view/lease-row.ts';
import { rangeRow } from '../../core/view/range-row.ts';
import type { Config } from '../../core/config/config.ts';
import { addressText } from '../../core/book/range-text.ts';
import { csvLine } from '../../core/operator/csv.ts';
import { LEASE_CSV_COLUMNS } from '../../core/operator/import-leases.ts';

/** The `format` of `export --format json`, so that `import` can tell it from a book and say so. */
export const LEASES_JSON_FORMAT = 'nebula-ipam leases';

const FORMATS = ['book', 'json', 'csv'] as const;

export const exportCommand: Command = {
  name: 'export',
  summary: 'print the lease book (a backup for import), or its leases as JSON or CSV',
  usage: `Usage: nebula-ipam export [--format book|json|csv] [--serializable] > FILE

  --format book   (default; also --json alone) the whole lease book in its own file format:
                  the backup that \`nebula-ipam import\` reads
  --format json   for scripts: { format: "${LEASES_JSON_FORMAT}", version: 1, generation,
                  leases: [ one object per lease ] }; every key is always there (null when
                  it does not apply):
                    range, rangeType, managedBy (opennebula|operator), pool, family
                    (ipv4|ipv6|mac|index: what first and last are), first, last, count,
                    holder (opennebula|operator), owner, note, mac, requestId, since
  --format csv    one row per lease, for spreadsheets, and what \`import --format csv\` reads:
                  ${LEASE_CSV_COLUMNS.join(',')}

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
    const format = values.format ?? 'book';
    if (!(FORMATS as readonly string[]).includes(format))
      throw usageError('export', `--format must be book, json or csv, not ${JSON.stringify(format)}`);
    if (format === 'csv' && context.json) throw usageError('export', '--json and --format csv contradict each other');
    const { store, copy } = await bookSource('export', context, values.serializable === true);
    await requireBook(context, store);
    const book = await store.read();
    if (copy) context.stderr(`${copy.age}\n`);
    const config = context.config();
    context.stdout(
      format === 'book' ? encodeBook(book) : format === 'json' ? leasesJson(book, config) : leasesCsv(book, config),
    );
    return EXIT_CODES.ok;
  },
};

/** One object per lease, every key always present, so `jq '.leases[] | .first'` needs no guards. */
function leasesJson(book: Book, config: Config): string {
  const leases = book.ranges.flatMap((range) => {
    const r = rangeRow(range, config, holdsOf(book));
    return range.leases.map((lease) => {
      const l = leaseRow(range, lease);
      return {
        range: r.id,
        rangeType: r.type,
        managedBy: r.managedBy,
        pool: r.pool ?? null,
        family: familyOf(range),
        first: addressText(range, lease.first),
        last: addressText(range, lease.last),
        count: l.count,
        holder: l.holder,
        owner: l.owner ?? null,
        note: l.note ?? null,
        mac: l.mac ?? null,
        requestId: l.requestId ?? null,
        since: l.since,
      };
    });
  });
  return renderJson({ format: LEASES_JSON_FORMAT, version: 1, generation: book.generation, leases });
}

/** What a range's addresses are counted in (`addressText`): IPv4, static IPv6, MAC, or bare indices. */
function familyOf(range: RangeRecord): 'ipv4' | 'ipv6' | 'mac' | 'index' {
  if (range.ip !== undefined) return 'ipv4';
  if (range.ip6 !== undefined) return 'ipv6';
  return range.mac !== undefined ? 'mac' : 'index';
}

function leasesCsv(book: Book, config: Config): string {
  const lines = [csvLine(LEASE_CSV_COLUMNS)];
  for (const range of book.ranges) {
    const r = rangeRow(range, config, holdsOf(book));
    for (const lease of range.leases) lines.push(csvLine(csvFields(r, leaseRow(range, lease))));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvFields(r: ReturnType<typeof rangeRow>, l: ReturnType<typeof leaseRow>): string[] {
  return [
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
  ];
}
