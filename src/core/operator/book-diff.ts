/**
 * What differs between two lease books, range by range and lease by lease: what `restore`
 * shows before it brings back the previous generation.
 */
import type { Book, Lease, RangeRecord } from '../book/book.ts';
import { describeRange, holderText, spanText } from '../book/range-text.ts';

export interface BookDifference {
  readonly change: 'range-added' | 'range-removed' | 'lease-added' | 'lease-removed';
  readonly range: string;
  /** The range (`r3 IP4 10.0.0.10+10`) or the lease (`10.0.0.12 OpenNebula (request 7)`). */
  readonly what: string;
}

/** The changes that turn `from` into `to`. */
export function diffBooks(from: Book, to: Book): BookDifference[] {
  const changes: BookDifference[] = [];
  const before = new Map(from.ranges.map((r) => [r.id, r]));
  const after = new Map(to.ranges.map((r) => [r.id, r]));
  for (const range of from.ranges) {
    const next = after.get(range.id);
    if (!next || !sameRange(range, next))
      changes.push({ change: 'range-removed', range: range.id, what: describeRange(range) });
  }
  for (const range of to.ranges) {
    const previous = before.get(range.id);
    if (!previous || !sameRange(previous, range)) {
      changes.push({ change: 'range-added', range: range.id, what: describeRange(range) });
      continue;
    }
    const old = new Set(previous.leases.map(leaseKey));
    const now = new Set(range.leases.map(leaseKey));
    for (const lease of previous.leases)
      if (!now.has(leaseKey(lease)))
        changes.push({ change: 'lease-removed', range: range.id, what: leaseText(range, lease) });
    for (const lease of range.leases)
      if (!old.has(leaseKey(lease)))
        changes.push({ change: 'lease-added', range: range.id, what: leaseText(range, lease) });
  }
  return changes;
}

/**
 * Same id but other addresses is a different range (its leases do not carry over). The MAC is
 * left out: the driver learns it from oned's first get_address, after registering.
 */
function sameRange(a: RangeRecord, b: RangeRecord): boolean {
  return a.type === b.type && a.size === b.size && a.ip === b.ip && a.ip6 === b.ip6 && a.unmanaged === b.unmanaged;
}

function leaseKey(lease: Lease): string {
  return `${lease.first}-${lease.last}|${lease.holder}|${lease.owner ?? ''}|${lease.at}`;
}

function leaseText(range: RangeRecord, lease: Lease): string {
  return `${spanText(range, lease)} ${holderText(lease)}`;
}
