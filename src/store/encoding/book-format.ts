/**
 * The book's format version: which release's layout wrote it. Every release reads the books of
 * older formats; it reads a book of a newer format too (a newer release may only add fields,
 * which are kept as they were read: `unknownFields` on the book and on each range), but it never
 * rewrites one: a field it does not know may matter to the release that wrote it (0.1.0, which
 * recorded no format, dropped the range cursor `next` and `driver` it did not know, undoing
 * "a freed address is reused last" and reconcile's attribution).
 *
 * Format 1: what 0.1.0 wrote (no `format` key). Format 2 (0.2.0): `format` recorded; unknown
 * fields of the book and of its ranges kept on write. `holds` (hold-entries.ts) came after 0.2.0
 * within format 2: 0.2.0 keeps them as an unknown field, and hands held addresses out (README:
 * Upgrading), which is why the format did not change (a new format would stop 0.2.0's writes).
 */
import { IpamError } from '../../core/errors.ts';
import type { Book } from '../../core/book/book.ts';

export const BOOK_FORMAT = 2;

/** The book's fields this release knows at the top level; any other is kept in `unknownFields`. */
export const KNOWN_BOOK_KEYS: ReadonlySet<string> = new Set([
  'schema',
  'format',
  'generation',
  'nextRangeId',
  'holds',
  'vms',
  'ranges',
]);

/** Throws unless this release may write `book` over the one it was read from. */
export function checkWritable(book: Book, location: string): void {
  if (book.newerFormat === undefined) return;
  throw new IpamError(
    'store-corrupt',
    `Cannot change the lease book ${location}: a newer nebula-ipam wrote it (book format ${book.newerFormat}; this release writes format ${BOOK_FORMAT} and would drop what it does not know); it was left untouched: upgrade nebula-ipam here (README: Upgrading)`,
    { subject: location, reason: `book format ${book.newerFormat} is newer than ${BOOK_FORMAT}` },
  );
}

/** The `format` key as read: absent means 1; undefined when it is not a format number. */
export function readFormat(value: unknown): number | undefined {
  if (value === undefined) return 1;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

/** The members of `o` whose keys are not in `known`, or undefined when there are none. */
export function unknownFieldsOf(
  o: Readonly<Record<string, unknown>>,
  known: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  let unknown: Record<string, unknown> | undefined;
  // for-in, not Object.keys: no array made per range of a big book.
  for (const key in o) {
    if (!Object.hasOwn(o, key) || known.has(key)) continue;
    unknown ??= {};
    // defineProperty: a key "__proto__" stays a field, as JSON.parse made it.
    Object.defineProperty(unknown, key, { value: o[key], enumerable: true, writable: true, configurable: true });
  }
  return unknown;
}
