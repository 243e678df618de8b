/** Lease rows (core/view/lease-row.ts) as a table: `show` and `leases`. */
import type { LeaseRow } from '../../core/view/lease-row.ts';
import { type Column, renderTable } from './table.ts';

const COLUMNS: readonly Column[] = [
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
const VM = COLUMNS.findIndex((c) => c.header === 'VM');

/** The table; the VM column only when a hook recorded a VM for one of the rows (a book without hooks reads as before). */
export function leaseTable(rows: readonly LeaseRow[], width: number | undefined): string {
  const withVm = rows.some((row) => row.vmId !== undefined);
  const keep = <T>(cells: readonly T[]) => (withVm ? [...cells] : cells.filter((_, i) => i !== VM));
  return renderTable(
    keep(COLUMNS),
    rows.map((row) => keep(leaseCells(row))),
    width,
  );
}

function leaseCells(row: LeaseRow): string[] {
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
