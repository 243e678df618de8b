/**
 * get_address (docs/oned-contract.md 3.3): the next free contiguous block of SIZE addresses after the
 * range's cursor (round-robin, wrapping around), leased in the same step that finds it. Only
 * IPv4-bearing ranges: oned accepts nothing else as an answer.
 */
import { FAMILIES } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import { replaceRange } from '../book/book.ts';
import { IpamError } from '../errors.ts';
import { nextFreeBlock } from '../intervals/free-block.ts';
import { insertDisjoint, union } from '../intervals/sorted.ts';
import { formatVector } from '../oned/template.ts';
import * as field from '../oned/ar-fields.ts';
import { allowedIndices, locateRange, mismatchError, rangeIdShown, withPinnedMac } from '../engine/locate.ts';
import { describeRange, spanText } from '../book/range-text.ts';
import { heldBackCount, heldBackOf, noteOffered, settleWithOned } from '../engine/oned-count.ts';
import { refuseOverlapping } from '../engine/overlap.ts';
import { takenIndices } from '../engine/taken-indices.ts';
import { holdsOf } from '../book/holds.ts';
import type { OnedRequest } from '../oned/attributes.ts';
import type { Action } from './action.ts';

/**
 * Refuses a range whose TYPE oned can never accept an answer for. Needs only the request, so the
 * driver runs it before taking the store's lock: the answer must not wait behind another holder.
 */
export function refuseWithoutIPv4({ ar }: OnedRequest): void {
  const type = field.arType(ar);
  if (type && !field.hasIPv4(type)) {
    throw new IpamError(
      'unsupported',
      `Cannot pick an address in range type ${type}: oned only accepts an IPv4 answer from get_address; give the NIC an explicit ${type === 'IP6_STATIC' ? 'IP6' : 'MAC'} instead`,
    );
  }
}

export const getAddress: Action = (book, request, { config, requestId, now }) => {
  refuseWithoutIPv4(request);
  const { ar, address } = request;
  const count = field.size(address, 'ADDRESS');
  if (count === undefined) throw new IpamError('bad-request', 'Cannot pick an address: ADDRESS has no SIZE');
  const located = locateRange(book, ar);
  if (located.kind === 'absent')
    throw new IpamError(
      'not-found',
      `Cannot pick an address in range ${rangeIdShown(ar)}: it is not in the lease book (check \`nebula-ipam status\`, or \`nebula-ipam reconcile\`)`,
    );
  if (located.kind === 'mismatch') throw mismatchError('pick an address', located);
  const settled = settleWithOned(withPinnedMac(located.range, ar), ar, now);
  const range = settled.range;

  refuseOverlapping(book, range, 'pick an address');
  // Round-robin from the range's cursor: `onevnet release` frees addresses a VM may still use;
  // never one freed since oned's count and the book's last agreed (core/engine/oned-count.ts).
  const heldBack = heldBackOf(range);
  const taken =
    heldBack.length === 0
      ? takenIndices(range, config, holdsOf(book))
      : union([...takenIndices(range, config, holdsOf(book)), ...heldBack]);
  const first = nextFreeBlock(taken, allowedIndices(range, ar), count, range.nextIndex ?? 0n);
  if (first === undefined) {
    const held = heldBackCount(range);
    const why =
      held === 0n
        ? ''
        : ` (${held} address${held === 1n ? ' is' : 'es are'} held back: freed since oned's count of the range's leases (USED_LEASES ${range.oned!.used}) and the book's (${range.oned!.held}) last agreed, so one may still be a VM's after onevnet release; \`nebula-ipam reconcile\` settles it)`;
    throw new IpamError(
      'exhausted',
      `Cannot lease ${count} address${count === 1n ? '' : 'es'} in range ${describeRange(range)}: no free block of ${count} left${why}`,
    );
  }
  const arMac = range.mac;
  const lease = {
    first,
    last: first + count - 1n,
    holder: 'opennebula' as const,
    at: now,
    ...(arMac === undefined ? {} : { mac: arMac + first }),
    ...(requestId === undefined ? {} : { requestId }),
  };
  const next = replaceRange(
    book,
    noteOffered({ ...range, nextIndex: lease.last + 1n, leases: insertDisjoint(range.leases, lease) }, lease, ar),
  );
  const ip = FAMILIES.ipv4.format(range.ip! + first);
  return {
    book: next,
    result: formatVector('ADDRESS', [
      ['IP', ip],
      ['SIZE', String(count)],
    ]),
    audit: [
      {
        range: range.id,
        addresses: spanText(range, lease),
        ...(lease.mac === undefined ? {} : { mac: formatMac(lease.mac) }),
      },
      ...settled.dropped,
    ],
  };
};
