/**
 * VM names (issue 18 item 6): the driver is never told the VM, so OpenNebula hooks
 * (`nebula-ipam hook`) record which VM holds each leased address of its NICs. The book keeps one
 * entry per address: an IPv4 or IPv6 address, or the MAC of a NIC that has no IP (a lease of an
 * ETHER range). Sorted by space (ipv4, ipv6, mac) then address; absent when there are none. Pure.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import type { Book } from './book.ts';

/** What a VM entry is keyed by: an IP address of either family, or a MAC (lease found by MAC only). */
export type VmSpace = Family | 'mac';

export interface VmAddress {
  readonly space: VmSpace;
  readonly address: bigint;
  /** OpenNebula's VM id and its name as the hook last saw it. */
  readonly id: number;
  readonly name: string;
}

export function vmsOf(book: Book): readonly VmAddress[] {
  return book.vms ?? [];
}

/** The entry's address as text: dotted quad, RFC 5952, or lower-case MAC. */
export function vmAddressText(entry: Pick<VmAddress, 'space' | 'address'>): string {
  return entry.space === 'mac' ? formatMac(entry.address) : FAMILIES[entry.space].format(entry.address);
}

/** The book's order of entries: by space (ipv4 < ipv6 < mac), then address. */
export function compareVmAddresses(a: Pick<VmAddress, 'space' | 'address'>, b: Pick<VmAddress, 'space' | 'address'>) {
  if (a.space !== b.space) return a.space < b.space ? -1 : 1;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/** IP address text (dotted quad or RFC 5952) → the VM holding it: what sync's `{vm}` names read. */
export function vmFacts(book: Book): ReadonlyMap<string, { id: number; name: string }> {
  const facts = new Map<string, { id: number; name: string }>();
  for (const vm of vmsOf(book)) if (vm.space !== 'mac') facts.set(vmAddressText(vm), { id: vm.id, name: vm.name });
  return facts;
}
