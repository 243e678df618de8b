/** `nebula-ipam completion bash`: shell completion made from the command table. */
import { defaultPaths } from '../../config/paths.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { findInstalledDrivers } from '../../install/find-drivers.ts';
import { GLOBAL_OPTION_NAMES, parseCommandArgs, usageError, type Command } from '../command.ts';
import { bashCompletion } from '../completion-script.ts';
import { exitCodeHelp } from '../exit-code-help.ts';

/** Set by index.ts, which holds the table this command describes (a direct import would be a cycle). */
let table: readonly Command[] = [];
export function completeCommands(commands: readonly Command[]): void {
  table = commands;
}

export const completionCommand: Command = {
  name: 'completion',
  summary: 'shell completion script (bash)',
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam completion bash
       nebula-ipam completion pools
       nebula-ipam completion ranges
       nebula-ipam completion drivers

completion bash prints a bash completion script: commands, their options, pool names
after --pool and range ids after --range and show (asked of \`nebula-ipam completion
pools|ranges\` as you type, with the line's --driver/--config/--store, so they follow the
config and book, of the driver the CLI picks), opennebula/operator after --holder, the
installed drivers after --driver, and the values an option's Usage line lists (export
--format json|csv). Install it with
  nebula-ipam completion bash > /etc/bash_completion.d/nebula-ipam
or add \`source <(nebula-ipam completion bash)\` to ~/.bashrc.

completion pools prints the config's pool names, one a line; completion ranges the book's
range ids; completion drivers the nebula-ipam drivers installed here.

${exitCodeHelp([
  [0, 'printed'],
  [2, 'bad argument'],
  [4, '(pools) the config is missing (when named), unreadable or invalid'],
])}`,
  async run(args, context) {
    const { positionals } = parseCommandArgs(
      'completion',
      args,
      {},
      { min: 1, max: 1, names: 'the shell (bash), pools, ranges or drivers' },
    );
    const what = positionals[0]!;
    if (what === 'bash') context.stdout(bashCompletion(table, GLOBAL_OPTION_NAMES));
    else if (what === 'pools')
      context.stdout(
        context
          .config()
          .pools.map((p) => `${p.name}\n`)
          .join(''),
      );
    else if (what === 'ranges') {
      const book = await context.store().read();
      context.stdout(book.ranges.map((r) => `${r.id}\n`).join(''));
    } else if (what === 'drivers')
      context.stdout(
        findInstalledDrivers(defaultPaths(context.env).remotesIpam)
          .map((name) => `${name}\n`)
          .join(''),
      );
    else
      throw usageError(
        'completion',
        `${JSON.stringify(what)} is not a supported shell (bash), nor pools, ranges or drivers`,
      );
    return EXIT_CODES.ok;
  },
};
