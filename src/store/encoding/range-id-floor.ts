/**
 * Range ids against the counter that hands them out: a book holding an id the counter would hand
 * out again is refused, and restore keeps its counter above every id a book's text names, even
 * when the book no longer decodes, so no id handed out before comes back
 * (core/operator/restored-book.ts). For every backend (the file's text, etcd's heads).
 */

const COUNTER_ID = /^r[1-9][0-9]*$/;

/** True for an id of the counter's (r1, r2, ...) that it has not handed out yet: it would hand it out twice. */
export function idAtOrAboveCounter(id: string, nextRangeId: number): boolean {
  return COUNTER_ID.test(id) && Number(id.slice(1)) >= nextRangeId;
}

/** A range id in a book file: `"id":"rN"`. */
const ID_FIELD = /"id"\s*:\s*"r([1-9][0-9]{0,14})"/g;

/**
 * The lowest counter that hands out no id the text of a (possibly damaged) book mentions: above
 * its `nextRangeId` and above every id `ids` finds in it (its group: the number). Whatever does
 * not parse is ignored.
 */
export function rangeIdFloor(text: string, ids: RegExp = ID_FIELD): number {
  let floor = 0;
  const raise = (n: number) => {
    if (Number.isSafeInteger(n)) floor = Math.max(floor, n);
  };
  for (const m of text.matchAll(/"nextRangeId"\s*:\s*([0-9]{1,15})/g)) raise(Number(m[1]));
  for (const m of text.matchAll(ids)) raise(Number(m[1]) + 1);
  return floor;
}
