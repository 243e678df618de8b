/** IPv4 addresses as bigint, in the strict four-part decimal form only. */

export const IPV4_BITS = 32;
export const IPV4_MAX = (1n << 32n) - 1n;

const DOT = 46;
const ZERO = 48;

/**
 * Parses `a.b.c.d`; returns undefined for anything else (short, octal, hex, mapped forms). No
 * leading zeros: `010.0.0.1` means 8.0.0.1 to inet_aton and 10.0.0.1 to a person, so refuse it.
 * Read digit by digit, not with a regular expression: a book's decoder reads thousands of addresses.
 */
export function parseIPv4(text: string): bigint | undefined {
  const length = text.length;
  if (length < 7 || length > 15) return undefined;
  let value = 0;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0 && text.charCodeAt(i++) !== DOT) return undefined;
    const from = i;
    let octet = 0;
    for (let digit = text.charCodeAt(i) - ZERO; digit >= 0 && digit <= 9 && i - from < 3; ) {
      octet = octet * 10 + digit;
      digit = text.charCodeAt(++i) - ZERO;
    }
    const digits = i - from;
    if (digits === 0 || (digits > 1 && text.charCodeAt(from) === ZERO) || octet > 255) return undefined;
    value = value * 256 + octet;
  }
  // One bigint from a number (exact below 2^53).
  return i === length ? BigInt(value) : undefined;
}

export function formatIPv4(value: bigint): string {
  // As a 32-bit number: a sync pass formats every leased address, bigint shifts cost ten times more.
  const v = Number(value & 0xffffffffn);
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
