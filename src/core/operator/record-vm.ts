/**
 * What the state hook tells about one VM, into the book (issue 18 item 6): the VM's entries are
 * replaced by one per NIC address the book has leased (a renamed VM follows); a DONE VM's go.
 * Addresses the book has not leased are not recorded (they are not the book's).
 */
import { FAMILIES, type Family } from '../address/family.ts';
import type { Book } from '../book/book.ts';
import { vmsOf, type VmAddress } from '../book/vms.ts';
import type { Change } from '../change.ts';
import type { Config } from '../config/config.ts';
import { locateAddress } from './locate-address.ts';

export interface SeenVm {
  readonly id: number;
  readonly name: string;
  readonly done: boolean;
  readonly addresses: readonly { readonly family: Family; readonly address: bigint }[];
}

export function recordVm(book: Book, config: Config, vm: SeenVm): Change<readonly VmAddress[]> {
  const kept = vmsOf(book).filter((entry) => entry.id !== vm.id);
  const mine = vm.done
    ? []
    : vm.addresses
        .filter((a) => {
          const text = FAMILIES[a.family].format(a.address);
          return locateAddress(book, config, { space: a.family, value: a.address, text }).kind === 'leased';
        })
        .map((a) => ({ ...a, id: vm.id, name: vm.name }));
  const before = vmsOf(book).filter((entry) => entry.id === vm.id);
  const same =
    before.length === mine.length &&
    before.every((b) => mine.some((m) => m.family === b.family && m.address === b.address && m.name === b.name));
  if (same) return { result: mine };
  // An address is one VM's: a newer report for it replaces an older VM's entry.
  const rest = kept.filter((entry) => !mine.some((m) => m.family === entry.family && m.address === entry.address));
  const vms = [...rest, ...mine].sort((a, b) =>
    a.family !== b.family ? (a.family < b.family ? -1 : 1) : a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
  );
  const { vms: _, ...without } = book;
  return {
    book: vms.length ? { ...book, vms } : without,
    result: mine,
    audit: [{ detail: `vm ${vm.id} ${JSON.stringify(vm.name)}${vm.done ? ' done' : ''}: ${mine.length} address(es)` }],
  };
}
