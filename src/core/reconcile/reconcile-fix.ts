/**
 * What `reconcile --apply` changes in the book, as data, and the pure function that applies it.
 * Every fix concerns OpenNebula's own leases and ranges; operator leases and unmanaged ranges
 * are never the subject of one.
 */
import { formatMac } from '../address/mac.ts';
import type { AuditFacts } from '../change.ts';
import { findRange, removeRange, replaceRange, type Book, type Lease, type RangeRecord } from '../book/book.ts';
import { spanText } from '../book/range-text.ts';
import { IpamError } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';
import { cutLeases } from '../engine/cut-leases.ts';
import { insertDisjoint, overlapping } from '../intervals/sorted.ts';

export type ReconcileFix =
  | { readonly kind: 'add-lease'; readonly range: string; readonly lease: Lease }
  | { readonly kind: 'drop-lease'; readonly range: string; readonly span: Interval }
  | { readonly kind: 'add-range'; readonly range: RangeRecord }
  | { readonly kind: 'remove-range'; readonly range: string }
  /** `onevnet updatear` changed the AR's SIZE; adopt-resize.ts judged it safe. */
  | { readonly kind: 'resize-range'; readonly range: string; readonly size: bigint };

export interface AppliedChange extends AuditFacts {
  /** The audit log's action name. */
  readonly action:
    | 'reconcile-add-lease'
    | 'reconcile-drop-lease'
    | 'reconcile-add-range'
    | 'reconcile-remove-range'
    | 'reconcile-resize-range';
}

// A resize comes before the leases adopted into the addresses it adds.
const ORDER: Readonly<Record<ReconcileFix['kind'], number>> = {
  'remove-range': 0,
  'drop-lease': 1,
  'resize-range': 2,
  'add-lease': 3,
  'add-range': 4,
};
const RANGE_NUMBER = /^r([1-9][0-9]*)$/;

export function applyFixes(book: Book, fixes: readonly ReconcileFix[]): { book: Book; changes: AppliedChange[] } {
  let next = book;
  const changes: AppliedChange[] = [];
  for (const fix of [...fixes].sort((a, b) => ORDER[a.kind] - ORDER[b.kind])) {
    switch (fix.kind) {
      case 'remove-range': {
        const range = mustFind(next, fix.range);
        next = removeRange(next, range.id);
        changes.push({
          action: 'reconcile-remove-range',
          range: range.id,
          addresses: spanText(range, { first: 0n, last: range.size - 1n }),
        });
        break;
      }
      case 'drop-lease': {
        const range = mustFind(next, fix.range);
        next = replaceRange(next, {
          ...range,
          leases: cutLeases(range.leases, fix.span, (lease) => lease.holder === 'opennebula'),
        });
        changes.push({ action: 'reconcile-drop-lease', range: range.id, addresses: spanText(range, fix.span) });
        break;
      }
      case 'resize-range': {
        const range = mustFind(next, fix.range);
        if (range.leases.some((lease) => lease.last >= fix.size))
          throw new IpamError(
            'internal',
            `Cannot resize range ${range.id} to ${fix.size}: a lease lies past the new end`,
          );
        next = replaceRange(next, { ...range, size: fix.size });
        changes.push({
          action: 'reconcile-resize-range',
          range: range.id,
          addresses: spanText(range, { first: 0n, last: fix.size - 1n }),
          detail: `SIZE ${range.size} -> ${fix.size}`,
        });
        break;
      }
      case 'add-lease': {
        const range = mustFind(next, fix.range);
        // The finder only proposes free addresses; anything else is a bug, and must not land.
        if (overlapping(range.leases, fix.lease).length > 0)
          throw new IpamError(
            'internal',
            `Cannot adopt ${spanText(range, fix.lease)} in range ${range.id}: it is no longer free`,
          );
        next = replaceRange(next, { ...range, leases: insertDisjoint(range.leases, fix.lease) });
        changes.push({
          action: 'reconcile-add-lease',
          range: range.id,
          addresses: spanText(range, fix.lease),
          ...leaseFacts(fix.lease),
        });
        break;
      }
      case 'add-range': {
        if (findRange(next, fix.range.id))
          throw new IpamError(
            'internal',
            `Cannot add range ${fix.range.id}: the book already has a range with that id`,
          );
        const number = RANGE_NUMBER.exec(fix.range.id)?.[1];
        const nextRangeId = number === undefined ? next.nextRangeId : Math.max(next.nextRangeId, Number(number) + 1);
        next = { ...next, nextRangeId, ranges: [...next.ranges, fix.range] };
        changes.push({
          action: 'reconcile-add-range',
          range: fix.range.id,
          addresses: spanText(fix.range, { first: 0n, last: fix.range.size - 1n }),
        });
        for (const lease of fix.range.leases)
          changes.push({
            action: 'reconcile-add-lease',
            range: fix.range.id,
            addresses: spanText(fix.range, lease),
            ...leaseFacts(lease),
          });
        break;
      }
    }
  }
  return { book: next, changes };
}

function leaseFacts(lease: Lease): Pick<AuditFacts, 'mac' | 'owner'> {
  return {
    ...(lease.mac === undefined ? {} : { mac: formatMac(lease.mac) }),
    ...(lease.owner === undefined ? {} : { owner: lease.owner }),
  };
}

function mustFind(book: Book, id: string): RangeRecord {
  const range = findRange(book, id);
  if (!range) throw new IpamError('internal', `Cannot reconcile range ${id}: it is no longer in the book`);
  return range;
}
