/** The configuration of issue 2's example, and the fixed clock of the in-process actions. */
import type { Config } from '../../src/core/config/config.ts';
import { parseConfig } from '../../src/config/parse-config.ts';

/** Issue 2's private pool as the operator's examples and tests write it: no MTU or search domain. */
export const PRIVATE_POOL = {
  name: 'private',
  network: '10.20.0.0/16',
  subnetPrefix: 24,
  gateway: 'first',
  dns: ['10.20.0.2'],
  exclude: ['10.20.255.0/24'],
  default: true,
};

export const PUBLIC6_POOL = { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 };

export const SAMPLE_POOLS = [PRIVATE_POOL, PUBLIC6_POOL];

/**
 * The sample config: the CLI's tests and the README's examples (scripts/readme-examples.ts). A
 * book made seconds before its onevnet document is judged whole (README: Reconcile and clocks).
 */
export const SAMPLE_CONFIG = { reconcileMarginSeconds: 0, pools: SAMPLE_POOLS };

/** Issue 2's example whole: its AR templates carry GUEST_MTU and SEARCH_DOMAIN too. */
export const ISSUE2_POOLS = [{ ...PRIVATE_POOL, mtu: 1500, searchDomain: 'cloud.example.com' }, PUBLIC6_POOL];

export const CONFIG_FILE = '/etc/one/nebula-ipam/mydrv.json';

/** A config from pool objects, through the real parser (so a test cannot build an invalid one). */
export function configWith(pools: readonly object[], extra: object = {}): Config {
  return parseConfig(JSON.stringify({ ...extra, pools }), CONFIG_FILE);
}

export const ISSUE2_CONFIG: Config = configWith(ISSUE2_POOLS);

export const NOW = '2024-05-01T12:00:00.000Z';
