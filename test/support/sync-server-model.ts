/**
 * A model of the servers sync talks to, for the pure core's tests: an RFC 2136 zone that checks
 * an UPDATE's prerequisites (section 3.2: value-dependent comparison ignores TTLs) and applies it
 * whole or not at all, and a Kea that takes puts and removals.
 */
import type {
  DhcpHost,
  DnsPrerequisite,
  DnsRecord,
  DnsUpdate,
  ObservedDhcpEntry,
} from '../../src/core/sync/target-records.ts';

const same = (a: DnsRecord, b: DnsRecord) => a.name === b.name && a.type === b.type && a.data === b.data;

export function prerequisiteHolds(records: readonly DnsRecord[], p: DnsPrerequisite): boolean {
  if (p.kind === 'name-not-in-use') return !records.some((r) => r.name === p.name);
  if (p.kind === 'rrset-absent') return !records.some((r) => r.name === p.name && r.type === p.type);
  const first = p.records[0];
  if (!first) return false;
  const rrset = records.filter((r) => r.name === first.name && r.type === first.type);
  return rrset.length === p.records.length && rrset.every((r) => p.records.some((q) => same(r, q)));
}

/** The zone after the update, and whether it applied (false: a prerequisite failed, nothing changed). */
export function applyUpdate(
  records: readonly DnsRecord[],
  update: DnsUpdate,
): { records: DnsRecord[]; applied: boolean } {
  if (!update.prerequisites.every((p) => prerequisiteHolds(records, p)))
    return { records: [...records], applied: false };
  let next = records.filter((r) => !update.remove.some((q) => same(r, q)));
  for (const record of update.add) next = [...next.filter((r) => !same(r, record)), record];
  return { records: next, applied: true };
}

export function applyDhcp(
  entries: readonly ObservedDhcpEntry[],
  put: readonly DhcpHost[],
  remove: readonly ObservedDhcpEntry[],
  expiresAt: number,
): ObservedDhcpEntry[] {
  const key = (e: { family: string; address: string }) => `${e.family}/${e.address}`;
  const gone = new Set([...remove, ...put].map(key));
  return [
    ...entries.filter((e) => !gone.has(key(e))),
    ...put.map((h): ObservedDhcpEntry => ({ family: h.family, mac: h.mac, address: h.address, ours: true, expiresAt })),
  ];
}
