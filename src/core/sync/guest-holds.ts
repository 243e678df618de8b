/**
 * What oned's VM pool (`one.vmpool.infoextended`) means for the book: an address a VM's guest
 * agent reports (`GUEST_IP_ADDRESSES`) that is free in a range or a pool is held, so nothing
 * hands it out, whether or not it is one of the VM's own NICs; so is a NIC's address the book
 * does not lease (a lease the book lost, or another driver's), reported or not. An address the book leases, and one outside every pool, the
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
  const hold = (family: Family, address: bigint, reason: string) => {
    const use = foreignUse(book, config, family, address);
    // As for a foreign record: free in a range or a pool, or in a range's carved subnet.
    if (use.kind === 'hold' || use.kind === 'carved')
      holds.push({ family, address, pool: use.pool, source: 'vm', reason });
  };
  for (const vm of reports) {
    const key = (a: GuestAddress) => `${a.family}/${a.address}`;
    const own = new Set(vm.nics.map(key));
    const reported = new Set(vm.guest.map(key));
    for (const a of vm.guest) {
      const nic = own.has(key(a)) ? " (its NIC's address, which the book does not lease)" : '';
      hold(a.family, a.address, `guest agent of VM ${vm.id} (${vm.name}) reports it${nic}`);
    }
    // oned's own record that the VM has it: a lease the book lost, or another driver's.
    for (const a of vm.nics)
      if (!reported.has(key(a)))
        hold(a.family, a.address, `VM ${vm.id} (${vm.name}) has it on a NIC, which the book does not lease`);
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
