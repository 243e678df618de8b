/**
 * Address counts for people: plain integers up to 2^53 (where a JSON number is still exact),
 * then `2^80` or `1.2e24` (IPv6 pools are vast). Each cell on its own: a SIZE 20 range stays
 * `20` in a column beside a /64.
 */

const EXACT_LIMIT = 1n << 53n;

export function formatCount(value: bigint): string {
  if (value <= EXACT_LIMIT) return String(value);
  if ((value & (value - 1n)) === 0n) return `2^${value.toString(2).length - 1}`;
  return scientific(value);
}

/** One column's counts: plain up to 2^53, `1.84e19` above (so right-aligned digits still compare). */
export function formatCounts(values: readonly bigint[]): string[] {
  return values.map((v) => (v <= EXACT_LIMIT ? String(v) : scientific(v)));
}

function scientific(value: bigint): string {
  return Number(value).toExponential(2).replace('e+', 'e');
}
