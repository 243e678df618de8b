/**
 * What OpenNebula's hooks tell about one VM, into the book (issue 18 item 6). A state hook
 * reports the VM's interfaces: its entries are replaced by one per interface address the book
 * has leased to it (a detached NIC loses its entry; a renamed VM follows); a DONE VM's go. An
 * API hook on one.vm.rename renames the VM's entries. Addresses the book has not leased, or has
 * leased with another MAC than the NIC's, are not recorded: they are not this VM's lease.
 */
import type { Family } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import type { Book } from '../book/book.ts';
import { compareVmAddresses, vmAddressText, vmsOf, type VmAddress } from '../book/vms.ts';
import type { Change } from '../change.ts';
import type { Config } from '../config/config.ts';
import { locateAddress, macOfEui64, type Whereabouts } from './locate-address.ts';

/** One network interface of the VM: a NIC, a NIC_ALIAS or a PCI device of TYPE NIC. */
export interface SeenNic {
  readonly kind: 'NIC' | 'NIC_ALIAS' | 'PCI';
  readonly mac?: bigint;
  /** IP, IP6, IP6_GLOBAL, IP6_ULA: what the interface has. */
  readonly addresses: readonly { readonly family: Family; readonly address: bigint }[];
}

export interface SeenVm {
  readonly id: number;
  readonly name: string;
  readonly done: boolean;
  readonly nics: readonly SeenNic[];
}

export interface NicMatch {
  /** The VM's entries: its interfaces' addresses that the book leased, by address or (no IP) by MAC. */
  readonly entries: readonly VmAddress[];
  /** Interface addresses not recorded, each with why. */
  readonly skipped: readonly { readonly address: string; readonly why: string }[];
}

/**
 * Each interface matched to the book's leases. By address, and the lease must have been made
 * for the interface's MAC when both are known (oned sends the MAC with each lease); an
 * interface with no IP (an ETHER range) is matched by its MAC, which is what such a range leases.
 */
export function matchNics(book: Book, config: Config, vm: SeenVm): NicMatch {
  const entries: VmAddress[] = [];
  const skipped: { address: string; why: string }[] = [];
  const add = (entry: VmAddress) => {
    if (!entries.some((e) => compareVmAddresses(e, entry) === 0)) entries.push(entry);
  };
  for (const nic of vm.nics) {
    const wanted =
      nic.addresses.length > 0
        ? nic.addresses.map((a) => ({ space: a.family, address: a.address }))
        : nic.mac === undefined
          ? []
          : [{ space: 'mac' as const, address: nic.mac }];
    for (const { space, address } of wanted) {
      const text = vmAddressText({ space, address });
      const where =
        space === 'ipv6'
          ? locateIPv6(book, config, address, text)
          : locateAddress(book, config, { space, value: address, text });
      if (where.kind !== 'leased') {
        skipped.push({ address: text, why: 'not leased in the book' });
        continue;
      }
      const leaseMac = where.lease.mac === undefined ? undefined : where.lease.mac + (where.index - where.lease.first);
      if (space !== 'mac' && nic.mac !== undefined && leaseMac !== undefined && leaseMac !== nic.mac) {
        skipped.push({
          address: text,
          why: `leased for MAC ${formatMac(leaseMac)}, not the ${nic.kind}'s ${formatMac(nic.mac)}`,
        });
        continue;
      }
      add({ space, address, id: vm.id, name: vm.name });
    }
  }
  return { entries: entries.sort(compareVmAddresses), skipped };
}

/**
 * An IPv6 address of a NIC where the book leases it: a static or SLAAC global address as
 * locateAddress finds it, or a SLAAC ULA address (IP6_ULA), which is the ULA /64 of a range
 * with ULA_PREFIX plus the EUI-64 of the lease's MAC (oned's AddressRange: both SLAAC addresses
 * come from the one MAC).
 */
function locateIPv6(book: Book, config: Config, address: bigint, text: string): Whereabouts {
  const where = locateAddress(book, config, { space: 'ipv6', value: address, text });
  if (where.kind === 'leased') return where;
  const mac = macOfEui64(address & ((1n << 64n) - 1n));
  if (mac === undefined) return where;
  const byMac = locateAddress(book, config, { space: 'mac', value: mac, text: formatMac(mac) });
  const ula = byMac.kind === 'leased' ? byMac.range.ulaPrefix : undefined;
  return ula !== undefined && ula >> 64n === address >> 64n ? byMac : where;
}

export function recordVm(book: Book, config: Config, vm: SeenVm): Change<NicMatch> {
  const match = vm.done ? { entries: [], skipped: [] } : matchNics(book, config, vm);
  const mine = match.entries;
  const before = vmsOf(book).filter((entry) => entry.id === vm.id);
  // An address is one VM's: a newer report for it replaces an older VM's entry.
  const rest = vmsOf(book).filter(
    (entry) => entry.id !== vm.id && !mine.some((m) => compareVmAddresses(m, entry) === 0),
  );
  const same =
    rest.length + before.length === vmsOf(book).length &&
    before.length === mine.length &&
    before.every((b, i) => compareVmAddresses(b, mine[i]!) === 0 && b.name === mine[i]!.name);
  if (same) return { result: match };
  return {
    book: withVms(book, [...rest, ...mine].sort(compareVmAddresses)),
    result: match,
    audit: [{ detail: `vm ${vm.id} ${JSON.stringify(vm.name)}${vm.done ? ' done' : ''}: ${mine.length} address(es)` }],
  };
}

/** one.vm.rename succeeded: the VM's entries take the new name. The number of entries renamed. */
export function renameVm(book: Book, id: number, name: string): Change<number> {
  const mine = vmsOf(book).filter((entry) => entry.id === id);
  if (mine.every((entry) => entry.name === name)) return { result: mine.length };
  return {
    book: withVms(
      book,
      vmsOf(book).map((entry) => (entry.id === id ? { ...entry, name } : entry)),
    ),
    result: mine.length,
    audit: [{ detail: `vm ${id} renamed ${JSON.stringify(name)}: ${mine.map(vmAddressText).join(' ')}` }],
  };
}

function withVms(book: Book, vms: readonly VmAddress[]): Book {
  const { vms: _, ...without } = book;
  return vms.length ? { ...book, vms } : without;
}
