/** Owner and note texts an operator attaches to leases and ranges. */
import { IpamError, shown } from '../errors.ts';

const MAX_LENGTH = 200;

/**
 * A trimmed, single-line, bounded text: it is printed in tables, logged as one JSON line, and
 * matched exactly by `release --owner`, so invisible differences would be traps.
 */
export function operatorText(value: string, what: 'owner' | 'note'): string {
  const text = value.trim();
  if (text === '') throw new IpamError('usage', `Cannot use --${what} ${shown(value)}: it is empty`);
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new IpamError('usage', `Cannot use --${what} ${shown(value)}: it contains a line break or control character`);
  if (text.length > MAX_LENGTH)
    throw new IpamError('usage', `Cannot use --${what} ${shown(value)}: it is longer than ${MAX_LENGTH} characters`);
  return text;
}
