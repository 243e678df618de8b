/**
 * Opens the etcd backend from its config: builds the client (which reads the TLS files on its
 * first https connection, tls-files.ts) and the store.
 * Loaded only when the config names etcd (open-store.ts imports it on demand), so the file
 * backend's actions never pay for it.
 */
import type { EtcdBackendConfig } from './etcd-config.ts';
import type { Env } from '../../env.ts';
import { EtcdClient } from './etcd-client.ts';
import { EtcdStore } from './etcd-store.ts';
import { retriesHook, txnSentHook } from './test-hooks.ts';
import { tlsLoader } from './tls-files.ts';

/** `origin`: what chose this book, for the message when it is missing (store.ts). */
export function openEtcdStore(
  backend: EtcdBackendConfig,
  driverName: string,
  lockTimeoutMs: number,
  env: Env,
  origin?: string,
): EtcdStore {
  const onTxnSent = txnSentHook(env);
  const client = new EtcdClient({
    endpoints: backend.endpoints,
    timeoutMs: backend.timeoutMs,
    ...(backend.tls ? { tls: tlsLoader(backend.tls) } : {}),
    ...(backend.user === undefined ? {} : { user: backend.user, password: backend.password ?? '' }),
    ...(onTxnSent ? { onTxnSent } : {}),
  });
  const onUpdated = retriesHook(env);
  return new EtcdStore({
    client,
    prefix: backend.prefix ?? `/nebula-ipam/${driverName}`,
    lockTimeoutMs,
    ...(origin === undefined ? {} : { origin }),
    ...(onUpdated ? { onUpdated } : {}),
  });
}
