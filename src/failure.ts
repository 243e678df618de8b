/**
 * A failure as oned or the operator sees it: one line for stderr and the exit code from the one
 * table in `exit-codes.ts`. Pure, so every action and every command fails the same way. The line
 * never starts with ERROR: or INFO: (oned 7 would file it as a log line, not the message) and
 * never breaks (oned glues stderr lines together).
 */
import { IpamError } from './errors.ts';
import { EXIT_CODES } from './exit-codes.ts';

export interface Failure {
  readonly code: number;
  /** One line, without its newline. */
  readonly line: string;
}

/** `what`: what failed, for an unexpected error ("the action", "the command"). */
export function failureOf(error: unknown, what = 'the command'): Failure {
  const known = error instanceof IpamError ? error : new IpamError('internal', `Cannot complete ${what}: unexpected ${(error as Error)?.stack?.split('\n', 2).join(' ') ?? String(error)}`);
  return { code: EXIT_CODES[known.kind], line: known.message.replace(/[\r\n]+/g, ' ') };
}
