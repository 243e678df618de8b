/**
 * The CLI's commands by name, in the order `nebula-ipam help` lists them. One module per command;
 * adding a command is one import and one entry here.
 */
import type { Command } from '../command.ts';
import { completeCommands, completionCommand } from './completion.ts';
import { doctorCommand } from './doctor.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { initCommand } from './init.ts';
import { installCommand } from './install.ts';
import { leaseCommand } from './lease.ts';
import { leasesCommand } from './leases.ts';
import { logCommand } from './log.ts';
import { manCommand } from './man.ts';
import { metricsCommand } from './metrics.ts';
import { rangeCommand } from './range.ts';
import { reconcileCommand } from './reconcile.ts';
import { holdCommand } from './hold.ts';
import { hookCommand } from './hook.ts';
import { releaseCommand } from './release.ts';
import { restoreCommand } from './restore.ts';
import { showCommand } from './show.ts';
import { statusCommand } from './status.ts';
import { syncCommand } from './sync.ts';
import { uninstallCommand } from './uninstall.ts';
import { verifyCommand } from './verify.ts';

export const COMMANDS: readonly Command[] = [
  installCommand,
  uninstallCommand,
  initCommand,
  statusCommand,
  showCommand,
  leasesCommand,
  leaseCommand,
  releaseCommand,
  holdCommand,
  hookCommand,
  rangeCommand,
  verifyCommand,
  doctorCommand,
  reconcileCommand,
  syncCommand,
  exportCommand,
  importCommand,
  restoreCommand,
  logCommand,
  metricsCommand,
  completionCommand,
  manCommand,
];
completeCommands(COMMANDS);

export function commandNamed(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
