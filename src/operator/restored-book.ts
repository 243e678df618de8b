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
import { byFirst } from '../intervals/interval.ts';
import { overlapping } from '../intervals/sorted.ts';
import type { Book, Lease, RangeRecord } from '../book/book.ts';
import { rangeIdFloor } from '../book/range-id-floor.ts';

export function restoredBook(current: Book | undefined, previous: Book, unreadableText?: string): Book {
  const floor = unreadableText === undefined ? 0 : rangeIdFloor(unreadableText);
  const nextRangeId = Math.max(previous.nextRangeId, current?.nextRangeId ?? 0, floor);
  const ranges = current ? keepOpenNebula(current, previous) : previous.ranges;
  return nextRangeId === previous.nextRangeId && ranges === previous.ranges ? previous : { ...previous, nextRangeId, ranges };
}

/** The previous ranges with oned's leases of the current book added back, then oned's ranges registered since. */
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
  const known = new Set(previous.ranges.map((range) => range.id));
  const registered = current.ranges.filter((range) => !known.has(range.id) && !range.unmanaged);
  if (registered.length > 0) changed = true;
  return changed ? [...ranges, ...registered] : previous.ranges;
}

/** `old` with every address oned holds in `now` and `old` has free leased to it again, and `now`'s cursor. */
function withLeasesOf(old: RangeRecord, now: RangeRecord): RangeRecord {
  const added: Lease[] = [];
  for (const lease of now.leases) {
    if (lease.holder !== 'opennebula') continue;
    // Only the part of the lease that is free in the previous generation.
    let pieces: Lease[] = [lease];
    for (const taken of overlapping(old.leases, lease)) pieces = cutLeases(pieces, taken);
    added.push(...pieces);
  }
  if (added.length === 0 && now.nextIndex === old.nextIndex) return old;
  const { nextIndex: _previousCursor, ...rest } = old;
  return { ...rest, ...(now.nextIndex === undefined ? {} : { nextIndex: now.nextIndex }), leases: [...old.leases, ...added].sort(byFirst) };
}
