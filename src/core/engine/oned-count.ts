/**
 * oned's count wins on what is held (docs/oned-contract.md 3.4). Every get, allocate and free
 * request carries the AR's `USED_LEASES`: how many addresses oned holds in it, before the request
 * (`AddressRange::get_used_addr`, the size of its lease map: each address of a block counts, a
 * reservation's addresses too; operators' leases are not oned's and do not count). Two things
 * the book alone cannot see show there:
 *
 * - oned holds more than the book: a free the driver took as final was not. `onevnet release`
 *   of a VM's address calls free_address, which succeeds, and oned keeps the VM's lease (its
 *   `free_allocated_addr` refuses a holder that is not the hold). Which freed address it was,
 *   the count cannot say, so every address freed since the two counts last agreed is held back
 *   from get_address until they agree again (the VM goes, or `reconcile` adopts its lease).
 * - the book holds a block oned never took: oned refused get_address's answer ("Address
 *   returned by IPAM are not within AR or in use") and does not call free_address for it. The
 *   next request tells: USED_LEASES did not grow by the block. The block is dropped from the
 *   book, and held back (oned refused it most likely because it holds it).
 *
 * Pure: the actions call these on the range they act on, before and after their own change.
 */
import type { Lease, OnedCount, RangeRecord } from '../book/book.ts';
import type { Interval } from '../intervals/interval.ts';
import { cutOut, union } from '../intervals/sorted.ts';
import type { Attributes } from '../oned/attributes.ts';
import { text } from '../oned/ar-fields.ts';
import { cutLeases } from './cut-leases.ts';
import { spanText } from '../book/range-text.ts';
import type { AuditFacts } from '../change.ts';

/**
 * USED_LEASES as oned writes it (a plain number after the computed elements), or undefined when
 * the request has none (a hand-made request, the `onevnet delete` shape). Never a failure: a free
 * must not fail over a field it does not need.
 */
function usedLeases(ar: Attributes): bigint | undefined {
  const value = text(ar, 'USED_LEASES');
  return value !== undefined && /^[0-9]{1,12}$/.test(value) ? BigInt(value) : undefined;
}

export interface Settled {
  /** The range as the request's count leaves it, the count recorded. */
  readonly range: RangeRecord;
  /** False when the book need not be written for the count alone (it is as recorded, or no record yet and the counts agree). */
  readonly changed: boolean;
  /** Audit facts of a block oned did not take, dropped from the book (none, or one). */
  readonly dropped: readonly AuditFacts[];
}

/**
 * What the request's USED_LEASES says about the range, applied before the action's own change:
 * the last offered block settled (taken, or dropped when the count did not grow), the counts
 * recorded, and the held-back addresses released when the counts agree.
 */
export function settleWithOned(range: RangeRecord, ar: Attributes, now: string): Settled {
  const used = usedLeases(ar);
  if (used === undefined) return { range, changed: false, dropped: [] };
  const before = range.oned;
  let leases = range.leases;
  let heldBack = before?.heldBack ?? [];
  let dropped: AuditFacts[] = [];
  const offered = before?.offered;
  // Only when the block is all that stands between the two counts: oned's count is what it was
  // when the block was offered, and the book's is exactly that plus the block.
  if (offered && used === offered.used && used + offered.last - offered.first + 1n === heldOf(leases)) {
    // oned's count did not grow by the block it was offered: it refused it, or never saw the answer.
    const cut = cutLeases(leases, offered, (lease) => lease.holder === 'opennebula');
    if (cut !== leases) {
      leases = cut;
      heldBack = union([...heldBack, { first: offered.first, last: offered.last }]);
      dropped = [
        {
          range: range.id,
          addresses: spanText(range, offered),
          detail: `dropped: oned did not take what get_address offered (USED_LEASES still ${used}), and held back since oned may hold it`,
        },
      ];
    }
  }
  const held = heldOf(leases);
  // oned holding no more than the book: nothing the book has free can be oned's.
  if (used <= held) heldBack = [];
  const excess = (count: { used: bigint; held: bigint } | undefined) =>
    count && count.used > count.held ? count.used - count.held : 0n;
  // `since`: when oned's excess over the book last changed.
  const since = before && excess(before) === excess({ used, held }) ? before.since : now;
  const count: OnedCount = { used, held, since, heldBack };
  // Nothing to write for the count alone when what it means is as recorded: the same excess
  // (none, or the same values), the same held-back addresses, no offer to settle.
  const same = before
    ? !offered &&
      excess(before) === excess(count) &&
      (excess(count) === 0n || sameCount(before, count)) &&
      sameHeldBack(before, count)
    : excess(count) === 0n;
  return {
    range: { ...range, leases, oned: count },
    changed: dropped.length > 0 || !same,
    dropped,
  };
}

/**
 * The count recorded as it will be after the action's own change: oned counts what it is
 * answered (a get's block, an allocate's) and drops what it frees, as the book does, so the
 * difference between the two stays what the request showed. The next request that shows the
 * same counts then changes nothing (an idempotent free writes nothing).
 */
export function followBook(range: RangeRecord): RangeRecord {
  const count = range.oned;
  if (!count) return range;
  const held = heldOf(range.leases);
  // Never below 0, whatever a request claimed: oned's count cannot be.
  const used = count.used + held - count.held;
  return held === count.held ? range : { ...range, oned: { ...count, used: used < 0n ? 0n : used, held } };
}

/** Freed addresses may be a VM's still (`onevnet release`): held back until the counts agree. */
export function holdBack(range: RangeRecord, freed: readonly Interval[]): RangeRecord {
  if (freed.length === 0 || !range.oned) return range;
  return { ...range, oned: { ...range.oned, heldBack: union([...range.oned.heldBack, ...freed]) } };
}

/** oned allocates only what it holds free itself: an allocated block is not held back any more. */
export function releaseHeldBack(range: RangeRecord, block: Interval): RangeRecord {
  if (!range.oned || range.oned.heldBack.length === 0) return range;
  const heldBack = cutOut(range.oned.heldBack, block);
  return heldBack === range.oned.heldBack ? range : { ...range, oned: { ...range.oned, heldBack } };
}

/** The block get_address offers, remembered until the next request says whether oned took it. */
export function noteOffered(range: RangeRecord, block: Interval, ar: Attributes): RangeRecord {
  if (!range.oned) return range;
  const used = usedLeases(ar);
  return used === undefined
    ? range
    : followBook({ ...range, oned: { ...range.oned, offered: { first: block.first, last: block.last, used } } });
}

/** The addresses held back, for the indices get_address must not pick. */
export function heldBackOf(range: RangeRecord): readonly Interval[] {
  return range.oned?.heldBack ?? [];
}

/** The number of addresses held back. */
export function heldBackCount(range: RangeRecord): bigint {
  let count = 0n;
  for (const span of heldBackOf(range)) count += span.last - span.first + 1n;
  return count;
}

function heldOf(leases: readonly Lease[]): bigint {
  let held = 0n;
  for (const lease of leases) if (lease.holder === 'opennebula') held += lease.last - lease.first + 1n;
  return held;
}

function sameCount(a: OnedCount, b: OnedCount): boolean {
  return a.used === b.used && a.held === b.held && a.since === b.since;
}

function sameHeldBack(a: OnedCount, b: OnedCount): boolean {
  return (
    a.heldBack.length === b.heldBack.length &&
    a.heldBack.every((span, i) => span.first === b.heldBack[i]!.first && span.last === b.heldBack[i]!.last)
  );
}
