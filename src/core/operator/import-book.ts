/**
 * `import`: adds the ranges of another lease book (an export, a backup) to this one. Nothing
 * may overlap: a range of the file that touches the space of a range already here, or an
 * OpenNebula range whose id is taken (oned names its range by that id), refuses the whole
 * import. Colliding ids of unmanaged ranges are renumbered, since only operators refer to them.
 */
import type { Family } from '../address/family.ts';
import type { Book, RangeRecord } from '../book/book.ts';
import { footprint } from '../book/footprint.ts';
import { describeRange, spanText } from '../book/range-text.ts';
import { IpamError } from '../errors.ts';
import { overlaps } from '../intervals/interval.ts';
import type { Change } from '../change.ts';

export interface Imported {
  readonly ranges: number;
  readonly leases: number;
  /** Unmanaged ranges that got a new id: [id in the file, id here]. */
  readonly renumbered: readonly (readonly [string, string])[];
}

export function importBook(book: Book, incoming: Book, source: string): Change<Imported> {
  let nextRangeId = Math.max(book.nextRangeId, incoming.nextRangeId);
  const ids = new Set(book.ranges.map((r) => r.id));
  const accepted: RangeRecord[] = [];
  const renumbered: [string, string][] = [];
  for (const original of incoming.ranges) {
    let range = original;
    if (ids.has(range.id)) {
      if (!range.unmanaged) {
        throw new IpamError(
          'conflict',
          `Cannot import ${source}: its range ${describeRange(range)} is OpenNebula's and this book already has a range ${range.id}; nothing was imported`,
        );
      }
      range = { ...range, id: `r${nextRangeId++}` };
      renumbered.push([original.id, range.id]);
    }
    for (const family of ['ipv4', 'ipv6'] as Family[]) {
      const space = footprint(range, family);
      if (!space) continue;
      const clash = [...book.ranges, ...accepted].find((other) => {
        const taken = footprint(other, family);
        return taken !== undefined && overlaps(taken, space);
      });
      if (clash) {
        const here = book.ranges.includes(clash) ? 'range' : `the file's own range`;
        throw new IpamError(
          'conflict',
          `Cannot import ${source}: its range ${describeRange(original)} overlaps ${here} ${describeRange(clash)}; nothing was imported`,
        );
      }
    }
    ids.add(range.id);
    accepted.push(range);
  }
  const leases = accepted.reduce((n, r) => n + r.leases.length, 0);
  const result = { ranges: accepted.length, leases, renumbered };
  if (!accepted.length) return { result };
  return {
    book: { ...book, nextRangeId, ranges: [...book.ranges, ...accepted] },
    result,
    audit: accepted.map((r) => ({ range: r.id, addresses: spanText(r, { first: 0n, last: r.size - 1n }) })),
  };
}
