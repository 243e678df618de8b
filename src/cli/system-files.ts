/**
 * `install --system-files`: the files a front-end's system needs around the driver, under
 * `--system-root` (default /, a staging tree for packagers and tests): the metrics service and
 * timer, the sync service, the audit log's logrotate file, bash and zsh completion, and the man page. The static
 * ones live in packaging/ and ride inside the bundle (build.mjs), so the single file an
 * air-gapped front-end receives carries them; the bash completion and the man page are made from
 * this release's command table, as `completion bash` and `man` print them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bashCompletion } from './completion-script.ts';
import { GLOBAL_OPTION_NAMES } from './command.ts';
import { commandTable } from './command-table.ts';
import { manPage } from './man-page.ts';

declare const NEBULA_IPAM_PACKAGING: Readonly<Record<string, string>> | undefined;

/** packaging/NAME: embedded in the bundle; read from the repository when run from source. */
function packagingFile(name: string): string {
  if (typeof NEBULA_IPAM_PACKAGING === 'object' && NEBULA_IPAM_PACKAGING[name] !== undefined)
    return NEBULA_IPAM_PACKAGING[name]!;
  return fs.readFileSync(path.join(process.cwd(), 'packaging', name), 'utf8');
}

export interface SystemFile {
  readonly path: string;
  readonly content: string;
}

/** What goes where, for a --bin command at `command` (the units run it). */
export function systemFiles(root: string, command: string): SystemFile[] {
  const { commands, help, version } = commandTable();
  const at = (...parts: string[]) => path.join(root, ...parts);
  const unit = (name: string) => packagingFile(name).replaceAll('/usr/local/bin/nebula-ipam', command);
  return [
    {
      path: at('etc', 'systemd', 'system', 'nebula-ipam-metrics@.service'),
      content: unit('nebula-ipam-metrics@.service'),
    },
    { path: at('etc', 'systemd', 'system', 'nebula-ipam-metrics@.timer'), content: unit('nebula-ipam-metrics@.timer') },
    { path: at('etc', 'systemd', 'system', 'nebula-ipam-sync@.service'), content: unit('nebula-ipam-sync@.service') },
    { path: at('etc', 'logrotate.d', 'nebula-ipam'), content: packagingFile('nebula-ipam.logrotate') },
    {
      path: at('usr', 'share', 'bash-completion', 'completions', 'nebula-ipam'),
      content: bashCompletion(commands, GLOBAL_OPTION_NAMES),
    },
    { path: at('usr', 'share', 'zsh', 'vendor-completions', '_nebula-ipam'), content: packagingFile('_nebula-ipam') },
    { path: at('usr', 'share', 'man', 'man1', 'nebula-ipam.1'), content: manPage(commands, version, help) },
  ];
}
