/**
 * free_address (docs/oned-contract.md 3.4): idempotent. oned frees a block one address at a time, and
 * calls this for addresses it never leased (`onevnet release`); a failure here would leave oned
 * holding the lease forever, so anything already free, unknown or out of range is success.
 * An AR whose id names no range, or a range that is not the AR (an id edited with `onevnet
 * updatear`), frees in the range its protected facts are, if exactly one is; else nothing (said
 * in the audit log). A freed address may still be a VM's (`onevnet release`), so it is held back
 * from get_address until oned's count and the book's agree again (`core/engine/oned-count.ts`).
 */
import { replaceRange } from '../book/book.ts';
import * as field from '../oned/ar-fields.ts';
import { cutLeases } from '../engine/cut-leases.ts';
import { indexOfAddress, locateByFacts, locateRange, withPinnedMac } from '../engine/locate.ts';
import { spanText } from '../book/range-text.ts';
import { followBook, holdBack, settleWithOned } from '../engine/oned-count.ts';
import type { Interval } from '../intervals/interval.ts';
import { overlapping } from '../intervals/sorted.ts';
import type { Action } from './action.ts';

export const freeAddress: Action = (book, { ar, address }, { now }) => {
  const located = locateRange(book, ar);
  const found = located.kind === 'found' ? located.range : locateByFacts(book, ar);
  const mismatch =
    located.kind === 'mismatch'
      ? [
          {
            range: located.range.id,
            detail: `freed nothing: the AR is not the range registered under that id (${located.why})${found ? `; its addresses are range ${found.id}'s, where that address is not oned's` : ''}`,
          },
        ]
      : [];
  if (!found) return { result: undefined, audit: mismatch };
  const settled = settleWithOned(withPinnedMac(found, ar), ar, now);
  const range = settled.range;
  const count = field.size(address, 'ADDRESS') ?? 1n;
  const { index } = indexOfAddress(range, ar, address);
  const unchanged = settled.changed
    ? { book: replaceRange(book, range), result: undefined, audit: [...mismatch, ...settled.dropped] }
    : { result: undefined, audit: mismatch };
  if (index === undefined) return unchanged;
  // Operators' leases are theirs to release; oned never held them.
  const block = { first: index, last: index + count - 1n };
  const ofOned = (lease: { holder: string }) => lease.holder === 'opennebula';
  const leases = cutLeases(range.leases, block, ofOned);
  if (leases === range.leases) return unchanged;
  const freed: Interval[] = overlapping(range.leases, block)
    .filter(ofOned)
    .map((lease) => ({
      first: lease.first > block.first ? lease.first : block.first,
      last: lease.last < block.last ? lease.last : block.last,
    }));
  const by =
    located.kind === 'found'
      ? {}
      : {
          detail: `found by its addresses: the AR's ${field.RANGE_ID_ATTRIBUTE} names ${located.kind === 'mismatch' ? `range ${located.range.id}, which it is not` : 'no range'}`,
        };
  return {
    book: replaceRange(book, followBook(holdBack({ ...range, leases }, freed))),
    result: undefined,
    audit: [{ range: range.id, addresses: spanText(range, block), ...by }, ...settled.dropped],
  };
};
