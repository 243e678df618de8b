/** One lease as the operator sees it: `leases`, `show` and `export` rows and JSON alike. */
import { formatMac } from '../address/mac.ts';
import type { Lease, RangeRecord } from '../book/book.ts';
import { spanText } from '../book/range-text.ts';
import type { LeaseVm } from './lease-vms.ts';

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
  /** The VM holding it, as OpenNebula's hooks recorded it (lease-vms.ts). */
  readonly vmId?: number;
  readonly vmName?: string;
}

export function leaseRow(range: RangeRecord, lease: Lease, vm?: LeaseVm): LeaseRow {
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
    ...(vm === undefined ? {} : { vmId: vm.id, vmName: vm.name }),
  };
}
