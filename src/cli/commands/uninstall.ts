/** `nebula-ipam uninstall DIR`: removes the action links install made, and nothing else. */
import { exitCodeHelp } from '../exit-code-help.ts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTION_NAMES } from '../../core/actions/action.ts';
import { IpamError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { COPY_NAME, planUninstall, type Entry } from '../../install/driver-dir.ts';
import { inspectEntry } from '../../install/inspect.ts';
import { binLinksInto } from '../../install/bin-links-into.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'remove the driver actions that install made',
  usage: `Usage: nebula-ipam uninstall DIR [--bin BINDIR] [--json]

Removes from DIR the action links (and the ${COPY_NAME} copy) that lead to nebula-ipam.
Anything else in DIR is left alone and listed. A nebula-ipam command that leads into DIR
(as \`install --bin\` made it before release 0.2), in BINDIR or in a directory of the PATH,
is removed too, so it does not dangle; one that leads elsewhere serves the other drivers
and is kept. Safe to run again. The lease book, the
config and the audit log are kept; remove the name from oned.conf's -i list and restart oned.

${exitCodeHelp([
  [0, 'removed'],
  [2, 'bad option'],
  [5, 'nebula-ipam is not installed in DIR'],
  [8, 'cannot change DIR'],
])}`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(
      'uninstall',
      args,
      { bin: { type: 'string' } },
      { min: 1, max: 1, names: 'the directory to uninstall from' },
    );
    const dir = path.resolve(positionals[0]!);
    const binDirs = [
      ...(values.bin === undefined ? [] : [values.bin]),
      ...(context.env.PATH ?? '').split(path.delimiter),
    ];
    const binLinks = fs.existsSync(dir) ? binLinksInto(dir, binDirs) : [];
    const entries = new Map<string, Entry>(
      ACTION_NAMES.map((action) => [action, inspectEntry(path.join(dir, action))]),
    );
    const plan = planUninstall(entries);
    const copy = inspectEntry(path.join(dir, COPY_NAME));
    if (copy.kind === 'file' && copy.ours) plan.push({ name: COPY_NAME, step: 'remove' });
    if (!plan.some((p) => p.step === 'remove')) {
      const what = fs.existsSync(dir)
        ? 'no action links or copy of nebula-ipam are there'
        : 'there is no such directory';
      throw new IpamError(
        'not-found',
        `Cannot uninstall from ${dir}: nebula-ipam is not installed here (${what}); nothing was changed`,
      );
    }
    try {
      for (const { name, step } of plan) if (step === 'remove') fs.rmSync(path.join(dir, name));
      for (const link of binLinks) fs.rmSync(link);
    } catch (error) {
      throw new IpamError('store-io', `Cannot uninstall from ${dir}: ${(error as Error).message}`);
    }
    const state = (step: string) =>
      step === 'remove' ? 'removed' : step === 'foreign' ? "left (not nebula-ipam's)" : 'absent';
    if (context.json) {
      context.stdout(
        renderJson({
          dir,
          files: plan.map((p) => ({ name: p.name, state: state(p.step) })),
          binLinks: binLinks.map((link) => ({ path: link, state: 'removed' })),
        }),
      );
      return EXIT_CODES.ok;
    }
    context.stdout(
      `Uninstalled nebula-ipam from ${dir}:\n${renderTable(
        [{ header: 'FILE' }, { header: 'STATE' }],
        [
          ...plan.map((p) => [p.name, state(p.step)]),
          ...binLinks.map((link) => [link, 'removed (it led into this directory)']),
        ],
        context.options.width,
      )}` +
        `Remove "${path.basename(dir)}" from the -i list of IPAM_MAD in /etc/one/oned.conf and restart oned.\nThe lease book, config and audit log were kept.\n`,
    );
    return EXIT_CODES.ok;
  },
};
