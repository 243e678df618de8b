/**
 * What a CLI command is: a name, a one-line summary for `nebula-ipam help`, its full `--help`
 * text, and `run`, which gets the arguments after the command name (global options already
 * taken out) and returns an exit code from `exit-codes.ts`. Failures are thrown as `IpamError`;
 * `run-cli.ts` turns them into one stderr line and the table's exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { IpamError } from '../errors.ts';
import type { CliContext } from './context.ts';

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The whole `--help` text, ending in a newline. */
  readonly usage: string;
  run(args: readonly string[], context: CliContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The command's own options and positionals, strictly: an unknown option or a missing value is
 * a usage error naming the command, not a silent default.
 */
export function parseCommandArgs<O extends Options>(command: string, args: readonly string[], options: O, positionals: { min: number; max: number; names: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(command, (error as Error).message.split('\n', 1)[0] ?? 'bad arguments');
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw usageError(command, `missing ${positionals.names}`);
  if (count > positionals.max) throw usageError(command, `unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`);
  return parsed;
}

export function usageError(command: string, why: string): IpamError {
  return new IpamError('usage', `Cannot run ${command}: ${why} (see nebula-ipam ${command} --help)`);
}
