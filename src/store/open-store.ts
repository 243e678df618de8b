/**
 * The one place a backend is chosen: actions and commands get a `LeaseStore` from here and
 * never name a backend. Which book, and where, is decided by `config/resolve-book.ts`, the same
 * way for the driver and the CLI: a file book by default, etcd when the config's backend says so
 * (unless the CLI's `--store` names a file book: how a book moves between backends). Each
 * backend's opener reads its own test hooks.
 */
import type { Env } from '../env.ts';
import type { BookChoice } from './backend-config.ts';
import { openEtcdStore } from './etcd/open-etcd-store.ts';
import { openFileStore } from './file/open-file-store.ts';
import type { LeaseStore } from './store.ts';

/** What a store needs of the config: how long to wait for the book, and where the config is (for messages). */
interface StoreSettings {
  readonly lockTimeoutMs: number;
  readonly source: string;
}

export function openStore(config: StoreSettings, choice: BookChoice, driverName: string, env: Env): LeaseStore {
  // "chosen by NEBULA_IPAM_STORE; config /etc/one/nebula-ipam/nebula.json": for messages.
  const origin = `chosen by ${choice.setting}; config ${config.source}`;
  if (choice.backend === 'etcd')
    return openEtcdStore({ ...choice.etcd, prefix: choice.prefix }, driverName, config.lockTimeoutMs, env, origin);
  return openFileStore(choice.file, config.lockTimeoutMs, env, origin);
}
