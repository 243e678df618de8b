/**
 * Sorted lists of disjoint intervals. Every function here takes and returns lists sorted by
 * `first` with no two members overlapping; that invariant is what makes the binary searches right.
 */
import { byFirst, type Interval } from './interval.ts';

/** Index of the first member whose `last` is >= `point`, or list.length. */
export function firstEndingAtOrAfter(list: readonly Interval[], point: bigint): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.last < point) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The members that share at least one point with `span`, in order. */
export function overlapping<T extends Interval>(list: readonly T[], span: Interval): T[] {
  const found: T[] = [];
  for (let i = firstEndingAtOrAfter(list, span.first); i < list.length && list[i]!.first <= span.last; i++) {
    found.push(list[i]!);
  }
  return found;
}

/** Inserts a member known not to overlap any other; returns a new list. */
export function insertDisjoint<T extends Interval>(list: readonly T[], item: T): T[] {
  const at = firstEndingAtOrAfter(list, item.first);
  return [...list.slice(0, at), item, ...list.slice(at)];
}

/** The union of any intervals, as a sorted disjoint list with touching members merged. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort(byFirst);
  const merged: Interval[] = [];
  for (const next of sorted) {
    const prev = merged[merged.length - 1];
    if (prev && next.first <= prev.last + 1n) {
      if (next.last > prev.last) merged[merged.length - 1] = { first: prev.first, last: next.last };
    } else {
      merged.push(next);
    }
  }
  return merged;
}

/**
 * Removes `span` from every member it touches, keeping each member's other fields on the
 * pieces that remain (a lease freed in its middle becomes two leases); `piece` builds a
 * remaining piece from its member, for fields that depend on where a member starts. Members for
 * which `only` is false are kept whole. Returns the same list when nothing was cut.
 */
export function cutOut<T extends Interval>(
  list: readonly T[],
  span: Interval,
  only: (member: T) => boolean = () => true,
  piece: (member: T, part: Interval) => T = (member, part) => ({ ...member, ...part }),
): T[] {
  const start = firstEndingAtOrAfter(list, span.first);
  const pieces: T[] = [];
  let changed = false;
  let end = start;
  for (; end < list.length && list[end]!.first <= span.last; end++) {
    const member = list[end]!;
    if (!only(member)) {
      pieces.push(member);
      continue;
    }
    changed = true;
    if (member.first < span.first) pieces.push(piece(member, { first: member.first, last: span.first - 1n }));
    if (member.last > span.last) pieces.push(piece(member, { first: span.last + 1n, last: member.last }));
  }
  return changed ? [...list.slice(0, start), ...pieces, ...list.slice(end)] : (list as T[]);
}
