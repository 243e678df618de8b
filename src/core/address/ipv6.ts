/** IPv6 addresses as bigint. Parsing is ipaddr.js's; forms a person should not write are refused first. */
import ipaddr from 'ipaddr.js';

export const IPV6_BITS = 128;
export const IPV6_MAX = (1n << 128n) - 1n;

/**
 * Parses a plain IPv6 address (hex groups, `::` allowed). Zone ids, embedded dotted quads
 * (`::ffff:10.0.0.1`) and IPv4-mapped addresses in any form (::ffff:0:0/96) are refused: an
 * IPv4-mapped address in an IPv6 field is almost always an IPv4 address put in the wrong place.
 */
export function parseIPv6(text: string): bigint | undefined {
  let value = plainGroups(text);
  if (value === undefined) {
    if (!/^[0-9A-Fa-f:]+$/.test(text) || !ipaddr.IPv6.isValid(text)) return undefined;
    value = 0n;
    for (const part of ipaddr.IPv6.parse(text).parts) value = (value << 16n) | BigInt(part);
  }
  // The same IPv4-mapped addresses written in hex groups (`::ffff:a00:1`) are just as misplaced.
  if (value >> 32n === 0xffffn) return undefined;
  return value;
}

const GROUPS = /^[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*$/;

/**
 * The usual forms, read without ipaddr.js (whose parser is slow enough to dominate reading a
 * book of a thousand IPv6 ranges): eight groups, or `::` standing for two or more zero groups.
 * Anything else (undefined here) goes to ipaddr.js, which decides; whatever is read here is
 * what ipaddr.js reads too (test/unit/core/address/ipv6-plain-groups.test.ts).
 */
export function plainGroups(text: string): bigint | undefined {
  const gap = text.indexOf('::');
  if (gap !== text.lastIndexOf('::') || text.includes(':::')) return undefined;
  const head = gap < 0 ? text : text.slice(0, gap);
  const tail = gap < 0 ? '' : text.slice(gap + 2);
  if ((head !== '' && !GROUPS.test(head)) || (tail !== '' && !GROUPS.test(tail))) return undefined;
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  if (gap < 0 ? left.length !== 8 : left.length + right.length > 6) return undefined;
  let value = 0n;
  for (const group of left) value = (value << 16n) | BigInt(`0x${group}`);
  value <<= 16n * BigInt(8 - left.length - right.length);
  for (const group of right) value = (value << 16n) | BigInt(`0x${group}`);
  return value;
}

/** RFC 5952 text: lower case, longest zero run compressed. */
export function formatIPv6(value: bigint): string {
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(Number((value >> shift) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}
