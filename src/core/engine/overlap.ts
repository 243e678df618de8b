/**
 * A range that shares space with another range of the book. Register and `range add` never make
 * one, so it comes from a hand-edited, merged or imported book; leasing from it could give one
 * address to two machines (each range thinks it is free), so it is refused until the book is fixed.
 */
import type { Book, RangeRecord } from '../book/book.ts';
import { footprint } from '../book/footprint.ts';
import { IpamError } from '../errors.ts';
import { overlaps } from '../intervals/interval.ts';
import { describeRange } from '../book/range-text.ts';

export function refuseOverlapping(book: Book, range: RangeRecord, verb: string): void {
  for (const family of ['ipv4', 'ipv6'] as const) {
    const mine = footprint(range, family);
    if (!mine) continue;
    for (const other of book.ranges) {
      if (other.id === range.id) continue;
      const space = footprint(other, family);
      if (space && overlaps(space, mine)) {
        throw new IpamError(
          'conflict',
          `Cannot ${verb} in range ${describeRange(range)}: it overlaps range ${describeRange(other)} in the lease book, so an address could go to both; fix the book by hand (\`nebula-ipam verify\` lists the overlaps)`,
        );
      }
    }
  }
}
