/** One range as the operator sees it, in table rows and JSON alike. */
import type { RangeRecord } from '../book/book.ts';
import type { Hold } from '../book/holds.ts';
import type { Config } from '../config/config.ts';
import { addressText } from '../book/range-text.ts';
import { heldBackCount } from '../engine/oned-count.ts';
import { poolOf, rangeUsage, type RangeUsage } from '../operator/usage.ts';
import { type RangeKind, rangeKind, slaacPrefixText, subnetText } from './range-columns.ts';

export interface RangeRow extends RangeUsage, RangeKind {
  readonly id: string;
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

/** `holds`: the book's (holdsOf): held addresses are counted apart from free ones. */
export function rangeRow(range: RangeRecord, config: Config, holds: readonly Hold[]): RangeRow {
  const family = range.ip !== undefined ? 'ipv4' : 'ipv6';
  // An IP4_6 range outside every configured IPv4 subnet still shows where it is: its /64.
  const network = subnetText(range, config, family) ?? slaacPrefixText(range);
  const pool = poolOf(range, config, family) ?? (family === 'ipv4' ? poolOf(range, config, 'ipv6') : undefined);
  return {
    id: range.id,
    ...rangeKind(range),
    ...(pool ? { pool: pool.name } : range.pool !== undefined ? { pool: range.pool } : {}),
    ...(network === undefined ? {} : { network }),
    first: addressText(range, 0n),
    last: addressText(range, range.size - 1n),
    ...rangeUsage(range, config, holds),
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
