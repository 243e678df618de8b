/**
 * The book's invariants, checked over a decoded book and the current configuration (pure). The
 * engine relies on each of them; a book that breaks one was edited by hand, restored from a
 * backup that predates a config change, or written by a bug.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { formatMac, MAC_MAX } from '../address/mac.ts';
import { formatPrefix, prefixInterval } from '../address/prefix.ts';
import type { Book, Lease, RangeRecord } from '../book/book.ts';
import { footprint, span4, span6 } from '../book/footprint.ts';
import { poolNamed, type Config } from '../config/config.ts';
import { hasIPv4, isStatic6, MAX_SIZE } from '../oned/ar-fields.ts';
import { reservedIn } from '../engine/carve.ts';
import { spanText } from '../book/range-text.ts';
import { heldBackCount } from '../engine/oned-count.ts';
import { rangeSubnet } from '../engine/range-subnet.ts';
import { covers, overlaps, type Interval } from '../intervals/interval.ts';
import { overlapping } from '../intervals/sorted.ts';
import type { VerifyFinding } from './verify-finding.ts';
import { holdsOf } from '../book/holds.ts';
import { locateAddress } from '../operator/locate-address.ts';

const RANGE_ID = /^r([1-9][0-9]*)$/;

export function verifyBook(book: Book, config: Config): VerifyFinding[] {
  const findings: VerifyFinding[] = [];
  findings.push(...checkHeader(book));
  findings.push(...checkIds(book));
  for (const range of book.ranges) {
    const shape = checkShape(range);
    findings.push(...shape);
    // Address arithmetic on a range of impossible size or without its addresses means nothing.
    if (shape.length > 0) continue;
    findings.push(...checkLeases(range));
    findings.push(...checkOnedCount(range));
    for (const family of ['ipv4', 'ipv6'] as const) findings.push(...checkPool(range, family, config));
  }
  for (const family of ['ipv4', 'ipv6'] as const) findings.push(...checkOverlaps(book, family));
  findings.push(...checkHolds(book, config));
  return findings;
}

/** A hold on an address the book has leased: the hold says something else uses it. */
function checkHolds(book: Book, config: Config): VerifyFinding[] {
  const found: VerifyFinding[] = [];
  for (const hold of holdsOf(book)) {
    const text = FAMILIES[hold.family].format(hold.address);
    const where = locateAddress(book, config, { space: hold.family, value: hold.address, text });
    if (where.kind === 'leased')
      found.push({
        kind: 'held-address-leased',
        range: where.range.id,
        address: text,
        reason: hold.reason,
        source: hold.source,
      });
  }
  return found;
}

/** What the last recorded request of oned said it holds, against what the book held then (core/engine/oned-count.ts). */
function checkOnedCount(range: RangeRecord): VerifyFinding[] {
  const count = range.oned;
  // Only oned holding more is a problem: an address the book has free is some VM's.
  if (!count || count.used <= count.held) return [];
  return [
    {
      kind: 'oned-count-differs',
      range: range.id,
      oned: Number(count.used),
      book: Number(count.held),
      since: count.since,
      heldBack: Number(heldBackCount(range)),
    },
  ];
}

function checkHeader(book: Book): VerifyFinding[] {
  const found: VerifyFinding[] = [];
  if ((book.schema as unknown) !== 1) found.push({ kind: 'bad-header', field: 'schema', value: String(book.schema) });
  if (!Number.isSafeInteger(book.generation) || book.generation < 0)
    found.push({ kind: 'bad-header', field: 'generation', value: String(book.generation) });
  if (!Number.isSafeInteger(book.nextRangeId) || book.nextRangeId < 1)
    found.push({ kind: 'bad-header', field: 'nextRangeId', value: String(book.nextRangeId) });
  return found;
}

function checkIds(book: Book): VerifyFinding[] {
  const found: VerifyFinding[] = [];
  const counts = new Map<string, number>();
  for (const range of book.ranges) counts.set(range.id, (counts.get(range.id) ?? 0) + 1);
  for (const [range, count] of counts) if (count > 1) found.push({ kind: 'duplicate-range-id', range, count });
  for (const range of counts.keys()) {
    const number = RANGE_ID.exec(range)?.[1];
    if (number !== undefined && Number(number) >= book.nextRangeId)
      found.push({ kind: 'range-id-not-below-next', range, nextRangeId: book.nextRangeId });
  }
  return found;
}

function checkShape(range: RangeRecord): VerifyFinding[] {
  const found: VerifyFinding[] = [];
  if (range.size < 1n || range.size > MAX_SIZE)
    return [{ kind: 'bad-range-size', range: range.id, size: String(range.size) }];
  if (hasIPv4(range.type) && range.ip === undefined)
    found.push({ kind: 'range-missing-address', range: range.id, type: range.type, missing: 'ip' });
  if (isStatic6(range.type) && range.ip6 === undefined)
    found.push({ kind: 'range-missing-address', range: range.id, type: range.type, missing: 'ip6' });
  if (isStatic6(range.type) && range.prefixLength === undefined)
    found.push({ kind: 'range-missing-address', range: range.id, type: range.type, missing: 'prefixLength' });
  const size = Number(range.size);
  if (range.ip !== undefined && range.ip + range.size - 1n > FAMILIES.ipv4.max)
    found.push({
      kind: 'range-past-address-end',
      range: range.id,
      space: 'ipv4',
      first: FAMILIES.ipv4.format(range.ip),
      size,
    });
  if (range.ip6 !== undefined && range.ip6 + range.size - 1n > FAMILIES.ipv6.max)
    found.push({
      kind: 'range-past-address-end',
      range: range.id,
      space: 'ipv6',
      first: FAMILIES.ipv6.format(range.ip6),
      size,
    });
  if (range.mac !== undefined && range.mac + range.size - 1n > MAC_MAX)
    found.push({ kind: 'range-past-address-end', range: range.id, space: 'mac', first: formatMac(range.mac), size });
  return found;
}

/** Sorted by first address, disjoint, inside 0..size-1: what every interval search relies on. */
function checkLeases(range: RangeRecord): VerifyFinding[] {
  const found: VerifyFinding[] = [];
  let previous: Interval | undefined;
  for (const lease of range.leases) {
    if (lease.first < 0n || lease.last < lease.first || lease.last >= range.size) {
      found.push({
        kind: 'lease-outside-range',
        range: range.id,
        from: Number(lease.first),
        to: Number(lease.last),
        size: Number(range.size),
      });
      continue;
    }
    if (previous && lease.first < previous.first) {
      found.push({
        kind: 'leases-out-of-order',
        range: range.id,
        addresses: spanText(range, lease),
        previous: spanText(range, previous),
      });
    } else if (previous && lease.first <= previous.last) {
      found.push({
        kind: 'leases-overlap',
        range: range.id,
        addresses: spanText(range, lease),
        other: spanText(range, previous),
      });
    }
    if (!previous || lease.last > previous.last) previous = lease;
  }
  return found;
}

/**
 * One family's side of a range against the pools: inside the pool it names, clear of that pool's
 * excludes, leases clear of them too; an OpenNebula range naming no pool must lie outside all.
 */
function checkPool(range: RangeRecord, family: Family, config: Config): VerifyFinding[] {
  const space = footprint(range, family);
  if (!space) return [];
  const { format } = FAMILIES[family];
  const shownSpace = `${format(space.first)}-${format(space.last)}`;
  const name = family === 'ipv4' ? range.pool : range.pool6;
  const found: VerifyFinding[] = [];

  const span = family === 'ipv4' ? span4(range) : span6(range);
  const block = family === 'ipv4' ? range.block : range.block6;
  if (span && block && !covers(block, span)) {
    found.push({
      kind: 'range-outside-block',
      range: range.id,
      family,
      addresses: `${format(span.first)}-${format(span.last)}`,
      block: `${format(block.first)}-${format(block.last)}`,
    });
  }

  if (name === undefined) {
    if (range.unmanaged) return found;
    for (const pool of config.pools) {
      if (pool.family === family && overlaps(prefixInterval(pool.network), space)) {
        found.push({ kind: 'range-in-pool-unrecorded', range: range.id, family, pool: pool.name, space: shownSpace });
      }
    }
    return found;
  }
  const pool = poolNamed(config, name);
  if (!pool)
    return [...found, { kind: 'range-pool-unknown', range: range.id, family, pool: name, config: config.source }];
  if (pool.family !== family)
    return [...found, { kind: 'range-pool-wrong-family', range: range.id, family, pool: name }];
  if (!covers(prefixInterval(pool.network), space)) {
    found.push({
      kind: 'range-outside-pool',
      range: range.id,
      family,
      pool: name,
      network: formatPrefix(pool.network),
      space: shownSpace,
    });
  }
  for (const exclude of pool.exclude) {
    const excluded = prefixInterval(exclude);
    if (overlaps(excluded, space)) {
      found.push({
        kind: 'range-on-excluded',
        range: range.id,
        family,
        pool: name,
        exclude: formatPrefix(exclude),
        space: shownSpace,
      });
    }
    // Leases are index intervals from the range's first address of this family.
    if (!span || !overlaps(excluded, span)) continue;
    const start = span.first;
    const first = excluded.first > span.first ? excluded.first - start : 0n;
    const last = excluded.last < span.last ? excluded.last - start : range.size - 1n;
    for (const lease of range.leases) {
      if (lease.last < first || lease.first > last) continue;
      const from = lease.first > first ? lease.first : first;
      const to = lease.last < last ? lease.last : last;
      found.push({
        kind: 'lease-on-excluded',
        range: range.id,
        pool: name,
        exclude: formatPrefix(exclude),
        addresses: from === to ? format(start + from) : `${format(start + from)}-${format(start + to)}`,
        holder: holderOf(lease),
      });
    }
  }
  if (span) found.push(...checkReserved(range, family, span, config));
  return found;
}

function holderOf(lease: Lease): string {
  return lease.holder === 'operator' ? `operator (${lease.owner ?? '?'})` : 'opennebula';
}

/** Leases on the network, broadcast, gateway or DNS address of the range's subnet under today's pool. */
function checkReserved(range: RangeRecord, family: Family, span: Interval, config: Config): VerifyFinding[] {
  const placed = rangeSubnet(range, config, family);
  if (!placed) return [];
  const found: VerifyFinding[] = [];
  for (const { address, role } of reservedIn(placed.pool, placed.subnet)) {
    if (address < span.first || address > span.last) continue;
    const lease = overlapping(range.leases, { first: address - span.first, last: address - span.first })[0];
    if (!lease) continue;
    found.push({
      kind: 'lease-on-reserved',
      range: range.id,
      pool: placed.pool.name,
      subnet: formatPrefix(placed.subnet),
      role,
      address: FAMILIES[family].format(address),
      holder: holderOf(lease),
    });
  }
  return found;
}

/** Ranges sorted by their first address; each that starts before the furthest end seen so far overlaps. */
function checkOverlaps(book: Book, family: Family): VerifyFinding[] {
  const { format } = FAMILIES[family];
  const spaces = book.ranges
    .flatMap((range) => {
      const space = range.size >= 1n ? footprint(range, family) : undefined;
      return space ? [{ range, space }] : [];
    })
    .sort((a, b) => (a.space.first < b.space.first ? -1 : a.space.first > b.space.first ? 1 : 0));
  const found: VerifyFinding[] = [];
  let reach: { range: RangeRecord; space: Interval } | undefined;
  for (const current of spaces) {
    if (reach && current.space.first <= reach.space.last) {
      const last = current.space.last < reach.space.last ? current.space.last : reach.space.last;
      found.push({
        kind: 'ranges-overlap',
        family,
        range: current.range.id,
        other: reach.range.id,
        space: `${format(current.space.first)}-${format(last)}`,
      });
    }
    if (!reach || current.space.last > reach.space.last) reach = current;
  }
  return found;
}
