/**
 * What `restore` writes: the previous generation, but with a range-id counter that never goes
 * back. An id handed out after the previous generation may still sit in an AR in oned; if the
 * restored counter handed it out again, that AR would act on somebody else's range.
 */
import type { Book } from './book.ts';

export function restoredBook(current: Book | undefined, previous: Book): Book {
  return { ...previous, nextRangeId: Math.max(previous.nextRangeId, current?.nextRangeId ?? 0) };
}
