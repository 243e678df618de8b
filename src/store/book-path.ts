/**
 * Where the book really is. A store path may be a symlink (two front-ends sharing one file, a
 * book moved to another disk). The lock, the temp file, `.prev` and the audit log must then all
 * live beside the real file: otherwise each path locks beside itself, and the first write renames
 * a local file over the symlink, so two paths to one book hand out the same address. The path
 * is resolved once per process, so the lock and the write cannot land in two places when the
 * symlink changes meanwhile. A symlink to nothing is refused: following it would create a book
 * wherever it points (a share not mounted yet), replacing it would split the book in two.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IpamError } from '../errors.ts';

const resolved = new Map<string, string>();

/** The book's real path: of the book when it exists, else of its nearest existing directory plus the rest. */
export function realBookPath(location: string): string {
  let real = resolved.get(location);
  if (real === undefined) {
    real = resolve(location);
    resolved.set(location, real);
  }
  return real;
}

function resolve(location: string): string {
  const rest: string[] = [];
  for (let at = path.resolve(location); ; ) {
    try {
      return path.join(fs.realpathSync.native(at), ...rest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new IpamError('store-io', `Cannot use the lease book ${location}: ${(error as Error).message}`);
    }
    const link = readLink(at);
    if (link !== undefined) {
      const target = path.resolve(path.dirname(at), link);
      const reason = `${at} is a symlink to ${target}, which does not exist`;
      throw new IpamError('store-io', `Cannot use the lease book ${location}: ${reason}; create the book there (or mount its share) or fix the symlink. A symlink to nothing is not followed`, { subject: location, reason });
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
