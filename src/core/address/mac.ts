/** MAC addresses as bigint, written `xx:xx:xx:xx:xx:xx` as OpenNebula does. */

const MAC = /^([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2})$/;

export const MAC_MAX = (1n << 48n) - 1n;

export function parseMac(text: string): bigint | undefined {
  const m = MAC.exec(text);
  // 48 bits fit a number exactly: one bigint made, not one parsed from text (a book holds thousands).
  return m
    ? BigInt(Number.parseInt(m[1]! + m[2]! + m[3], 16) * 2 ** 24 + Number.parseInt(m[4]! + m[5]! + m[6], 16))
    : undefined;
}

export function formatMac(value: bigint): string {
  const hex = value.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}
