/**
 * Reading oned's ipamrc (`ipamrc.ts` says what is taken from it). No file means no variables.
 * It is root's file in /etc, like the config, so a symlink to it is followed; it is read as every
 * file is (`regular-file.ts`): without blocking, a regular file, capped.
 */
import { readRegularFile } from '../access/regular-file.ts';
import { type Ipamrc, parseIpamrc } from './ipamrc.ts';

/** Far above any real ipamrc. */
const MAX_IPAMRC_BYTES = 64 * 1024;

export function readIpamrc(file: string): Ipamrc {
  const read = readRegularFile(file, { what: 'ipamrc', kind: 'config', maxBytes: MAX_IPAMRC_BYTES });
  return read ? parseIpamrc(read.bytes.toString('utf8'), file) : { file, vars: {} };
}
