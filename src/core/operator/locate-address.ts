/**
 * Where an address stands in the books: leased in a range, free in one, reserved in a subnet
 * (network, broadcast, gateway, DNS), excluded, free pool space, or nowhere nebula-ipam knows.
 * `show`, `lease --ip` and `release --ip` all decide from this one answer.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { formatMac, parseMac } from '../address/mac.ts';
import { prefixInterval, type Prefix } from '../address/prefix.ts';
import type { Book, Lease, RangeRecord } from '../book/book.ts';
import { footprint, span4, span6 } from '../book/footprint.ts';
import type { Config, Pool } from '../config/config.ts';
import { reservedIn, type ReservedRole } from '../engine/carve.ts';
import { subnetAround } from '../engine/subnet-around.ts';
import { takenIndices } from '../engine/taken-indices.ts';
import { IpamError, shown } from '../errors.ts';
import { covers } from '../intervals/interval.ts';
import { overlapping } from '../intervals/sorted.ts';
import { rangeSubnet } from '../engine/range-subnet.ts';

export type AddressSpace = Family | 'mac';

export interface Address {
  readonly space: AddressSpace;
  readonly value: bigint;
  /** Canonical text: compressed IPv6, lower-case MAC. */
  readonly text: string;
}

export type Whereabouts =
  | { readonly kind: 'leased'; readonly range: RangeRecord; readonly index: bigint; readonly lease: Lease }
  /** In a range and not leased; `excluded` when its pool now excludes it, so it cannot be leased. */
  | { readonly kind: 'free'; readonly range: RangeRecord; readonly index: bigint; readonly excluded: boolean }
  | {
      readonly kind: 'reserved';
      readonly pool: Pool;
      readonly subnet: Prefix;
      readonly role: ReservedRole;
      readonly range?: RangeRecord;
    }
  /** Inside the space carved for a range, but not one of its addresses. */
  | { readonly kind: 'carved'; readonly range: RangeRecord }
  | { readonly kind: 'excluded'; readonly pool: Pool; readonly prefix: Prefix }
  | { readonly kind: 'pool-free'; readonly pool: Pool; readonly subnet: Prefix }
  | { readonly kind: 'nowhere' };

export function parseAddress(text: string): Address {
  const trimmed = text.trim();
  for (const family of ['ipv4', 'ipv6'] as const) {
    const value = FAMILIES[family].parse(trimmed);
    if (value !== undefined) return { space: family, value, text: FAMILIES[family].format(value) };
  }
  const mac = parseMac(trimmed);
  if (mac !== undefined) return { space: 'mac', value: mac, text: formatMac(mac) };
  throw new IpamError(
    'usage',
    `Cannot read the address ${shown(text)}: it is not an IPv4 address (dotted quad), an IPv6 address or a MAC (xx:xx:xx:xx:xx:xx)`,
  );
}

export function locateAddress(book: Book, config: Config, address: Address): Whereabouts {
  for (const range of book.ranges) {
    const index = indexIn(range, address);
    if (index === undefined) continue;
    const lease = overlapping(range.leases, { first: index, last: index })[0];
    if (lease) return { kind: 'leased', range, index, lease };
    // A DNS server or gateway the pool gained after the range was carved is reserved, not free.
    const placed = address.space === 'mac' ? undefined : rangeSubnet(range, config, address.space);
    const role = placed && roleOf(placed.pool, placed.subnet, address.value);
    if (placed && role) return { kind: 'reserved', pool: placed.pool, subnet: placed.subnet, role, range };
    // Holds are not exclusions: whoever asks reads holdAt (lease --ip refuses, show shows it).
    const excluded = overlapping(takenIndices(range, config, []), { first: index, last: index }).length > 0;
    return { kind: 'free', range, index, excluded };
  }
  if (address.space === 'mac') return { kind: 'nowhere' };
  const family = address.space;
  const point = { first: address.value, last: address.value };
  for (const range of book.ranges) {
    const space = footprint(range, family);
    if (!space || !covers(space, point)) continue;
    const placed = rangeSubnet(range, config, family);
    const role = placed && roleOf(placed.pool, placed.subnet, address.value);
    return placed && role
      ? { kind: 'reserved', pool: placed.pool, subnet: placed.subnet, role, range }
      : { kind: 'carved', range };
  }
  const pool = config.pools.find((p) => p.family === family && covers(prefixInterval(p.network), point));
  if (!pool) return { kind: 'nowhere' };
  const prefix = pool.exclude.find((ex) => covers(prefixInterval(ex), point));
  if (prefix) return { kind: 'excluded', pool, prefix };
  const subnet = subnetAround(pool, point);
  const role = roleOf(pool, subnet, address.value);
  return role ? { kind: 'reserved', pool, subnet, role } : { kind: 'pool-free', pool, subnet };
}

/** The index of the address in the range, by the field the range's addresses are counted in. */
function indexIn(range: RangeRecord, address: Address): bigint | undefined {
  const inSpan = (start: bigint | undefined): bigint | undefined =>
    start !== undefined && address.value >= start && address.value < start + range.size
      ? address.value - start
      : undefined;
  if (address.space === 'ipv4') return inSpan(span4(range)?.first);
  if (address.space === 'mac') return inSpan(range.mac);
  const fixed = inSpan(span6(range)?.first);
  if (fixed !== undefined || range.globalPrefix === undefined || range.mac === undefined) return fixed;
  // SLAAC: the address is the /64 prefix plus the EUI-64 of the index's MAC.
  if (address.value >> 64n !== range.globalPrefix >> 64n) return undefined;
  const mac = macOfEui64(address.value & ((1n << 64n) - 1n));
  return mac !== undefined && mac >= range.mac && mac < range.mac + range.size ? mac - range.mac : undefined;
}

/**
 * The IPv6 address of index `index`: the static IP6 plus the index, or SLAAC's /64 plus the
 * EUI-64 of the index's MAC; undefined while either the prefix or the MAC is unknown.
 */
export function ipv6At(range: RangeRecord, index: bigint): bigint | undefined {
  const fixed = span6(range)?.first;
  if (fixed !== undefined) return fixed + index;
  if (range.globalPrefix === undefined || range.mac === undefined) return undefined;
  const mac = range.mac + index;
  const iid = (((mac >> 24n) ^ 0x020000n) << 40n) | (0xfffen << 24n) | (mac & 0xffffffn);
  return ((range.globalPrefix >> 64n) << 64n) | iid;
}

/** The MAC an EUI-64 interface id was made from (ff:fe in the middle, universal/local bit flipped). */
export function macOfEui64(iid: bigint): bigint | undefined {
  if (((iid >> 24n) & 0xffffn) !== 0xfffen) return undefined;
  const high = (iid >> 40n) ^ 0x020000n;
  return (high << 24n) | (iid & 0xffffffn);
}

function roleOf(pool: Pool, subnet: Prefix, value: bigint): ReservedRole | undefined {
  return reservedIn(pool, subnet).find((r) => r.address === value)?.role;
}
