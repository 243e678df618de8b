/**
 * TEST HOOKS, for the torture suite (test/torture) only; never set them on a front-end.
 *
 *   NEBULA_IPAM_TEST_CRASH_AT=<step>  SIGKILL this process at that step of a book write, as a
 *                                     power cut or `kill -9` would stop it there.
 *   NEBULA_IPAM_TEST_FAIL_AT=<step>   make that step fail with ENOSPC, as a full disk would.
 *   NEBULA_IPAM_TEST_PAUSE_AT=<point>:<file>
 *                                     at that point of a file-book update (book-found, lock-taken:
 *                                     `store/file-store.ts`), create <file> and wait until the test
 *                                     removes it (at most 30 s): a race window held open, so a
 *                                     test can swap the book's directory exactly there.
 *
 * <step> is one of the write steps of `store/atomic-write.ts`: temp-written, temp-synced,
 * previous-kept, renamed, directory-synced. They live in the environment because the suite drives
 * the built bundle as separate processes, exactly as oned runs it; an unknown step is refused
 * loudly so a misspelt hook cannot make a crash test pass without crashing anything.
 *
 * None of this is in the production bundle: build.mjs defines NEBULA_IPAM_TEST_HOOKS as false
 * there, so every hook below is dead code esbuild drops (test/e2e/production-bundle.test.ts
 * checks that no `NEBULA_IPAM_TEST_` string is left). `node build.mjs --test-hooks` builds the
 * bundle the crash tests and the torture suite run, dist/test/nebula-ipam.cjs, with them in.
 * Every hook is gated the same way: `NEBULA_IPAM_TEST_HOOKS ? hook(...) : undefined`.
 */
import type { Env } from '../config/paths.ts';
import { IpamError, shown } from '../errors.ts';
import * as fs from 'node:fs';
import { WRITE_STEPS, type WriteStep } from '../store/atomic-write.ts';
import type { StorePause } from '../store/file-store.ts';

/** Set by build.mjs: true only in the test bundle. */
declare const NEBULA_IPAM_TEST_HOOKS: boolean;

export const CRASH_AT = 'NEBULA_IPAM_TEST_CRASH_AT';
export const FAIL_AT = 'NEBULA_IPAM_TEST_FAIL_AT';
export const PAUSE_AT = 'NEBULA_IPAM_TEST_PAUSE_AT';
const PAUSE_POINTS: readonly StorePause[] = ['book-found', 'lock-taken'];
const PAUSE_LIMIT_MS = 30_000;

/**
 * The hook to pass as the FileStore's `onWriteStep`, or undefined when no test hook is set (and
 * always in the production bundle).
 */
export function writeStepHook(env: Env): ((step: WriteStep) => void) | undefined {
  return NEBULA_IPAM_TEST_HOOKS ? stepHookFrom(env) : undefined;
}

function stepHookFrom(env: Env): ((step: WriteStep) => void) | undefined {
  const crashAt = stepNamed(env, CRASH_AT);
  const failAt = stepNamed(env, FAIL_AT);
  if (crashAt === undefined && failAt === undefined) return undefined;
  return (step) => {
    if (step === crashAt) process.kill(process.pid, 'SIGKILL');
    if (step === failAt) {
      throw Object.assign(new Error(`ENOSPC: no space left on device (injected by ${FAIL_AT}=${step})`), { code: 'ENOSPC' });
    }
  };
}

function stepNamed(env: Env, name: string): WriteStep | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const step = WRITE_STEPS.find((s) => s === value);
  if (!step) throw new IpamError('config', `Cannot use the test hook ${name}=${shown(value)}: the write steps are ${WRITE_STEPS.join(', ')}`);
  return step;
}

/** The hook to pass as the FileStore's `onPause`, or undefined (always in the production bundle). */
export function pauseHook(env: Env): ((point: StorePause) => void) | undefined {
  return NEBULA_IPAM_TEST_HOOKS ? pauseHookFrom(env) : undefined;
}

function pauseHookFrom(env: Env): ((point: StorePause) => void) | undefined {
  const value = env[PAUSE_AT];
  if (value === undefined || value === '') return undefined;
  const split = value.indexOf(':');
  const at = PAUSE_POINTS.find((p) => p === value.slice(0, split));
  const file = value.slice(split + 1);
  if (split < 0 || !at || file === '') throw new IpamError('config', `Cannot use the test hook ${PAUSE_AT}=${shown(value)}: it is <point>:<file>, the points ${PAUSE_POINTS.join(', ')}`);
  return (point) => {
    if (point !== at) return;
    fs.writeFileSync(file, `${process.pid}\n`);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (const end = Date.now() + PAUSE_LIMIT_MS; fs.existsSync(file) && Date.now() < end; ) Atomics.wait(nap, 0, 0, 5);
  };
}
