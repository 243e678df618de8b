/**
 * The `nebula-ipam` commands on the PATH that lead into a driver directory being uninstalled.
 * Releases before 0.2 linked `install --bin` to the copy inside DIR; removing that copy left the
 * command dangling (the next `nebula-ipam` exited 127 with "No such file or directory"). So
 * `uninstall DIR` removes such a link with what it leads to, and leaves every other one alone:
 * a link to a root-owned copy elsewhere serves every driver of the front-end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN_NAME, inside } from './bin-link.ts';

/** `BINDIR/nebula-ipam` for each of `binDirs` (deduplicated) that is a symlink whose target lies in `dir`. */
export function binLinksInto(dir: string, binDirs: readonly string[]): string[] {
  const found: string[] = [];
  for (const binDir of new Set(binDirs.filter((d) => d !== '').map((d) => path.resolve(d)))) {
    const link = path.join(binDir, BIN_NAME);
    try {
      if (!fs.lstatSync(link).isSymbolicLink()) continue;
      const target = path.resolve(binDir, fs.readlinkSync(link));
      if (inside(target, dir) || inside(realOrTarget(target), dir)) found.push(link);
    } catch {
      // Nothing there, or not ours to look at: not a link into DIR.
    }
  }
  return found;
}

function realOrTarget(target: string): string {
  try {
    return fs.realpathSync(target);
  } catch {
    return target;
  }
}
