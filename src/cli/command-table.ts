/**
 * The command table, the global help and the release, for modules the table itself includes
 * (`man`, and install, which writes the man page and the bash completion made from the table):
 * run-cli.ts registers them, so no import cycle is needed.
 */
import type { Command } from './command.ts';

export interface CommandTable {
  readonly commands: readonly Command[];
  /** `nebula-ipam help`'s text. */
  readonly help: string;
  readonly version: string;
}

let table: CommandTable = { commands: [], help: '', version: '' };

export function registerCommandTable(registered: CommandTable): void {
  table = registered;
}

export function commandTable(): CommandTable {
  return table;
}
