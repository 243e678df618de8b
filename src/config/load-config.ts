/**
 * Reads the config file named by `configPath`. No file at the default place means no pools.
 * It is read as every file is (`regular-file.ts`): a FIFO planted at its name would otherwise
 * hang every action in open(2), and oned with it. A symlink is fine here (the config is root's,
 * in /etc).
 */
import { IpamError } from '../errors.ts';
import { noSuchFile } from '../no-such-file.ts';
import { NO_CONFIG, type Config } from './config.ts';
import { readRegularFile } from '../regular-file.ts';
import { parseConfig } from './parse-config.ts';

/** Far above any real config; a bigger file is not one. */
const MAX_CONFIG_BYTES = 1 << 20;

export function loadConfig(file: string, explicit: boolean): Config {
  const read = readRegularFile(file, { what: 'the config', kind: 'config', maxBytes: MAX_CONFIG_BYTES });
  if (read === undefined) {
    if (!explicit) return NO_CONFIG;
    throw noSuchFile('the config', file);
  }
  const config = parseConfig(read.bytes.toString('utf8'), file);
  if (config.backend?.type === 'etcd' && config.backend.password !== undefined) refuseOpenSecret(file, read.stat.mode);
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
