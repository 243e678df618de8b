/**
 * unregister_address_range (docs/oned-contract.md 3.4): drop the range with every lease oned holds in it,
 * which gives its space back to its pool (pool usage is derived from the ranges). oned requires
 * success, so it always succeeds; an operator's leases in it are kept as unmanaged ranges of
 * exactly their addresses (`keep-operator-leases.ts`). Unknown range: success.
 * An AR that is not the range its id names (an id edited with `onevnet updatear`) drops nothing:
 * oned needs a success to remove its AR, and the other network's range must stay.
 */
import { removeRange } from '../book/book.ts';
import { keepOperatorLeases } from '../engine/keep-operator-leases.ts';
import { locateRange } from '../engine/locate.ts';
import { spanText } from '../book/range-text.ts';
import type { Action } from './action.ts';

export const unregisterAddressRange: Action = (book, { ar }, { now }) => {
  const located = locateRange(book, ar);
  if (located.kind === 'absent') return { result: undefined };
  const { range } = located;
  if (located.kind === 'mismatch') {
    return {
      result: undefined,
      audit: [
        {
          range: range.id,
          detail: `kept the range: the AR is not the range registered under that id (${located.why})`,
        },
      ],
    };
  }
  const kept = keepOperatorLeases(removeRange(book, range.id), range, now);
  return {
    book: kept.book,
    result: undefined,
    audit: [{ range: range.id, addresses: spanText(range, { first: 0n, last: range.size - 1n }) }, ...kept.audit],
  };
};
