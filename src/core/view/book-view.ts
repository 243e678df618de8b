/**
 * A book as `status` and `metrics` see it: each pool's usage, each range, totals, and the
 * ranges per view family (core/view/family-rows.ts). Pure: the commands gather, this derives.
 */
import type { Book } from '../book/book.ts';
import { holdsOf } from '../book/holds.ts';
import type { Config } from '../config/config.ts';
import { poolUsage, type PoolUsage } from '../operator/usage.ts';
import {
  familyRows,
  totalsOf,
  VIEW_FAMILIES,
  type FamilyRangeRow,
  type Totals,
  type ViewFamily,
} from './family-rows.ts';
import { rangeRow, type RangeRow } from './range-row.ts';

export interface BookView {
  readonly pools: readonly PoolUsage[];
  readonly ranges: readonly RangeRow[];
  /** Both families' addresses added: `families` keeps them apart. */
  readonly totals: Totals;
  readonly families: Readonly<Record<ViewFamily, { readonly ranges: FamilyRangeRow[]; readonly totals: Totals }>>;
}

export function bookView(book: Book, config: Config): BookView {
  const ranges = book.ranges.map((r) => rangeRow(r, config, holdsOf(book)));
  const families = Object.fromEntries(
    VIEW_FAMILIES.map((family) => {
      const rows = familyRows(book, config, family);
      return [family, { ranges: rows, totals: totalsOf(rows) }];
    }),
  ) as BookView['families'];
  return { pools: poolUsage(book, config), ranges, totals: totalsOf(ranges), families };
}
