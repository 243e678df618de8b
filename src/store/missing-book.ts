/**
 * A book is made on purpose (`nebula-ipam init`, or `install`), never by the first write that
 * finds none: a config moved away or a typo in a path would otherwise start a second, empty book
 * and hand out addresses the real one has leased. Every backend refuses a missing book with this
 * one line, naming where it looked and what chose that place.
 */
import { IpamError } from '../core/errors.ts';
import type { StoreDescription } from './store.ts';

export function missingBook(description: StoreDescription): IpamError {
  const reason = 'there is no lease book there';
  const origin = description.origin === undefined ? '' : ` (${description.origin})`;
  return new IpamError(
    'not-found',
    `Cannot use the lease book ${description.location}: ${reason}${origin}; nothing was changed. If that is the right place, create the book on purpose with \`nebula-ipam init\`; otherwise fix the setting`,
    { subject: description.location, reason },
  );
}
