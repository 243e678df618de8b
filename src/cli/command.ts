/**
 * What a CLI command is: a name, a one-line summary for `nebula-ipam help`, its full `--help`
 * text, and `run`, which gets the arguments after the command name (global options already
 * taken out) and returns an exit code from `core/exit-codes.ts`. Failures are thrown as `IpamError`;
 * `run-cli.ts` turns them into one stderr line and the table's exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { IpamError, shown } from '../core/errors.ts';
import type { CliContext } from './context.ts';
import { didYouMean } from '../core/did-you-mean.ts';

/** The global options (run-cli.ts), offered too when a command's option is mistyped. */
export const GLOBAL_OPTION_NAMES = [
  '--config',
  '--store',
  '--driver',
  '--json',
  '--help',
  '--wide',
  '--verbose',
  '--version',
];

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The whole `--help` text, ending in a newline. */
  readonly usage: string;
  /**
   * False when the command's output names the lease book itself (status, verify, ...) or is read
   * by a program (metrics from cron, completion while typing): then the runner does not add its
   * one "Lease book ..." line (issue 15 item 2). Default: the runner names the book once.
   */
  readonly namesBookOnStderr?: false;
  /** True when the command takes --all-drivers (all-drivers.ts): then no driver is picked for it. */
  readonly allDrivers?: true;
  run(args: readonly string[], context: CliContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The command's own options and positionals, strictly: an unknown option or a missing value is
 * a usage error naming the command, not a silent default.
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  positionals: { min: number; max: number; names: string },
) {
  checkOptions(command, args, options);
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch {
    // checkOptions has judged every option; what is left is a shape parseArgs alone refuses.
    throw usageError(command, `cannot read the arguments ${shown(args.join(' '))}`);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw usageError(command, `missing ${positionals.names}`);
  if (count > positionals.max)
    throw usageError(command, `unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`);
  return parsed;
}

/**
 * Every option judged in our own words (node's parser speaks its own): unknown ones with the
 * nearest known name, a value missing or given where none is taken.
 */
function checkOptions(command: string, args: readonly string[], options: Options): void {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  const known = Object.keys(options).map((name) => `--${name}`);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (spec === undefined) {
      throw usageError(
        command,
        `unknown option ${shown(token.rawName)}${didYouMean(token.rawName, [...known, ...GLOBAL_OPTION_NAMES], (s) => s)}`,
      );
    }
    if (spec.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))))
      throw usageError(command, `${token.rawName} needs a value`);
    if (spec.type === 'boolean' && token.value !== undefined)
      throw usageError(command, `${token.rawName} takes no value (got ${shown(token.value)})`);
  }
}

export function usageError(command: string, why: string): IpamError {
  return new IpamError('usage', `Cannot run ${command}: ${why} (see nebula-ipam ${command} --help)`);
}
