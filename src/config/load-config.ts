/** Reads the config file named by `configPath`. No file at the default place means no pools. */
import * as fs from 'node:fs';
import { IpamError } from '../errors.ts';
import { noSuchFile } from '../no-such-file.ts';
import { NO_CONFIG, type Config } from './config.ts';
import { parseConfig } from './parse-config.ts';

export function loadConfig(file: string, explicit: boolean): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return NO_CONFIG;
    if (code === 'ENOENT') throw noSuchFile('the config', file);
    throw new IpamError('config', `Cannot load config ${file}: ${(error as Error).message}`);
  }
  return parseConfig(text, file);
}
