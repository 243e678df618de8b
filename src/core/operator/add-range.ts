/** `range add`: an unmanaged range for hosts OpenNebula does not manage, carved or placed like register does. */
import type { Book } from '../book/book.ts';
import { requirePool, type Config } from '../config/config.ts';
import { spanText } from '../book/range-text.ts';
import { IpamError, shown } from '../errors.ts';
import { parseAddress } from './locate-address.ts';
import { carveUnmanaged, placeUnmanaged } from './new-range.ts';
import type { Change } from '../change.ts';
import { hostSettings, type HostSettings } from './lease-addresses.ts';

export interface AddRangeRequest {
  readonly pool: string;
  readonly size: bigint;
  /** The first address; without it the range is carved from the pool's free space. */
  readonly ip?: string;
  readonly owner?: string;
}

export interface AddedRange extends HostSettings {
  readonly range: string;
  readonly pool: string;
  readonly addresses: string;
  readonly size: bigint;
  readonly owner?: string;
}

export function addRange(book: Book, config: Config, request: AddRangeRequest, now: string): Change<AddedRange> {
  const pool = requirePool(config, request.pool, `Cannot add a range to pool ${shown(request.pool)}`);
  let placed;
  if (request.ip !== undefined) {
    const address = parseAddress(request.ip);
    if (address.space !== pool.family)
      throw new IpamError(
        'usage',
        `Cannot add a range at ${shown(request.ip)} to pool ${shown(pool.name)}: it is not an ${pool.family} address`,
      );
    placed = placeUnmanaged(book, pool, address.value, request.size, now, request.owner);
  } else {
    placed = carveUnmanaged(
      book,
      config,
      pool,
      request.size,
      now,
      request.owner === undefined ? {} : { owner: request.owner },
    );
  }
  const { range } = placed;
  const addresses = spanText(range, { first: 0n, last: range.size - 1n });
  return {
    book: placed.book,
    result: {
      range: range.id,
      pool: pool.name,
      addresses,
      size: range.size,
      ...(request.owner === undefined ? {} : { owner: request.owner }),
      ...hostSettings(range, config, pool),
    },
    audit: [{ range: range.id, addresses, ...(request.owner === undefined ? {} : { owner: request.owner }) }],
  };
}
