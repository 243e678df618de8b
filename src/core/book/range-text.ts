/** Ranges, addresses and leases as messages and tables name them. */
import { FAMILIES } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import type { Interval } from '../intervals/interval.ts';
import type { Lease, RangeRecord } from './book.ts';

/** e.g. `r3 IP4 10.0.0.10+10` */
export function describeRange(range: RangeRecord): string {
  const start =
    range.ip !== undefined
      ? FAMILIES.ipv4.format(range.ip)
      : range.ip6 !== undefined
        ? FAMILIES.ipv6.format(range.ip6)
        : range.mac !== undefined
          ? formatMac(range.mac)
          : '?';
  return `${range.id} ${range.type} ${start}+${range.size}`;
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
