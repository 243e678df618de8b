/** `nebula-ipam install DIR`: the five action links oned runs, and the oned.conf line that enables them. */
import { exitCodeHelp } from '../exit-code-help.ts';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseConfig } from '../../config/resolve-book.ts';
import { writeStarterConfig } from '../../config/starter-config.ts';
import { IpamError } from '../../errors.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { checkDriverName, COPY_NAME, onedConfLine, planInstall, type Entry } from '../../install/driver-dir.ts';
import { inspectEntry, isNebulaIpamBundle } from '../../install/inspect.ts';
import { ACTION_NAMES } from '../../actions/action.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';
import { createBook } from './init.ts';

export const installCommand: Command = {
  name: 'install',
  summary: 'link the five driver actions into a remotes directory',
  usage: `Usage: nebula-ipam install DIR [--link] [--bin BINDIR] [--json]

Creates in DIR (made if missing), usually /var/lib/one/remotes/ipam/<name>, the five
action scripts oned runs: ${ACTION_NAMES.join(', ')}.
The directory's name is the driver name (IPAM_MAD); it also picks the default config
/etc/one/nebula-ipam/<name>.json and lease book /var/lib/one/nebula-ipam/<name>/leases.json
(under $ONE_LOCATION/etc and $ONE_LOCATION/var when ONE_LOCATION is set).

First run: with no config where the driver will look (NEBULA_IPAM_CONFIG, ipamrc, else the
default), install writes a starter one there (no pools: only explicit ranges work until you
add some). Then it creates the empty lease book where that config keeps it, as
\`nebula-ipam init\` does; an existing config or book is kept as it is.

By default this program is copied into DIR as ${COPY_NAME} and the actions are relative
links to that copy, so DIR holds everything: \`onehost sync\`, the HA \`onezone serversync\`
and backups of /var/lib/one/remotes carry a working driver to every front-end.

  --link         instead link the actions to this program where it is (absolute links;
                 they dangle on a front-end that received only a copy of remotes)
  --copy         the default layout (accepted for older scripts)
  --bin BINDIR   also link BINDIR/nebula-ipam (e.g. /usr/local/bin) to the program the
                 actions run, so the operator command is on the PATH

Safe to run again: links already right are kept, links to another nebula-ipam are
re-pointed, and anything else (another driver's scripts) is refused before anything
changes. Prints the line to add to /etc/one/oned.conf and what to do next.

${exitCodeHelp([
  [0, 'installed'],
  [1, 'this program is not the nebula-ipam bundle'],
  [2, 'bad option, or a bad driver name ("internal" is refused)'],
  [4, 'the config there is unreadable or invalid'],
  [5, "a file that is not nebula-ipam's is in the way"],
  [7, 'a damaged lease book is there (left as it is)'],
  [8, 'cannot write DIR, BINDIR, the starter config or the lease book'],
])}`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(
      'install',
      args,
      { copy: { type: 'boolean' }, link: { type: 'boolean' }, bin: { type: 'string' } },
      { min: 1, max: 1, names: 'the directory to install into' },
    );
    if (values.copy && values.link) throw usageError('install', 'give --copy or --link, not both');
    const copying = !values.link;
    const dir = path.resolve(positionals[0]!);
    const name = path.basename(dir);
    checkDriverName(name);
    const self = context.selfPath;
    const copy = path.join(dir, COPY_NAME);
    const target = copying ? COPY_NAME : self;
    const onDisk = (what: string, error: unknown) => new IpamError('store-io', `Cannot install into ${dir}: ${what}: ${(error as Error).message}`);

    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    } catch (error) {
      throw onDisk('cannot create it', error);
    }
    const entries = new Map<string, Entry>(ACTION_NAMES.map((action) => [action, inspectEntry(path.join(dir, action))]));
    const plan = planInstall(entries, target);
    const foreign = plan.filter((p) => p.step === 'foreign').map((p) => p.name);
    const copyEntry = inspectEntry(copy);
    if (copying && copyEntry.kind !== 'missing' && !(copyEntry.kind === 'file' && copyEntry.ours)) foreign.push(COPY_NAME);
    if (foreign.length) {
      throw new IpamError(
        'conflict',
        `Cannot install into ${dir}: ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not nebula-ipam's (another driver's files?); nothing was changed. Move ${foreign.length === 1 ? 'it' : 'them'} away or pick another directory`,
      );
    }

    const runs = copying ? copy : self;
    const binPlan = values.bin === undefined ? undefined : planBinLink(path.resolve(values.bin), runs);

    let copied: 'created' | 'replaced' | 'kept' | undefined;
    try {
      if (copying && path.resolve(self) !== copy) {
        const content = fs.readFileSync(self);
        if (!isNebulaIpamBundle(self)) throw new IpamError('internal', `Cannot install: ${self} is not the nebula-ipam bundle (run install from dist/nebula-ipam.cjs)`);
        if (copyEntry.kind === 'missing' || !fs.readFileSync(copy).equals(content)) {
          replaceFile(copy, content);
          copied = copyEntry.kind === 'missing' ? 'created' : 'replaced';
        } else {
          copied = 'kept';
        }
      }
      for (const { name: action, step } of plan) {
        if (step === 'create' || step === 'replace') replaceLink(path.join(dir, action), target);
      }
    } catch (error) {
      if (error instanceof IpamError) throw error;
      throw onDisk('writing failed', error);
    }
    const bin = binPlan && linkOnPath(binPlan, runs);

    const driver = context.forDriver(name);
    const config = chooseConfig(driver.sources()).file;
    const configState = writeStarterConfig(config) ? 'written' : 'kept';
    const made = await createBook(driver).catch((error: unknown) => {
      if (!(error instanceof IpamError)) throw error;
      throw new IpamError(error.kind, `${error.message}; the driver's links are installed in ${dir}, run \`nebula-ipam --driver ${name} init\` once that is fixed`, error.facts);
    });
    const book = made.location;
    const bookState = made.created ? 'created' : 'kept';
    const line = onedConfLine(name);
    if (context.json) {
      context.stdout(
        renderJson({
          dir,
          name,
          target,
          ...(copied ? { copy: { path: copy, state: copied } } : {}),
          ...(bin ? { bin } : {}),
          cli: cliInvocation(name),
          links: plan.map((p) => ({ name: p.name, state: stateText(p.step) })),
          onedConf: line,
          config,
          configState,
          book,
          bookState,
        }),
      );
      return EXIT_CODES.ok;
    }
    const rows = plan.map((p) => [p.name, stateText(p.step), target]);
    if (copied) rows.unshift([COPY_NAME, copied, `copy of ${self}`]);
    if (bin) rows.push([bin.path, bin.state, runs]);
    context.stdout(`Installed nebula-ipam as IPAM driver "${name}" in ${dir}:
${renderTable([{ header: 'FILE' }, { header: 'STATE' }, { header: 'POINTS TO' }], rows, context.options.width)}
Next steps:
  1. In /etc/one/oned.conf, enable the driver (no space after the comma; keep any other
     names already in the -i list):
       ${line}
  2. Describe the pools in ${config}
     (${configState === 'written' ? 'written now as a starter with no pools' : 'kept as it was'}; without pools only explicit ranges work).
     The lease book is ${book}
     (${bookState === 'created' ? 'created now, empty' : 'kept as it was'}; readable by oneadmin only).
  3. Restart oned (systemctl restart opennebula).
  4. Use it: IPAM_MAD = "${name}" in an AR, or on the virtual network for all its ARs.
  5. With HA, install on every front-end and keep the books in etcd (README: High availability).
  6. Look at it from the command line (${bin ? bin.path : 'nebula-ipam on the PATH: --bin /usr/local/bin'}):
       ${cliInvocation(name)}
`);
    return EXIT_CODES.ok;
  },
};

/** The exact command that reads this driver's books. */
function cliInvocation(name: string): string {
  return `nebula-ipam --driver ${name} status`;
}

interface BinLink {
  readonly path: string;
  readonly state: 'created' | 'replaced' | 'kept';
}

/** BINDIR/nebula-ipam: judged before anything changes; only a missing file or a nebula-ipam link or copy is replaced. */
function planBinLink(binDir: string, runs: string): BinLink {
  const file = path.join(binDir, 'nebula-ipam');
  const entry = inspectEntry(file);
  if (entry.kind === 'link' && entry.target === runs) return { path: file, state: 'kept' };
  if (entry.kind !== 'missing' && !((entry.kind === 'link' || entry.kind === 'file') && entry.ours)) {
    throw new IpamError('conflict', `Cannot link ${file}: it is not nebula-ipam's; nothing was changed. Move it away or pick another --bin`);
  }
  return { path: file, state: entry.kind === 'missing' ? 'created' : 'replaced' };
}

function linkOnPath(plan: BinLink, runs: string): BinLink {
  if (plan.state === 'kept') return plan;
  try {
    fs.mkdirSync(path.dirname(plan.path), { recursive: true });
    replaceLink(plan.path, runs);
  } catch (error) {
    throw new IpamError('store-io', `Cannot link ${plan.path}: ${(error as Error).message}; the driver was installed, the command was not linked`);
  }
  return plan;
}

function stateText(step: string): string {
  return step === 'create' ? 'created' : step === 'replace' ? 'replaced' : step === 'keep' ? 'kept' : step;
}

/** A symlink swapped in by rename, so oned never finds the action missing. */
function replaceLink(file: string, target: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.symlinkSync(target, temp);
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

function replaceFile(file: string, content: Buffer): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, content, { mode: 0o755, flag: 'wx' });
  try {
    fs.chmodSync(temp, 0o755);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
