/**
 * `install --bin BINDIR`: the operator command on the PATH, which root runs. It leads to a
 * program only root (or the user installing) can change, outside oned's remotes tree, whose
 * driver directory oneadmin owns (issue 16 item 1): the bundle install runs from when that is
 * so, else a copy under BINDIR/../lib/nebula-ipam/ (/usr/local/lib/nebula-ipam/ for
 * /usr/local/bin). Everything is judged before anything changes.
 */
import * as path from 'node:path';
import { IpamError } from '../core/errors.ts';
import { readInstalled, realOrSelf } from './bundle-source.ts';
import { inspectEntry } from './inspect.ts';
import { foreignWriter, trustedUids, type ForeignWriter } from './trusted-path.ts';

export const BIN_NAME = 'nebula-ipam';

export interface BinPlan {
  /** BINDIR/nebula-ipam. */
  readonly link: string;
  readonly state: 'created' | 'replaced' | 'kept';
  /** The program the link leads to. */
  readonly program: string;
  /** Set when the program is a copy this install writes (`program` then is its path). */
  readonly copy?: { readonly dir: string; readonly state: 'created' | 'replaced' | 'kept' };
  /** Where the link led before, when it led somewhere else. */
  readonly was?: string;
}

/** The program a --bin link may lead to for `bundle` installed into `driverDir`. */
export function planBin(binDir: string, bundle: string, bundleBytes: Buffer, driverDir: string): BinPlan {
  const link = path.join(binDir, BIN_NAME);
  const trusted = trustedUids();
  const entry = inspectEntry(link);
  if (entry.kind !== 'missing' && !((entry.kind === 'link' || entry.kind === 'file') && entry.ours)) {
    throw new IpamError(
      'conflict',
      `Cannot link ${link}: it is not nebula-ipam's; nothing was changed. Move it away or pick another --bin`,
    );
  }
  const linkDirWriter = foreignWriter(binDir, trusted);
  if (linkDirWriter) throw unsafe(link, linkDirWriter, 'its directory');
  const real = realOrSelf(bundle);
  const own = !inside(real, driverDir) && foreignWriter(real, trusted) === undefined;
  let program = real;
  let copy: BinPlan['copy'];
  if (!own) {
    const dir = path.resolve(binDir, '..', 'lib', 'nebula-ipam');
    program = path.join(dir, 'nebula-ipam.cjs');
    const writer = foreignWriter(program, trusted);
    if (writer) throw unsafe(link, writer, `the copy it would lead to (${program})`);
    copy = { dir, state: copyState(program, bundleBytes) };
  }
  const was = entry.kind === 'link' ? path.resolve(binDir, entry.target) : undefined;
  const state = entry.kind === 'missing' ? 'created' : was === program ? 'kept' : 'replaced';
  return { link, state, program, ...(copy ? { copy } : {}), ...(was && was !== program ? { was } : {}) };
}

/** Whether `file` lies in `dir` (or is it). */
export function inside(file: string, dir: string): boolean {
  const relative = path.relative(realOrSelf(dir), file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function copyState(file: string, bytes: Buffer): 'created' | 'replaced' | 'kept' {
  let now: Buffer | undefined;
  try {
    // Read as every file is (regular-file.ts): whatever stands there is never waited on.
    now = readInstalled(file);
  } catch {
    // Not a regular file, or too big to be a bundle: it is replaced.
    return 'replaced';
  }
  if (now === undefined) return 'created';
  return now.equals(bytes) ? 'kept' : 'replaced';
}

function unsafe(link: string, writer: ForeignWriter, what: string): IpamError {
  return new IpamError(
    'conflict',
    `Cannot link ${link}: ${what} is not safe to run from the PATH: ${writer.path} can be written by ${writer.who}; nothing was changed. Pick a --bin that only root can write (e.g. /usr/local/bin)`,
    { subject: writer.path, reason: `writable by ${writer.who}` },
  );
}
