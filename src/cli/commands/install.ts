/** `nebula-ipam install DIR`: the five action links oned runs, and the oned.conf line that enables them. */
import { exitCodeHelp } from '../exit-code-help.ts';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseConfig } from '../../config/resolve-book.ts';
import { writeStarterConfig } from '../../config/starter-config.ts';
import { nextSteps } from '../../doctor/next-steps.ts';
import { onedConfFindings } from '../../doctor/oned-conf-checks.ts';
import { onedConfFile, readOnedConf } from '../../doctor/oned-conf-file.ts';
import { IpamError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { checkDriverName, COPY_NAME, onedConfLine, planInstall, type Entry } from '../../install/driver-dir.ts';
import { inspectEntry } from '../../install/inspect.ts';
import { planBin, type BinPlan } from '../../install/bin-link.ts';
import { readBundle, readInstalled, realOrSelf, sameFile, type Bundle } from '../../install/bundle-source.ts';
import { bundleVersion, versionOfFile, versionText } from '../../install/bundle-version.ts';
import { bundleBehind, bundlesBehindActions, leftBehind, settleOldBundles } from '../../install/old-bundles.ts';
import {
  oldBundleLine,
  replacementLine,
  runningCopyWarning,
  untrustedRunWarning,
  type Replacement,
} from '../../install/upgrade-lines.ts';
import { makeDirectory, writeProgram } from '../../install/write-program.ts';
import { systemFiles } from '../system-files.ts';
import { ACTION_NAMES } from '../../core/actions/action.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';
import { createBook } from './init.ts';
import { installHooks } from '../install-hooks.ts';
import { DEFAULT_HOOK_COMMAND } from '../../core/oned/hook-templates.ts';

/** What `--hook-command` may be: an absolute path a shell reads as one word, unchanged. */
const HOOK_COMMAND_PATH = /^\/[A-Za-z0-9_./+,:@%-]+$/;

export const installCommand: Command = {
  name: 'install',
  summary: 'link the five driver actions into a remotes directory',
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam install DIR [--link] [--bin BINDIR] [--from FILE] [--remove-old]
                           [--system-files [--system-root DIR]] [--json]
       nebula-ipam install --hook [--hook-command PATH] [--dry-run] [--json]

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
  --bin BINDIR   also link BINDIR/nebula-ipam (e.g. /usr/local/bin), the command root runs,
                 to a program only root can change: this program when root owns it and
                 nobody else can write it or a directory above it, else a root-owned copy in
                 BINDIR/../lib/nebula-ipam/ (never the copy in DIR, which oneadmin owns).
                 Refused when someone else could write BINDIR or that copy's directories
  --from FILE    install the bundle FILE instead of this program (to upgrade from the
                 installed copy itself, which has nothing newer to put in its own place)
  --remove-old   remove the older bundles the links led to before (named otherwise)
  --system-files also put in place, under / (or --system-root DIR, a staging tree): the
                 metrics service and timer (etc/systemd/system/nebula-ipam-metrics@.service
                 and .timer), the DNS and DHCP sync service (nebula-ipam-sync@.service; the
                 units run the --bin command), the audit log's logrotate file
                 (etc/logrotate.d/nebula-ipam), bash and zsh completion
                 (usr/share/bash-completion/completions/nebula-ipam,
                 usr/share/zsh/vendor-completions/_nebula-ipam) and the man page
                 (usr/share/man/man1/nebula-ipam.1). Off unless asked: a driver install
                 writes nothing outside DIR and BINDIR on its own

--hook instead makes the OpenNebula hooks that record VM names in the book (the README's
"VM names: hook" shows them), through oned's XML-RPC API with the config's "oned" (endpoint
and the user:password file): one.hookpool.info finds ours by NAME, one.hook.allocate makes a
missing one, one.hook.update brings back one that was edited or made by an older release;
one in step is kept. The hooks pass the VM on standard input (ARGUMENTS_STDIN = yes: a VM's
XML can be more than one argument holds). Nothing is spawned (no onehook).
  --hook-command PATH  what the hooks' COMMAND runs (default ${DEFAULT_HOOK_COMMAND}, what
                 --bin /usr/local/bin links); an absolute path of letters, digits and
                 _ . / + , : @ % - (the hook manager runs COMMAND as a shell would)
  --dry-run      print the templates and what would be done; nothing is changed

Safe to run again: links already right are kept, links to another nebula-ipam are
re-pointed, and anything else (another driver's scripts) is refused before anything
changes. Over an older install it says which release replaces which, and names the
bundles the links no longer lead to. Prints the line to add to /etc/one/oned.conf
and what to do next.

${exitCodeHelp([
  [0, 'installed'],
  [1, 'this program is not the nebula-ipam bundle'],
  [2, 'bad option, or a bad driver name ("internal" is refused)'],
  [4, 'the config there is unreadable or invalid; --hook: no "oned" in it, or oned refused the login'],
  [
    5,
    "a file that is not nebula-ipam's is in the way; --from FILE is not a bundle; someone else could change what --bin leads to; --hook: oned refused a hook, or one of our name is of another type",
  ],
  [7, 'a damaged lease book is there (left as it is)'],
  [8, 'cannot write DIR, BINDIR, the starter config or the lease book; --hook: oned cannot be reached'],
])}`,
  async run(args, context) {
    if (args.includes('--hook')) {
      const { values } = parseCommandArgs(
        'install',
        args,
        { hook: { type: 'boolean' }, 'hook-command': { type: 'string' }, 'dry-run': { type: 'boolean' } },
        { min: 0, max: 0, names: '' },
      );
      const command = values['hook-command'];
      // It goes into COMMAND, which the hook manager runs as a shell would (split into words,
      // through /bin/sh when it holds a shell character): only characters no shell reads.
      if (command !== undefined && !HOOK_COMMAND_PATH.test(command))
        throw usageError(
          'install',
          `--hook-command must be an absolute path of letters, digits and _ . / + , : @ % - (the hook manager runs it as a shell would), not ${JSON.stringify(command)}`,
        );
      return installHooks(context, {
        ...(command === undefined ? {} : { command }),
        dryRun: values['dry-run'] === true,
      });
    }
    const { values, positionals } = parseCommandArgs(
      'install',
      args,
      {
        copy: { type: 'boolean' },
        link: { type: 'boolean' },
        bin: { type: 'string' },
        from: { type: 'string' },
        'remove-old': { type: 'boolean' },
        'system-files': { type: 'boolean' },
        'system-root': { type: 'string' },
      },
      { min: 1, max: 1, names: 'the directory to install into' },
    );
    if (values.copy && values.link) throw usageError('install', 'give --copy or --link, not both');
    if (values['system-root'] !== undefined && !values['system-files'])
      throw usageError('install', '--system-root is where --system-files go; give --system-files too');
    const copying = !values.link;
    const dir = path.resolve(positionals[0]!);
    const name = path.basename(dir);
    checkDriverName(name);
    const self = context.selfPath;
    const source = values.from === undefined ? self : path.resolve(values.from);
    const copy = path.join(dir, COPY_NAME);
    const target = copying ? COPY_NAME : source;
    const onDisk = (what: string, error: unknown) =>
      new IpamError('store-io', `Cannot install into ${dir}: ${what}: ${(error as Error).message}`);

    const bundle = readBundle(source, values.from !== undefined);
    const entries = new Map<string, Entry>(
      ACTION_NAMES.map((action) => [action, inspectEntry(path.join(dir, action))]),
    );
    const plan = planInstall(entries, target);
    const foreign = plan.filter((p) => p.step === 'foreign').map((p) => p.name);
    const copyEntry = inspectEntry(copy);
    if (copying && copyEntry.kind !== 'missing' && !(copyEntry.kind === 'file' && copyEntry.ours))
      foreign.push(COPY_NAME);
    if (foreign.length) {
      throw new IpamError(
        'conflict',
        `Cannot install into ${dir}: ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not nebula-ipam's (another driver's files?); nothing was changed. Move ${foreign.length === 1 ? 'it' : 'them'} away or pick another directory`,
      );
    }

    // The installed copy running this very install has nothing newer to put in its own place.
    const running = copying && values.from === undefined && copyEntry.kind === 'file' && sameFile(self, copy);
    const binPlan = values.bin === undefined ? undefined : planBin(path.resolve(values.bin), source, bundle.bytes, dir);
    const before = [...bundlesBehindActions(dir), ...(binPlan ? [bundleBehind(binPlan.link)] : [])].filter(
      (b): b is string => b !== undefined,
    );
    // Everything judged: from here on, changes.
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    } catch (error) {
      throw onDisk('cannot create it', error);
    }

    const replaced: Replacement[] = [];
    let copied: 'created' | 'replaced' | 'kept' | undefined;
    try {
      if (copying && running) {
        copied = 'kept';
      } else if (copying) {
        const was = copyEntry.kind === 'missing' ? undefined : readInstalled(copy);
        if (was === undefined || !was.equals(bundle.bytes)) {
          writeProgram(copy, bundle.bytes, 0o755);
          copied = was === undefined ? 'created' : 'replaced';
          if (was) replaced.push({ path: copy, from: bundleVersion(was), to: bundle.version });
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
    if (binPlan) replaced.push(...linkOnPath(binPlan, bundle));
    const placed = values['system-files']
      ? placeSystemFiles(path.resolve(values['system-root'] ?? '/'), binPlan?.link ?? '/usr/local/bin/nebula-ipam')
      : [];
    const oldBundles = settleOldBundles(
      leftBehind(
        before,
        [copy, source, ...(binPlan ? [binPlan.program] : [])].map((f) => realOrSelf(f)),
      ),
      dir,
      bundle.version,
      values['remove-old'] === true,
    );
    const warnings = [
      ...untrustedRunWarning(self),
      ...(running ? [runningCopyWarning(copy, bundle.version)] : []),
      ...(context.json ? [] : replaced.map(replacementLine)),
      ...(context.json ? [] : oldBundles.map(oldBundleLine)),
    ];

    const driver = context.forDriver(name);
    const config = chooseConfig(driver.sources()).file;
    const configState = writeStarterConfig(config) ? 'written' : 'kept';
    const made = await createBook(driver).catch((error: unknown) => {
      if (!(error instanceof IpamError)) throw error;
      throw new IpamError(
        error.kind,
        `${error.message}; the driver's links are installed in ${dir}, run \`nebula-ipam --driver ${name} init\` once that is fixed`,
        error.facts,
      );
    });
    const book = made.location;
    const bookState = made.created ? 'created' : 'kept';
    const line = onedConfLine(name);
    const onedConf = onedConfFile(context.env);
    const oned = readOnedConf(onedConf);
    const onedFindings = 'conf' in oned ? onedConfFindings(onedConf, oned.conf, name) : undefined;
    const steps = {
      name,
      onedConf,
      ...(onedFindings ? { onedFindings } : {}),
      enableLine: line,
      config,
      configWritten: configState === 'written',
      book,
      bookCreated: bookState === 'created',
      command: binPlan ? binPlan.link : 'nebula-ipam on the PATH: --bin /usr/local/bin',
      invocation: cliInvocation(name),
    };
    if (context.json) {
      // The JSON carries what changed; what needs a person's attention goes to stderr as well.
      for (const warning of [
        ...untrustedRunWarning(self),
        ...(running ? [runningCopyWarning(copy, bundle.version)] : []),
      ])
        context.stderr(`${warning}\n`);
      context.stdout(
        renderJson({
          dir,
          name,
          version: bundle.version ?? null,
          target,
          ...(copied ? { copy: { path: copy, state: copied } } : {}),
          ...(binPlan ? { bin: { path: binPlan.link, state: binPlan.state, program: binPlan.program } } : {}),
          replaced: replaced.map((r) => ({ path: r.path, from: r.from ?? null, to: r.to ?? null })),
          oldBundles: oldBundles.map((b) => ({
            path: b.path,
            version: b.version ?? null,
            state: b.state,
            ...(b.usedBy ? { usedBy: b.usedBy } : {}),
          })),
          cli: cliInvocation(name),
          links: plan.map((p) => ({ name: p.name, state: stateText(p.step) })),
          systemFiles: placed,
          onedConf: line,
          onedConfFindings: onedFindings ?? null,
          config,
          configState,
          book,
          bookState,
        }),
      );
      return EXIT_CODES.ok;
    }
    const rows = plan.map((p) => [p.name, stateText(p.step), target]);
    if (copied) rows.unshift([COPY_NAME, copied, running ? 'the program running this install' : `copy of ${source}`]);
    if (binPlan?.copy) rows.push([binPlan.program, binPlan.copy.state, `copy of ${source}`]);
    if (binPlan) rows.push([binPlan.link, binPlan.state, binPlan.program]);
    for (const file of placed) rows.push([file.path, file.state, 'system file']);
    context.stdout(`Installed nebula-ipam ${versionText(bundle.version)} as IPAM driver "${name}" in ${dir}:
${renderTable([{ header: 'FILE' }, { header: 'STATE' }, { header: 'POINTS TO' }], rows, context.options.width)}
${warnings.map((w) => `${w}\n`).join('')}${warnings.length ? '\n' : ''}${nextSteps(steps)}`);
    return EXIT_CODES.ok;
  },
};

/** Writes each system file that differs (a temp file renamed over it, mode 0644); says which changed. */
function placeSystemFiles(root: string, command: string): { path: string; state: 'created' | 'replaced' | 'kept' }[] {
  return systemFiles(root, command).map((file) => {
    const bytes = Buffer.from(file.content, 'utf8');
    let was: Buffer | undefined;
    try {
      was = fs.readFileSync(file.path);
    } catch {
      was = undefined;
    }
    if (was?.equals(bytes)) return { path: file.path, state: 'kept' };
    try {
      makeDirectory(path.dirname(file.path), 0o755);
      writeProgram(file.path, bytes, 0o644);
    } catch (error) {
      throw new IpamError(
        'store-io',
        `Cannot write ${file.path}: ${(error as Error).message}; the driver was installed, this and the later system files were not`,
      );
    }
    return { path: file.path, state: was === undefined ? 'created' : 'replaced' };
  });
}

/** The book the config in place picks (the default when there is none, or it does not load). */
/** The exact command that reads this driver's books. */
function cliInvocation(name: string): string {
  return `nebula-ipam --driver ${name} status`;
}

/** Carries out the --bin plan: the copy under lib/ first, then the link; returns what it replaced. */
function linkOnPath(plan: BinPlan, bundle: Bundle): Replacement[] {
  const replaced: Replacement[] = [];
  try {
    if (plan.copy && plan.copy.state !== 'kept') {
      const from = plan.copy.state === 'replaced' ? versionOfFile(plan.program) : undefined;
      makeDirectory(plan.copy.dir, 0o755);
      // Root's copy is root's, whoever owned the bundle it came from.
      writeProgram(plan.program, bundle.bytes, 0o755, process.geteuid?.() === 0 ? { uid: 0, gid: 0 } : undefined);
      if (plan.copy.state === 'replaced') replaced.push({ path: plan.program, from, to: bundle.version });
    }
    if (plan.state !== 'kept') {
      fs.mkdirSync(path.dirname(plan.link), { recursive: true });
      replaceLink(plan.link, plan.program);
    }
  } catch (error) {
    throw new IpamError(
      'store-io',
      `Cannot link ${plan.link}: ${(error as Error).message}; the driver was installed, the command was not linked`,
    );
  }
  return replaced;
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
