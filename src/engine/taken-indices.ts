/** The indices of a range that cannot be leased: its leases, and whatever its pool now excludes. */
import { prefixInterval } from '../address/prefix.ts';
import type { RangeRecord } from '../book/book.ts';
import { poolNamed, type Config } from '../config/config.ts';
import type { Interval } from '../intervals/interval.ts';
import { union } from '../intervals/sorted.ts';

export function takenIndices(range: RangeRecord, config: Config): readonly Interval[] {
  const excluded: Interval[] = [];
  // Excludes added to the config after the range was registered still win over new leases, on
  // the IPv4 side (IP + index) and the static IPv6 side (IP6 + index) alike.
  for (const [poolName, start] of [[range.pool, range.ip], [range.pool6, range.ip6]] as const) {
    const pool = poolName === undefined ? undefined : poolNamed(config, poolName);
    if (!pool || start === undefined) continue;
    for (const prefix of pool.exclude) {
      const span = prefixInterval(prefix);
      const first = span.first - start;
      const last = span.last - start;
      if (last >= 0n && first < range.size) excluded.push({ first: first < 0n ? 0n : first, last: last >= range.size ? range.size - 1n : last });
    }
  }
  return excluded.length === 0 ? range.leases : union([...range.leases, ...excluded]);
}
