/** Looking at a driver directory's entries, to tell our links and copies from anyone else's files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularFile } from '../access/regular-file.ts';
import { COPY_NAME, type Entry } from './driver-dir.ts';

/** A string only a nebula-ipam bundle carries: the AR attribute its register reply adds. */
const BUNDLE_MARK = 'NEBULA_IPAM_RANGE';
const READ_LIMIT = 16 * 1024 * 1024;

/**
 * Whether `file` (followed when a symlink) is a nebula-ipam bundle. Read from one checked
 * descriptor: the driver directory is oneadmin's, and a name looked at and then read by name could
 * be a FIFO by the time it is read (it hung root's `status` for ever).
 */
export function isNebulaIpamBundle(file: string): boolean {
  try {
    const read = readRegularFile(file, { what: 'the program', kind: 'internal', maxBytes: READ_LIMIT });
    return read !== undefined && isBundleText(read.bytes);
  } catch {
    return false;
  }
}

/** Whether these bytes are a nebula-ipam bundle's. */
export function isBundleText(bytes: Buffer): boolean {
  const text = bytes.toString('latin1');
  return text.startsWith('#!') && text.includes(BUNDLE_MARK);
}

export function inspectEntry(file: string): Entry {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  if (stat.isSymbolicLink()) {
    const target = fs.readlinkSync(file);
    const resolved = path.resolve(path.dirname(file), target);
    const ours = fs.existsSync(resolved)
      ? isNebulaIpamBundle(resolved)
      : /nebula-ipam/.test(path.basename(target)) || path.basename(target) === COPY_NAME;
    return { kind: 'link', target, ours };
  }
  if (stat.isFile()) return { kind: 'file', ours: isNebulaIpamBundle(file) };
  return { kind: 'other' };
}
