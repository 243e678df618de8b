/** One range as the operator sees it, in table rows and JSON alike. */
import { formatPrefix } from '../address/prefix.ts';
import { FAMILIES } from '../address/family.ts';
import type { RangeRecord } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import { addressText } from '../book/range-text.ts';
import { heldBackCount } from '../engine/oned-count.ts';
import { rangeSubnet } from '../engine/range-subnet.ts';
import { poolOf, rangeUsage, type RangeUsage } from '../operator/usage.ts';

export interface RangeRow extends RangeUsage {
  readonly id: string;
  /** `opennebula` for ranges oned registered, `operator` for `range add` / `lease` ones. */
  readonly managedBy: 'opennebula' | 'operator';
  readonly owner?: string;
  readonly type: string;
  readonly pool?: string;
  readonly network?: string;
  readonly first: string;
  readonly last: string;
  /** When oned's count of the range's leases (USED_LEASES) differs from the book's (core/engine/oned-count.ts). */
  readonly onedCount?: {
    readonly oned: bigint;
    readonly book: bigint;
    readonly since: string;
    readonly heldBack: bigint;
  };
}

export function rangeRow(range: RangeRecord, config: Config): RangeRow {
  const family = range.ip !== undefined ? 'ipv4' : 'ipv6';
  const placed = rangeSubnet(range, config, family);
  const network = placed
    ? formatPrefix(placed.subnet)
    : range.globalPrefix !== undefined
      ? `${FAMILIES.ipv6.format(range.globalPrefix)}/64`
      : undefined;
  const pool = poolOf(range, config, family) ?? (family === 'ipv4' ? poolOf(range, config, 'ipv6') : undefined);
  return {
    id: range.id,
    managedBy: range.unmanaged ? 'operator' : 'opennebula',
    ...(range.owner === undefined ? {} : { owner: range.owner }),
    type: range.type,
    ...(pool ? { pool: pool.name } : range.pool !== undefined ? { pool: range.pool } : {}),
    ...(network === undefined ? {} : { network }),
    first: addressText(range, 0n),
    last: addressText(range, range.size - 1n),
    ...rangeUsage(range, config),
    ...(range.oned && range.oned.used > range.oned.held
      ? {
          onedCount: {
            oned: range.oned.used,
            book: range.oned.held,
            since: range.oned.since,
            heldBack: heldBackCount(range),
          },
        }
      : {}),
  };
}
