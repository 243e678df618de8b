/**
 * The operator CLI: `nebula-ipam [global options] <command> [options]`. Global options may stand
 * anywhere on the line; they are taken out here and the rest goes to the command, which parses
 * its own options strictly. Every failure is one stderr line and an exit code from the table.
 */
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { parseArgs } from 'node:util';
import { ACTION_NAMES } from '../core/actions/action.ts';
import type { Ipamrc } from '../config/ipamrc.ts';
import { DEFAULT_DRIVER_NAME, DRIVER_NAME, defaultPaths, type Env } from '../config/paths.ts';
import { ipamrcOf } from '../config/book-sources.ts';
import { EXIT_CODES } from '../core/exit-codes.ts';
import { IpamError } from '../core/errors.ts';
import { findInstalledDrivers } from '../install/find-drivers.ts';
import { COMMANDS, commandNamed } from './commands/index.ts';
import { registerCommandTable } from './command-table.ts';
import { createContext, currentUser, type CliIo, type GlobalOptions } from './context.ts';
import { didYouMean } from '../core/did-you-mean.ts';
import { failureOf } from '../core/failure.ts';
import { NO_GUARD } from '../interrupts/interrupt-guard.ts';
import { pickDriver } from './pick-driver.ts';
import { tableWidth } from './render/terminal-width.ts';

/** Commands (with these arguments) that never touch a book, so need no driver picked. */
function bookless(command: string, args: readonly string[]): boolean {
  const completing = command === 'completion' && args[0] !== 'pools' && args[0] !== 'ranges';
  return command === 'install' || command === 'uninstall' || completing;
}

declare const NEBULA_IPAM_VERSION: string | undefined;
/** Set by build.mjs from package.json; running from source (tests) says so. */
export const VERSION = typeof NEBULA_IPAM_VERSION === 'string' ? NEBULA_IPAM_VERSION : '0.0.0-source';

const GLOBAL_OPTIONS = {
  config: { type: 'string' },
  store: { type: 'string' },
  driver: { type: 'string' },
  json: { type: 'boolean' },
  wide: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export function usage(): string {
  const width = Math.max(7, ...COMMANDS.map((c) => c.name.length));
  const lines = [
    ...COMMANDS,
    { name: 'help', summary: 'this text, or `help <command>` for one command' },
    { name: 'version', summary: 'print the version' },
  ].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: nebula-ipam [global options] <command> [options]

nebula-ipam is an IPAM driver for OpenNebula. Installed as the five action scripts
(${ACTION_NAMES.join(', ')})
in /var/lib/one/remotes/ipam/<name>/, it serves oned. Under its own name it is this
operator command, working on the same lease book under the same lock.

Commands:
${lines.join('\n')}

Global options (anywhere on the line):
  --config FILE   config file (default: $NEBULA_IPAM_CONFIG, else NEBULA_IPAM_CONFIG in
                  /etc/one/ipam/ipamrc, else /etc/one/nebula-ipam/<driver>.json)
  --store FILE    lease book (default: $NEBULA_IPAM_STORE, else NEBULA_IPAM_STORE in ipamrc,
                  else the config's "store" or "backend",
                  else /var/lib/one/nebula-ipam/<driver>/leases.json)
                  With ONE_LOCATION set, the defaults are under $ONE_LOCATION/etc and /var.
  --driver NAME   the driver name (IPAM_MAD) that keys the default paths (default ${DEFAULT_DRIVER_NAME})
  --json          print one JSON document instead of text (commands that print data)
  --wide          tables at full width (on a terminal they are fitted to its width,
                  long text cut with an ellipsis; piped output is never cut)
  --verbose       say on stderr which driver was picked when --driver is not given
  --version       print the version (\`nebula-ipam version --json\` for a document)
  -h, --help      help for nebula-ipam, or for the command given

Exit codes: 0 ok; 1 internal error or findings; 2 usage; 3 bad request; 4 config;
5 conflict or not found; 6 lease book locked; 7 lease book corrupt; 8 lease book I/O;
255 no free address; 130/143 SIGINT/SIGTERM (nothing written, or a write already
committing finished and reported first).

Run \`nebula-ipam <command> --help\` for a command's options.
`;
}

export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { globals, rest, help, version } = splitGlobalOptions(args);
    const [name, ...commandArgs] = rest;
    if (version || name === 'version') {
      if (name === 'version' && commandArgs.length)
        throw new IpamError(
          'usage',
          `Cannot run version: unexpected argument ${JSON.stringify(commandArgs[0])} (see nebula-ipam help)`,
        );
      io.stdout(
        globals.json
          ? `${JSON.stringify({ name: 'nebula-ipam', version: VERSION, node: process.versions.node })}\n`
          : `nebula-ipam ${VERSION}\n`,
      );
      return EXIT_CODES.ok;
    }
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? commandArgs[0] : undefined;
      if (topic !== undefined) {
        const command = commandNamed(topic);
        if (!command)
          throw new IpamError(
            'usage',
            `Cannot show help for ${JSON.stringify(topic)}: not a nebula-ipam command${didYouMean(topic, COMMAND_NAMES)} (see nebula-ipam help)`,
          );
        io.stdout(command.usage);
        return EXIT_CODES.ok;
      }
      // Bare `nebula-ipam` is a usage error: a script that forgot its command must not pass.
      (name === undefined && !help ? io.stderr : io.stdout)(usage());
      return name === undefined && !help ? EXIT_CODES.usage : EXIT_CODES.ok;
    }
    if (name.startsWith('-'))
      throw new IpamError(
        'usage',
        `Cannot run nebula-ipam: unknown option ${JSON.stringify(name)}${didYouMean(
          name,
          Object.keys(GLOBAL_OPTIONS).map((o) => `--${o}`),
          (o) => o,
        )} (see nebula-ipam help)`,
      );
    const command = commandNamed(name);
    if (!command)
      throw new IpamError(
        'usage',
        `Cannot run ${JSON.stringify(name)}: not a nebula-ipam command${didYouMean(name, COMMAND_NAMES)} (see nebula-ipam help)`,
      );
    if (help) {
      io.stdout(command.usage);
      return EXIT_CODES.ok;
    }
    const env = io.env ?? process.env;
    const stdoutIsTty = io.stdoutIsTty ?? isatty(1);
    const width = tableWidth({ wide: globals.wide === true, stdoutIsTty, ttyColumns: process.stdout.columns, env });
    const readRc = ipamrcOf(env);
    // --all-drivers: the command reads each installed driver's books, so none is picked here.
    const allDrivers = command.allDrivers === true && commandArgs.includes('--all-drivers');
    if (allDrivers && globals.driverGiven)
      throw new IpamError('usage', `Cannot run ${command.name}: give --driver or --all-drivers, not both`);
    const picks = !bookless(command.name, commandArgs) && !allDrivers;
    const options = {
      ...(picks ? withDriver(globals, env, readRc, command.allDrivers === true) : globals),
      ...(width === undefined ? {} : { width }),
      ipamrc: readRc,
    };
    // With one driver installed there is nothing to choose: the books are oned's, and a failure
    // about their default place says "picked as the one installed in" already (README: Global options, --verbose).
    if (options.driverFoundIn !== undefined && globals.verbose && !options.json)
      io.stderr(
        `Using driver "${options.driver}", the one installed in ${options.driverFoundIn} (--driver picks another)\n`,
      );
    const context = createContext(
      options,
      {
        stdout: io.stdout,
        stderr: io.stderr,
        env,
        stdoutIsTty,
        now: io.now ?? (() => new Date()),
        selfPath: io.selfPath ?? selfPath(),
        interrupts: io.interrupts ?? NO_GUARD,
      },
      currentUser(env),
    );
    const code = await command.run(commandArgs, context);
    // One line naming the book the command used, so a person never wonders which book that was;
    // only after the command did its work (0, or 1 for findings it reported): a failure's one
    // stderr line is the failure (a failed sync pass said "Cannot sync target ...").
    const used = context.bookUsed();
    const didItsWork = code === EXIT_CODES.ok || code === EXIT_CODES.findings;
    if (used && didItsWork && !context.json && command.namesBookOnStderr !== false)
      io.stderr(`Lease book ${used.location} (${used.setting})\n`);
    return code;
  } catch (error) {
    const failure = failureOf(error);
    io.stderr(`${failure.line}\n`);
    return failure.code;
  }
}

const COMMAND_NAMES = [...COMMANDS.map((c) => c.name), 'help', 'version'];

/**
 * Without --driver, the driver installed on this front-end, when there is exactly one; none at
 * all, or books named outright (store and config both given), keep the default.
 */
function withDriver(
  globals: GlobalOptions & { driverGiven?: boolean },
  env: Env,
  ipamrc: () => Ipamrc,
  allDrivers: boolean,
): GlobalOptions {
  if (globals.driverGiven) return globals;
  const set = (value: string | undefined) => value !== undefined && value !== '';
  const explicit = (flag: string | undefined, variable: string) =>
    flag !== undefined || set(env[variable]) || set(ipamrc().vars[variable]);
  if (explicit(globals.store, 'NEBULA_IPAM_STORE') && explicit(globals.config, 'NEBULA_IPAM_CONFIG')) return globals;
  const remotes = defaultPaths(env).remotesIpam;
  const choice = pickDriver(undefined, findInstalledDrivers(remotes), remotes, allDrivers);
  return choice.how === 'found' ? { ...globals, driver: choice.name, driverFoundIn: choice.remotes } : globals;
}

/**
 * Takes the global options out of `args` wherever they stand, leaving the command and its own
 * arguments in order. Unknown options are left for the command to judge.
 */
export function splitGlobalOptions(args: readonly string[]): {
  globals: GlobalOptions & { driverGiven: boolean; verbose: boolean };
  rest: string[];
  help: boolean;
  version: boolean;
} {
  const { tokens } = parseArgs({
    args: [...args],
    options: GLOBAL_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const taken = new Set<number>();
  const values: Record<string, string | boolean> = {};
  for (const token of tokens) {
    if (token.kind !== 'option' || !(token.name in GLOBAL_OPTIONS)) continue;
    const spec = GLOBAL_OPTIONS[token.name as keyof typeof GLOBAL_OPTIONS];
    taken.add(token.index);
    if (spec.type === 'string') {
      if (token.value === undefined)
        throw new IpamError('usage', `Cannot run nebula-ipam: ${token.rawName} needs a value`);
      if (!token.inlineValue) taken.add(token.index + 1);
      values[token.name] = token.value;
    } else {
      if (token.value !== undefined)
        throw new IpamError('usage', `Cannot run nebula-ipam: ${token.rawName} takes no value`);
      values[token.name] = true;
    }
  }
  const driver = typeof values.driver === 'string' ? values.driver : DEFAULT_DRIVER_NAME;
  if (!DRIVER_NAME.test(driver))
    throw new IpamError(
      'usage',
      `Cannot use --driver ${JSON.stringify(driver)}: a driver name is 1-64 letters, digits, '_', '.' or '-'`,
    );
  const globals = {
    driver,
    driverGiven: typeof values.driver === 'string',
    verbose: values.verbose === true,
    json: values.json === true,
    ...(values.wide === true ? { wide: true } : {}),
    ...(typeof values.config === 'string' ? { config: values.config } : {}),
    ...(typeof values.store === 'string' ? { store: values.store } : {}),
  };
  return {
    globals,
    rest: args.filter((_, i) => !taken.has(i)),
    help: values.help === true,
    version: values.version === true,
  };
}

function selfPath(): string {
  const invoked = process.argv[1] ?? '';
  try {
    return fs.realpathSync(invoked);
  } catch {
    return invoked;
  }
}

registerCommandTable({
  commands: COMMANDS,
  get help() {
    return usage();
  },
  version: VERSION,
});
