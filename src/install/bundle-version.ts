/**
 * Which release a nebula-ipam bundle is, read from its bytes, never by running it: an installed
 * copy in oned's remotes tree is writable by oneadmin, and `install` often runs as root. build.mjs
 * writes the release on the bundle's second line; bundles before 0.2.0 carry none.
 */
import * as fs from 'node:fs';
import { openRegularFile } from '../access/regular-file.ts';

const HEAD_BYTES = 200;
const VERSION_LINE = /^#![^\n]*\n\/\/ nebula-ipam ([0-9A-Za-z.+-]{1,40})\n/;

/** The release in the bundle's bytes, or undefined for a bundle older than 0.2.0. */
export function bundleVersion(bytes: Buffer): string | undefined {
  return VERSION_LINE.exec(bytes.toString('latin1', 0, HEAD_BYTES))?.[1];
}

/** How a bundle's release is said in messages. */
export function versionText(version: string | undefined): string {
  return version ?? '0.1.0 or older';
}

/** The release of the bundle at `file`, from its first bytes (read without blocking or following a symlink); undefined when unknown. */
export function versionOfFile(file: string): string | undefined {
  try {
    const { fd } = openRegularFile(file, fs.constants.O_RDONLY, {
      what: 'a nebula-ipam bundle',
      kind: 'internal',
      follow: false,
    });
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      const n = fs.readSync(fd, head, 0, HEAD_BYTES, 0);
      return bundleVersion(head.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * Whether release `a` comes before `b` (numeric dot parts; a release without a recorded version
 * is older than any that has one). Pre-release tags are ignored: close enough to order bundles.
 */
export function isOlderRelease(a: string | undefined, b: string | undefined): boolean {
  if (b === undefined) return false;
  if (a === undefined) return true;
  const parts = (v: string) =>
    v
      .split(/[-+]/)[0]!
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  }
  return false;
}
