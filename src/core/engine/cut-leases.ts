/** Freeing a span of a range's leases: the one place that knows what a piece of a lease keeps. */
import type { Lease } from '../book/book.ts';
import type { Interval } from '../intervals/interval.ts';
import { cutOut } from '../intervals/sorted.ts';

/**
 * Removes `span` from the leases `only` selects (all by default). A lease records the MAC of its
 * first address, so a piece that now starts later records the MAC of its own first address.
 * Returns the same list when nothing was cut.
 */
export function cutLeases(
  leases: readonly Lease[],
  span: Interval,
  only: (lease: Lease) => boolean = () => true,
): Lease[] {
  return cutOut(leases, span, only, (lease, part) => ({
    ...lease,
    ...part,
    ...(lease.mac === undefined ? {} : { mac: lease.mac + (part.first - lease.first) }),
  }));
}
