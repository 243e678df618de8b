/** Inclusive intervals `first..last` of bigint: addresses, or indices of a range. */
export interface Interval {
  readonly first: bigint;
  readonly last: bigint;
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function covers(outer: Interval, inner: Interval): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

export function intervalSize(interval: Interval): bigint {
  return interval.last - interval.first + 1n;
}

export function byFirst(a: Interval, b: Interval): number {
  return a.first < b.first ? -1 : a.first > b.first ? 1 : 0;
}
