/**
 * Reading oned's ipamrc (`ipamrc.ts` says what is taken from it). No file means no variables.
 * It is root's file in /etc, like the config, so a symlink to it is followed; the file itself is
 * opened as the store's files are (`safe-open.ts`): without blocking, a regular file, capped.
 */
import * as fs from 'node:fs';
import { IpamError } from '../errors.ts';
import { readRegular } from '../store/safe-open.ts';
import { type Ipamrc, parseIpamrc } from './ipamrc.ts';

/** Far above any real ipamrc. */
const MAX_IPAMRC_BYTES = 64 * 1024;

export function readIpamrc(file: string): Ipamrc {
  let real: string;
  try {
    real = fs.realpathSync.native(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, vars: {} };
    throw unreadable(file, error);
  }
  let read: ReturnType<typeof readRegular>;
  try {
    read = readRegular(
      real,
      'ipamrc',
      MAX_IPAMRC_BYTES,
      (size) => new IpamError('config', `Cannot read ${file}: it holds ${size} bytes, more than an ipamrc's ${MAX_IPAMRC_BYTES}`, { subject: file }),
    );
  } catch (error) {
    if (error instanceof IpamError) throw error;
    throw unreadable(file, error);
  }
  return read ? parseIpamrc(read.bytes.toString('utf8'), file) : { file, vars: {} };
}

function unreadable(file: string, error: unknown): IpamError {
  return new IpamError('config', `Cannot read ${file}: ${(error as Error).message}`, { subject: file });
}
