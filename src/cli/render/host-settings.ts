/**
 * What a host needs besides its addresses, from its pool in the config: MTU and DNS search
 * domain (the network, netmask, gateway and DNS come with the operation's result). The same
 * values register gives oned as GUEST_MTU and SEARCH_DOMAIN.
 */
import { poolNamed, type Config } from '../../config/config.ts';

export interface HostSettings {
  readonly mtu?: number;
  readonly searchDomain?: string;
}

export function hostSettings(config: Config, poolName: string | undefined): HostSettings {
  const pool = poolName === undefined ? undefined : poolNamed(config, poolName);
  return {
    ...(pool?.mtu === undefined ? {} : { mtu: pool.mtu }),
    ...(pool?.searchDomain === undefined ? {} : { searchDomain: pool.searchDomain }),
  };
}

export function hostSettingLines(settings: HostSettings): string[] {
  return [
    ...(settings.mtu === undefined ? [] : [`  mtu      ${settings.mtu}`]),
    ...(settings.searchDomain === undefined ? [] : [`  search   ${settings.searchDomain}`]),
  ];
}
