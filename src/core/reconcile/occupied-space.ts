/**
 * The space ranges occupy, per family, kept sorted so that finding what a new range would
 * overlap costs a binary search, not a scan: rebuilding a book of thousands of ranges stays
 * linear-ish. Assumes the ranges' footprints are disjoint, as `verify` checks.
 */
import type { Family } from '../address/family.ts';
import type { RangeRecord } from '../book/book.ts';
import { footprint } from '../book/footprint.ts';
import { byFirst, type Interval } from '../intervals/interval.ts';
import { firstEndingAtOrAfter, overlapping } from '../intervals/sorted.ts';

type Entry = Interval & { readonly range: RangeRecord };

const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

export class OccupiedSpace {
  private readonly lists: Record<Family, Entry[]> = { ipv4: [], ipv6: [] };

  constructor(ranges: readonly RangeRecord[]) {
    for (const family of FAMILIES) {
      for (const range of ranges) {
        const space = footprint(range, family);
        if (space) this.lists[family].push({ ...space, range });
      }
      this.lists[family].sort(byFirst);
    }
  }

  /** A range whose space `range` would overlap, in either family. */
  blocker(range: RangeRecord): RangeRecord | undefined {
    for (const family of FAMILIES) {
      const space = footprint(range, family);
      const hit = space && overlapping(this.lists[family], space)[0];
      if (hit) return hit.range;
    }
    return undefined;
  }

  /** Records a range known not to overlap any other. */
  add(range: RangeRecord): void {
    for (const family of FAMILIES) {
      const space = footprint(range, family);
      if (!space) continue;
      const list = this.lists[family];
      list.splice(firstEndingAtOrAfter(list, space.first), 0, { ...space, range });
    }
  }
}
