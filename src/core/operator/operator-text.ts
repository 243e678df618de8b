/** Owner and note texts an operator attaches to leases and ranges. */
import { IpamError, shown } from '../errors.ts';

const MAX_LENGTH = 200;

/**
 * A trimmed, single-line, bounded text: it is printed in tables, logged as one JSON line, and
 * matched exactly by `release --owner`, so invisible differences would be traps.
 */
export function operatorText(value: string, what: 'owner' | 'note' | 'reason'): string {
  const problem = operatorTextProblem(value);
  if (problem) throw new IpamError('usage', `Cannot use --${what} ${shown(value)}: it ${problem}`);
  return value.trim();
}

/** Why `value` cannot be an owner or note ("is empty", ...), or undefined when it can. */
export function operatorTextProblem(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return 'is empty';
  if (/[\u0000-\u001f\u007f]/.test(text)) return 'contains a line break or control character';
  if (text.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  return undefined;
}
