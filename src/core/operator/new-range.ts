/**
 * Unmanaged ranges: blocks of a pool for hosts OpenNebula does not manage. They are placed by
 * the same rules as the ranges register makes (carved like a carved AR, or checked like an
 * explicit one), so oned's later carving steps around them and they never overlap its ranges.
 */
import { FAMILIES } from '../address/family.ts';
import { formatPrefix, prefixInterval, type Prefix } from '../address/prefix.ts';
import type { Book, RangeRecord } from '../book/book.ts';
import type { Config, Pool } from '../config/config.ts';
import { MAX_SIZE } from '../oned/ar-fields.ts';
import { carve, reservedIn, subnetCapacity } from '../engine/carve.ts';
import { takenSpace } from '../engine/pool-space.ts';
import { checkClearOfRanges, subnetInPool } from '../engine/place-span.ts';
import { IpamError, shown } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';

export interface Placed {
  readonly book: Book;
  readonly range: RangeRecord;
  readonly subnet: Prefix;
}

export interface CarveOptions {
  /** Make the range every usable address after the first, not just `size`: room for later leases. */
  readonly wholeRun?: boolean;
  readonly owner?: string;
}

/** A new unmanaged range of `size` addresses in the first free subnet of the pool. */
export function carveUnmanaged(
  book: Book,
  config: Config,
  pool: Pool,
  size: bigint,
  now: string,
  options: CarveOptions = {},
): Placed {
  checkSize(size);
  const length = pool.subnetPrefix ?? pool.network.length;
  const capacity = subnetCapacity(pool, length);
  if (size > capacity) {
    throw new IpamError(
      'bad-request',
      `Cannot carve ${size} addresses from pool ${shown(pool.name)}: a /${length} of it holds at most ${capacity} usable address${capacity === 1n ? '' : 'es'}`,
    );
  }
  const carved = carve(pool, takenSpace(book, config, pool.family), size);
  if (!carved) {
    throw new IpamError(
      'exhausted',
      `Cannot carve room for ${size} address${size === 1n ? '' : 'es'} from pool ${shown(pool.name)} (${formatPrefix(pool.network)}): no free space left`,
    );
  }
  const total = options.wholeRun ? runFrom(pool, carved.subnet, carved.first) : carved.size;
  return withRange(
    book,
    pool,
    carved.subnet,
    { first: carved.first, last: carved.first + total - 1n },
    prefixInterval(carved.subnet),
    now,
    options.owner,
  );
}

/** A new unmanaged range of exactly `first .. first+size-1`, refused where register would refuse it. */
export function placeUnmanaged(
  book: Book,
  pool: Pool,
  first: bigint,
  size: bigint,
  now: string,
  owner?: string,
): Placed {
  checkSize(size);
  const { format, max } = FAMILIES[pool.family];
  const span: Interval = { first, last: first + size - 1n };
  if (span.last > max)
    throw new IpamError(
      'bad-request',
      `Cannot place ${format(first)} + ${size} address${size === 1n ? '' : 'es'}: it runs past the end of the ${pool.family} space`,
    );
  checkClearOfRanges(book, pool.family, span, 'place');
  const subnet = subnetInPool(pool, span, 'place');
  return withRange(book, pool, subnet, span, span, now, owner);
}

function withRange(
  book: Book,
  pool: Pool,
  subnet: Prefix,
  span: Interval,
  block: Interval,
  now: string,
  owner: string | undefined,
): Placed {
  const size = span.last - span.first + 1n;
  const range: RangeRecord = {
    id: `r${book.nextRangeId}`,
    ...(pool.family === 'ipv4'
      ? { type: 'IP4' as const, ip: span.first, pool: pool.name, block }
      : { type: 'IP6_STATIC' as const, ip6: span.first, prefixLength: subnet.length, pool6: pool.name, block6: block }),
    size,
    unmanaged: true,
    ...(owner === undefined ? {} : { owner }),
    createdAt: now,
    leases: [],
  };
  return { book: { ...book, nextRangeId: book.nextRangeId + 1, ranges: [...book.ranges, range] }, range, subnet };
}

/** The usable addresses from `first` to the next reserved one or the subnet's end, at most an AR's worth. */
function runFrom(pool: Pool, subnet: Prefix, first: bigint): bigint {
  const end = reservedIn(pool, subnet).find((r) => r.address > first)?.address ?? prefixInterval(subnet).last + 1n;
  const run = end - first;
  return run > MAX_SIZE ? MAX_SIZE : run;
}

function checkSize(size: bigint): void {
  if (size < 1n || size > MAX_SIZE)
    throw new IpamError('usage', `Cannot use a size of ${size}: it must be from 1 to ${MAX_SIZE}`);
}
