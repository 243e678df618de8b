/** Finding room: the first place a block of a given size fits between taken intervals, or the next one from a cursor. */
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

/**
 * Round-robin: the first free block of `size` that starts at or after `from`, else (wrapping
 * around) the first one in `within`. A cursor left where the last block ended thus moves on
 * through never-used space before it comes back to anything freed behind it.
 */
export function nextFreeBlock(
  taken: readonly Interval[],
  within: Interval,
  size: bigint,
  from: bigint,
): bigint | undefined {
  if (from > within.first && from <= within.last) {
    const ahead = firstFreeBlock(taken, { first: from, last: within.last }, size);
    if (ahead !== undefined) return ahead;
  }
  return firstFreeBlock(taken, within, size);
}
