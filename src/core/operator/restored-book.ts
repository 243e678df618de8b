/**
 * What `restore` writes: the previous generation, but never forgetting what oned holds, and with
 * a range-id counter that never goes back.
 *
 * oned does not undo anything when the book is restored: a range it registered since the previous
 * generation still has its AR and its VMs, and a lease it took since is still some VM's address.
 * Dropping them would let the next register carve the same subnet for another network, and the
 * next get_address hand out an address in use: the same address twice. So OpenNebula's ranges and
 * leases of the replaced book are kept (those the previous generation lacks are added back);
 * what restore undoes is the operators' side (operator leases and ranges, imports of them) and
 * oned's frees, which only costs an address until `reconcile` returns it.
 *
 * Range ids: an id handed out after the previous generation may still sit in an AR in oned; if the
 * restored counter handed it out again, the next register would get that id (and, carved from
 * the same free space, the same subnet), and the old AR would then lease from the new range and
 * unregister it with its leases.
 *
 * Ids are handed out in order (`r1`, `r2`, ...) and only by the counter, so the counter of the
 * book being replaced already covers every id that book ever handed out, including those of
 * ranges it has since dropped: keeping the larger counter is enough, no list of dead ids needed.
 * When the book being replaced no longer decodes (restore is the repair for that), its text
 * still says what it handed out (`rangeIdFloor`).
 */
import { cutLeases } from '../engine/cut-leases.ts';
import { footprint } from '../book/footprint.ts';
import { byFirst, overlaps } from '../intervals/interval.ts';
import { overlapping } from '../intervals/sorted.ts';
import type { Book, Lease, RangeRecord } from '../book/book.ts';

/**
 * `current` is undefined when the replaced book does not decode; the file store then raises the
 * counter from its text itself (`rangeIdFloor`), since only it reads that text under the lock.
 */
export function restoredBook(current: Book | undefined, previous: Book): Book {
  const nextRangeId = Math.max(previous.nextRangeId, current?.nextRangeId ?? 0);
  const ranges = current ? keepOpenNebula(current, previous) : previous.ranges;
  return nextRangeId === previous.nextRangeId && ranges === previous.ranges
    ? previous
    : { ...previous, nextRangeId, ranges };
}

/**
 * The previous ranges with oned's leases of the current book added back, then oned's ranges
 * registered since: those whose id the previous generation's counter had not yet handed out (a
 * range the previous generation merely lacks may be one oned unregistered, which stays gone).
 * A range registered since that overlaps a previous one is left out: only a write that removed
 * and added ranges at once (reconcile, import) makes one, and two ranges on one address would
 * only be refused by every action; `reconcile` settles it with oned's view.
 */
function keepOpenNebula(current: Book, previous: Book): readonly RangeRecord[] {
  const now = new Map(current.ranges.map((range) => [range.id, range]));
  let changed = false;
  const ranges = previous.ranges.map((old) => {
    const range = now.get(old.id);
    if (!range) return old;
    const kept = withLeasesOf(old, range);
    if (kept !== old) changed = true;
    return kept;
  });
  const registered = current.ranges.filter(
    (range) =>
      !range.unmanaged && rangeNumber(range.id) >= previous.nextRangeId && !overlapsAny(range, previous.ranges),
  );
  if (registered.length > 0) changed = true;
  return changed ? [...ranges, ...registered] : previous.ranges;
}

/** `r12` -> 12; any other id -> 0, never "since". */
function rangeNumber(id: string): number {
  const match = /^r([1-9][0-9]{0,14})$/.exec(id);
  return match ? Number(match[1]) : 0;
}

function overlapsAny(range: RangeRecord, others: readonly RangeRecord[]): boolean {
  return (['ipv4', 'ipv6'] as const).some((family) => {
    const space = footprint(range, family);
    return (
      space !== undefined &&
      others.some((other) => {
        const taken = footprint(other, family);
        return taken !== undefined && overlaps(space, taken);
      })
    );
  });
}

/**
 * `old` with every address oned holds in `now` and `old` has free leased to it again, and `now`'s
 * cursor and oned count (what oned told the driver is not undone by the book).
 */
function withLeasesOf(old: RangeRecord, now: RangeRecord): RangeRecord {
  const added: Lease[] = [];
  for (const lease of now.leases) {
    if (lease.holder !== 'opennebula') continue;
    // Only the part of the lease that is free in the previous generation.
    let pieces: Lease[] = [lease];
    for (const taken of overlapping(old.leases, lease)) pieces = cutLeases(pieces, taken);
    added.push(...pieces);
  }
  if (added.length === 0 && now.nextIndex === old.nextIndex && now.oned === old.oned) return old;
  const { nextIndex: _previousCursor, oned: _previousCount, ...rest } = old;
  return {
    ...rest,
    ...(now.nextIndex === undefined ? {} : { nextIndex: now.nextIndex }),
    ...(now.oned === undefined ? {} : { oned: now.oned }),
    leases: [...old.leases, ...added].sort(byFirst),
  };
}
