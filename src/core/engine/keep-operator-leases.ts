/**
 * What an unregistered range leaves behind: its operator leases. oned's `onevnet rmar` must
 * succeed (oned removes the AR whatever the driver says), but a bare-metal host leased through
 * `nebula-ipam lease --ip` inside OpenNebula's range still uses its address. Each such lease
 * becomes an unmanaged range of exactly its addresses, held by the same lease: its space stays
 * taken, so no later carve or register takes it, and `release` / `range remove` give it back.
 */
import type { AuditFacts } from '../change.ts';
import type { ArType, Book, Lease, RangeRecord } from '../book/book.ts';
import { hasIPv4, isStatic6 } from '../oned/ar-fields.ts';
import { spanText } from '../book/range-text.ts';

export interface Kept {
  readonly book: Book;
  /** One per kept lease. */
  readonly audit: readonly AuditFacts[];
}

/** `book` (from which `range` was already removed) with the operator leases of `range` kept. */
export function keepOperatorLeases(book: Book, range: RangeRecord, now: string): Kept {
  const leases = range.leases.filter((lease) => lease.holder === 'operator');
  if (leases.length === 0) return { book, audit: [] };
  let nextRangeId = book.nextRangeId;
  const ranges = [...book.ranges];
  const audit: AuditFacts[] = [];
  for (const lease of leases) {
    const kept = keptRange(range, lease, `r${nextRangeId++}`, now);
    ranges.push(kept);
    audit.push({
      range: kept.id,
      addresses: spanText(range, lease),
      ...(lease.owner === undefined ? {} : { owner: lease.owner }),
      detail: `operator lease kept as unmanaged range ${kept.id} when range ${range.id} was unregistered`,
    });
  }
  return { book: { ...book, nextRangeId, ranges }, audit };
}

/** A range of exactly the lease's addresses, in the same pools, wholly leased by it. */
function keptRange(range: RangeRecord, lease: Lease, id: string, now: string): RangeRecord {
  const size = lease.last - lease.first + 1n;
  const ip = hasIPv4(range.type) && range.ip !== undefined ? range.ip + lease.first : undefined;
  const ip6 = isStatic6(range.type) && range.ip6 !== undefined ? range.ip6 + lease.first : undefined;
  // SLAAC's /64 is not kept: its addresses follow from the MAC, which the kept range keeps.
  const type: ArType =
    ip !== undefined ? (ip6 !== undefined ? 'IP4_6_STATIC' : 'IP4') : ip6 !== undefined ? 'IP6_STATIC' : 'ETHER';
  return {
    id,
    type,
    size,
    ...(ip === undefined
      ? {}
      : { ip, block: { first: ip, last: ip + size - 1n }, ...(range.pool === undefined ? {} : { pool: range.pool }) }),
    ...(ip6 === undefined
      ? {}
      : {
          ip6,
          block6: { first: ip6, last: ip6 + size - 1n },
          ...(range.prefixLength === undefined ? {} : { prefixLength: range.prefixLength }),
          ...(range.pool6 === undefined ? {} : { pool6: range.pool6 }),
        }),
    ...(range.mac === undefined ? {} : { mac: range.mac + lease.first }),
    unmanaged: true,
    ...(lease.owner === undefined ? {} : { owner: lease.owner }),
    createdAt: now,
    leases: [
      {
        ...lease,
        first: 0n,
        last: size - 1n,
        ...(lease.mac === undefined && range.mac !== undefined ? { mac: range.mac + lease.first } : {}),
      },
    ],
  };
}
