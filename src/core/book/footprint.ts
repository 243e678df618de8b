/** The address space a range occupies, per family: what no other range and no pool carving may touch. */
import type { Interval } from '../intervals/interval.ts';
import type { Family } from '../address/family.ts';
import type { Book, RangeRecord } from './book.ts';

export function span4(range: RangeRecord): Interval | undefined {
  return range.ip === undefined ? undefined : { first: range.ip, last: range.ip + range.size - 1n };
}

export function span6(range: RangeRecord): Interval | undefined {
  return range.ip6 === undefined ? undefined : { first: range.ip6, last: range.ip6 + range.size - 1n };
}

export function footprint(range: RangeRecord, family: Family): Interval | undefined {
  return family === 'ipv4' ? (range.block ?? span4(range)) : (range.block6 ?? span6(range));
}

/** Every range's footprint in one family, paired with its range. */
export function footprints(book: Book, family: Family): { range: RangeRecord; space: Interval }[] {
  const found: { range: RangeRecord; space: Interval }[] = [];
  for (const range of book.ranges) {
    const space = footprint(range, family);
    if (space) found.push({ range, space });
  }
  return found;
}
