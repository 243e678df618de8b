/**
 * Names the operator types that the config or the book defines (pools, owners): a typo is
 * refused before anything is locked, with the nearest real name.
 */
import type { Book } from '../core/book/book.ts';
import type { Config } from '../config/config.ts';
import { IpamError, shown } from '../core/errors.ts';
import { didYouMean } from '../core/did-you-mean.ts';

/** `doing`: e.g. "lease from", "add a range to". */
export function checkPoolName(doing: string, pool: string, config: Config): void {
  const names = config.pools.map((p) => p.name);
  if (names.includes(pool)) return;
  const known = names.length ? names.join(', ') : 'none';
  throw new IpamError(
    'not-found',
    `Cannot ${doing} pool ${shown(pool)}: it is not a pool of ${config.source}${didYouMean(pool, names)} (pools: ${known})`,
  );
}

/** Every operator lease owner in the book, once each. */
export function ownersIn(book: Book): string[] {
  const owners = new Set<string>();
  for (const range of book.ranges)
    for (const lease of range.leases) if (lease.owner !== undefined) owners.add(lease.owner);
  return [...owners];
}

/** The same failure, with the nearest owner suggested when there is one. */
export function withOwnerHint(error: unknown, owner: string, book: Book): unknown {
  if (!(error instanceof IpamError) || error.kind !== 'not-found') return error;
  const hint = didYouMean(owner, ownersIn(book));
  return hint ? new IpamError(error.kind, `${error.message}${hint}`, error.facts) : error;
}
