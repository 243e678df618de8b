/**
 * The one way to find the config and the book, for the driver's actions and the CLI alike: the
 * same sources in the same order, first found wins:
 *
 *   1. the command line (the CLI's --config, --store)
 *   2. the environment (NEBULA_IPAM_CONFIG, NEBULA_IPAM_STORE)
 *   3. oned's ipamrc (its NEBULA_IPAM_* lines, which oned exports to the actions)
 *   4. the config (its "store" or "backend")
 *   5. the default (`defaultPaths`, which follows ONE_LOCATION)
 *
 * The actions get ipamrc's variables in their environment already; reading it as well changes
 * nothing for them and lets the CLI, started from a login shell, find the book oned uses. Each
 * choice says which setting made it, so a missing book can be reported with the question to ask.
 * Pure: the caller reads ipamrc and loads the config.
 */
import * as path from 'node:path';
import { IpamError, shown } from '../core/errors.ts';
import type { LoadedConfig } from './parse-config.ts';
import type { Ipamrc } from './ipamrc.ts';
import type { BookChoice } from '../store/backend-config.ts';
import { defaultBookFile, defaultConfigFile, defaultPaths, type DefaultPaths, type Env } from './paths.ts';

export interface BookSources {
  readonly driverName: string;
  readonly env: Env;
  /** Read when first needed: settings given on the command line or in the environment never wait on it. */
  readonly ipamrc: () => Ipamrc;
  /** What relative command-line paths are resolved against. */
  readonly cwd: string;
  /** The CLI's --config and --store; the actions have none. */
  readonly flags?: { readonly config?: string; readonly store?: string };
  /** How the driver name was found, when it was not given (the CLI's pick-driver.ts), for messages. */
  readonly driverFound?: string;
}

export interface ConfigChoice {
  readonly file: string;
  /** Named by a setting (then it must exist), or the default for the driver. */
  readonly explicit: boolean;
  /** The setting that chose it, for messages: "--config", "NEBULA_IPAM_CONFIG in /etc/one/ipam/ipamrc", ... */
  readonly setting: string;
}

export type { BookChoice } from '../store/backend-config.ts';

export function defaultsOf(sources: BookSources): DefaultPaths {
  return defaultPaths(sources.env);
}

export function chooseConfig(sources: BookSources): ConfigChoice {
  const flag = sources.flags?.config;
  if (flag !== undefined && flag !== '')
    return { file: path.resolve(sources.cwd, flag), explicit: true, setting: '--config' };
  const given = variable(sources, 'NEBULA_IPAM_CONFIG');
  if (given) return { file: path.resolve(sources.cwd, given.value), explicit: true, setting: given.setting };
  return {
    file: defaultConfigFile(defaultsOf(sources), sources.driverName),
    explicit: false,
    setting: defaultSetting(sources),
  };
}

export function chooseBook(config: LoadedConfig, sources: BookSources): BookChoice {
  const flag = sources.flags?.store;
  if (flag !== undefined && flag !== '')
    return { backend: 'file', file: path.resolve(sources.cwd, flag), setting: '--store' };
  const given = variable(sources, 'NEBULA_IPAM_STORE');
  if (given) {
    if (!path.isAbsolute(given.value))
      throw new IpamError('config', `Cannot use ${given.setting} ${shown(given.value)}: it must be an absolute path`);
    if (config.backend?.type === 'etcd') {
      // Which of the two the operator meant cannot be told; guessing would split the books.
      throw new IpamError(
        'config',
        `Cannot pick the lease book: ${given.setting} names the file book ${given.value}, but config ${config.source} keeps the book in etcd; remove one of them (--store FILE names a file book for one command)`,
      );
    }
    return { backend: 'file', file: given.value, setting: given.setting };
  }
  if (config.backend?.type === 'etcd') {
    const prefix = config.backend.prefix ?? `/nebula-ipam/${sources.driverName}`;
    return {
      backend: 'etcd',
      etcd: config.backend,
      prefix,
      setting:
        config.backend.prefix === undefined
          ? `backend in ${config.source}, ${defaultSetting(sources, 'the default prefix')}`
          : `backend.prefix in ${config.source}`,
    };
  }
  if (config.store !== undefined)
    return { backend: 'file', file: config.store, setting: `"store" in ${config.source}` };
  return {
    backend: 'file',
    file: defaultBookFile(defaultsOf(sources), sources.driverName),
    setting: defaultSetting(sources),
  };
}

function defaultSetting(sources: BookSources, what = 'the default'): string {
  return `${what} for driver "${sources.driverName}"${sources.driverFound === undefined ? '' : `, ${sources.driverFound}`}`;
}

/** A NEBULA_IPAM_* variable from the environment, else from ipamrc; empty counts as unset. */
function variable(sources: BookSources, name: string): { value: string; setting: string } | undefined {
  const fromEnv = sources.env[name];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, setting: name };
  const rc = sources.ipamrc();
  const fromRc = rc.vars[name];
  if (fromRc !== undefined && fromRc !== '') return { value: fromRc, setting: `${name} in ${rc.file}` };
  return undefined;
}
