/**
 * free_address (docs/oned-contract.md 3.4): idempotent. oned frees a block one address at a time, and
 * calls this for addresses it never leased (`onevnet release`); a failure here would leave oned
 * holding the lease forever, so anything already free, unknown or out of range is success.
 * An AR that is not the range its id names frees nothing, says so in the audit log, and succeeds.
 */
import { replaceRange } from '../book/book.ts';
import * as field from '../engine/ar-fields.ts';
import { cutLeases } from '../engine/cut-leases.ts';
import { indexOfAddress, locateRange, spanText, withPinnedMac } from '../engine/locate.ts';
import type { Action } from './action.ts';

export const freeAddress: Action = (book, { ar, address }) => {
  const located = locateRange(book, ar);
  if (located.kind === 'absent') return {};
  if (located.kind === 'mismatch') {
    return { audit: { range: located.range.id, detail: `freed nothing: the AR is not the range registered under that id (${located.why})` } };
  }
  const range = withPinnedMac(located.range, ar);
  const count = field.size(address, 'ADDRESS') ?? 1n;
  const { index } = indexOfAddress(range, ar, address);
  if (index === undefined) return {};
  // Operators' leases are theirs to release; oned never held them.
  const block = { first: index, last: index + count - 1n };
  const leases = cutLeases(range.leases, block, (lease) => lease.holder === 'opennebula');
  if (leases === range.leases) return {};
  return { book: replaceRange(book, { ...range, leases }), audit: { range: range.id, addresses: spanText(range, block) } };
};
