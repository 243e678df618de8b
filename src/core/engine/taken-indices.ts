/**
 * The indices of a range that cannot be leased: its leases, whatever its pool now keeps out of
 * it, and the book's holds in it. A pool's config can change after a range was carved (an
 * exclude, a DNS server, another gateway rule, a smaller subnetPrefix); the range's records
 * stay, but the addresses that the pool now reserves are never handed out, by get_address,
 * allocate_address and `lease` alike. A hold (core/book/holds.ts: an address seen in use outside
 * the book) is kept out the same way, and only here: carving and register ignore holds (a range
 * may contain held addresses; they are just never offered).
 */
import type { Family } from '../address/family.ts';
import { formatPrefix, prefixInterval } from '../address/prefix.ts';
import type { RangeRecord } from '../book/book.ts';
import type { Hold } from '../book/holds.ts';
import { poolNamed, type Config } from '../config/config.ts';
import { shown } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';
import { union } from '../intervals/sorted.ts';
import { reservedIn, type ReservedRole } from './carve.ts';
import { rangeSubnet } from './range-subnet.ts';

/** Indices the pool keeps out of a range, with why, in words that finish "it is ...". */
export interface Blocked extends Interval {
  readonly why: string;
  /** For a reserved address (network, broadcast, gateway, DNS): which, where. */
  readonly role?: ReservedRole;
  /** For a held address: the hold. */
  readonly hold?: Hold;
}

const SIDES = [
  ['ipv4', 'pool', 'ip'],
  ['ipv6', 'pool6', 'ip6'],
] as const;

/** `holds`: the book's (holdsOf), or none where the caller records what exists (import). */
export function blockedIndices(range: RangeRecord, config: Config, holds: readonly Hold[]): Blocked[] {
  const blocked: Blocked[] = [];
  for (const [family, poolKey, startKey] of SIDES) {
    const poolName = range[poolKey];
    const start = range[startKey];
    if (start !== undefined)
      for (const hold of holds) {
        const part = hold.family === family && clip({ first: hold.address, last: hold.address }, start, range.size);
        if (part)
          blocked.push({ ...part, hold, why: `held: ${hold.reason} (${hold.source}, seen since ${hold.firstSeen})` });
      }
    const pool = poolName === undefined ? undefined : poolNamed(config, poolName);
    if (!pool || pool.family !== family || start === undefined) continue;
    // On the IPv4 side (IP + index) and the static IPv6 side (IP6 + index) alike.
    for (const prefix of pool.exclude) {
      const part = clip(prefixInterval(prefix), start, range.size);
      if (part) blocked.push({ ...part, why: `excluded from pool ${shown(pool.name)} (${formatPrefix(prefix)})` });
    }
    const placed = rangeSubnet(range, config, family as Family);
    if (!placed) continue;
    for (const { address, role } of reservedIn(placed.pool, placed.subnet)) {
      const part = clip({ first: address, last: address }, start, range.size);
      if (part)
        blocked.push({
          ...part,
          role,
          why: `the ${role} of ${formatPrefix(placed.subnet)} in pool ${shown(pool.name)}`,
        });
    }
  }
  return blocked;
}

export function takenIndices(range: RangeRecord, config: Config, holds: readonly Hold[]): readonly Interval[] {
  const blocked = blockedIndices(range, config, holds);
  return blocked.length === 0 ? range.leases : union([...range.leases, ...blocked]);
}

/** The part of an address span that falls in `start .. start+size-1`, as indices. */
function clip(span: Interval, start: bigint, size: bigint): Interval | undefined {
  const first = span.first - start;
  const last = span.last - start;
  if (last < 0n || first >= size) return undefined;
  return { first: first < 0n ? 0n : first, last: last >= size ? size - 1n : last };
}
