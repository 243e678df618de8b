/** MAC addresses as bigint, written `xx:xx:xx:xx:xx:xx` as OpenNebula does. */

export const MAC_MAX = (1n << 48n) - 1n;

const COLON = 58;

/** `xx:xx:xx:xx:xx:xx`, either case; undefined for any other spelling. */
export function parseMac(text: string): bigint | undefined {
  if (text.length !== 17) return undefined;
  // Digit by digit into two numbers of 24 bits, one bigint made: a book holds thousands of MACs.
  let high = 0;
  let low = 0;
  for (let i = 0; i < 17; i += 3) {
    if (i > 0 && text.charCodeAt(i - 1) !== COLON) return undefined;
    const byte = hexDigit(text.charCodeAt(i)) * 16 + hexDigit(text.charCodeAt(i + 1));
    if (!(byte >= 0)) return undefined;
    if (i < 9) high = high * 256 + byte;
    else low = low * 256 + byte;
  }
  return BigInt(high * 2 ** 24 + low);
}

/** 0-15 for a hex digit's char code; NaN for any other (so a byte made of one is NaN too). */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : Number.NaN;
}

export function formatMac(value: bigint): string {
  const hex = value.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}
