/** `nebula-ipam doctor`: the whole front-end checked, each check ok / warn / fail with its fix. */
import * as path from 'node:path';
import { DEFAULT_DRIVER_NAME, defaultPaths, type Env } from '../../config/paths.ts';
import { chooseConfig } from '../../config/resolve-book.ts';
import { findInstalledDrivers } from '../../install/find-drivers.ts';
import { diagnose } from '../../doctor/diagnose.ts';
import { doctorExitCode, type Finding } from '../../doctor/finding.ts';
import { onedConfFile } from '../../doctor/oned-conf-file.ts';
import { exitCodeHelp } from '../exit-code-help.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the whole front-end: oned.conf, links, bundle, PATH, config, book, etcd',
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam doctor [--oned-conf FILE] [--json]

Checks, for the driver (--driver, or the one installed), without changing anything:
  - oned.conf: the driver is in IPAM_MAD's -i list as one_ipam reads it (a space after a
    comma drops it), and VNET_RESTRICTED_ATTR lists AR/NEBULA_IPAM_RANGE
  - the five action links, the bundle they lead to (release, owner, who else can write it)
  - the nebula-ipam the PATH runs (root's alone? the same release as the actions?)
  - the config (parses, secrets' modes, oned's user can read it)
  - the book (there, decodes, its format, oned's user can read and write it and its directory)
  - on etcd, each member's health
oned's user is the owner of the IPAM remotes directory. Each check prints ok, warn or FAIL,
what it saw, and the fix.

  --oned-conf FILE  read this oned.conf (default /etc/one/oned.conf, or
                    $ONE_LOCATION/etc/oned.conf)
  --json            one JSON document: { driver, ok, findings[] }; each finding has
                    check, level, subject, message and fix

${exitCodeHelp([
  [0, 'nothing failed (warnings are advice)'],
  [1, 'a check failed (listed)'],
  [2, 'bad option'],
])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'doctor',
      args,
      { 'oned-conf': { type: 'string' } },
      { min: 0, max: 0, names: '' },
    );
    const onedConf = values['oned-conf'] === undefined ? onedConfFile(context.env) : path.resolve(values['oned-conf']);
    const driver = doctorDriver(context.driver, context.env);
    // The driver doctor picked may not be the context's default one: its config and book, not those.
    const forDriver = driver === context.driver ? context : context.forDriver(driver);
    const findings = await diagnose({
      driver,
      env: context.env,
      onedConf,
      configFile: chooseConfig(forDriver.sources()).file,
      selfPath: context.selfPath,
      config: () => forDriver.config(),
      store: () => forDriver.store(),
    });
    const code = doctorExitCode(findings);
    if (context.json) {
      context.stdout(renderJson({ driver, ok: code === 0, findings }));
      return code;
    }
    context.stdout(renderFindings(driver, findings));
    return code;
  },
};

const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/** One line per check, the fix indented under it; a count at the end. */
function renderFindings(driver: string, findings: readonly Finding[]): string {
  const width = Math.max(...findings.map((f) => f.check.length));
  const lines = findings.flatMap((f) => [
    `${LABEL[f.level]}  ${f.check.padEnd(width)}  ${f.subject}: ${f.message}`,
    ...(f.fix ? [`${' '.repeat(width + 8)}fix: ${f.fix}`] : []),
  ]);
  const count = (level: Finding['level']) => findings.filter((f) => f.level === level).length;
  const failed = count('fail');
  const warned = count('warn');
  return `Driver "${driver}":\n${lines.join('\n')}\n\n${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}, ${count('ok')} ok\n`;
}

/**
 * The driver to check: the one given or picked, else (books named outright keep the default name)
 * the one driver installed, as an operator who runs plain `doctor` means.
 */
function doctorDriver(driver: string, env: Env): string {
  if (driver !== DEFAULT_DRIVER_NAME) return driver;
  const installed = findInstalledDrivers(defaultPaths(env).remotesIpam);
  return installed.length === 1 ? installed[0]! : driver;
}
