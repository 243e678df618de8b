/**
 * A file the operator named that is not there: the same words wherever a file is named
 * (`import FILE`, `reconcile --from`, `--config`, a file a config setting names).
 */
import { IpamError, shown } from './errors.ts';

/**
 * `role`: how the operator named it, e.g. "--from", "--config", "the file to import",
 * "backend.tls.ca". `kind`: not-found for a file named on the command line; config for one a
 * config setting names (the config is what to fix, and its exit code says so).
 */
export function noSuchFile(role: string, file: string, kind: 'not-found' | 'config' = 'not-found'): IpamError {
  return new IpamError(kind, `Cannot read ${role} ${shown(file)}: there is no such file; nothing was changed`, {
    subject: file,
    reason: 'there is no such file',
  });
}
