/**
 * What the guest agents' reports (`GUEST_IP_ADDRESSES` of `onevm list -x --extended`) mean for
 * the book: an address a VM's guest uses that is free in a range or a pool is held, so nothing
 * hands it out, whether or not it is one of the VM's own NICs (a NIC address the book does not
 * lease is a lease the book lost). An address the book leases, and one outside every pool, the
 * gateway and the like, give nothing (`foreign-use.ts`). Nothing is ever freed because of a
 * report. Pure.
 */
import type { Family } from '../address/family.ts';
import type { Book } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import { addressValue, foreignUse } from './foreign-use.ts';
import type { SyncHold } from './sync-plan.ts';

export interface GuestAddress {
  readonly family: Family;
  readonly address: bigint;
}

/** One VM of `onevm list -x --extended`: its id and name, its NICs' addresses, and what its guest reports. */
export interface GuestReport {
  readonly id: number;
  readonly name: string;
  readonly nics: readonly GuestAddress[];
  readonly guest: readonly GuestAddress[];
}

export function guestHolds(book: Book, config: Config, reports: readonly GuestReport[]): Omit<SyncHold, 'seenAt'>[] {
  const holds: Omit<SyncHold, 'seenAt'>[] = [];
  for (const vm of reports) {
    const own = new Set(vm.nics.map((a) => `${a.family}/${a.address}`));
    for (const { family, address } of vm.guest) {
      const use = foreignUse(book, config, family, address);
      // As for a foreign record: free in a range or a pool, or in a range's carved subnet.
      if (use.kind !== 'hold' && use.kind !== 'carved') continue;
      const nic = own.has(`${family}/${address}`) ? " (its NIC's address, which the book does not lease)" : '';
      holds.push({
        family,
        address,
        pool: use.pool,
        source: 'vm',
        reason: `guest agent of VM ${vm.id} (${vm.name}) reports it${nic}`,
      });
    }
  }
  return holds;
}

/** The addresses in a `GUEST_IP_ADDRESSES` value (comma-separated, as the monitor probes write it); others are skipped. */
export function guestAddresses(text: string): GuestAddress[] {
  return text.split(',').flatMap((part) => {
    const at = addressValue(part.trim());
    return at ? [at] : [];
  });
}
