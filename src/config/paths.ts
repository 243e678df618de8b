/**
 * Where things are by default, keyed on the driver name (the IPAM_MAD, i.e. the name of the
 * directory the action links live in). The book is kept outside the remotes tree, which
 * `onehost sync` copies to every hypervisor.
 *
 * OpenNebula installed system-wide keeps its config in /etc/one, its state in /var/lib/one and
 * its drivers in /var/lib/one/remotes. A self-contained install (`install.sh -d DIR`) sets
 * ONE_LOCATION=DIR for oned and everything it runs, and then keeps them in DIR/etc, DIR/var and
 * DIR/var/remotes: every default follows it, so one front-end can hold both and tests can point
 * every default into a temp dir (`defaultPaths` is the only place the real paths are named).
 */
import * as path from 'node:path';
import type { Env } from '../env.ts';

export const DEFAULT_DRIVER_NAME = 'nebula-ipam';

/** A name oned can take as an IPAM_MAD and the paths can be keyed on: 1-64 letters, digits, '_', '.' or '-'. */
export const DRIVER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export type { Env } from '../env.ts';

export interface DefaultPaths {
  /** Where `<driver>.json` configs live. */
  readonly configDir: string;
  /** Where `<driver>/leases.json` books live: the store root. */
  readonly storeDir: string;
  /** oned's `VAR=value` file for the IPAM drivers. */
  readonly ipamrc: string;
  /** oned's IPAM driver directories, one per IPAM_MAD. */
  readonly remotesIpam: string;
  /** oned's own configuration (read by doctor and install, never written). */
  readonly onedConf: string;
}

/** The defaults for this environment: OpenNebula's system paths, or under $ONE_LOCATION. */
export function defaultPaths(env: Env): DefaultPaths {
  const location = env.ONE_LOCATION;
  if (location !== undefined && location !== '') {
    const root = path.resolve(location);
    return {
      configDir: path.join(root, 'etc', 'nebula-ipam'),
      storeDir: path.join(root, 'var', 'nebula-ipam'),
      ipamrc: path.join(root, 'etc', 'ipam', 'ipamrc'),
      remotesIpam: path.join(root, 'var', 'remotes', 'ipam'),
      onedConf: path.join(root, 'etc', 'oned.conf'),
    };
  }
  return {
    configDir: '/etc/one/nebula-ipam',
    storeDir: '/var/lib/one/nebula-ipam',
    ipamrc: '/etc/one/ipam/ipamrc',
    remotesIpam: '/var/lib/one/remotes/ipam',
    onedConf: '/etc/one/oned.conf',
  };
}

/** The driver name from the path an action was invoked by: its directory's name. */
export function driverNameOf(invokedPath: string): string {
  const name = path.basename(path.dirname(invokedPath));
  return DRIVER_NAME.test(name) ? name : DEFAULT_DRIVER_NAME;
}

export function defaultConfigFile(defaults: DefaultPaths, driverName: string): string {
  return path.join(defaults.configDir, `${driverName}.json`);
}

export function defaultBookFile(defaults: DefaultPaths, driverName: string): string {
  return path.join(defaults.storeDir, driverName, 'leases.json');
}
