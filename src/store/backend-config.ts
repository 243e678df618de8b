/**
 * The `backend` key of the config: where the lease book lives. Absent or `{"type":"file"}`: a
 * JSON file (the `store` key, or the default path); `{"type":"etcd", ...}`: etcd v3. Each
 * backend parses its own part (file/file-config.ts, etcd/etcd-config.ts). Pure.
 */
import { etcdSecret, parseEtcdBackend, type EtcdBackendConfig } from './etcd/etcd-config.ts';
import { parseFileBackend } from './file/file-config.ts';

export type BackendConfig = { readonly type: 'file' } | EtcdBackendConfig;

/** Which book a program uses, and the setting that chose it (config/resolve-book.ts), for messages. */
export type BookChoice =
  | { readonly backend: 'file'; readonly file: string; readonly setting: string }
  | { readonly backend: 'etcd'; readonly etcd: EtcdBackendConfig; readonly prefix: string; readonly setting: string };

export function parseBackend(raw: unknown, fail: (key: string, why: string) => never): BackendConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('backend', 'must be an object such as {"type": "etcd", "endpoints": [...]}');
  const o = raw as Record<string, unknown>;
  if (o.type === 'file') return parseFileBackend(o, fail);
  if (o.type === 'etcd') return parseEtcdBackend(o, fail);
  return fail('backend.type', `must be "file" or "etcd", not ${JSON.stringify(o.type)}`);
}

/** The config key that holds a secret of the backend (access/secret-modes.ts), if any. */
export function backendSecret(backend: BackendConfig | undefined): string | undefined {
  return backend?.type === 'etcd' ? etcdSecret(backend) : undefined;
}
