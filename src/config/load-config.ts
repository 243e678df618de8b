/**
 * Reads the config file named by `configPath`. No file at the default place means no pools.
 * The file is opened without blocking and must be a regular file: a FIFO planted at its name
 * would otherwise hang every action in open(2), and oned with it. A symlink is fine here (the
 * config is root's, in /etc).
 */
import * as fs from 'node:fs';
import { IpamError } from '../errors.ts';
import { noSuchFile } from '../no-such-file.ts';
import { NO_CONFIG, type Config } from './config.ts';
import { parseConfig } from './parse-config.ts';
import { refuseOpenConfigSecrets } from './secret-modes.ts';

/** Far above any real config; a bigger file is not one. */
const MAX_CONFIG_BYTES = 1 << 20;

export function loadConfig(file: string, explicit: boolean): Config {
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
    if (code === 'ENOENT' && !explicit) return NO_CONFIG;
    if (code === 'ENOENT') throw noSuchFile('the config', file);
    throw new IpamError('config', `Cannot load config ${file}: ${(error as Error).message}`);
  }
  const config = parseConfig(text, file);
  refuseOpenConfigSecrets(file, mode, config);
  return config;
}
