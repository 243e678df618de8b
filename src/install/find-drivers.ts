/**
 * Which IPAM drivers of this front-end run nebula-ipam: the directories of oned's remotes tree
 * (`/var/lib/one/remotes/ipam/*`, or `$ONE_LOCATION/var/remotes/ipam/*` for a self-contained
 * OpenNebula: `defaultPaths`) whose action links lead to a nebula-ipam bundle. The CLI uses it to pick the
 * driver, and so the books, when `--driver` is not given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTION_NAMES } from '../core/actions/action.ts';
import { isNebulaIpamBundle } from './inspect.ts';

/** Driver names (directory names) in `remotes`, sorted; none when it cannot be read. */
export function findInstalledDrivers(remotes: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(remotes);
  } catch {
    return [];
  }
  return names.filter((name) => runsNebulaIpam(path.join(remotes, name))).sort();
}

function runsNebulaIpam(dir: string): boolean {
  return ACTION_NAMES.some((action) => {
    const file = path.join(dir, action);
    try {
      // Read through the link itself, not its resolved name: one look, one descriptor.
      return fs.lstatSync(file).isSymbolicLink() && isNebulaIpamBundle(file);
    } catch {
      return false;
    }
  });
}
