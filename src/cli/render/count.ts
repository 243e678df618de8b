/** Address counts for people: exact up to a billion, then `2^80` or `1.2e+24` (IPv6 pools are vast). */

const EXACT_LIMIT = 1_000_000_000n;

export function formatCount(value: bigint): string {
  if (value < EXACT_LIMIT) return String(value);
  if ((value & (value - 1n)) === 0n) return `2^${value.toString(2).length - 1}`;
  return Number(value).toExponential(2).replace('e+', 'e');
}
