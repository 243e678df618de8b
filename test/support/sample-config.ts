/** The configuration of issue 2's example, and the fixed clock of the in-process actions. */
import type { Config } from '../../src/core/config/config.ts';
import { parseConfig } from '../../src/config/parse-config.ts';

export const ISSUE2_POOLS = [
  {
    name: 'private',
    network: '10.20.0.0/16',
    subnetPrefix: 24,
    gateway: 'first',
    dns: ['10.20.0.2'],
    mtu: 1500,
    searchDomain: 'cloud.example.com',
    exclude: ['10.20.255.0/24'],
    default: true,
  },
  { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 },
];

export const CONFIG_FILE = '/etc/one/nebula-ipam/mydrv.json';

/** A config from pool objects, through the real parser (so a test cannot build an invalid one). */
export function configWith(pools: readonly object[], extra: object = {}): Config {
  return parseConfig(JSON.stringify({ ...extra, pools }), CONFIG_FILE);
}

export const ISSUE2_CONFIG: Config = configWith(ISSUE2_POOLS);

export const NOW = '2024-05-01T12:00:00.000Z';
