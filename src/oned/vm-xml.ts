/**
 * The VM a state hook passes (`ARGUMENTS = "$TEMPLATE"`: the `<VM>` element of
 * `VirtualMachine::to_xml_extended`, base64): its id, name, whether it is DONE (STATE 6), and
 * each network interface's MAC and addresses. Interfaces are the template's NIC, NIC_ALIAS (an
 * alias has its own lease) and PCI elements with TYPE NIC (a passed-through NIC that oned leases
 * like a NIC: include/VirtualMachineNic.h, "PCI(TYPE=NIC)"); the addresses are IP, IP6 (static
 * IPv6), IP6_GLOBAL and IP6_ULA (SLAAC), as VirtualMachineNic::to_xml_short names them.
 */
import { familyOf, FAMILIES } from '../core/address/family.ts';
import { parseMac } from '../core/address/mac.ts';
import { shown } from '../core/errors.ts';
import type { SeenNic, SeenVm } from '../core/operator/record-vm.ts';
import { hookError, hookXml } from './hook-argument.ts';
import { listOf, record, textOf } from './xml-values.ts';
import type { XmlValue } from './xml-elements.ts';

/** VirtualMachine::VmState DONE: the VM is gone, and so are its names. */
const DONE = '6';
const NIC_ADDRESSES = ['IP', 'IP6', 'IP6_GLOBAL', 'IP6_ULA'] as const;
const WHAT = 'the VM the hook passed';

export function decodeHookVm(argument: string): SeenVm {
  const vm = record(hookXml(argument, WHAT, '$TEMPLATE').VM);
  if (!vm) throw hookError(WHAT, 'it has no VM element (is the hook RESOURCE = VM, its ARGUMENTS "$TEMPLATE"?)');
  const id = textOf(vm.ID);
  const name = textOf(vm.NAME);
  const state = textOf(vm.STATE);
  if (id === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(id)) throw hookError(WHAT, `its VM ID is ${shown(String(id))}`);
  if (name === undefined || name === '') throw hookError(WHAT, `VM ${id} has no NAME`);
  if (state === undefined || !/^[0-9]{1,2}$/.test(state))
    throw hookError(WHAT, `VM ${id} has STATE ${shown(String(state))}, not a number`);
  const template = record(vm.TEMPLATE);
  const pcis = listOf(template?.PCI).filter((pci) => textOf(record(pci)?.TYPE)?.toUpperCase() === 'NIC');
  const nics = [
    ...listOf(template?.NIC).map((nic) => seenNic('NIC', nic)),
    ...listOf(template?.NIC_ALIAS).map((nic) => seenNic('NIC_ALIAS', nic)),
    ...pcis.map((nic) => seenNic('PCI', nic)),
  ];
  return { id: Number(id), name, done: state === DONE, nics };
}

function seenNic(kind: SeenNic['kind'], value: XmlValue): SeenNic {
  const attrs = record(value);
  const macText = textOf(attrs?.MAC);
  const mac = macText === undefined ? undefined : parseMac(macText);
  const addresses: { family: 'ipv4' | 'ipv6'; address: bigint }[] = [];
  for (const key of NIC_ADDRESSES) {
    const ip = textOf(attrs?.[key]);
    const family = ip === undefined ? undefined : familyOf(ip);
    if (ip !== undefined && family) addresses.push({ family, address: FAMILIES[family].parse(ip)! });
  }
  return { kind, ...(mac === undefined ? {} : { mac }), addresses };
}
