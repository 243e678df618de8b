/**
 * The range ids a book's text names, even when the book no longer decodes: restore keeps its
 * counter above them, so no id handed out before comes back (core/operator/restored-book.ts).
 */
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
