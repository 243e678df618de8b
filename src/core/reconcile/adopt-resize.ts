/**
 * `onevnet updatear` can change an AR's SIZE; oned then sends nothing to the driver, so the
 * book's range keeps its old size. `reconcile --apply` adopts the new size when that is safe:
 * shrinking only when no lease lies past the new end; growing only into space nobody else has
 * (no other range, no excluded prefix, no network, broadcast, gateway or DNS address, and, for
 * a carved range, inside its own subnet). Otherwise it says why not. Pure.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { prefixInterval } from '../address/prefix.ts';
import type { Book, RangeRecord } from '../book/book.ts';
import { footprints } from '../book/footprint.ts';
import { poolNamed, type Config } from '../config/config.ts';
import { reservedIn } from '../engine/carve.ts';
import { rangeSubnet } from '../engine/range-subnet.ts';
import { covers, overlaps, type Interval } from '../intervals/interval.ts';

export type ResizeJudgement = { readonly adoptable: true } | { readonly adoptable: false; readonly why: string };

export function judgeResize(book: Book, config: Config, range: RangeRecord, size: bigint): ResizeJudgement {
  if (size === range.size) return { adoptable: true };
  if (size < range.size) {
    const past = range.leases.filter((lease) => lease.last >= size);
    if (past.length === 0) return { adoptable: true };
    return {
      adoptable: false,
      why: `${past.length} lease${past.length === 1 ? '' : 's'} lie past the new end (index ${size}); release ${past.length === 1 ? 'it' : 'them'} first`,
    };
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    const start = family === 'ipv4' ? range.ip : range.ip6;
    if (start === undefined) continue;
    const grown: Interval = { first: start + range.size, last: start + size - 1n };
    const why = growthProblem(book, config, range, family, grown);
    if (why) return { adoptable: false, why };
  }
  return { adoptable: true };
}

function growthProblem(
  book: Book,
  config: Config,
  range: RangeRecord,
  family: Family,
  grown: Interval,
): string | undefined {
  const text = (value: bigint) => FAMILIES[family].format(value);
  const span = `${text(grown.first)}-${text(grown.last)}`;
  const block = family === 'ipv4' ? range.block : range.block6;
  if (block && !covers(block, grown)) return `growing to ${span} leaves the range's subnet`;
  const other = footprints(book, family).find((f) => f.range.id !== range.id && overlaps(f.space, grown));
  if (other) return `${span} overlaps range ${other.range.id}`;
  const poolName = family === 'ipv4' ? range.pool : range.pool6;
  const pool = poolName === undefined ? undefined : poolNamed(config, poolName);
  const excluded = pool?.exclude.find((prefix) => overlaps(prefixInterval(prefix), grown));
  if (excluded) return `${span} overlaps an excluded prefix of pool ${pool!.name}`;
  const placed = rangeSubnet(range, config, family);
  const reserved =
    placed && reservedIn(placed.pool, placed.subnet).find((r) => r.address >= grown.first && r.address <= grown.last);
  if (reserved) return `${span} holds the ${reserved.role} ${text(reserved.address)}`;
  return undefined;
}
