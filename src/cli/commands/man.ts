/** `nebula-ipam man`: the man page nebula-ipam(1), made from the command table. */
import { commandTable } from '../command-table.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { exitCodeHelp } from '../exit-code-help.ts';
import { manPage } from '../man-page.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';

export const manCommand: Command = {
  name: 'man',
  summary: "print the man page nebula-ipam(1) (roff), made from every command's --help",
  usage: `Usage: nebula-ipam man

Prints nebula-ipam(1) in roff: the global options and every command's --help. Read it with
  nebula-ipam man | man -l -
\`install --system-files\` puts it in place as /usr/share/man/man1/nebula-ipam.1.

${exitCodeHelp([
  [0, 'printed'],
  [2, 'bad argument'],
])}`,
  async run(args, context) {
    parseCommandArgs('man', args, {}, { min: 0, max: 0, names: '' });
    const { commands, help, version } = commandTable();
    context.stdout(manPage(commands, version, help));
    return EXIT_CODES.ok;
  },
};
