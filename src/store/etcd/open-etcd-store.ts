/**
 * Opens the etcd backend from its config: reads the TLS files, builds the client and the store.
 * Loaded only when the config names etcd (open-store.ts imports it on demand), so the file
 * backend's actions never pay for it.
 */
import * as fs from 'node:fs';
import type { EtcdBackendConfig } from '../../config/parse-backend.ts';
import type { Env } from '../../config/paths.ts';
import { IpamError } from '../../errors.ts';
import { EtcdClient, type EtcdTls } from './etcd-client.ts';
import { EtcdStore } from './etcd-store.ts';
import { retriesHook, txnSentHook } from './test-hooks.ts';

/** `origin`: what chose this book, for the message when it is missing (store.ts). */
export function openEtcdStore(backend: EtcdBackendConfig, driverName: string, lockTimeoutMs: number, env: Env, origin?: string): EtcdStore {
  const onTxnSent = txnSentHook(env);
  const client = new EtcdClient({
    endpoints: backend.endpoints,
    timeoutMs: backend.timeoutMs,
    ...(backend.tls ? { tls: readTls(backend.tls) } : {}),
    ...(backend.user === undefined ? {} : { user: backend.user, password: backend.password ?? '' }),
    ...(onTxnSent ? { onTxnSent } : {}),
  });
  const onUpdated = retriesHook(env);
  return new EtcdStore({ client, prefix: backend.prefix ?? `/nebula-ipam/${driverName}`, lockTimeoutMs, ...(origin === undefined ? {} : { origin }), ...(onUpdated ? { onUpdated } : {}) });
}

function readTls(tls: NonNullable<EtcdBackendConfig['tls']>): EtcdTls {
  const read = (name: 'ca' | 'cert' | 'key') => {
    const file = tls[name];
    if (file === undefined) return {};
    try {
      return { [name]: fs.readFileSync(file, 'utf8') };
    } catch (error) {
      throw new IpamError('config', `Cannot read backend.tls.${name} ${file}: ${(error as Error).message}`);
    }
  };
  return { ...read('ca'), ...read('cert'), ...read('key') };
}
