/**
 * A failure as oned or the operator sees it: one line for stderr and the exit code from the one
 * table in `core/exit-codes.ts`. Pure, so every action and every command fails the same way. The line
 * never starts with ERROR: or INFO: (oned 7 would file it as a log line, not the message) and
 * never breaks (oned glues stderr lines together).
 *
 * What oned makes of stderr depends on its release (docs/oned-contract.md 1): OpenNebula 5 shows
 * only what stands between two marker lines (and "-" without them); 6.6 to 6.10 show all of
 * stderr with newlines turned into spaces; 7.0 and later glue the stripped lines with no
 * separator. No one text reads as the same line on both sides, so `stderrText` writes the
 * markers only for an oned that reads them.
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
  const known =
    error instanceof IpamError
      ? error
      : new IpamError(
          'internal',
          `Cannot complete ${what}: unexpected ${(error as Error)?.stack?.split('\n', 2).join(' ') ?? String(error)}`,
        );
  return { code: EXIT_CODES[known.kind], line: known.message.replace(/[\r\n]+/g, ' ') };
}

/** The markers OpenNebula 5's CommandManager.rb looks for (ERROR_OPEN, ERROR_CLOSE). */
export const ERROR_OPEN = 'ERROR MESSAGE --8<------';
export const ERROR_CLOSE = 'ERROR MESSAGE ------>8--';

/**
 * What goes to stderr for a failure: the line alone, or (`markers`, for OpenNebula 5) the line
 * between the markers, which 5's `get_error_message` scans for (`^OPEN\n(.*?)CLOSE$`) and strips.
 */
export function stderrText(failure: Failure, markers: boolean): string {
  return markers ? `${ERROR_OPEN}\n${failure.line}\n${ERROR_CLOSE}\n` : `${failure.line}\n`;
}
