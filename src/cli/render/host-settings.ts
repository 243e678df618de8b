/** The lines `lease` and `range add` print under their result: what the host needs to configure. */
import type { HostSettings } from '../../core/operator/lease-addresses.ts';

export function hostSettingLines(settings: HostSettings): string[] {
  return [
    ...(settings.network
      ? [`  network  ${settings.network}${settings.netmask ? ` (netmask ${settings.netmask})` : ''}`]
      : []),
    ...(settings.gateway ? [`  gateway  ${settings.gateway}`] : []),
    ...(settings.dns.length ? [`  dns      ${settings.dns.join(' ')}`] : []),
    ...(settings.mtu === undefined ? [] : [`  mtu      ${settings.mtu}`]),
    ...(settings.searchDomain === undefined ? [] : [`  search   ${settings.searchDomain}`]),
  ];
}
