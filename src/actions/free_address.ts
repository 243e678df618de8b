/**
 * free_address (docs/oned-contract.md 3.4): idempotent. oned frees a block one address at a time, and
 * calls this for addresses it never leased (`onevnet release`); a failure here would leave oned
 * holding the lease forever, so anything already free, unknown or out of range is success.
 */
import { replaceRange } from '../book/book.ts';
import * as field from '../engine/ar-fields.ts';
import { cutLeases } from '../engine/cut-leases.ts';
import { indexOfAddress, locateRange, spanText } from '../engine/locate.ts';
import type { Action } from './action.ts';

export const freeAddress: Action = (book, { ar, address }) => {
  const range = locateRange(book, ar);
  if (!range) return {};
  const count = field.size(address, 'ADDRESS') ?? 1n;
  const { index } = indexOfAddress(range, ar, address);
  // Operators' leases are theirs to release; oned never held them.
  const block = { first: index, last: index + count - 1n };
  const leases = cutLeases(range.leases, block, (lease) => lease.holder === 'opennebula');
  if (leases === range.leases) return {};
  return { book: replaceRange(book, { ...range, leases }), audit: { range: range.id, addresses: spanText(range, block) } };
};
