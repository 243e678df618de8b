/**
 * Where oned.conf is, and reading it. oned.conf is /etc/one/oned.conf, or $ONE_LOCATION/etc/
 * oned.conf for a self-contained OpenNebula, as remotesIpamDir places the remotes tree.
 * (Move it into defaultPaths(env) of config/paths.ts once that seam lands.) oned.conf is
 * root:oneadmin 0640, in a directory root owns; it is read as every file is (regular-file.ts).
 */
import * as path from 'node:path';
import type { Env } from '../config/paths.ts';
import { readRegularFile } from '../regular-file.ts';
import { fail, type Finding } from './finding.ts';
import { parseOnedConf, type OnedConf } from './oned-conf.ts';

const MAX_ONED_CONF_BYTES = 4 * 1024 * 1024;

export function onedConfFile(env: Env): string {
  const location = env.ONE_LOCATION;
  return location !== undefined && location !== '' ? path.join(path.resolve(location), 'etc', 'oned.conf') : '/etc/one/oned.conf';
}

/** The parsed file, or the finding that says why it could not be read. */
export function readOnedConf(file: string): { conf: OnedConf } | { finding: Finding } {
  try {
    const read = readRegularFile(file, { what: 'oned.conf', kind: 'config', maxBytes: MAX_ONED_CONF_BYTES });
    if (read === undefined)
      return { finding: fail('oned.conf', file, 'there is no oned.conf here, so the IPAM_MAD line cannot be checked', 'on a self-contained OpenNebula set ONE_LOCATION, or give --oned-conf FILE') };
    return { conf: parseOnedConf(read.bytes.toString('utf8')) };
  } catch (error) {
    return { finding: fail('oned.conf', file, (error as Error).message, "run doctor as root, or as a member of oned.conf's group") };
  }
}
