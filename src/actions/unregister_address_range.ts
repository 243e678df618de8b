/**
 * unregister_address_range (docs/oned-contract.md 3.4): drop the range with every lease in it, which gives
 * its space back to its pool (pool usage is derived from the ranges). Unknown range: success.
 */
import { removeRange } from '../book/book.ts';
import { locateRange, spanText } from '../engine/locate.ts';
import type { Action } from './action.ts';

export const unregisterAddressRange: Action = (book, { ar }) => {
  const range = locateRange(book, ar);
  if (!range) return {};
  return { book: removeRange(book, range.id), audit: { range: range.id, addresses: spanText(range, { first: 0n, last: range.size - 1n }) } };
};
