/**
 * Everything `restore` brings back or takes away, for the operator to read before `--yes` and
 * for the audit record after: the book differences, with the leases of every range it brings
 * back listed too (a returning range comes with its leases), and a one-line summary. Pure.
 */
import { EMPTY_BOOK, type Book } from '../book/book.ts';
import { holderText, spanText } from '../book/range-text.ts';
import { diffBooks, type BookDifference } from './book-diff.ts';

/** `current` undefined: the book does not decode, so everything of `previous` comes back. */
export function restoreChanges(current: Book | undefined, previous: Book): BookDifference[] {
  const changes: BookDifference[] = [];
  for (const change of diffBooks(current ?? EMPTY_BOOK, previous)) {
    changes.push(change);
    if (change.change !== 'range-added') continue;
    const range = previous.ranges.find((r) => r.id === change.range);
    for (const lease of range?.leases ?? [])
      changes.push({
        change: 'lease-added',
        range: change.range,
        what: `${spanText(range!, lease)} ${holderText(lease)}`,
      });
  }
  return changes;
}

/** `2 ranges added, 5 leases added, 1 lease removed`, or `no range or lease changed`. */
export function summariseChanges(changes: readonly BookDifference[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.change, (counts.get(c.change) ?? 0) + 1);
  const parts = (['range-added', 'range-removed', 'lease-added', 'lease-removed'] as const)
    .filter((kind) => counts.has(kind))
    .map((kind) => {
      const n = counts.get(kind)!;
      const [what, how] = kind.split('-') as [string, string];
      return `${n} ${what}${n === 1 ? '' : 's'} ${how}`;
    });
  return parts.length ? parts.join(', ') : 'no range or lease changed';
}
