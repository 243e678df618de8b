/**
 * `reconcile --onevnet`: runs `onevnet list -x` itself, so the document's "as of" can be a time
 * surely before oned took its snapshot: the time stamped before onevnet started. (A saved file's
 * modification time is when onevnet finished writing it; a lease made in between is missing from
 * the document yet older than the file, and would be judged stale.)
 */
import { spawnSync } from 'node:child_process';
import { IpamError } from '../errors.ts';
import { decodeDocument, MAX_DOCUMENT_BYTES } from './load-onevnet-text.ts';

/** A large cloud's list takes oned a while; a hung CLI must still end. */
const ONEVNET_TIMEOUT_MS = 10 * 60 * 1000;
export const ONEVNET_COMMAND = 'onevnet list -x';

export function runOnevnet(env: Readonly<Record<string, string | undefined>>): string {
  const child = spawnSync('onevnet', ['list', '-x'], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: MAX_DOCUMENT_BYTES,
    timeout: ONEVNET_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const fail = (kind: 'not-found' | 'bad-request', why: string): never => {
    throw new IpamError(kind, `Cannot run ${ONEVNET_COMMAND}: ${why}; nothing was changed`);
  };
  if (child.error) {
    const code = (child.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail('not-found', 'onevnet is not on PATH (run reconcile as oneadmin on the front-end, or save its output and use --from FILE --as-of TIME)');
    if (code === 'ENOBUFS') fail('bad-request', `it printed more than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB, more than onevnet prints`);
    if (code === 'ETIMEDOUT') fail('bad-request', `it did not finish within ${ONEVNET_TIMEOUT_MS / 60_000} minutes`);
    fail('bad-request', child.error.message);
  }
  if (child.status !== 0) {
    const said = child.stderr.toString('utf8').trim().split('\n')[0]?.slice(0, 200) ?? '';
    fail('bad-request', `it exited with ${child.status ?? child.signal}${said ? ` (${said})` : ''}`);
  }
  return decodeDocument(child.stdout, `the output of ${ONEVNET_COMMAND}`);
}
