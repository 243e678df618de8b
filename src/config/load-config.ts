/**
 * Reads the config file chosen by `resolve-book.ts`. A missing file is an error wherever it was
 * looked for: at the default place too, since "no pools" there would let the next register make
 * a second, empty book beside the real one (a config moved away by a deploy). `install` writes a
 * starter config on first run.
 * It is read as every file is (`regular-file.ts`): a FIFO planted at its name would otherwise
 * hang every action in open(2), and oned with it. A symlink is fine here (the config is root's,
 * in /etc).
 */
import { IpamError } from '../core/errors.ts';
import { noSuchFile } from '../core/no-such-file.ts';
import { readRegularFile } from '../access/regular-file.ts';
import { parseConfig, type LoadedConfig } from './parse-config.ts';
import { refuseOpenConfigSecrets } from '../access/secret-modes.ts';
import { backendSecret } from '../store/backend-config.ts';

/** Far above any real config; a bigger file is not one. */
const MAX_CONFIG_BYTES = 1 << 20;

/** `setting`: what chose the file (resolve-book.ts), for the message when it is missing. */
export function loadConfig(file: string, explicit: boolean, setting?: string): LoadedConfig {
  const read = readRegularFile(file, { what: 'the config', kind: 'config', maxBytes: MAX_CONFIG_BYTES });
  if (read === undefined) {
    if (!explicit) throw missingDefault(file, setting);
    throw noSuchFile(setting === undefined ? 'the config' : `the config (${setting})`, file);
  }
  const config = parseConfig(read.bytes.toString('utf8'), file);
  refuseOpenConfigSecrets(file, read.stat.mode, backendSecret(config.backend));
  return config;
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
