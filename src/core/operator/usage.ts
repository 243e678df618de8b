/** How full the pools and ranges are: what `status` and `show` print. Derived, never stored. */
import type { Family } from '../address/family.ts';
import { prefixInterval, prefixSize } from '../address/prefix.ts';
import type { Book, RangeRecord } from '../book/book.ts';
import { footprint, footprints } from '../book/footprint.ts';
import type { Config, Pool } from '../config/config.ts';
import { takenIndices } from '../engine/taken-indices.ts';
import { type Hold, holdsOf } from '../book/holds.ts';
import { covers, intervalSize, overlaps, type Interval } from '../intervals/interval.ts';
import { union } from '../intervals/sorted.ts';

export interface RangeUsage {
  readonly size: bigint;
  /** Addresses leased, to OpenNebula or operators. */
  readonly used: bigint;
  readonly byOpenNebula: bigint;
  readonly byOperators: bigint;
  /** Held (seen in use outside the book) and neither leased nor kept out by the pool: never handed out. */
  readonly held: bigint;
  /** Neither leased, kept out by the pool nor held: what can still be leased. */
  readonly free: bigint;
}

/** `holds`: the book's (holdsOf); a held index is held, not free, as get_address sees it. */
export function rangeUsage(range: RangeRecord, config: Config, holds: readonly Hold[]): RangeUsage {
  let byOpenNebula = 0n;
  let byOperators = 0n;
  for (const lease of range.leases) {
    if (lease.holder === 'opennebula') byOpenNebula += intervalSize(lease);
    else byOperators += intervalSize(lease);
  }
  const count = (spans: readonly Interval[]) => spans.reduce((n, span) => n + intervalSize(span), 0n);
  const withoutHolds = count(takenIndices(range, config, []));
  const unavailable = holds.length === 0 ? withoutHolds : count(takenIndices(range, config, holds));
  return {
    size: range.size,
    used: byOpenNebula + byOperators,
    byOpenNebula,
    byOperators,
    held: unavailable - withoutHolds,
    free: range.size - unavailable,
  };
}

export interface PoolUsage {
  readonly pool: Pool;
  /** Every address of the pool's network. */
  readonly size: bigint;
  readonly excluded: bigint;
  /** Taken by ranges (their carved subnets, or their addresses). */
  readonly carved: bigint;
  /** Neither excluded nor carved: what new ranges can still come from. */
  readonly free: bigint;
  readonly ranges: number;
  /** Holds recorded in the pool (core/book/holds.ts): addresses seen in use outside the book. */
  readonly held: number;
}

export function poolUsage(book: Book, config: Config): PoolUsage[] {
  return config.pools.map((pool) => {
    const span = prefixInterval(pool.network);
    const inPool = footprints(book, pool.family).filter((f) => overlaps(f.space, span));
    const excluded = total(pool.exclude.map(prefixInterval));
    const carved = total(inPool.map((f) => clip(f.space, span)));
    const unavailable = total([...pool.exclude.map(prefixInterval), ...inPool.map((f) => clip(f.space, span))]);
    const size = prefixSize(pool.network);
    const held = holdsOf(book).filter((hold) => hold.pool === pool.name).length;
    return { pool, size, excluded, carved, free: size - unavailable, ranges: inPool.length, held };
  });
}

/** The pool a range's addresses of `family` come from: the one it records, else the one it lies in. */
export function poolOf(range: RangeRecord, config: Config, family: Family): Pool | undefined {
  const name = family === 'ipv4' ? range.pool : range.pool6;
  const named = name === undefined ? undefined : config.pools.find((p) => p.name === name);
  if (named) return named;
  const space = footprint(range, family);
  return space && config.pools.find((p) => p.family === family && covers(prefixInterval(p.network), space));
}

function clip(space: Interval, within: Interval): Interval {
  return {
    first: space.first > within.first ? space.first : within.first,
    last: space.last < within.last ? space.last : within.last,
  };
}

function total(intervals: readonly Interval[]): bigint {
  return union(intervals).reduce((n, span) => n + intervalSize(span), 0n);
}
