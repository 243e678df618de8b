/** A lease row (core/view/lease-row.ts) as a table line. */
import type { LeaseRow } from '../../core/view/lease-row.ts';
import type { Column } from './table.ts';

export const LEASE_COLUMNS: readonly Column[] = [
  { header: 'RANGE' },
  { header: 'ADDRESSES' },
  { header: 'COUNT', align: 'right' },
  { header: 'HOLDER' },
  { header: 'OWNER', shrink: true },
  { header: 'MAC' },
  { header: 'VM', shrink: true },
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
    row.vmId === undefined ? '-' : `${row.vmId} ${row.vmName}`,
    row.since.replace(/\.\d+Z$/, 'Z'),
    row.note ?? '',
  ];
}
