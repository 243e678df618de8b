/** `onevnet list -x` as oned prints it, for ARs the tests made (reconcile's input). */
import { attributeElements, cdata, type OnedAr } from './driver-harness.ts';

/** `onevnet list -x` as oned would print it for the given ARs, holders by index (`VM 3`, `VNET 12`). */
export function onevnetList(
  vnets: { id: number; name: string; ars: { ar: OnedAr; holders: Map<bigint, string> }[] }[],
): string {
  const lease = (ar: OnedAr, index: bigint, holder: string) => {
    const address = ar.address(index);
    // A LEASE carries the real static IPv6 address (set_ip6_static); ADDRESS carries only 0.
    const ip6 = ar.type === 'IP6_STATIC' || ar.type === 'IP4_6_STATIC' ? ar.ip6Of(index) : undefined;
    const [kind, id] = holder.split(' ');
    return `<LEASE>${address.IP ? `<IP>${cdata(address.IP)}</IP>` : ''}${ip6 ? `<IP6>${cdata(ip6)}</IP6>` : ''}<MAC>${cdata(address.MAC)}</MAC><${kind}>${cdata(id!)}</${kind}></LEASE>`;
  };
  const arXml = ({ ar, holders }: { ar: OnedAr; holders: Map<bigint, string> }) =>
    `<AR>${attributeElements(ar.attrs)}${ar.computedElements()}<USED_LEASES>${holders.size}</USED_LEASES><LEASES>${[...holders].map(([i, h]) => lease(ar, i, h)).join('')}</LEASES></AR>`;
  return `<VNET_POOL>${vnets.map((v) => `<VNET><ID>${v.id}</ID><NAME>${v.name}</NAME><PARENT_NETWORK_ID/><AR_POOL>${v.ars.map(arXml).join('')}</AR_POOL></VNET>`).join('')}</VNET_POOL>`;
}
