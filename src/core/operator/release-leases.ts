/**
 * `release`: gives back operator leases, by address or by owner. OpenNebula's leases are oned's
 * to free; taking one away under a running VM hands its address out twice, so that needs
 * `--force` (for a lease oned will never free, e.g. after a lost free_address).
 */
import { replaceRange, type Book, type Lease, type RangeRecord } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import { spanText } from '../book/range-text.ts';
import { holderPhrase } from './holder-phrase.ts';
import { IpamError, shown } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';
import { cutLeases } from '../engine/cut-leases.ts';
import { locateAddress, parseAddress } from './locate-address.ts';
import type { Change } from '../change.ts';

export type ReleaseRequest =
  | { readonly ip: string; readonly force?: boolean }
  | { readonly owner: string; readonly force?: boolean };

export interface Released {
  readonly range: string;
  readonly addresses: string;
  readonly holder: Lease['holder'];
  readonly owner?: string;
}

export function releaseLeases(
  book: Book,
  config: Config,
  request: ReleaseRequest,
): Change<{ released: readonly Released[] }> {
  return 'ip' in request
    ? releaseAddress(book, config, request.ip, request.force === true)
    : releaseOwner(book, request.owner);
}

/** One address; of a multi-address lease only that address is freed, as free_address does. */
function releaseAddress(
  book: Book,
  config: Config,
  text: string,
  force: boolean,
): Change<{ released: readonly Released[] }> {
  const address = parseAddress(text);
  const where = locateAddress(book, config, address);
  if (where.kind !== 'leased') {
    const inRange = where.kind === 'free' || where.kind === 'reserved' ? where.range : undefined;
    const why = inRange ? `it is not leased (free in range ${inRange.id})` : 'it is in no range of the lease book';
    throw new IpamError('not-found', `Cannot release ${address.text}: ${why}`);
  }
  if (where.lease.holder === 'opennebula' && !force) {
    throw new IpamError(
      'conflict',
      `Cannot release ${address.text}: it is leased to ${holderPhrase(where.lease)} since ${where.lease.at}; OpenNebula frees its own leases (onevnet release, VM termination). Use --force only if OpenNebula no longer uses it`,
    );
  }
  const span = { first: where.index, last: where.index };
  return cut(book, [[where.range, [{ span, lease: where.lease }]]]);
}

/** Every operator lease of that owner, in every range. */
function releaseOwner(book: Book, owner: string): Change<{ released: readonly Released[] }> {
  const found: [RangeRecord, { span: Interval; lease: Lease }[]][] = [];
  for (const range of book.ranges) {
    const leases = range.leases
      .filter((l) => l.holder === 'operator' && l.owner === owner)
      .map((lease) => ({ span: lease, lease }));
    if (leases.length) found.push([range, leases]);
  }
  if (!found.length)
    throw new IpamError(
      'not-found',
      `Cannot release the leases of owner ${shown(owner)}: there are none (owners match exactly; see nebula-ipam leases)`,
    );
  return cut(book, found);
}

function cut(
  book: Book,
  found: readonly (readonly [RangeRecord, readonly { span: Interval; lease: Lease }[]])[],
): Change<{ released: readonly Released[] }> {
  let next = book;
  const released: Released[] = [];
  for (const [range, leases] of found) {
    let kept = range.leases;
    for (const { span, lease } of leases) {
      // Each span lies inside one lease and leases are disjoint, so the cut touches only it.
      kept = cutLeases(kept, span);
      released.push({
        range: range.id,
        addresses: spanText(range, span),
        holder: lease.holder,
        ...(lease.owner === undefined ? {} : { owner: lease.owner }),
      });
    }
    next = replaceRange(next, { ...range, leases: kept });
  }
  return {
    book: next,
    result: { released },
    audit: released.map((r) => ({
      range: r.range,
      addresses: r.addresses,
      ...(r.owner === undefined ? {} : { owner: r.owner }),
    })),
  };
}
