/** MAC addresses as bigint, written `xx:xx:xx:xx:xx:xx` as OpenNebula does. */

const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

export const MAC_MAX = (1n << 48n) - 1n;

export function parseMac(text: string): bigint | undefined {
  return MAC.test(text) ? BigInt(`0x${text.replaceAll(':', '')}`) : undefined;
}

export function formatMac(value: bigint): string {
  const hex = value.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}
