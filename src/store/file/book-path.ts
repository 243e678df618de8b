/**
 * Where the book really is. A store path may be a symlink (two front-ends sharing one file, a
 * book moved to another disk). The lock, the temp file, `.prev` and the audit log must then all
 * live beside the real file: otherwise each path locks beside itself, and the first write renames
 * a local file over the symlink, so two paths to one book hand out the same address. The path
 * is resolved once per process, so the lock and the write cannot land in two places when the
 * symlink changes meanwhile. A symlink to nothing is refused: following it would create a book
 * wherever it points (a share not mounted yet), replacing it would split the book in two.
 *
 * Root follows another user's symlink only into that user's own directories: otherwise whoever
 * can write the book's directory (oneadmin) could plant a symlink that makes a root-run command
 * create its lock, temp files and audit log in /etc.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IpamError } from '../../core/errors.ts';

const resolved = new Map<string, string>();

/** The book's real path: of the book when it exists, else of its nearest existing directory plus the rest. */
export function realBookPath(location: string): string {
  let real = resolved.get(location);
  if (real === undefined) {
    real = resolve(location);
    if (real !== path.resolve(location) && process.geteuid?.() === 0) checkFollowedAsRoot(location, real);
    resolved.set(location, real);
  }
  return real;
}

function checkFollowedAsRoot(location: string, real: string): void {
  const dirOwner = nearestOwner(path.dirname(real));
  let at = path.parse(path.resolve(location)).root;
  for (const part of path.resolve(location).split(path.sep).filter(Boolean)) {
    at = path.join(at, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(at);
    } catch {
      return;
    }
    if (stat.isSymbolicLink() && stat.uid !== 0 && stat.uid !== dirOwner) {
      const reason = `${at} is a symlink made by uid ${stat.uid} that leads to ${real}, in a directory of uid ${dirOwner}`;
      throw new IpamError(
        'store-io',
        `Cannot use the lease book ${location} as root: ${reason}; root follows a user's symlink only into that user's own directories. Run the command as uid ${stat.uid}, or name ${real} itself as the store`,
        { subject: location, reason },
      );
    }
  }
}

/** The owner of `dir`, or of its nearest existing ancestor. */
function nearestOwner(dir: string): number {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      return fs.statSync(at).uid;
    } catch {
      if (path.dirname(at) === at) return 0;
    }
  }
}

function resolve(location: string): string {
  const rest: string[] = [];
  for (let at = path.resolve(location); ; ) {
    try {
      return path.join(fs.realpathSync.native(at), ...rest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT')
        throw new IpamError('store-io', `Cannot use the lease book ${location}: ${(error as Error).message}`);
    }
    const link = readLink(at);
    if (link !== undefined) {
      const target = path.resolve(path.dirname(at), link);
      const reason = `${at} is a symlink to ${target}, which does not exist`;
      throw new IpamError(
        'store-io',
        `Cannot use the lease book ${location}: ${reason}; create the book there (or mount its share) or fix the symlink. A symlink to nothing is not followed`,
        {
          subject: location,
          reason,
        },
      );
    }
    const up = path.dirname(at);
    if (up === at) return path.join(at, ...rest);
    rest.unshift(path.basename(at));
    at = up;
  }
}

/** The symlink's text when `file` is a symlink (dangling, since realpath said ENOENT), else undefined. */
function readLink(file: string): string | undefined {
  try {
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}
