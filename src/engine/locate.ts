/**
 * Finding the registered range behind an AR that oned sends back, and the indices of that range
 * that oned's AR (which `onevnet updatear` may have resized) still allows.
 */
import { FAMILIES } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import type { Book, Lease, RangeRecord } from '../book/book.ts';
import { findRange } from '../book/book.ts';
import { IpamError, shown } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';
import type { Attributes } from '../oned/request.ts';
import { arType, hasIPv4, ipv4, ipv6, isStatic6, mac, RANGE_ID_ATTRIBUTE, size, text } from './ar-fields.ts';

/**
 * The range the AR stands for: by the id attribute the register reply added, else (an AR
 * registered by hand, or whose attribute was edited away) by its first address. Undefined when
 * the book has no such range. An id that points at a range with other addresses is refused:
 * acting on it could free someone else's lease.
 */
export function locateRange(book: Book, ar: Attributes): RangeRecord | undefined {
  const id = text(ar, RANGE_ID_ATTRIBUTE);
  const type = arType(ar);
  const ip = ipv4(ar, 'IP');
  const ip6 = ipv6(ar, 'IP6');
  if (id !== undefined) {
    const range = findRange(book, id);
    if (!range) return undefined;
    if ((type && type !== range.type) || (ip !== undefined && ip !== range.ip) || (ip6 !== undefined && range.ip6 !== undefined && ip6 !== range.ip6)) {
      throw new IpamError('conflict', `Cannot act on range ${id}: the AR (TYPE=${type ?? '?'}, IP=${text(ar, 'IP') ?? '-'}) does not match the range registered under that id (${describeRange(range)})`);
    }
    return range;
  }
  if (ip !== undefined) return book.ranges.find((r) => r.ip === ip && !r.unmanaged);
  if (ip6 !== undefined) return book.ranges.find((r) => r.ip6 === ip6 && !r.unmanaged);
  return undefined;
}

/** The indices of `range` that the AR as oned sent it still covers. */
export function allowedIndices(range: RangeRecord, ar: Attributes): Interval {
  const sentSize = size(ar) ?? range.size;
  const limit = sentSize < range.size ? sentSize : range.size;
  return { first: 0n, last: limit - 1n };
}

/**
 * The index in `range` of the address oned names in ADDRESS, by the field that identifies an
 * address for the range's TYPE (docs/oned-contract.md 4): IP, static IP6, or MAC.
 */
export function indexOfAddress(range: RangeRecord, ar: Attributes, address: Attributes): { index: bigint; shown: string } {
  if (hasIPv4(range.type)) {
    const ip = need(ipv4(address, 'IP', 'ADDRESS'), 'IP', range);
    return { index: ip - range.ip!, shown: text(address, 'IP')! };
  }
  if (isStatic6(range.type)) {
    const ip6 = need(ipv6(address, 'IP6', 'ADDRESS'), 'IP6', range);
    return { index: ip6 - range.ip6!, shown: text(address, 'IP6')! };
  }
  const addressMac = need(mac(address, 'MAC', 'ADDRESS'), 'MAC', range);
  const first = mac(ar, 'MAC') ?? range.mac;
  if (first === undefined) throw new IpamError('bad-request', `Cannot place MAC ${formatMac(addressMac)} in range ${range.id}: the AR has no MAC`);
  return { index: addressMac - first, shown: formatMac(addressMac) };
}

function need<T>(value: T | undefined, field: string, range: RangeRecord): T {
  if (value === undefined) throw new IpamError('bad-request', `Cannot identify the address: ADDRESS has no ${field}, which a ${range.type} range needs`);
  return value;
}

/** e.g. `r3 IP4 10.0.0.10+10` */
export function describeRange(range: RangeRecord): string {
  const start = range.ip !== undefined ? FAMILIES.ipv4.format(range.ip) : range.ip6 !== undefined ? FAMILIES.ipv6.format(range.ip6) : range.mac !== undefined ? formatMac(range.mac) : '?';
  return `${range.id} ${range.type} ${start}+${range.size}`;
}

export function rangeIdShown(ar: Attributes): string {
  return shown(text(ar, RANGE_ID_ATTRIBUTE) ?? text(ar, 'IP') ?? text(ar, 'AR_ID') ?? '?');
}

/** The first address of index `index` in the range, as text: IP, else static IP6, else MAC. */
export function addressText(range: RangeRecord, index: bigint): string {
  if (range.ip !== undefined) return FAMILIES.ipv4.format(range.ip + index);
  if (range.ip6 !== undefined) return FAMILIES.ipv6.format(range.ip6 + index);
  return range.mac !== undefined ? formatMac(range.mac + index) : `index ${index}`;
}

/** `10.0.0.12`, or `10.0.0.12-10.0.0.15` for a block. */
export function spanText(range: RangeRecord, span: Interval): string {
  const first = addressText(range, span.first);
  return span.first === span.last ? first : `${first}-${addressText(range, span.last)}`;
}

/** `OpenNebula (request 12)` or the operator's owner text. */
export function holderText(lease: Lease): string {
  if (lease.holder === 'operator') return `operator lease ${JSON.stringify(lease.owner ?? '?')}`;
  return lease.requestId === undefined ? 'OpenNebula' : `OpenNebula (request ${lease.requestId})`;
}
