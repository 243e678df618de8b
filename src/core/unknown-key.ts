/** A config key that is not one: the near one when it looks like a typo, else the known ones. */
import { didYouMean } from './did-you-mean.ts';

/** `is not a known key; did you mean "lockTimeoutMs"?`, or the list of known keys when nothing is near. */
export function unknownKey(key: string, known: Iterable<string>): string {
  const keys = [...known];
  const near = didYouMean(key, keys);
  return near === '' ? `is not a known key (known: ${keys.join(', ')})` : `is not a known key${near}`;
}
