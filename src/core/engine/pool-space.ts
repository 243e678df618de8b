/** What of a pool is still free, and which pool a range belongs to. */
import { FAMILIES, formatSpan, type Family } from '../address/family.ts';
import { prefixInterval } from '../address/prefix.ts';
import type { Book } from '../book/book.ts';
import { footprints } from '../book/footprint.ts';
import { requirePool, type Config, type Pool } from '../config/config.ts';
import { IpamError, shown } from '../errors.ts';
import { covers, overlaps, type Interval } from '../intervals/interval.ts';
import { union } from '../intervals/sorted.ts';

/** Everything of one family that no new range may take: other ranges, and every pool's excludes. */
export function takenSpace(book: Book, config: Config, family: Family): Interval[] {
  const taken: Interval[] = footprints(book, family).map((f) => f.space);
  for (const pool of config.pools)
    if (pool.family === family) for (const ex of pool.exclude) taken.push(prefixInterval(ex));
  return union(taken);
}

/**
 * The pool a range of `family` is taken from: the one the AR names, else the one its explicit
 * addresses fall into, else the family's default. Undefined means an unmanaged range.
 */
export function choosePool(
  config: Config,
  family: Family,
  named: string | undefined,
  span: Interval | undefined,
  attribute: string,
): Pool | undefined {
  if (named !== undefined) {
    const pool = requirePool(config, named, 'Cannot register the range', 'bad-request', `${attribute} ${shown(named)}`);
    if (pool.family !== family) {
      throw new IpamError(
        'bad-request',
        `Cannot register the range: ${attribute} ${shown(named)} is an ${pool.family} pool, this side of the range is ${family}`,
      );
    }
    return pool;
  }
  if (span) return config.pools.find((pool) => pool.family === family && overlaps(prefixInterval(pool.network), span));
  return config.pools.find((pool) => pool.family === family && pool.isDefault);
}

/** Refuses an explicit range that sticks out of its pool or touches its excluded prefixes. */
export function checkInsidePool(pool: Pool, span: Interval, verb = 'register'): void {
  const { format } = FAMILIES[pool.family];
  const shownSpan = formatSpan(pool.family, span);
  if (!covers(prefixInterval(pool.network), span)) {
    throw new IpamError(
      'conflict',
      `Cannot ${verb} ${shownSpan}: it runs outside pool ${shown(pool.name)} (${format(pool.network.base)}/${pool.network.length})`,
    );
  }
  for (const ex of pool.exclude) {
    if (overlaps(prefixInterval(ex), span)) {
      throw new IpamError(
        'conflict',
        `Cannot ${verb} ${shownSpan}: it touches ${format(ex.base)}/${ex.length}, excluded from pool ${shown(pool.name)}`,
      );
    }
  }
}
