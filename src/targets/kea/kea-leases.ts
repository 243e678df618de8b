/**
 * Kea's lease JSON (lease_cmds: `lease4-add`, `lease4-get-all`, and the `lease6-*` twins) and
 * the core's shapes, both ways, pure. nebula-ipam's leases carry a mark in their `user-context`
 * (`{ "nebula-ipam": { "owner": ... } }`), which Kea keeps when the client renews (measured on
 * Kea 2.2); only a lease with our mark (and our owner, when one is configured, so two front-ends
 * never take each other's leases) is `ours`. Everything else Kea holds is reported, never changed.
 */
import type { DhcpHost, ObservedDhcpEntry } from '../../core/sync/target-records.ts';

export const MARK_KEY = 'nebula-ipam';

/** What nebula-ipam writes into the user-context of its leases and reservations. */
export interface NebulaMark {
  readonly owner?: string;
}

export function mark(owner: string | undefined): Record<string, NebulaMark> {
  return { [MARK_KEY]: owner === undefined ? {} : { owner } };
}

/** The entry's user-context carries our mark with the same owner (none matches none). */
export function isOurs(userContext: unknown, owner: string | undefined): boolean {
  if (typeof userContext !== 'object' || userContext === null) return false;
  const found = (userContext as Record<string, unknown>)[MARK_KEY];
  if (typeof found !== 'object' || found === null) return false;
  return (found as NebulaMark).owner === owner;
}

/**
 * DHCPv6 leases are keyed by DUID and IAID, which the book does not know: the DUID is DUID-LL
 * (RFC 8415 11.4: type 3, hardware type 1, the MAC), the IAID the MAC's last 4 bytes (what ISC
 * dhclient uses by default). A client that sends other values is not given the lease.
 */
export function duidFromMac(mac: string): string {
  return `00:03:00:01:${mac.toLowerCase()}`;
}

export function iaidFromMac(mac: string): number {
  return Number.parseInt(mac.split(':').slice(2).join(''), 16);
}

/** The arguments of `lease4-add`/`lease4-update` (`lease6-*` for IPv6) for a book's host. */
export function leaseArguments(
  host: DhcpHost,
  subnetId: number,
  lifetimeSeconds: number,
  owner: string | undefined,
): Record<string, unknown> {
  return {
    'ip-address': host.address,
    'subnet-id': subnetId,
    'valid-lft': lifetimeSeconds,
    ...(host.family === 'ipv4'
      ? { 'hw-address': host.mac }
      : { duid: duidFromMac(host.mac), iaid: iaidFromMac(host.mac), 'hw-address': host.mac, type: 'IA_NA' }),
    ...(host.hostname === undefined ? {} : { hostname: host.hostname }),
    'user-context': mark(owner),
  };
}

/** Kea's lease JSON, as the edge reads it (fields it does not use are left out). */
export interface KeaLease {
  readonly 'ip-address': string;
  readonly 'hw-address'?: string;
  readonly hostname?: string;
  readonly cltt?: number;
  readonly 'valid-lft'?: number;
  readonly 'user-context'?: unknown;
}

/** The leases in a `lease4-get-all`/`lease6-get-all` (or `lease4-get`) answer's arguments. */
export function leasesOf(args: unknown): KeaLease[] {
  if (typeof args !== 'object' || args === null) return [];
  const list = (args as { leases?: unknown }).leases;
  const leases = Array.isArray(list) ? list : [args];
  return leases.filter(
    (lease): lease is KeaLease =>
      typeof lease === 'object' && lease !== null && typeof (lease as KeaLease)['ip-address'] === 'string',
  );
}

export function observedLease(
  family: DhcpHost['family'],
  lease: KeaLease,
  owner: string | undefined,
): ObservedDhcpEntry {
  const mac = lease['hw-address'];
  const expires =
    lease.cltt !== undefined && lease['valid-lft'] !== undefined ? lease.cltt + lease['valid-lft'] : undefined;
  return {
    family,
    ...(mac ? { mac: mac.toLowerCase() } : {}),
    address: lease['ip-address'],
    // Kea writes "" for a lease without one.
    ...(lease.hostname ? { hostname: lease.hostname } : {}),
    ours: isOurs(lease['user-context'], owner),
    ...(expires === undefined ? {} : { expiresAt: expires }),
  };
}
