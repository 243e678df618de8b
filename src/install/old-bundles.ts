/**
 * Bundles an install leaves behind: the programs of older releases that the driver's action
 * links and the --bin link led to before it, which none of them leads to now (an upgrade from the --link layout leaves,
 * say, /usr/local/lib/nebula-ipam.cjs). Left in place, an old bundle still runs wherever
 * something else calls it (a cron job, a shell alias) and rewrites books with an older release.
 * install names each one, and `--remove-old` removes those no other driver's links lead to.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTION_NAMES } from '../core/actions/action.ts';
import { isOlderRelease, versionOfFile } from './bundle-version.ts';
import { isNebulaIpamBundle } from './inspect.ts';
import { foreignWriter, trustedUids, type ForeignWriter } from './trusted-path.ts';

export interface OldBundle {
  readonly path: string;
  readonly version: string | undefined;
  /** Another driver directory whose links still lead to it: then it is kept. */
  readonly usedBy?: string;
  /** Why `--remove-old` left it: someone else can write a directory it is in. */
  readonly writer?: ForeignWriter;
  readonly state: 'unused' | 'removed' | 'kept';
}

/** The nebula-ipam bundle `link` leads to now (real path), if it is one. */
export function bundleBehind(link: string): string | undefined {
  try {
    if (!fs.lstatSync(link).isSymbolicLink()) return undefined;
    const real = fs.realpathSync(link);
    return isNebulaIpamBundle(real) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The bundles the actions of `driverDir` lead to. */
export function bundlesBehindActions(driverDir: string): string[] {
  return ACTION_NAMES.map((action) => bundleBehind(path.join(driverDir, action))).filter(
    (b): b is string => b !== undefined,
  );
}

/** Which of `before` no path of `after` is; pure. */
export function leftBehind(before: readonly string[], after: readonly string[]): string[] {
  return [...new Set(before)].filter((file) => !after.includes(file));
}

/**
 * Each bundle left behind: kept when a sibling driver directory's links still lead to it,
 * removed when `remove` says so (never a file npm manages: `npm uninstall -g` does that), else
 * named as unused.
 */
export function settleOldBundles(
  files: readonly string[],
  driverDir: string,
  installed: string | undefined,
  remove: boolean,
): OldBundle[] {
  const remotes = path.dirname(driverDir);
  let siblings: string[] = [];
  try {
    siblings = fs
      .readdirSync(remotes)
      .map((name) => path.join(remotes, name))
      .filter((dir) => dir !== driverDir);
  } catch {
    // No siblings to ask.
  }
  // Only older releases: another copy of this release (a build tree, say) is not left over.
  const older = files
    .map((file) => ({ file, version: versionOfFile(file) }))
    .filter(({ version }) => isOlderRelease(version, installed));
  return older.map(({ file, version }) => {
    const usedBy = siblings.find((dir) => bundlesBehindActions(dir).includes(file));
    if (usedBy) return { path: file, version, usedBy, state: 'kept' };
    if (!remove || file.split(path.sep).includes('node_modules')) return { path: file, version, state: 'unused' };
    // Removed by name: whoever can write a directory on its path could have made that name lead
    // to any file since it was judged a bundle (a directory swapped for a symlink to /etc).
    const writer = foreignWriter(path.dirname(file), trustedUids());
    if (writer) return { path: file, version, state: 'unused', writer };
    fs.rmSync(file, { force: true });
    return { path: file, version, state: 'removed' };
  });
}
