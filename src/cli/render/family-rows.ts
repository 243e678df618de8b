/**
 * The ranges of a book seen per address family, for `status`, `status --json` and `metrics`:
 * an IP4_6 range is one row among the IPv4 ranges (its IPv4 pool and subnet) and one among the
 * IPv6 ranges (its /64 and IPv6 pool), so IPv4 and IPv6 totals are never added together.
 */
import { FAMILIES, type Family } from '../../address/family.ts';
import { formatPrefix } from '../../address/prefix.ts';
import type { Book, RangeRecord } from '../../book/book.ts';
import type { Config } from '../../config/config.ts';
import { rangeSubnet } from '../../engine/range-subnet.ts';
import { poolOf, rangeUsage, type RangeUsage } from '../../operator/usage.ts';

export interface FamilyRangeRow extends RangeUsage {
  readonly id: string;
  readonly family: Family;
  readonly managedBy: 'opennebula' | 'operator';
  readonly owner?: string;
  readonly type: string;
  readonly pool?: string;
  readonly network?: string;
  /** The first address, or "SLAAC" for addresses made from the MACs under a /64. */
  readonly first: string;
}

export interface FamilyTotals {
  readonly ranges: number;
  readonly size: bigint;
  readonly used: bigint;
  readonly free: bigint;
}

export function hasFamily(range: RangeRecord, family: Family): boolean {
  return family === 'ipv4' ? range.ip !== undefined : range.ip6 !== undefined || range.globalPrefix !== undefined || range.block6 !== undefined;
}

export function familyRows(book: Book, config: Config, family: Family): FamilyRangeRow[] {
  return book.ranges
    .filter((range) => hasFamily(range, family))
    .map((range) => {
      const placed = rangeSubnet(range, config, family);
      const network = placed ? formatPrefix(placed.subnet) : family === 'ipv6' && range.globalPrefix !== undefined ? `${FAMILIES.ipv6.format(range.globalPrefix)}/64` : undefined;
      const pool = poolOf(range, config, family)?.name ?? (family === 'ipv4' ? range.pool : range.pool6);
      const first = family === 'ipv4' ? FAMILIES.ipv4.format(range.ip!) : range.ip6 !== undefined ? FAMILIES.ipv6.format(range.ip6) : 'SLAAC';
      return {
        id: range.id,
        family,
        managedBy: range.unmanaged ? 'operator' : 'opennebula',
        ...(range.owner === undefined ? {} : { owner: range.owner }),
        type: range.type,
        ...(pool === undefined ? {} : { pool }),
        ...(network === undefined ? {} : { network }),
        first,
        ...rangeUsage(range, config),
      };
    });
}

export function familyTotals(rows: readonly FamilyRangeRow[]): FamilyTotals {
  return {
    ranges: rows.length,
    size: rows.reduce((n, r) => n + r.size, 0n),
    used: rows.reduce((n, r) => n + r.used, 0n),
    free: rows.reduce((n, r) => n + r.free, 0n),
  };
}
