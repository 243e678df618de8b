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
  if (!/^[0-9A-Fa-f:]+$/.test(text) || !ipaddr.IPv6.isValid(text)) return undefined;
  let value = 0n;
  for (const part of ipaddr.IPv6.parse(text).parts) value = (value << 16n) | BigInt(part);
  // The same IPv4-mapped addresses written in hex groups (`::ffff:a00:1`) are just as misplaced.
  if (value >> 32n === 0xffffn) return undefined;
  return value;
}

/** RFC 5952 text: lower case, longest zero run compressed. */
export function formatIPv6(value: bigint): string {
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(Number((value >> shift) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}
