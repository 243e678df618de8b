/** The operator CLI: `nebula-ipam <command>`. Until the commands land, usage and version. */
import { EXIT_CODES } from '../exit-codes.ts';
import { ACTION_NAMES } from '../actions/action.ts';

export const VERSION = '0.1.0';

export const USAGE = `Usage: nebula-ipam <command> [options]

nebula-ipam is an IPAM driver for OpenNebula. Installed as the five action scripts
(${ACTION_NAMES.join(', ')}) in /var/lib/one/remotes/ipam/<name>/,
it serves oned. Under its own name it is this operator command.

Commands:
  help          this text
  version       print the version

Environment:
  NEBULA_IPAM_CONFIG   config file (default /etc/one/nebula-ipam/<name>.json)
  NEBULA_IPAM_STORE    lease book (default /var/lib/one/nebula-ipam/<name>/leases.json)
`;

export async function runCli(args: readonly string[], io: { stdout: (t: string) => void; stderr: (t: string) => void }): Promise<number> {
  const [command] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? io.stderr : io.stdout)(USAGE);
    return command === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (command === 'version' || command === '--version') {
    io.stdout(`nebula-ipam ${VERSION}\n`);
    return EXIT_CODES.ok;
  }
  io.stderr(`Cannot run ${JSON.stringify(command)}: not a nebula-ipam command (see nebula-ipam help)\n`);
  return EXIT_CODES.usage;
}
