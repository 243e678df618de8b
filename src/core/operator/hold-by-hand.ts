/**
 * `nebula-ipam hold add|release`: the operator holds an address by hand, or releases a hold
 * (one a sync pass recorded or one made by hand). Pure decisions over the book.
 */
import { prefixInterval } from '../address/prefix.ts';
import type { Book } from '../book/book.ts';
import { holdAt, recordHolds, releaseHold, type Hold } from '../book/holds.ts';
import type { Change } from '../change.ts';
import type { Config } from '../config/config.ts';
import { IpamError, shown } from '../errors.ts';
import { covers } from '../intervals/interval.ts';
import { parseAddress } from './locate-address.ts';

function ipOf(text: string, cannot: string) {
  const address = parseAddress(text);
  if (address.space === 'mac')
    throw new IpamError('usage', `${cannot} ${address.text}: a hold is on an IP address, not a MAC`);
  return { family: address.space, value: address.value, text: address.text };
}

export function holdByHand(book: Book, config: Config, ip: string, reason: string, now: string): Change<Hold> {
  const address = ipOf(ip, 'Cannot hold');
  const point = { first: address.value, last: address.value };
  const pool = config.pools.find((p) => p.family === address.family && covers(prefixInterval(p.network), point));
  if (!pool) throw new IpamError('not-found', `Cannot hold ${address.text}: it is inside no pool of ${config.source}`);
  const before = holdAt(book, address.family, address.value);
  if (before)
    throw new IpamError(
      'conflict',
      `Cannot hold ${address.text}: it is held already: ${before.reason} (${before.source}, since ${before.firstSeen})`,
    );
  const next = recordHolds(book, [
    { family: address.family, address: address.value, pool: pool.name, source: 'operator', reason, seenAt: now },
  ]);
  const hold = holdAt(next, address.family, address.value)!;
  return { book: next, result: hold, audit: [{ addresses: address.text, detail: `held: ${reason}` }] };
}

export function releaseHoldAt(book: Book, ip: string): Change<Hold> {
  const address = ipOf(ip, 'Cannot release the hold on');
  const { book: next, released } = releaseHold(book, address.family, address.value);
  if (!released)
    throw new IpamError('not-found', `Cannot release the hold on ${address.text}: no hold is there (\`hold list\`)`);
  return {
    book: next,
    result: released,
    audit: [{ addresses: address.text, detail: `hold released: ${shown(released.reason)}` }],
  };
}
