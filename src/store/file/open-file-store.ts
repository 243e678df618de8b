/** Opens the file backend: the store, with this backend's own test hooks (test-hooks.ts) when set. */
import type { Env } from '../../env.ts';
import { FileStore } from './file-store.ts';
import { lockWaitHook, stageHook, writeStepHook } from './test-hooks.ts';

/** `origin`: what chose this book, for the message when it is missing (store.ts). */
export function openFileStore(file: string, lockTimeoutMs: number, env: Env, origin?: string): FileStore {
  const onWriteStep = writeStepHook(env);
  const onStage = stageHook(env);
  const onLockWait = lockWaitHook(env);
  return new FileStore(file, {
    lockTimeoutMs,
    ...(origin === undefined ? {} : { origin }),
    ...(onWriteStep ? { onWriteStep } : {}),
    ...(onStage ? { onStage } : {}),
    ...(onLockWait ? { onLockWait } : {}),
  });
}
