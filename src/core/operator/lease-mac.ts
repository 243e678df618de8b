/**
 * `lease --mac`: the MAC an operator's host has, kept on its lease so that sync gives the host
 * its DHCP entry (desired-state.ts). Strict: six colon-separated hex pairs, a unicast MAC (a
 * multicast or all-zero one is no host's), and one the same range does not already lease (DHCP
 * would give one client two addresses; Kea refuses the second). Pure.
 */
import { formatMac, parseMac } from '../address/mac.ts';
import type { Lease, RangeRecord } from '../book/book.ts';
import { IpamError, shown } from '../errors.ts';
import { holderPhrase } from './holder-phrase.ts';

/** The MAC of `--mac TEXT`; a usage error naming the value otherwise. */
export function parseLeaseMac(text: string): bigint {
  const mac = parseMac(text.trim());
  const cannot = `Cannot lease with --mac ${shown(text)}`;
  if (mac === undefined)
    throw new IpamError('usage', `${cannot}: it is not a MAC address like 52:54:00:12:34:56`, { subject: text });
  if (mac === 0n) throw new IpamError('usage', `${cannot}: the all-zero MAC is no host's`, { subject: text });
  // The I/G bit of the first octet: a group address never sends DHCP.
  if ((mac >> 40n) & 1n)
    throw new IpamError('usage', `${cannot}: it is a multicast MAC (its first octet is odd)`, { subject: text });
  return mac;
}

/** The lease of `range` whose addresses carry `mac` (its own, or oned's range MAC + index), if any. */
export function leaseWithMac(range: RangeRecord, mac: bigint): Lease | undefined {
  return range.leases.find((lease) => {
    const first = lease.mac ?? (lease.holder === 'opennebula' ? range.mac : undefined);
    if (first === undefined) return false;
    // A lease's own MAC counts on from its first address; oned's range MAC from index 0.
    const offset = mac - first + (lease.mac === undefined ? 0n : lease.first);
    return offset >= lease.first && offset <= lease.last;
  });
}

/** Refuses `mac` when `range` already leases it (a conflict naming the MAC and its holder's lease). */
export function refuseLeasedMac(range: RangeRecord, mac: bigint, what: string): void {
  const held = leaseWithMac(range, mac);
  if (!held) return;
  throw new IpamError(
    'conflict',
    `Cannot ${what} with MAC ${formatMac(mac)}: range ${range.id} already leases it (to ${holderPhrase(held)}, since ${held.at})`,
    { subject: formatMac(mac) },
  );
}
