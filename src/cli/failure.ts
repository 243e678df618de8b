/**
 * A failure of a CLI command as the operator sees it: one line for stderr and the exit code from
 * the one table in `exit-codes.ts`. Pure, so every command fails the same way.
 */
import { IpamError } from '../errors.ts';
import { EXIT_CODES } from '../exit-codes.ts';

export interface Failure {
  readonly code: number;
  /** One line, without its newline. */
  readonly line: string;
}

export function failureOf(error: unknown): Failure {
  const known = error instanceof IpamError
    ? error
    : new IpamError('internal', `Cannot complete the command: unexpected ${(error as Error)?.stack?.split('\n', 2).join(' ') ?? String(error)}`);
  return { code: EXIT_CODES[known.kind], line: known.message.replace(/[\r\n]+/g, ' ') };
}
