/**
 * The one place a backend is chosen: actions and commands get a `LeaseStore` from here and
 * never name a backend. Which book, and where, is decided by `config/resolve-book.ts`, the same
 * way for the driver and the CLI: a file book by default, etcd when the config's backend says so
 * (unless the CLI's `--store` names a file book: how a book moves between backends).
 */
import type { Config } from '../config/config.ts';
import type { Env } from '../config/paths.ts';
import type { BookChoice } from '../config/resolve-book.ts';
import { stageHook, writeStepHook } from './file/test-hooks.ts';
import { openEtcdStore } from './etcd/open-etcd-store.ts';
import { FileStore } from './file/file-store.ts';
import type { LeaseStore } from './store.ts';

export function openStore(config: Config, choice: BookChoice, driverName: string, env: Env): LeaseStore {
  const origin = originOf(config, choice);
  if (choice.backend === 'etcd')
    return openEtcdStore({ ...choice.etcd, prefix: choice.prefix }, driverName, config.lockTimeoutMs, env, origin);
  const onWriteStep = writeStepHook(env);
  const onStage = stageHook(env);
  return new FileStore(choice.file, {
    lockTimeoutMs: config.lockTimeoutMs,
    origin,
    ...(onWriteStep ? { onWriteStep } : {}),
    ...(onStage ? { onStage } : {}),
  });
}

/** "chosen by NEBULA_IPAM_STORE; config /etc/one/nebula-ipam/nebula.json": for messages. */
function originOf(config: Config, choice: BookChoice): string {
  return `chosen by ${choice.setting}; config ${config.source}`;
}
