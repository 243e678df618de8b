/**
 * VM names (issue 18 item 6): the driver is never told the VM, so an OpenNebula state hook
 * (`nebula-ipam hook`) records which VM holds each address of its NICs. The book keeps one
 * entry per address, sorted by family then address; absent when there are none. Pure.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import type { Book } from './book.ts';

export interface VmAddress {
  readonly family: Family;
  readonly address: bigint;
  /** OpenNebula's VM id and its name as the hook last saw it. */
  readonly id: number;
  readonly name: string;
}

export function vmsOf(book: Book): readonly VmAddress[] {
  return book.vms ?? [];
}

/** Address text (dotted quad or RFC 5952) → the VM holding it: what sync's `{vm}` names read. */
export function vmFacts(book: Book): ReadonlyMap<string, { id: number; name: string }> {
  const facts = new Map<string, { id: number; name: string }>();
  for (const vm of vmsOf(book)) facts.set(FAMILIES[vm.family].format(vm.address), { id: vm.id, name: vm.name });
  return facts;
}
