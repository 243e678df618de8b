/**
 * Reads the config file chosen by `resolve-book.ts`. A missing file is an error wherever it was
 * looked for: at the default place too, since "no pools" there would let the next register make
 * a second, empty book beside the real one (a config moved away by a deploy). `install` writes a
 * starter config on first run.
 * The file is opened without blocking and must be a regular file: a FIFO planted at its name
 * would otherwise hang every action in open(2), and oned with it. A symlink is fine here (the
 * config is root's, in /etc).
 */
import * as fs from 'node:fs';
import { IpamError } from '../errors.ts';
import { noSuchFile } from '../no-such-file.ts';
import type { Config } from './config.ts';
import { parseConfig } from './parse-config.ts';

/** Far above any real config; a bigger file is not one. */
const MAX_CONFIG_BYTES = 1 << 20;

/** `setting`: what chose the file (resolve-book.ts), for the message when it is missing. */
export function loadConfig(file: string, explicit: boolean, setting?: string): Config {
  let text: string;
  let mode: number;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const stat = fs.fstatSync(fd);
      mode = stat.mode;
      if (!stat.isFile()) throw new IpamError('config', `Cannot load config ${file}: it is not a regular file`, { subject: file, reason: 'it is not a regular file' });
      if (stat.size > MAX_CONFIG_BYTES) throw new IpamError('config', `Cannot load config ${file}: it holds ${stat.size} bytes, more than a config's ${MAX_CONFIG_BYTES}`, { subject: file });
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if (error instanceof IpamError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) throw missingDefault(file, setting);
    if (code === 'ENOENT') throw noSuchFile(setting === undefined ? 'the config' : `the config (${setting})`, file);
    throw new IpamError('config', `Cannot load config ${file}: ${(error as Error).message}`);
  }
  const config = parseConfig(text, file);
  if (config.backend?.type === 'etcd' && config.backend.password !== undefined) refuseOpenSecret(file, mode);
  return config;
}

/** A password in a file others can read is a password others have (mode: of the file just read). */
function refuseOpenSecret(file: string, mode: number): void {
  if ((mode & 0o044) !== 0) {
    throw new IpamError(
      'config',
      `Cannot load config ${file}: it holds backend.password but its mode is ${(mode & 0o777).toString(8).padStart(4, '0')}, readable by group or others; chmod 600 it (owner oneadmin)`,
    );
  }
}

/** The first-run case: nothing at the default path. */
function missingDefault(file: string, setting = 'the default path'): IpamError {
  const reason = `there is no such file (${setting})`;
  return new IpamError(
    'not-found',
    `Cannot load config ${file}: ${reason}; nothing was changed. \`nebula-ipam install\` writes a starter config there, or set NEBULA_IPAM_CONFIG (README: Configuration)`,
    { subject: file, reason },
  );
}
