/** Finding room: the first place a block of a given size fits between taken intervals. */
import type { Interval } from './interval.ts';
import { firstEndingAtOrAfter } from './sorted.ts';

/**
 * The lowest start `s` such that `s..s+size-1` lies inside `within`, touches no member of
 * `taken` (sorted, disjoint), and `s` is a multiple of `align`. Cost grows with the number of
 * taken intervals passed over, never with the size of `within`.
 */
export function firstFreeBlock(
  taken: readonly Interval[],
  within: Interval,
  size: bigint,
  align = 1n,
): bigint | undefined {
  if (size < 1n) return undefined;
  let cursor = within.first;
  let next = firstEndingAtOrAfter(taken, cursor);
  for (;;) {
    const start = ((cursor + align - 1n) / align) * align;
    const end = start + size - 1n;
    if (end > within.last) return undefined;
    while (next < taken.length && taken[next]!.last < start) next++;
    const blocker = taken[next];
    if (!blocker || blocker.first > end) return start;
    cursor = blocker.last + 1n;
  }
}
