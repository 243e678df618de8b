/**
 * Explicit space about to become a range (an AR with its own IP, `range add --ip`, `lease --ip`):
 * the checks every way of placing one shares, so they cannot drift apart.
 */
import { FAMILIES, formatSpan, type Family } from '../address/family.ts';
import { formatPrefix, type Prefix } from '../address/prefix.ts';
import type { Book } from '../book/book.ts';
import { footprints } from '../book/footprint.ts';
import type { Pool } from '../config/config.ts';
import { IpamError, shown } from '../errors.ts';
import { overlaps, type Interval } from '../intervals/interval.ts';
import { reservedIn } from './carve.ts';
import { describeRange } from '../book/range-text.ts';
import { checkInsidePool } from './pool-space.ts';
import { subnetAround } from './subnet-around.ts';

/** Refuses space that overlaps any range of its family, naming the range. */
export function checkClearOfRanges(book: Book, family: Family, span: Interval, verb: string): void {
  for (const { range, space } of footprints(book, family)) {
    if (overlaps(space, span)) {
      throw new IpamError(
        'conflict',
        `Cannot ${verb} ${formatSpan(family, span)}: it overlaps range ${describeRange(range)}${range.unmanaged ? ' (an operator range)' : " (OpenNebula's)"}`,
      );
    }
  }
}

/**
 * The pool subnet that explicit space lives in, after refusing space outside the pool, on its
 * excludes, across two of its `subnetPrefix` subnets (one range cannot have two gateways), or on
 * the subnet's network, broadcast, gateway or DNS address.
 */
export function subnetInPool(pool: Pool, span: Interval, verb: string): Prefix {
  checkInsidePool(pool, span, verb);
  const subnet = subnetAround(pool, span);
  if (pool.subnetPrefix !== undefined && subnet.length !== pool.subnetPrefix) {
    throw new IpamError(
      'conflict',
      `Cannot ${verb} ${formatSpan(pool.family, span)}: it crosses from one /${pool.subnetPrefix} subnet of pool ${shown(pool.name)} into the next; a range lies inside one subnet`,
    );
  }
  for (const { address, role } of reservedIn(pool, subnet)) {
    if (address >= span.first && address <= span.last) {
      throw new IpamError(
        'conflict',
        `Cannot ${verb} ${formatSpan(pool.family, span)}: it includes ${FAMILIES[pool.family].format(address)}, the ${role} of ${formatPrefix(subnet)} in pool ${shown(pool.name)}`,
      );
    }
  }
  return subnet;
}
