/**
 * TEST HOOKS for the etcd backend's crash tests only; never set them on a front-end.
 *
 *   NEBULA_IPAM_TEST_ETCD_KILL_AFTER_SEND=1   SIGKILL this process as soon as its first write
 *                                             transaction has been handed to the kernel, before
 *                                             the answer is read: the "answer lost" case, as a
 *                                             `kill -9` or a power cut would leave it.
 *
 *   NEBULA_IPAM_TEST_ETCD_RETRIES_TO=<file> append to <file> one line per update this process
 *                                             made: how many times it met a conflict and ran the
 *                                             change again (for the contention figures).
 *
 * Same pattern as src/store/file/test-hooks.ts: read from the environment because the tests drive
 * the built bundle as oned does; a value other than 1 is refused loudly so a misspelt hook
 * cannot make a crash test pass without crashing anything. Like those, they exist only in the
 * test bundle (`node build.mjs --test-hooks`): NEBULA_IPAM_TEST_HOOKS is false in the production
 * bundle, and the hooks below are dropped from it.
 */
import * as fs from 'node:fs';
import type { Env } from '../../env.ts';
import { IpamError, shown } from '../../core/errors.ts';

/** Set by build.mjs: true only in the test bundle. */
declare const NEBULA_IPAM_TEST_HOOKS: boolean;

const KILL_AFTER_SEND = 'NEBULA_IPAM_TEST_ETCD_KILL_AFTER_SEND';
const RETRIES_TO = 'NEBULA_IPAM_TEST_ETCD_RETRIES_TO';

/** The EtcdClient's `onTxnSent`, or undefined when the hook is not set (always in production). */
export function txnSentHook(env: Env): (() => void) | undefined {
  return NEBULA_IPAM_TEST_HOOKS ? txnSentHookFrom(env) : undefined;
}

function txnSentHookFrom(env: Env): (() => void) | undefined {
  const value = env[KILL_AFTER_SEND];
  if (value === undefined || value === '') return undefined;
  if (value !== '1')
    throw new IpamError('config', `Cannot use the test hook ${KILL_AFTER_SEND}=${shown(value)}: the only value is 1`);
  return () => process.kill(process.pid, 'SIGKILL');
}

/** The EtcdStore's `onUpdated`, or undefined when the hook is not set (always in production). */
export function retriesHook(env: Env): ((retries: number) => void) | undefined {
  return NEBULA_IPAM_TEST_HOOKS ? retriesHookFrom(env) : undefined;
}

function retriesHookFrom(env: Env): ((retries: number) => void) | undefined {
  const file = env[RETRIES_TO];
  if (file === undefined || file === '') return undefined;
  return (retries) => fs.appendFileSync(file, `${retries}\n`);
}
