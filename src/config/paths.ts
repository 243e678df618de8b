/**
 * Where things are by default, keyed on the driver name (the IPAM_MAD, i.e. the name of the
 * directory the action links live in). The book is kept outside /var/lib/one/remotes, which
 * `onehost sync` copies to every hypervisor.
 */
import * as path from 'node:path';
import { IpamError, shown } from '../errors.ts';
import type { Config } from './config.ts';

export const DEFAULT_DRIVER_NAME = 'nebula-ipam';
export const CONFIG_DIR = '/etc/one/nebula-ipam';
export const STORE_DIR = '/var/lib/one/nebula-ipam';

const DRIVER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export type Env = Readonly<Record<string, string | undefined>>;

/** The driver name from the path an action was invoked by: its directory's name. */
export function driverNameOf(invokedPath: string): string {
  const name = path.basename(path.dirname(invokedPath));
  return DRIVER_NAME.test(name) ? name : DEFAULT_DRIVER_NAME;
}

/** The config file to read, and whether someone asked for it by name (then it must exist). */
export function configPath(driverName: string, env: Env, flag?: string): { file: string; explicit: boolean } {
  const given = flag ?? env.NEBULA_IPAM_CONFIG;
  if (given !== undefined && given !== '') return { file: path.resolve(given), explicit: true };
  return { file: path.join(CONFIG_DIR, `${driverName}.json`), explicit: false };
}

export function storePath(config: Config, driverName: string, env: Env): string {
  const fromEnv = env.NEBULA_IPAM_STORE;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!path.isAbsolute(fromEnv)) throw new IpamError('config', `Cannot use NEBULA_IPAM_STORE ${shown(fromEnv)}: it must be an absolute path`);
    return fromEnv;
  }
  return config.store ?? path.join(STORE_DIR, driverName, 'leases.json');
}
