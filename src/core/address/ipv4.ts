/** IPv4 addresses as bigint, in the strict four-part decimal form only. */

// No leading zeros: `010.0.0.1` means 8.0.0.1 to inet_aton and 10.0.0.1 to a person, so refuse it.
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export const IPV4_BITS = 32;
export const IPV4_MAX = (1n << 32n) - 1n;

/** Parses `a.b.c.d`; returns undefined for anything else (short, octal, hex, mapped forms). */
export function parseIPv4(text: string): bigint | undefined {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return undefined;
  // One bigint from a number (exact below 2^53): a book's decoder reads thousands of addresses.
  return BigInt(((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]));
}

export function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}
