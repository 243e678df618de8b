/**
 * Where oned.conf is, and reading it. oned.conf is /etc/one/oned.conf, or $ONE_LOCATION/etc/
 * oned.conf for a self-contained OpenNebula (defaultPaths, like every default). oned.conf is
 * root:oneadmin 0640, in a directory root owns; it is read as every file is (regular-file.ts).
 */
import { defaultPaths, type Env } from '../config/paths.ts';
import { readRegularFile } from '../access/regular-file.ts';
import { fail, type Finding } from './finding.ts';
import { parseOnedConf, type OnedConf } from './oned-conf.ts';

const MAX_ONED_CONF_BYTES = 4 * 1024 * 1024;

export function onedConfFile(env: Env): string {
  return defaultPaths(env).onedConf;
}

/** The parsed file, or the finding that says why it could not be read. */
export function readOnedConf(file: string): { conf: OnedConf } | { finding: Finding } {
  try {
    const read = readRegularFile(file, { what: 'oned.conf', kind: 'config', maxBytes: MAX_ONED_CONF_BYTES });
    if (read === undefined)
      return {
        finding: fail(
          'oned.conf',
          file,
          'there is no oned.conf here, so the IPAM_MAD line cannot be checked',
          'on a self-contained OpenNebula set ONE_LOCATION, or give --oned-conf FILE',
        ),
      };
    return { conf: parseOnedConf(read.bytes.toString('utf8')) };
  } catch (error) {
    return {
      finding: fail(
        'oned.conf',
        file,
        (error as Error).message,
        "run doctor as root, or as a member of oned.conf's group",
      ),
    };
  }
}
