/** One lease as the CLI shows it, in table rows and JSON alike. */
import { formatMac } from '../../core/address/mac.ts';
import type { Lease, RangeRecord } from '../../core/book/book.ts';
import { spanText } from '../../core/engine/locate.ts';
import type { Column } from './table.ts';

export interface LeaseRow {
  readonly range: string;
  readonly addresses: string;
  readonly count: bigint;
  readonly holder: Lease['holder'];
  readonly owner?: string;
  readonly note?: string;
  readonly mac?: string;
  readonly requestId?: string;
  readonly since: string;
}

export function leaseRow(range: RangeRecord, lease: Lease): LeaseRow {
  return {
    range: range.id,
    addresses: spanText(range, lease),
    count: lease.last - lease.first + 1n,
    holder: lease.holder,
    ...(lease.owner === undefined ? {} : { owner: lease.owner }),
    ...(lease.note === undefined ? {} : { note: lease.note }),
    ...(lease.mac === undefined ? {} : { mac: formatMac(lease.mac) }),
    ...(lease.requestId === undefined ? {} : { requestId: lease.requestId }),
    since: lease.at,
  };
}

export const LEASE_COLUMNS: readonly Column[] = [
  { header: 'RANGE' },
  { header: 'ADDRESSES' },
  { header: 'COUNT', align: 'right' },
  { header: 'HOLDER' },
  { header: 'OWNER', shrink: true },
  { header: 'MAC' },
  { header: 'SINCE' },
  { header: 'NOTE', shrink: true },
];

export function leaseCells(row: LeaseRow): string[] {
  const holder =
    row.holder === 'opennebula'
      ? `OpenNebula${row.requestId === undefined ? '' : ` (req ${row.requestId})`}`
      : 'operator';
  return [
    row.range,
    row.addresses,
    String(row.count),
    holder,
    row.owner ?? '-',
    row.mac ?? '-',
    row.since.replace(/\.\d+Z$/, 'Z'),
    row.note ?? '',
  ];
}
