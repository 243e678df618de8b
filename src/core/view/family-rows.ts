/**
 * The ranges of a book seen per address family, for `status`, `status --json` and `metrics`:
 * an IP4_6 range is one row among the IPv4 ranges (its IPv4 pool and subnet) and one among the
 * IPv6 ranges (its /64 and IPv6 pool), so IPv4 and IPv6 totals are never added together. ETHER
 * ranges (MACs only) are a group of their own, and an IP6 range with no prefix is an IPv6 row
 * all the same (link-local only): every range is seen somewhere.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import type { Book, RangeRecord } from '../book/book.ts';
import { holdsOf } from '../book/holds.ts';
import type { Config } from '../config/config.ts';
import { poolOf, rangeUsage, type RangeUsage } from '../operator/usage.ts';
import { type RangeKind, rangeKind, slaacPrefixText, subnetText } from './range-columns.ts';

/** A view's groups: the two IP families, and ETHER ranges, which have MACs only. */
export type ViewFamily = Family | 'ether';
export const VIEW_FAMILIES: readonly ViewFamily[] = ['ipv4', 'ipv6', 'ether'];

export interface FamilyRangeRow extends RangeUsage, RangeKind {
  readonly id: string;
  readonly family: ViewFamily;
  readonly pool?: string;
  readonly network?: string;
  /**
   * The first address; "SLAAC" for addresses made from the MACs under a /64; for ETHER its
   * first MAC, or "MAC from oned" while oned has not told which MAC it picked.
   */
  readonly first: string;
}

export interface Totals {
  readonly ranges: number;
  readonly size: bigint;
  readonly used: bigint;
  readonly held: bigint;
  readonly free: bigint;
}

export function hasFamily(range: RangeRecord, family: ViewFamily): boolean {
  if (family === 'ether') return range.type === 'ETHER';
  if (family === 'ipv4') return range.ip !== undefined;
  // An IP6 range without a prefix still has IPv6 addresses: link-local ones, from its MACs.
  return (
    range.ip6 !== undefined ||
    range.globalPrefix !== undefined ||
    range.block6 !== undefined ||
    (range.type !== 'IP4' && range.type !== 'ETHER')
  );
}

export function familyRows(book: Book, config: Config, family: ViewFamily): FamilyRangeRow[] {
  return book.ranges
    .filter((range) => hasFamily(range, family))
    .map((range) => {
      const ip = family === 'ether' ? undefined : family;
      const network = ip && (subnetText(range, config, ip) ?? (ip === 'ipv6' ? slaacPrefixText(range) : undefined));
      const pool = ip && (poolOf(range, config, ip)?.name ?? (ip === 'ipv4' ? range.pool : range.pool6));
      const first = firstText(range, family);
      return {
        id: range.id,
        family,
        ...rangeKind(range),
        ...(pool === undefined ? {} : { pool }),
        ...(network === undefined ? {} : { network }),
        first,
        ...rangeUsage(range, config, holdsOf(book)),
      };
    });
}

function firstText(range: RangeRecord, family: ViewFamily): string {
  if (family === 'ipv4') return FAMILIES.ipv4.format(range.ip!);
  if (family === 'ipv6') return range.ip6 !== undefined ? FAMILIES.ipv6.format(range.ip6) : 'SLAAC';
  return range.mac !== undefined ? formatMac(range.mac) : 'MAC from oned';
}

export function totalsOf(rows: readonly RangeUsage[]): Totals {
  return {
    ranges: rows.length,
    size: rows.reduce((n, r) => n + r.size, 0n),
    used: rows.reduce((n, r) => n + r.used, 0n),
    held: rows.reduce((n, r) => n + r.held, 0n),
    free: rows.reduce((n, r) => n + r.free, 0n),
  };
}
