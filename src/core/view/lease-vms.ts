/**
 * The VM behind each lease, as the hooks recorded it (core/book/vms.ts): what `show` and `leases`
 * print beside a lease. An entry whose address the book no longer leases is shown nowhere.
 */
import type { Book, Lease, RangeRecord } from '../book/book.ts';
import { vmAddressText, vmsOf } from '../book/vms.ts';
import type { Config } from '../config/config.ts';
import { locateAddress } from '../operator/locate-address.ts';

export interface LeaseVm {
  readonly id: number;
  readonly name: string;
}

/** A lookup of the VM holding a lease (the first entry in book order of a block that has several). */
export function leaseVms(book: Book, config: Config): (range: RangeRecord, lease: Lease) => LeaseVm | undefined {
  const byLease = new Map<Lease, LeaseVm>();
  for (const entry of vmsOf(book)) {
    const where = locateAddress(book, config, { space: entry.space, value: entry.address, text: vmAddressText(entry) });
    if (where.kind === 'leased' && !byLease.has(where.lease))
      byLease.set(where.lease, { id: entry.id, name: entry.name });
  }
  return (_range, lease) => byLease.get(lease);
}
