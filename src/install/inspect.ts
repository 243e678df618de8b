/** Looking at a driver directory's entries, to tell our links and copies from anyone else's files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COPY_NAME, type Entry } from './driver-dir.ts';

/** A string only a nebula-ipam bundle carries: the AR attribute its register reply adds. */
const BUNDLE_MARK = 'NEBULA_IPAM_RANGE';
const READ_LIMIT = 16 * 1024 * 1024;

export function isNebulaIpamBundle(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > READ_LIMIT) return false;
    const text = fs.readFileSync(file, 'latin1');
    return text.startsWith('#!') && text.includes(BUNDLE_MARK);
  } catch {
    return false;
  }
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
    const ours = fs.existsSync(resolved) ? isNebulaIpamBundle(resolved) : /nebula-ipam/.test(path.basename(target)) || path.basename(target) === COPY_NAME;
    return { kind: 'link', target, ours };
  }
  if (stat.isFile()) return { kind: 'file', ours: isNebulaIpamBundle(file) };
  return { kind: 'other' };
}
