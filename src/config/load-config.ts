/**
 * Reads the config file named by `configPath`. No file at the default place means no pools.
 * It is read as every file is (`regular-file.ts`): a FIFO planted at its name would otherwise
 * hang every action in open(2), and oned with it. A symlink is fine here (the config is root's,
 * in /etc).
 */
import { noSuchFile } from '../no-such-file.ts';
import { NO_CONFIG, type Config } from './config.ts';
import { readRegularFile } from '../regular-file.ts';
import { parseConfig } from './parse-config.ts';
import { refuseOpenConfigSecrets } from './secret-modes.ts';

/** Far above any real config; a bigger file is not one. */
const MAX_CONFIG_BYTES = 1 << 20;

export function loadConfig(file: string, explicit: boolean): Config {
  const read = readRegularFile(file, { what: 'the config', kind: 'config', maxBytes: MAX_CONFIG_BYTES });
  if (read === undefined) {
    if (!explicit) return NO_CONFIG;
    throw noSuchFile('the config', file);
  }
  const config = parseConfig(read.bytes.toString('utf8'), file);
  refuseOpenConfigSecrets(file, read.stat.mode, config);
  return config;
}
