/** The bundle an install puts in place: the program running it, or the one `--from` names. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IpamError } from '../core/errors.ts';
import { FileTooBig, readRegularFile, type FileRead } from '../access/regular-file.ts';
import { bundleVersion } from './bundle-version.ts';
import { isBundleText } from './inspect.ts';

export interface Bundle {
  readonly path: string;
  readonly bytes: Buffer;
  /** Undefined for a bundle older than 0.2.0. */
  readonly version: string | undefined;
}

const BUNDLE_LIMIT = 64 * 1024 * 1024;

/** The bundle at `file`, read once from a checked descriptor; refused when it is not nebula-ipam's. */
export function readBundle(file: string, named: boolean): Bundle {
  const notBundle = () =>
    new IpamError(
      named ? 'not-found' : 'internal',
      named
        ? `Cannot install from ${file}: it is not a nebula-ipam bundle; nothing was changed`
        : `Cannot install: ${file} is not the nebula-ipam bundle (run install from dist/nebula-ipam.cjs)`,
      { subject: file },
    );
  let read: FileRead | undefined;
  try {
    read = readRegularFile(file, { what: 'the bundle', kind: 'store-io', follow: false, maxBytes: BUNDLE_LIMIT });
  } catch (error) {
    if (error instanceof FileTooBig) throw notBundle();
    throw error;
  }
  // The bytes read are the ones judged: a second read by name could be another file.
  if (!read || !isBundleText(read.bytes)) throw notBundle();
  return { path: file, bytes: read.bytes, version: bundleVersion(read.bytes) };
}

/** Whether two paths lead to one file. */
export function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [fs.statSync(a), fs.statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

export function realOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** The bytes of an installed copy (in a directory someone else may own): read from a checked descriptor, never blocking. */
export function readInstalled(file: string): Buffer | undefined {
  try {
    return readRegularFile(file, {
      what: 'the installed copy',
      kind: 'store-io',
      follow: false,
      maxBytes: BUNDLE_LIMIT,
    })?.bytes;
  } catch (error) {
    if (!(error instanceof FileTooBig)) throw error;
    throw new IpamError(
      'conflict',
      `Cannot replace ${file}: it is ${error.bytes} bytes, too big to be a nebula-ipam bundle; nothing was changed`,
    );
  }
}
