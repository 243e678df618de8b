/**
 * The TLS files of the etcd backend (`backend.tls.ca`, `.cert`, `.key`), read on the first https
 * connection only: an http-only cluster never opens them, so nothing planted at their names can
 * hold up its actions. Each is read as every file is (regular-file.ts: opened non-blocking, so a
 * FIFO cannot hang every action past SIGTERM; checked on the descriptor to be a regular file;
 * capped in size; read from that descriptor). The key is a secret: like a config holding a
 * password, it is refused when group or others can read or write it (access/secret-modes.ts). Symlinks are followed: certbot
 * and most PKI tools keep live certificates behind them, and the paths are root's config.
 */
import type { EtcdBackendConfig } from './etcd-config.ts';
import { refuseOpenSecret } from '../../access/secret-modes.ts';
import { noSuchFile } from '../../core/no-such-file.ts';
import { readRegularFile } from '../../access/regular-file.ts';
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
  const read = readRegularFile(file, { what, kind: 'config', maxBytes: MAX_TLS_BYTES });
  if (read === undefined) throw noSuchFile(what, file, 'config');
  if (secret) refuseOpenSecret(file, what, read.stat.mode);
  return read.bytes.toString('utf8');
}
