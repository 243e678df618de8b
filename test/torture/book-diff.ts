/**
 * What changed between two views of the book, in the terms an interrupted operation is judged
 * by: leases added or removed per range, ranges added or removed.
 */
import type { BookView } from './book-view.ts';

export interface ViewDiff {
  readonly added: ReadonlyMap<string, readonly number[]>;
  readonly removed: ReadonlyMap<string, readonly number[]>;
  readonly newRanges: readonly string[];
  readonly goneRanges: readonly string[];
  /** Ranges present in both whose address or size differ. */
  readonly reshaped: readonly string[];
}

export function diffViews(before: BookView, after: BookView): ViewDiff {
  const added = new Map<string, number[]>();
  const removed = new Map<string, number[]>();
  const newRanges: string[] = [];
  const goneRanges: string[] = [];
  const reshaped: string[] = [];
  for (const [id, b] of before.ranges) {
    const a = after.ranges.get(id);
    if (!a) {
      goneRanges.push(id);
      continue;
    }
    if (a.ip !== b.ip || a.size !== b.size) reshaped.push(id);
    const plus = [...a.leased.keys()].filter((i) => b.leased.get(i) !== a.leased.get(i)).sort((x, y) => x - y);
    const minus = [...b.leased.keys()].filter((i) => !a.leased.has(i)).sort((x, y) => x - y);
    if (plus.length) added.set(id, plus);
    if (minus.length) removed.set(id, minus);
  }
  for (const id of after.ranges.keys()) if (!before.ranges.has(id)) newRanges.push(id);
  return { added, removed, newRanges, goneRanges, reshaped };
}

export function isUnchanged(diff: ViewDiff): boolean {
  return (
    diff.added.size === 0 &&
    diff.removed.size === 0 &&
    diff.newRanges.length === 0 &&
    diff.goneRanges.length === 0 &&
    diff.reshaped.length === 0
  );
}

export function describeDiff(diff: ViewDiff): string {
  const parts: string[] = [];
  for (const [id, list] of diff.added) parts.push(`+${id}[${list.join(',')}]`);
  for (const [id, list] of diff.removed) parts.push(`-${id}[${list.join(',')}]`);
  if (diff.newRanges.length) parts.push(`new ranges ${diff.newRanges.join(',')}`);
  if (diff.goneRanges.length) parts.push(`gone ranges ${diff.goneRanges.join(',')}`);
  if (diff.reshaped.length) parts.push(`reshaped ${diff.reshaped.join(',')}`);
  return parts.join(' ') || 'no change';
}
