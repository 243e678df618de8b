/**
 * A file the operator named that is not there: the same kind (so the same exit code) and the
 * same words wherever a file is named (`import FILE`, `reconcile --from`, `--config`).
 */
import { IpamError, shown } from './errors.ts';

/** `role`: how the operator named it, e.g. "--from", "--config", "the file to import". */
export function noSuchFile(role: string, file: string): IpamError {
  return new IpamError('not-found', `Cannot read ${role} ${shown(file)}: there is no such file; nothing was changed`, {
    subject: file,
    reason: 'there is no such file',
  });
}
