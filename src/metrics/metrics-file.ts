/**
 * The textfile collector's file: replaced whole (a temporary file renamed over it), so the
 * collector reads the old numbers or the new ones, never half. After a failed run it holds only
 * `nebula_ipam_up 0` and the previous success time: Prometheus must not keep serving stale
 * numbers as current, and an alert on the success time still fires.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IpamError } from '../core/errors.ts';
import { LAST_SUCCESS } from './exposition.ts';

export function writeMetricsFile(file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(temp, text, { mode: 0o644, flag: 'wx' });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    // Whatever is there now would be served as current: better no file than a stale one.
    fs.rmSync(file, { force: true });
    throw new IpamError('store-io', `Cannot write the metrics to ${file}: ${(error as Error).message}`, {
      subject: file,
      reason: (error as Error).message,
    });
  }
}

/** The success time our own earlier run wrote in the file for `driver`, if it did. */
export function previousSuccess(file: string, driver: string): number | undefined {
  let old: string;
  try {
    old = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // Driver names are letters, digits, '_', '.' and '-' (config/paths.ts): only '.' needs escaping.
  const match = new RegExp(`^${LAST_SUCCESS}\\{driver="${driver.replaceAll('.', '\\.')}"\\} (\\d+)$`, 'm').exec(old);
  return match ? Number(match[1]) : undefined;
}
