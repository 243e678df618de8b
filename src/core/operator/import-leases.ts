/**
 * `import --format csv`: the operator leases of a CSV that `export --format csv` wrote (or a
 * spreadsheet saved from it), put back at the same addresses with the same owner, note and
 * time. OpenNebula's rows are skipped: oned holds those, and `reconcile` is what brings them back.
 * A lease goes into the range of this book that has its addresses free; where none has them, an
 * operator row makes its operator range again (range_first..range_last), as `range add --ip`
 * would. Rows are decided one after another on the book the rows before made; the first bad row
 * refuses the whole file, with its line, column and value, and nothing is imported.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { poolNamed, type Config, type Pool } from '../config/config.ts';
import { replaceRange, type Book, type Lease, type RangeRecord } from '../book/book.ts';
import { spanText } from '../book/range-text.ts';
import { checkClearOfRanges, subnetInPool } from '../engine/place-span.ts';
import { takenIndices } from '../engine/taken-indices.ts';
import { IpamError, shown } from '../errors.ts';
import { insertDisjoint, overlapping } from '../intervals/sorted.ts';
import { MAX_SIZE } from '../oned/ar-fields.ts';
import { parseCsv, type CsvRecord } from './csv.ts';
import { holderPhrase } from './holder-phrase.ts';
import { operatorTextProblem } from './operator-text.ts';
import { locateAddress } from './locate-address.ts';
import { placeUnmanaged } from './new-range.ts';
import type { Change } from '../change.ts';

/** The columns `export --format csv` writes, in its order. */
export const LEASE_CSV_COLUMNS = [
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
] as const;
type Column = (typeof LEASE_CSV_COLUMNS)[number];

/** What an import reads; the others (range, type, mac, request_id) describe the source book and may be left out. */
const NEEDED: readonly Column[] = ['pool', 'managed_by', 'range_first', 'range_last', 'addresses', 'holder', 'owner'];

export interface ImportedLeases {
  readonly leases: number;
  readonly addresses: bigint;
  /** Operator ranges made again for them. */
  readonly newRanges: readonly string[];
  /** OpenNebula's rows, not imported. */
  readonly skipped: number;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

export function importLeases(
  book: Book,
  config: Config,
  text: string,
  source: string,
  now: string,
): Change<ImportedLeases> {
  const [header, ...rows] = parseCsv(text, source);
  if (!header)
    throw new IpamError(
      'bad-request',
      `Cannot import ${source}: it is empty, not a CSV of leases; nothing was imported`,
    );
  const at = columnsOf(header, source);
  let current = book;
  const newRanges: string[] = [];
  const audit: { range: string; addresses: string; owner: string }[] = [];
  let addresses = 0n;
  let skipped = 0;
  for (const row of rows) {
    const cell = (column: Column) => (at.has(column) ? row.fields[at.get(column)!]! : '');
    const refuse = (column: Column, why: string, kind: 'bad-request' | 'conflict' = 'bad-request') =>
      new IpamError(
        kind,
        `Cannot import ${source}: line ${row.line}, column ${column}: ${shown(cell(column))} ${why}; nothing was imported`,
        { subject: source, reason: `line ${row.line}, column ${column}: ${shown(cell(column))} ${why}` },
      );
    if (row.fields.length !== header.fields.length) {
      throw new IpamError(
        'bad-request',
        `Cannot import ${source}: line ${row.line} has ${row.fields.length} field${row.fields.length === 1 ? '' : 's'}, the header ${header.fields.length}; nothing was imported`,
        {
          subject: source,
          reason: `line ${row.line} has ${row.fields.length} fields, the header ${header.fields.length}`,
        },
      );
    }
    const holder = cell('holder');
    if (holder === 'opennebula') {
      skipped++;
      continue;
    }
    if (holder !== 'operator') throw refuse('holder', 'is neither operator nor opennebula');
    const pool = poolNamed(config, cell('pool'));
    if (!pool) {
      const known = config.pools.map((p) => p.name).join(', ') || 'none';
      throw refuse('pool', `is not a pool of ${config.source} (pools: ${known})`, 'conflict');
    }
    const span = spanOf(cell('addresses'), pool.family, () =>
      refuse('addresses', `is not an ${pool.family} address or FIRST-LAST of ${pool.name}'s family`),
    );
    const size = span.last - span.first + 1n;
    if (at.has('count') && cell('count') !== String(size))
      throw refuse('count', `is not the number of addresses in ${cell('addresses')} (${size})`);
    // The same texts `lease --owner --note` accepts: one line each, bounded.
    const ownerProblem = operatorTextProblem(cell('owner'));
    if (ownerProblem)
      throw refuse(
        'owner',
        `${ownerProblem}${cell('owner').trim() === '' ? ': an operator lease names its owner' : ''}`,
      );
    const owner = cell('owner').trim();
    const note = cell('note').trim();
    const noteProblem = note === '' ? undefined : operatorTextProblem(note);
    if (noteProblem) throw refuse('note', noteProblem);
    const since = at.has('since') && cell('since') !== '' ? cell('since') : now;
    if (!ISO_TIME.test(since) || Number.isNaN(Date.parse(since)))
      throw refuse('since', 'is not a UTC time such as 2026-11-29T10:27:35.907Z');
    const managedBy = cell('managed_by');
    if (managedBy !== 'operator' && managedBy !== 'opennebula')
      throw refuse('managed_by', 'is neither operator nor opennebula');

    let target = rangeWithRoom(current, config, pool, span, (why) => refuse('addresses', why, 'conflict'));
    if (!target) {
      if (managedBy === 'opennebula')
        throw refuse(
          'addresses',
          `lies in no range of this book: its range was OpenNebula's (${cell('range') || 'id not given'}), so register the network (or reconcile) first`,
          'conflict',
        );
      const block = {
        first: spanOf(cell('range_first'), pool.family, () => refuse('range_first', `is not an ${pool.family} address`))
          .first,
        last: spanOf(cell('range_last'), pool.family, () => refuse('range_last', `is not an ${pool.family} address`))
          .first,
      };
      if (block.first > span.first || block.last < span.last)
        throw refuse(
          'range_first',
          `to ${cell('range_last')} does not hold the lease's addresses ${cell('addresses')}`,
        );
      if (block.last - block.first + 1n > MAX_SIZE)
        throw refuse(
          'range_first',
          `to ${cell('range_last')} is more than ${MAX_SIZE} addresses, larger than a range may be`,
        );
      const verb = `import ${source}: line ${row.line}, columns range_first-range_last: the operator range`;
      checkClearOfRanges(current, pool.family, block, verb);
      subnetInPool(pool, block, verb);
      const placed = placeUnmanaged(current, pool, block.first, block.last - block.first + 1n, now);
      current = placed.book;
      newRanges.push(placed.range.id);
      target = { range: placed.range, first: span.first - block.first };
      // The range is new and empty, but the pool may keep some of its addresses out (excludes).
      refuseTaken(placed.range, config, target.first, size, (why) => refuse('addresses', why, 'conflict'));
    }
    const lease: Lease = {
      first: target.first,
      last: target.first + size - 1n,
      holder: 'operator',
      owner,
      ...(note === '' ? {} : { note }),
      at: since,
    };
    const range = { ...target.range, leases: insertDisjoint(target.range.leases, lease) };
    current = replaceRange(current, range);
    addresses += size;
    audit.push({ range: range.id, addresses: spanText(range, lease), owner });
  }
  const result = { leases: audit.length, addresses, newRanges, skipped };
  return audit.length ? { book: current, result, audit } : { result };
}

function columnsOf(header: CsvRecord, source: string): Map<Column, number> {
  const at = new Map<Column, number>();
  header.fields.forEach((name, i) => {
    const column = LEASE_CSV_COLUMNS.find((c) => c === name.trim().toLowerCase());
    if (!column || at.has(column)) {
      throw new IpamError(
        'bad-request',
        `Cannot import ${source}: line ${header.line}, column ${i + 1}: ${shown(name)} is ${column ? 'a second column of that name' : 'not a column export --format csv writes'} (${LEASE_CSV_COLUMNS.join(',')}); nothing was imported`,
        { subject: source, reason: `column ${shown(name)} is unknown` },
      );
    }
    at.set(column, i);
  });
  const missing = NEEDED.filter((c) => !at.has(c));
  if (missing.length) {
    throw new IpamError(
      'bad-request',
      `Cannot import ${source}: line ${header.line}: the header has no column ${missing.join(', ')} (it is ${shown(header.fields.join(','))}); nothing was imported`,
      { subject: source, reason: `the header lacks ${missing.join(', ')}` },
    );
  }
  return at;
}

/** `10.20.0.4` or `10.20.0.4-10.20.0.7`, in the pool's family. */
function spanOf(text: string, family: Family, bad: () => IpamError): { first: bigint; last: bigint } {
  const [a, b, ...more] = text.split('-');
  if (more.length || a === undefined) throw bad();
  const first = FAMILIES[family].parse(a.trim());
  const last = b === undefined ? first : FAMILIES[family].parse(b.trim());
  if (first === undefined || last === undefined || last < first) throw bad();
  return { first, last };
}

/**
 * The range of the pool that holds the span's first address, with the lease's first index;
 * undefined when the address is free pool space (no range has it). Anything else (leased,
 * reserved, excluded, carved for another range, outside the pool) refuses the row.
 */
function rangeWithRoom(
  book: Book,
  config: Config,
  pool: Pool,
  span: { first: bigint; last: bigint },
  refuse: (why: string) => IpamError,
): { range: RangeRecord; first: bigint } | undefined {
  const text = FAMILIES[pool.family].format(span.first);
  const where = locateAddress(book, config, { space: pool.family, value: span.first, text });
  switch (where.kind) {
    case 'pool-free':
      if (where.pool.name !== pool.name) throw refuse(`is in pool ${shown(where.pool.name)}, not this row's`);
      return undefined;
    case 'free': {
      const rangePool = pool.family === 'ipv4' ? where.range.pool : where.range.pool6;
      if (rangePool !== pool.name)
        throw refuse(
          `is in range ${where.range.id}${rangePool === undefined ? ', of no pool' : ` of pool ${shown(rangePool)}`}, not of this row's pool`,
        );
      const size = span.last - span.first + 1n;
      refuseTaken(where.range, config, where.index, size, refuse);
      return { range: where.range, first: where.index };
    }
    case 'leased':
      throw refuse(
        `is taken: it is leased to ${holderPhrase(where.lease)} since ${where.lease.at} (range ${where.range.id})`,
      );
    case 'reserved':
      throw refuse(`is taken: it is the ${where.role} of its subnet in pool ${shown(where.pool.name)}`);
    case 'carved':
      throw refuse(`is taken: it lies in the subnet carved for range ${where.range.id}, outside its addresses`);
    case 'excluded':
      throw refuse(`is taken: pool ${shown(where.pool.name)} excludes it`);
    case 'nowhere':
      throw refuse(`is in no pool of this config`);
  }
}

/** Refuses a lease of `size` indices from `first` that runs past the range or onto a taken index. */
function refuseTaken(
  range: RangeRecord,
  config: Config,
  first: bigint,
  size: bigint,
  refuse: (why: string) => IpamError,
): void {
  const last = first + size - 1n;
  // An imported lease records what exists, as register does: a hold does not refuse it (verify reports the pair).
  if (last >= range.size)
    throw refuse(`runs past the end of range ${range.id} (${spanText(range, { first: 0n, last: range.size - 1n })})`);
  const taken = overlapping(takenIndices(range, config, []), { first, last })[0];
  if (taken) throw refuse(`is taken: range ${range.id} already holds ${spanText(range, taken)}`);
}
