/**
 * oned's VM pool with full bodies (`one.vmpool.infoextended`'s answer, which is also what
 * `onevm list -x --extended` prints), as sync's guest-agent source reads it (issue 18 item 5):
 * per VM its id, name, its NICs' addresses (NIC, NIC_ALIAS) and `MONITORING/GUEST_IP_ADDRESSES`,
 * the comma-separated addresses its guest agent reports (the monitor probes write it; the plain
 * `one.vmpool.info` keeps only CPU, MEMORY and STATE of MONITORING, hence the extended pool).
 */
import { familyOf, FAMILIES } from '../core/address/family.ts';
import { IpamError, shown } from '../core/errors.ts';
import { type GuestAddress, guestAddresses, type GuestReport } from '../core/sync/guest-holds.ts';
import { listOf, onedDocument, record, textOf } from './xml-values.ts';

const NIC_ADDRESSES = ['IP', 'IP6', 'IP6_GLOBAL', 'IP6_ULA'] as const;

/** Every VM with its NICs' and its guest agent's addresses; `source` names where the XML came from in the one failure line. */
export function readGuestReports(xml: string, source: string): GuestReport[] {
  const top = onedDocument(xml, (why) => bad(source, why));
  // An empty pool is `<VM_POOL/>`: text, not an element holding VMs.
  if (top.VM_POOL === undefined) throw bad(source, 'it has no VM_POOL element');
  const pool = record(top.VM_POOL);
  const reports: GuestReport[] = [];
  for (const entry of listOf(pool?.VM)) {
    const vm = record(entry);
    const id = textOf(vm?.ID);
    if (!vm || id === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(id))
      throw bad(source, `a VM has ID ${shown(String(id))}`);
    const guest = guestAddresses(textOf(record(vm.MONITORING)?.GUEST_IP_ADDRESSES) ?? '');
    const template = record(vm.TEMPLATE);
    const nics: GuestAddress[] = [];
    for (const nic of [...listOf(template?.NIC), ...listOf(template?.NIC_ALIAS)]) {
      for (const key of NIC_ADDRESSES) {
        const ip = textOf(record(nic)?.[key]);
        const family = ip === undefined ? undefined : familyOf(ip);
        if (ip !== undefined && family) nics.push({ family, address: FAMILIES[family].parse(ip)! });
      }
    }
    reports.push({ id: Number(id), name: textOf(vm.NAME) ?? '', nics, guest });
  }
  return reports;
}

function bad(source: string, why: string): IpamError {
  return new IpamError('store-io', `Cannot read the VM pool from ${source}: ${why}`);
}
