/**
 * The one place a backend is chosen: actions and commands get a `LeaseStore` from here and
 * never name a backend. The file book is the default; `"backend": {"type": "etcd", ...}` in the
 * config puts it in etcd (store/etcd/), unless the CLI's `--store` names a file book explicitly
 * (how a book moves between backends: `--store FILE export`, then `import` into etcd).
 */
import type { Config } from '../config/config.ts';
import { storePath, type Env } from '../config/paths.ts';
import { stageHook, writeStepHook } from '../driver/test-hooks.ts';
import { openEtcdStore } from './etcd/open-etcd-store.ts';
import { FileStore } from './file-store.ts';
import type { LeaseStore } from './store.ts';

export interface StoreChoice {
  readonly driverName: string;
  readonly env: Env;
  /** An explicit file book (the CLI's `--store`), over the config and the environment. */
  readonly path?: string;
}

export function openStore(config: Config, choice: StoreChoice): LeaseStore {
  if (config.backend?.type === 'etcd' && choice.path === undefined) return openEtcdStore(config.backend, choice.driverName, config.lockTimeoutMs, choice.env);
  const location = choice.path ?? storePath(config, choice.driverName, choice.env);
  const onWriteStep = writeStepHook(choice.env);
  const onStage = stageHook(choice.env);
  return new FileStore(location, { lockTimeoutMs: config.lockTimeoutMs, ...(onWriteStep ? { onWriteStep } : {}), ...(onStage ? { onStage } : {}) });
}
