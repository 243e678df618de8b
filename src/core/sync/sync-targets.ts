/**
 * Which zones and DHCP targets a sync pass reads: a function of the config alone (the book only
 * fills them), so the pass can start reading the servers before it works out the desired state.
 * Sorted as the desired state's zones and DHCP targets are.
 */
import type { Config } from '../config/config.ts';

export interface SyncZone {
  readonly target: string;
  readonly zone: string;
  readonly kind: 'forward' | 'reverse';
}

export interface SyncTargets {
  /** Every zone of every pool with dnsNames, by target then zone. */
  readonly zones: readonly SyncZone[];
  /** Every kea target a pool names, sorted. */
  readonly dhcp: readonly string[];
}

export function syncTargets(config: Config): SyncTargets {
  const zones = new Map<string, SyncZone>();
  const dhcp = new Set<string>();
  const add = (target: string, zone: string, kind: 'forward' | 'reverse') => {
    const key = `${target}\u0000${zone}`;
    // The first pool to name a zone says its kind, as a zone has one.
    if (!zones.has(key)) zones.set(key, { target, zone, kind });
  };
  for (const pool of config.pools) {
    if (pool.dnsNames) {
      add(pool.dnsNames.server, pool.dnsNames.forwardZone, 'forward');
      for (const zone of pool.dnsNames.reverseZones) add(pool.dnsNames.server, zone.name, 'reverse');
    }
    if (pool.dhcp) dhcp.add(pool.dhcp.server);
  }
  return {
    zones: [...zones.values()].sort((a, b) => compareText(a.target, b.target) || compareText(a.zone, b.zone)),
    dhcp: [...dhcp].sort(compareText),
  };
}

/** Code-unit order, as every sorted list of the desired state. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
