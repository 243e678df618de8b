/**
 * Owners the book knows: a mistyped `--owner` gets the nearest real one (a mistyped pool gets
 * the same from `requirePool`, core/config/config.ts).
 */
import type { Book } from '../core/book/book.ts';
import { IpamError } from '../core/errors.ts';
import { didYouMean } from '../core/did-you-mean.ts';

/** The same failure, with the nearest operator lease owner of the book suggested when there is one. */
export function withOwnerHint(error: unknown, owner: string, book: Book): unknown {
  if (!(error instanceof IpamError) || error.kind !== 'not-found') return error;
  const owners = new Set(book.ranges.flatMap((r) => r.leases.flatMap((l) => (l.owner === undefined ? [] : [l.owner]))));
  const hint = didYouMean(owner, [...owners]);
  return hint ? new IpamError(error.kind, `${error.message}${hint}`, error.facts) : error;
}
