/**
 * "Did you mean …": the nearest of the known words to a mistyped one, by edit distance. Pure;
 * used for commands, options, pool names and owners, so a typo gets the same help everywhere.
 */

/** Levenshtein distance (insert, delete, substitute, each 1), case-sensitive. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The closest candidate, when it is close enough to be a typo: within a third of the longer
 * word (at least 1, at most 3 edits), or the typed word is a prefix of exactly one candidate.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (word === '' || candidates.includes(word)) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Distance 0 here is a difference of case only (the exact word was ruled out above): a typo too.
  if (
    best !== undefined &&
    bestDistance <= Math.min(3, Math.max(1, Math.floor(Math.max(word.length, best.length) / 3)))
  )
    return best;
  const prefixed = candidates.filter((c) => c.startsWith(word));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** `; did you mean "x"?` for an error line, or nothing. */
export function didYouMean(
  word: string,
  candidates: readonly string[],
  quote: (s: string) => string = (s) => JSON.stringify(s),
): string {
  const match = nearest(word, candidates);
  return match === undefined ? '' : `; did you mean ${quote(match)}?`;
}
