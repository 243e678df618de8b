/**
 * Address counts for people: exact up to a billion, then `2^80` or `1.2e+24` (IPv6 pools are
 * vast). A table column uses one notation for all its cells (`formatCounts`).
 */

const EXACT_LIMIT = 1_000_000_000n;

export function formatCount(value: bigint): string {
  if (value < EXACT_LIMIT) return String(value);
  if ((value & (value - 1n)) === 0n) return `2^${value.toString(2).length - 1}`;
  return scientific(value);
}

/** One column's counts in one notation: all exact when all are small, else all as `1.84e19`. */
export function formatCounts(values: readonly bigint[]): string[] {
  if (values.every((v) => v < EXACT_LIMIT)) return values.map(String);
  return values.map(scientific);
}

function scientific(value: bigint): string {
  return value === 0n ? '0' : Number(value).toExponential(2).replace('e+', 'e');
}
