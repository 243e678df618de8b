/**
 * Kea's host reservation JSON (the `host_cmds` hook: `reservation-add`, `reservation-get-all`,
 * `reservation-del`) and the core's shapes, both ways, pure. A reservation is preferred to a
 * lease where Kea has host_cmds: it does not expire, and it carries the host's own options, so a
 * client gets the book's gateway and DNS servers whatever the subnet says. It is keyed by MAC
 * (`hw-address`) in both families and carries the same mark as our leases (kea-leases.ts).
 */
import type { DhcpHost, ObservedDhcpEntry } from '../../core/sync/target-records.ts';
import { isOurs, mark } from './kea-leases.ts';
import { optionData } from './subnet-options.ts';

/** The arguments of `reservation-add` for a book's host. */
export function reservationArguments(
  host: DhcpHost,
  subnetId: number,
  owner: string | undefined,
): Record<string, unknown> {
  return {
    reservation: {
      'subnet-id': subnetId,
      'hw-address': host.mac,
      ...(host.family === 'ipv4' ? { 'ip-address': host.address } : { 'ip-addresses': [host.address] }),
      ...(host.hostname === undefined ? {} : { hostname: host.hostname }),
      'option-data': optionData(host),
      'user-context': mark(owner),
    },
  };
}

/** Kea's reservation JSON, as the edge reads it. */
export interface KeaReservation {
  readonly 'hw-address'?: string;
  readonly 'ip-address'?: string;
  readonly 'ip-addresses'?: readonly string[];
  readonly hostname?: string;
  readonly 'user-context'?: unknown;
}

/** The reservations in a `reservation-get-all` answer's arguments (or the one of `reservation-get`). */
export function reservationsOf(args: unknown): KeaReservation[] {
  if (typeof args !== 'object' || args === null) return [];
  const list = (args as { hosts?: unknown }).hosts;
  const hosts = Array.isArray(list) ? list : [args];
  return hosts.filter((host): host is KeaReservation => typeof host === 'object' && host !== null);
}

/** One entry per reserved address (a DHCPv6 reservation may hold several; one without any is skipped). */
export function observedReservations(
  family: DhcpHost['family'],
  reservation: KeaReservation,
  owner: string | undefined,
): ObservedDhcpEntry[] {
  const addresses =
    family === 'ipv4'
      ? reservation['ip-address'] && reservation['ip-address'] !== '0.0.0.0'
        ? [reservation['ip-address']]
        : []
      : [...(reservation['ip-addresses'] ?? [])];
  const mac = reservation['hw-address'];
  return addresses.map((address) => ({
    family,
    ...(mac ? { mac: mac.toLowerCase() } : {}),
    address,
    ...(reservation.hostname ? { hostname: reservation.hostname } : {}),
    ours: isOurs(reservation['user-context'], owner),
  }));
}
