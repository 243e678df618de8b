/**
 * What `restore` writes: the previous generation, but with a range-id counter that never goes
 * back. An id handed out after the previous generation may still sit in an AR in oned; if the
 * restored counter handed it out again, the next register would get that id (and, carved from
 * the same free space, the same subnet), and the old AR would then lease from the new range and
 * unregister it with its leases.
 *
 * Ids are handed out in order (`r1`, `r2`, ...) and only by the counter, so the counter of the
 * book being replaced already covers every id that book ever handed out, including those of
 * ranges it has since dropped: keeping the larger counter is enough, no list of dead ids needed.
 * When the book being replaced no longer decodes (restore is the repair for that), its text
 * still says what it handed out: its `nextRangeId` and the counted ids it names are read from
 * the raw text, as a floor.
 */
import type { Book } from './book.ts';

export function restoredBook(current: Book | undefined, previous: Book, unreadableText?: string): Book {
  const floor = unreadableText === undefined ? 0 : rangeIdFloor(unreadableText);
  const nextRangeId = Math.max(previous.nextRangeId, current?.nextRangeId ?? 0, floor);
  return nextRangeId === previous.nextRangeId ? previous : { ...previous, nextRangeId };
}

/**
 * The lowest counter that hands out no id the text of a (possibly damaged) book mentions: above
 * its `nextRangeId` and above every `"id":"rN"` in it. Whatever does not parse is ignored.
 */
export function rangeIdFloor(text: string): number {
  let floor = 0;
  const raise = (digits: string | undefined) => {
    const n = Number(digits);
    if (Number.isSafeInteger(n)) floor = Math.max(floor, n);
  };
  for (const m of text.matchAll(/"nextRangeId"\s*:\s*([0-9]{1,15})/g)) raise(m[1]);
  for (const m of text.matchAll(/"id"\s*:\s*"r([1-9][0-9]{0,14})"/g)) raise(String(Number(m[1]) + 1));
  return floor;
}
