/** Reads the config file named by `configPath`. No file at the default place means no pools. */
import * as fs from 'node:fs';
import { IpamError } from '../errors.ts';
import { NO_CONFIG, type Config } from './config.ts';
import { parseConfig } from './parse-config.ts';

export function loadConfig(file: string, explicit: boolean): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return NO_CONFIG;
    throw new IpamError('config', `Cannot load config ${file}: ${(error as Error).message}`);
  }
  const config = parseConfig(text, file);
  if (config.backend?.type === 'etcd' && config.backend.password !== undefined) refuseOpenSecret(file);
  return config;
}

/** A password in a file others can read is a password others have. */
function refuseOpenSecret(file: string): void {
  let mode: number;
  try {
    mode = fs.statSync(file).mode;
  } catch (error) {
    throw new IpamError('config', `Cannot load config ${file}: ${(error as Error).message}`);
  }
  if ((mode & 0o044) !== 0) {
    throw new IpamError('config', `Cannot load config ${file}: it holds backend.password but its mode is ${(mode & 0o777).toString(8).padStart(4, '0')}, readable by group or others; chmod 600 it (owner oneadmin)`);
  }
}
