/**
 * Finding the registered range behind an AR that oned sends back, and the indices of that range
 * that oned's AR (which `onevnet updatear` may have resized) still allows.
 */
import { FAMILIES } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import type { Book, RangeRecord } from '../book/book.ts';
import { findRange } from '../book/book.ts';
import { describeRange } from '../book/range-text.ts';
import { IpamError, shown } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';
import type { Attributes } from '../oned/attributes.ts';
import {
  arType,
  hasIPv4,
  ipv4,
  ipv6,
  isSlaac,
  isStatic6,
  mac,
  RANGE_ID_ATTRIBUTE,
  size,
  slaacPrefix,
  text,
} from '../oned/ar-fields.ts';

/** What an AR that oned sends back stands for in the book. */
export type Located =
  | { readonly kind: 'found'; readonly range: RangeRecord }
  /** No range: never registered here, or already unregistered. */
  | { readonly kind: 'absent' }
  /** The range the AR's id names, whose protected facts are not the AR's: see `mismatchOf`. */
  | { readonly kind: 'mismatch'; readonly range: RangeRecord; readonly why: string };

/**
 * The range the AR stands for: by the id attribute the register reply added, else (an AR
 * registered by hand, or whose attribute was edited away) by its first IPv4 or static IPv6
 * address. The id alone never decides: `onevnet updatear` lets whoever manages a network
 * rewrite every attribute but TYPE, MAC, IP, IP6, IPAM_MAD and AR_ID (docs/oned-contract.md 3.2, 4), so
 * an AR whose id was edited to another network's must not act on that network's range.
 */
export function locateRange(book: Book, ar: Attributes): Located {
  const id = text(ar, RANGE_ID_ATTRIBUTE);
  let range: RangeRecord | undefined;
  if (id !== undefined) {
    range = findRange(book, id);
  } else {
    const ip = ipv4(ar, 'IP');
    const ip6 = ipv6(ar, 'IP6');
    if (ip !== undefined) range = book.ranges.find((r) => r.ip === ip && !r.unmanaged);
    else if (ip6 !== undefined) range = book.ranges.find((r) => r.ip6 === ip6 && !r.unmanaged);
  }
  if (!range) return { kind: 'absent' };
  const why = mismatchOf(range, ar);
  return why === undefined ? { kind: 'found', range } : { kind: 'mismatch', range, why };
}

/**
 * The one range whose protected facts are the AR's (its IP, static IP6 or recorded MAC, and
 * everything `mismatchOf` checks), whatever id the AR carries; undefined when none or several.
 * For free_address: an AR whose id was edited (`onevnet updatear`) still frees oned's lease in
 * the range it really is, rather than leave it behind for ever.
 */
export function locateByFacts(book: Book, ar: Attributes): RangeRecord | undefined {
  const ip = ipv4(ar, 'IP');
  const ip6 = ipv6(ar, 'IP6');
  const arMac = mac(ar, 'MAC');
  const pinned = (r: RangeRecord) =>
    (r.ip !== undefined && r.ip === ip) ||
    (r.ip6 !== undefined && isStatic6(r.type) && r.ip6 === ip6) ||
    (r.ip === undefined && r.ip6 === undefined && r.mac !== undefined && r.mac === arMac);
  const found = book.ranges.filter((r) => !r.unmanaged && pinned(r) && mismatchOf(r, ar) === undefined);
  return found.length === 1 ? found[0] : undefined;
}

/**
 * Why the AR is not the range, or undefined when every fact that pins the range agrees: what
 * oned protects (TYPE, IP on IPv4 types, IP6 on static IPv6 types, MAC) and the SLAAC prefixes
 * the range was registered with. A prefix is editable in oned, but an AR that carries another
 * /64 than its range's is not that range, or no longer hands out the addresses the book holds.
 *
 * The MAC: a range registered without one gets it from oned after the driver answered (derived
 * from the IP, or random on IP6 and ETHER), so register cannot know it. Every later action
 * carries it, and oned never changes it, so the first action that writes the range records it
 * (`withPinnedMac`) and every later one is checked against it. Until then an IPv4 or static IPv6
 * range is still pinned by its addresses, and an IP6 range by its prefixes; what is left open is
 * an ETHER or prefix-less IP6 range that no action has written yet, which holds no address space
 * and no lease of oned's.
 */
export function mismatchOf(range: RangeRecord, ar: Attributes): string | undefined {
  const type = arType(ar);
  if (type !== range.type) return `its TYPE is ${type ?? 'missing'}, the range's is ${range.type}`;
  const ip = ipv4(ar, 'IP');
  if (range.ip !== undefined && ip !== range.ip) {
    return `its IP is ${ip === undefined ? 'missing' : FAMILIES.ipv4.format(ip)}, the range's is ${FAMILIES.ipv4.format(range.ip)}`;
  }
  if (isStatic6(range.type) && range.ip6 !== undefined) {
    const ip6 = ipv6(ar, 'IP6');
    if (ip6 !== range.ip6)
      return `its IP6 is ${ip6 === undefined ? 'missing' : FAMILIES.ipv6.format(ip6)}, the range's is ${FAMILIES.ipv6.format(range.ip6)}`;
  }
  const arMac = mac(ar, 'MAC');
  if (range.mac !== undefined && arMac !== undefined && arMac !== range.mac) {
    return `its MAC is ${formatMac(arMac)}, the range's is ${formatMac(range.mac)}`;
  }
  if (isSlaac(range.type)) {
    for (const [name, recorded] of [
      ['GLOBAL_PREFIX', range.globalPrefix],
      ['ULA_PREFIX', range.ulaPrefix],
    ] as const) {
      if (recorded === undefined) continue;
      const sent = slaacPrefix(ar, name);
      if (sent !== recorded)
        return `its ${name} is ${sent === undefined ? 'missing' : FAMILIES.ipv6.format(sent)}, the range's is ${FAMILIES.ipv6.format(recorded)}`;
    }
  }
  return undefined;
}

/** The range with the AR's MAC recorded, if it had none yet (see `mismatchOf`). */
export function withPinnedMac(range: RangeRecord, ar: Attributes): RangeRecord {
  const arMac = mac(ar, 'MAC');
  return range.mac === undefined && arMac !== undefined ? { ...range, mac: arMac } : range;
}

/** The one line get_address and allocate_address fail with when the AR is not its range. */
export function mismatchError(verb: string, located: { range: RangeRecord; why: string }): IpamError {
  return new IpamError(
    'conflict',
    `Cannot ${verb} in range ${located.range.id}: the AR is not the range registered under that id (${located.why}); was its ${RANGE_ID_ATTRIBUTE} edited with onevnet updatear? (${describeRange(located.range)})`,
  );
}

/** The indices of `range` that the AR as oned sent it still covers. */
export function allowedIndices(range: RangeRecord, ar: Attributes): Interval {
  const sentSize = size(ar) ?? range.size;
  const limit = sentSize < range.size ? sentSize : range.size;
  return { first: 0n, last: limit - 1n };
}

const LOW_WORD = 1n << 32n;

/** Where oned's ADDRESS falls in a range: its index (possibly outside the range), or nowhere near it. */
export interface AddressIndex {
  /** Undefined when the MAC is not of the range's MAC space at all (other first two bytes). */
  readonly index: bigint | undefined;
  /** The address as an operator reads it, for messages. */
  readonly shown: string;
}

/**
 * The index in `range` of the address oned names in ADDRESS (docs/oned-contract.md 2.1, 4): by IP on the
 * IPv4-bearing types, by MAC − AR.MAC on all others. The IPv6 fields of ADDRESS are never read:
 * oned streams the status code of `ip6_to_s()` there, the literal `0`, not the address.
 * oned counts MACs in their last four bytes (`mac[0] + index`, same first two bytes), so a MAC
 * with other first two bytes is in no range of this AR's, and one below AR.MAC is an index past
 * 2^32 - SIZE: outside the range.
 */
export function indexOfAddress(range: RangeRecord, ar: Attributes, address: Attributes): AddressIndex {
  // oned writes ADDRESS/IP only when the AR's IP is not 0 (addr_to_xml): a range starting at
  // 0.0.0.0 is known by MAC like the others.
  if (hasIPv4(range.type) && range.ip !== 0n) {
    const ip = need(ipv4(address, 'IP', 'ADDRESS'), 'IP', range);
    return { index: ip - range.ip!, shown: text(address, 'IP')! };
  }
  const addressMac = need(mac(address, 'MAC', 'ADDRESS'), 'MAC', range);
  const first = mac(ar, 'MAC') ?? range.mac;
  if (first === undefined)
    throw new IpamError(
      'bad-request',
      `Cannot place MAC ${formatMac(addressMac)} in range ${range.id}: the AR has no MAC`,
    );
  // oned's MAC of index i is the AR's with i added to its last four bytes, modulo 2^32
  // (`mac[0] + index`): a range whose MAC oned chose at random may wrap there.
  const index = addressMac >> 32n === first >> 32n ? (addressMac - first + LOW_WORD) % LOW_WORD : undefined;
  const ip6 =
    range.ip6 !== undefined && index !== undefined && index >= 0n && index < range.size
      ? ` (${FAMILIES.ipv6.format(range.ip6 + index)})`
      : '';
  return { index, shown: `${formatMac(addressMac)}${ip6}` };
}

function need<T>(value: T | undefined, field: string, range: RangeRecord): T {
  if (value === undefined)
    throw new IpamError(
      'bad-request',
      `Cannot identify the address: ADDRESS has no ${field}, which a ${range.type} range needs`,
    );
  return value;
}

export function rangeIdShown(ar: Attributes): string {
  return shown(text(ar, RANGE_ID_ATTRIBUTE) ?? text(ar, 'IP') ?? text(ar, 'AR_ID') ?? '?');
}
