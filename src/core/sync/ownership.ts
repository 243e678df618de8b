/**
 * Which DNS records are nebula-ipam's: a TXT registry, as external-dns keeps one. Beside each
 * record it writes at a name N, sync writes a TXT record at `<registryPrefix>.<N>` holding
 *
 *     heritage=nebula-ipam,owner=<registryOwner>,lease=<range>/<address>
 *
 * one per address it wrote there. An A or AAAA record at N is ours when one of our TXT records at
 * `<registryPrefix>.<N>` names its address; a PTR at a reverse name N is ours when one names the
 * address N stands for. Everything else is somebody's: never changed, never deleted. The owner
 * tells two books apart (two clouds writing one zone), and a restored book keeps its owner.
 */
import type { DnsRecord } from './target-records.ts';
import { addressOfPtrName } from '../dns/reverse-zone.ts';
import { FAMILIES } from '../address/family.ts';

const HERITAGE = 'nebula-ipam';

/** What one registry TXT record says. */
export interface OwnerMark {
  readonly owner: string;
  readonly range: string;
  readonly address: string;
}

export function registryName(prefix: string, name: string): string {
  return `${prefix}.${name}`;
}

/** The name a registry name stands for, or undefined when it is not one. */
export function registeredName(prefix: string, name: string): string | undefined {
  return name.startsWith(`${prefix}.`) ? name.slice(prefix.length + 1) : undefined;
}

export function ownerText(mark: OwnerMark): string {
  return `heritage=${HERITAGE},owner=${mark.owner},lease=${mark.range}/${mark.address}`;
}

/**
 * The mark in a TXT record's text; undefined for text nebula-ipam did not write. A mark with
 * heritage nebula-ipam and an unreadable rest is kept as a mark without a lease (its owner is
 * still known), so that a newer release's records are never taken for foreign ones or ours.
 */
export function readOwnerText(
  text: string,
): { readonly owner: string; readonly lease?: { range: string; address: string } } | undefined {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const owner = fields.get('owner');
  if (fields.get('heritage') !== HERITAGE || owner === undefined) return undefined;
  const lease = fields.get('lease');
  const slash = lease?.indexOf('/') ?? -1;
  if (lease === undefined || slash <= 0) return { owner };
  return { owner, lease: { range: lease.slice(0, slash), address: lease.slice(slash + 1) } };
}

/** The addresses our TXT records (`marks`, already ours) claim, in canonical text; `markOf` reads one. */
export function claimedAddresses(
  marks: readonly DnsRecord[],
  markOf: (record: DnsRecord) => ReturnType<typeof readOwnerText>,
): Set<string> {
  const claimed = new Set<string>();
  for (const record of marks) {
    const lease = markOf(record)?.lease;
    if (lease) claimed.add(canonicalAddress(lease.address));
  }
  return claimed;
}

/** Is this A, AAAA or PTR record at its name ours, given the addresses our TXT records there claim? */
export function claimedRecord(record: DnsRecord, claimed: ReadonlySet<string>): boolean {
  if (record.type === 'A' || record.type === 'AAAA') return claimed.has(canonicalAddress(record.data));
  if (record.type !== 'PTR') return false;
  const at = addressOfPtrName(record.name);
  return at !== undefined && claimed.has(FAMILIES[at.family].format(at.address));
}

/** RFC 5952 text for an IPv6 address, the dotted quad for IPv4; other text as it is. */
export function canonicalAddress(text: string): string {
  // The parser takes only the canonical dotted quad (no leading zeros): it is its own text.
  if (FAMILIES.ipv4.parse(text) !== undefined) return text;
  for (const family of ['ipv4', 'ipv6'] as const) {
    const value = FAMILIES[family].parse(text);
    if (value !== undefined) return FAMILIES[family].format(value);
  }
  return text;
}
