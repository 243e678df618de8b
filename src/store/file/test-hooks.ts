/**
 * TEST HOOKS, for the torture suite (test/torture) only; never set them on a front-end.
 *
 *   NEBULA_IPAM_TEST_CRASH_AT=<step>  SIGKILL this process at that step of a book write, as a
 *                                     power cut or `kill -9` would stop it there.
 *   NEBULA_IPAM_TEST_FAIL_AT=<step>   make that step fail with ENOSPC, as a full disk would.
 *   NEBULA_IPAM_TEST_HOLD_AT=<stage>  for the interrupt tests: at that stage of an update create
 *   NEBULA_IPAM_TEST_HOLD_DIR=<dir>   <dir>/<stage>.held, then (except at lock-wait, where the
 *                                     process goes on waiting for the lock) block, as a long
 *                                     change or a slow disk would, until <dir>/<stage>.go
 *                                     exists, for at most a minute. The test signals the process
 *                                     in between. <stage> is lock-wait, changed (the change has
 *                                     run), or a write step; or book-found (the book's directory is
 *                                     recorded) or lock-taken (just after), where the root tests
 *                                     swap that directory in between.
 *   NEBULA_IPAM_TEST_LOCK_WAITS_TO=<file>  append to <file> one line per wait for the book's
 *                                     lock: `<waited ms> <lockTimeoutMs> taken|refused`, as the
 *                                     process measured it (the torture checks the lock deadline
 *                                     on that, not on a process's whole life, which a loaded
 *                                     machine stretches at start-up, fsync and exit).
 *
 * <step> is one of the write steps of `store/file/atomic-write.ts`: temp-written, temp-synced,
 * previous-kept, renamed, directory-synced. They live in the environment because the suite drives
 * the built bundle as separate processes, exactly as oned runs it; an unknown step is refused
 * loudly so a misspelt hook cannot make a crash test pass without crashing anything.
 *
 * None of this is in the production bundle: build.mjs defines NEBULA_IPAM_TEST_HOOKS as false
 * there, so every hook below is dead code esbuild drops (test/e2e/install/production-bundle.test.ts
 * checks that no `NEBULA_IPAM_TEST_` string is left). `node build.mjs --test-hooks` builds the
 * bundle the crash tests and the torture suite run, dist/test/nebula-ipam.cjs, with them in.
 * Every hook is gated the same way: `NEBULA_IPAM_TEST_HOOKS ? hook(...) : undefined`.
 */
import type { Env } from '../../env.ts';
import { IpamError, shown } from '../../core/errors.ts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WRITE_STEPS, type WriteStep } from './atomic-write.ts';
import { STORE_STAGES, type LockWaitReport, type StoreStage } from './file-store.ts';

/** Set by build.mjs: true only in the test bundle. */
declare const NEBULA_IPAM_TEST_HOOKS: boolean;

const CRASH_AT = 'NEBULA_IPAM_TEST_CRASH_AT';
const FAIL_AT = 'NEBULA_IPAM_TEST_FAIL_AT';
const HOLD_AT = 'NEBULA_IPAM_TEST_HOLD_AT';
const HOLD_DIR = 'NEBULA_IPAM_TEST_HOLD_DIR';
const LOCK_WAITS_TO = 'NEBULA_IPAM_TEST_LOCK_WAITS_TO';

/**
 * The hook to pass as the FileStore's `onWriteStep`, or undefined when no test hook is set (and
 * always in the production bundle).
 */
export function writeStepHook(env: Env): ((step: WriteStep) => void) | undefined {
  return NEBULA_IPAM_TEST_HOOKS ? stepHookFrom(env) : undefined;
}

/** The FileStore's `onStage`, or undefined when NEBULA_IPAM_TEST_HOLD_AT names no such stage. */
export function stageHook(env: Env): ((stage: StoreStage) => void) | undefined {
  return NEBULA_IPAM_TEST_HOOKS ? holdHookFrom(env) : undefined;
}

/** The FileStore's `onLockWait`, or undefined when NEBULA_IPAM_TEST_LOCK_WAITS_TO is not set. */
export function lockWaitHook(env: Env): ((wait: LockWaitReport) => void) | undefined {
  return NEBULA_IPAM_TEST_HOOKS ? lockWaitHookFrom(env) : undefined;
}

function lockWaitHookFrom(env: Env): ((wait: LockWaitReport) => void) | undefined {
  const file = env[LOCK_WAITS_TO];
  if (file === undefined || file === '') return undefined;
  return (wait) => fs.appendFileSync(file, `${wait.waitedMs} ${wait.timeoutMs} ${wait.taken ? 'taken' : 'refused'}\n`);
}

function stepHookFrom(env: Env): ((step: WriteStep) => void) | undefined {
  const crashAt = stepNamed(env, CRASH_AT);
  const failAt = stepNamed(env, FAIL_AT);
  const hold = holdHookFrom(env);
  if (crashAt === undefined && failAt === undefined && hold === undefined) return undefined;
  return (step) => {
    hold?.(step);
    if (step === crashAt) process.kill(process.pid, 'SIGKILL');
    if (step === failAt) {
      throw Object.assign(new Error(`ENOSPC: no space left on device (injected by ${FAIL_AT}=${step})`), {
        code: 'ENOSPC',
      });
    }
  };
}

function holdHookFrom(env: Env): ((stage: string) => void) | undefined {
  const value = env[HOLD_AT];
  if (value === undefined || value === '') return undefined;
  const stages: readonly string[] = [...STORE_STAGES, ...WRITE_STEPS];
  const dir = env[HOLD_DIR];
  if (!stages.includes(value))
    throw new IpamError(
      'config',
      `Cannot use the test hook ${HOLD_AT}=${shown(value)}: the stages are ${stages.join(', ')}`,
    );
  if (dir === undefined || dir === '')
    throw new IpamError('config', `Cannot use the test hook ${HOLD_AT}: ${HOLD_DIR} must name a directory`);
  let held = false;
  return (stage) => {
    if (stage !== value || held) return;
    held = true;
    fs.writeFileSync(path.join(dir, `${stage}.held`), `${process.pid}\n`);
    if (stage === 'lock-wait') return;
    // Synchronous on purpose: signals wait for the event loop, as during a long change.
    const go = path.join(dir, `${stage}.go`);
    const tick = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; waited < 60_000 && !fs.existsSync(go); waited += 10) Atomics.wait(tick, 0, 0, 10);
  };
}

function stepNamed(env: Env, name: string): WriteStep | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const step = WRITE_STEPS.find((s) => s === value);
  if (!step)
    throw new IpamError(
      'config',
      `Cannot use the test hook ${name}=${shown(value)}: the write steps are ${WRITE_STEPS.join(', ')}`,
    );
  return step;
}
