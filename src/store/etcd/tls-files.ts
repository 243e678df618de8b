/**
 * The TLS files of the etcd backend (`backend.tls.ca`, `.cert`, `.key`), read on the first https
 * connection only: an http-only cluster never opens them, so nothing planted at their names can
 * hold up its actions. Each is opened non-blocking (a FIFO opens at once instead of hanging every
 * action past SIGTERM), checked on the descriptor to be a regular file, capped in size, and read
 * from that descriptor. The key is a secret: like a config holding a password, it is refused
 * when group or others can read or write it (secret-modes.ts). Symlinks are followed: certbot
 * and most PKI tools keep live certificates behind them, and the paths are root's config.
 */
import * as fs from 'node:fs';
import type { EtcdBackendConfig } from '../../config/parse-backend.ts';
import { refuseOpenSecret } from '../../config/secret-modes.ts';
import { IpamError } from '../../errors.ts';
import type { EtcdTls } from './etcd-client.ts';

/** Far above a CA bundle (Debian's holds ~220 KiB); a bigger file is not a PEM file. */
const MAX_TLS_BYTES = 1 << 20;

type TlsPaths = NonNullable<EtcdBackendConfig['tls']>;

/** A loader for the EtcdClient: reads the files at its first call and answers the same after. */
export function tlsLoader(paths: TlsPaths): () => EtcdTls {
  let read: EtcdTls | undefined;
  return () => {
    read ??= readTlsFiles(paths);
    return read;
  };
}

function readTlsFiles(paths: TlsPaths): EtcdTls {
  const tls: { ca?: string; cert?: string; key?: string } = {};
  for (const name of ['ca', 'cert', 'key'] as const) {
    const file = paths[name];
    if (file !== undefined) tls[name] = readPem(`backend.tls.${name}`, file, name === 'key');
  }
  return tls;
}

function readPem(what: string, file: string, secret: boolean): string {
  const fail = (reason: string) => new IpamError('config', `Cannot read ${what} ${file}: ${reason}`, { subject: file, reason });
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (error) {
    throw fail((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw fail(`it is ${stat.isFIFO() ? 'a FIFO' : stat.isDirectory() ? 'a directory' : 'a special file'}, not a regular file; move it away`);
    if (stat.size > MAX_TLS_BYTES) throw fail(`it holds ${stat.size} bytes, more than a PEM file's ${MAX_TLS_BYTES}`);
    if (secret) refuseOpenSecret(file, what, stat.mode);
    const bytes = fs.readFileSync(fd);
    if (bytes.length > MAX_TLS_BYTES) throw fail(`it grew past ${MAX_TLS_BYTES} bytes while read`);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof IpamError) throw error;
    throw fail((error as Error).message);
  } finally {
    fs.closeSync(fd);
  }
}
