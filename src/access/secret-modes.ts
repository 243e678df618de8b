/**
 * Files that hold or name secrets are the owner's alone. A config holding the etcd password, or
 * naming a TLS key, that group or others can read gives the secret away; one they can write lets
 * them point the backend at their own endpoint and receive the password at the next action. So
 * such a config, and the key file itself, are refused when `mode & 0o066` (group or others may
 * read or write), with the chmod that fixes it. The mode is the one of the descriptor the file
 * was read from, never a second look by name.
 */
import { IpamError } from '../core/errors.ts';

/** Group or others may read or write. */
const OPEN_TO_OTHERS = 0o066;

/**
 * Throws when the config read from `file` (of `mode`) holds a secret others can reach; `secret`
 * names the key that holds it (the backend's to say: store/backend-config.ts).
 */
export function refuseOpenConfigSecrets(file: string, mode: number, secret: string | undefined): void {
  if (secret !== undefined && (mode & OPEN_TO_OTHERS) !== 0)
    throw openSecret('Cannot load config', file, `it holds ${secret}`, mode);
}

/**
 * Throws when the secret file `file` (of `mode`, `what` names it) is open to group or others;
 * `holds` says what the secret is.
 */
export function refuseOpenSecret(file: string, what: string, mode: number, holds = 'it is a private key'): void {
  if ((mode & OPEN_TO_OTHERS) !== 0) throw openSecret(`Cannot read ${what}`, file, holds, mode);
}

function openSecret(head: string, file: string, holds: string, mode: number): IpamError {
  const octal = (mode & 0o7777).toString(8).padStart(4, '0');
  const can = [(mode & 0o044) !== 0 ? 'read' : '', (mode & 0o022) !== 0 ? 'write' : ''].filter(Boolean).join(' and ');
  const reason = `${holds} but its mode is ${octal}, so group or others can ${can} it`;
  return new IpamError('config', `${head} ${file}: ${reason}; nothing was changed, run: chmod 600 ${file}`, {
    subject: file,
    reason,
  });
}
