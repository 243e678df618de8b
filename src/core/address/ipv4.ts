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
  return (BigInt(m[1]!) << 24n) | (BigInt(m[2]!) << 16n) | (BigInt(m[3]!) << 8n) | BigInt(m[4]!);
}

export function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}
