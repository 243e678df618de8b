/** allocate_address (docs/oned-contract.md 3.4): lease the exact block oned names, if it is in the range and free. */
import { replaceRange } from '../book/book.ts';
import { IpamError } from '../errors.ts';
import { covers } from '../intervals/interval.ts';
import { insertDisjoint, overlapping } from '../intervals/sorted.ts';
import * as field from '../oned/ar-fields.ts';
import {
  allowedIndices,
  indexOfAddress,
  locateRange,
  mismatchError,
  rangeIdShown,
  withPinnedMac,
} from '../engine/locate.ts';
import { describeRange, holderText, spanText } from '../book/range-text.ts';
import { formatMac } from '../address/mac.ts';
import { followBook, releaseHeldBack, settleWithOned } from '../engine/oned-count.ts';
import { blockedIndices, takenIndices } from '../engine/taken-indices.ts';
import { holdsOf } from '../book/holds.ts';
import type { Action } from './action.ts';

export const allocateAddress: Action = (book, { ar, address }, { config, requestId, now }) => {
  const located = locateRange(book, ar);
  if (located.kind === 'absent')
    throw new IpamError(
      'not-found',
      `Cannot allocate in range ${rangeIdShown(ar)}: it is not in the lease book (check \`nebula-ipam status\`, or \`nebula-ipam reconcile\`)`,
    );
  if (located.kind === 'mismatch') throw mismatchError('allocate', located);
  const settled = settleWithOned(withPinnedMac(located.range, ar), ar, now);
  const range = settled.range;
  const count = field.size(address, 'ADDRESS') ?? 1n;
  const { index, shown } = indexOfAddress(range, ar, address);
  const block = index === undefined ? undefined : { first: index, last: index + count - 1n };
  if (!block || !covers(allowedIndices(range, ar), block)) {
    throw new IpamError(
      'conflict',
      `Cannot allocate ${shown} (SIZE ${count}): it is outside range ${describeRange(range)}`,
    );
  }
  const clash = overlapping(takenIndices(range, config, holdsOf(book)), block)[0];
  if (clash) {
    // The clash may be leases and reserved addresses merged: name what lies in the block itself.
    const lease = overlapping(range.leases, block)[0];
    const blocked = blockedIndices(range, config, holdsOf(book)).find(
      (b) => b.first <= block.last && block.first <= b.last,
    );
    const by = lease ? `leased to ${holderText(lease)} since ${lease.at}` : (blocked?.why ?? 'kept out by its pool');
    // oned picked a held address by name (onevm nic-attach --ip): conflict (exit 5), as any taken one.
    const release = blocked?.hold ? `; if it is free, \`nebula-ipam hold release ${shown}\`` : '';
    throw new IpamError(
      'conflict',
      `Cannot allocate ${shown} (SIZE ${count}) in range ${range.id}: it is ${by}${release}`,
    );
  }
  const addressMac = field.mac(address, 'MAC', 'ADDRESS');
  const lease = {
    ...block,
    holder: 'opennebula' as const,
    at: now,
    ...(addressMac === undefined ? {} : { mac: addressMac }),
    ...(requestId === undefined ? {} : { requestId }),
  };
  // oned asks only for what is free in its own books: nothing of the block is a VM's any more.
  const next = replaceRange(
    book,
    followBook(releaseHeldBack({ ...range, leases: insertDisjoint(range.leases, lease) }, block)),
  );
  return {
    book: next,
    result: undefined,
    audit: [
      {
        range: range.id,
        addresses: spanText(range, block),
        ...(addressMac === undefined ? {} : { mac: formatMac(addressMac) }),
      },
      ...settled.dropped,
    ],
  };
};
