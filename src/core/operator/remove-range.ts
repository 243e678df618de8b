/**
 * `range remove`: drops an unmanaged range, giving its space back to its pool. OpenNebula's
 * ranges go with `onevnet rmar`, which tells oned too; removing one here would leave oned
 * handing out addresses nebula-ipam no longer guards.
 */
import { findRange, removeRange as withoutRange, type Book } from '../book/book.ts';
import { describeRange, spanText } from '../book/range-text.ts';
import { IpamError, shown } from '../errors.ts';
import type { Change } from '../change.ts';

export interface RemoveRangeRequest {
  readonly id: string;
  /** Remove it even though operator leases remain in it. */
  readonly force?: boolean;
}

export interface RemovedRange {
  readonly range: string;
  readonly addresses: string;
  /** Operator leases dropped with it (only with force). */
  readonly leases: number;
}

export function removeRange(book: Book, request: RemoveRangeRequest): Change<RemovedRange> {
  const range = findRange(book, request.id);
  if (!range)
    throw new IpamError(
      'not-found',
      `Cannot remove range ${shown(request.id)}: there is no such range (see nebula-ipam status)`,
    );
  if (!range.unmanaged) {
    throw new IpamError(
      'conflict',
      `Cannot remove range ${describeRange(range)}: it is OpenNebula's; remove its AR with onevnet rmar, which tells the driver`,
    );
  }
  if (range.leases.length && !request.force) {
    throw new IpamError(
      'conflict',
      `Cannot remove range ${range.id}: it still has ${range.leases.length} lease${range.leases.length === 1 ? '' : 's'} (see nebula-ipam show ${range.id}); release them first, or use --force`,
    );
  }
  const addresses = spanText(range, { first: 0n, last: range.size - 1n });
  return {
    book: withoutRange(book, range.id),
    result: { range: range.id, addresses, leases: range.leases.length },
    audit: [{ range: range.id, addresses }],
  };
}
