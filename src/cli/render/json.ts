/**
 * One JSON document for `--json`. Bigints (counts, sizes) become numbers when a double holds
 * them exactly and decimal strings when not (IPv6 pools), so no count is ever silently rounded.
 */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v), 2)}\n`;
}
