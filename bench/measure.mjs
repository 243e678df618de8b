/**
 * Running one child process and timing it. Wall time is taken around a synchronous spawn, so the
 * parent adds the same fixed cost to the bundle and to the bare `node -e 0` it is compared with.
 * Peak RSS comes from separate, untimed runs under GNU time (`%M` is the child's ru_maxrss in KiB),
 * so the timed runs are not slowed by the wrapper.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
/** Nothing one action does should take this long; a hung child fails the run instead of stalling it. */
const CHILD_TIMEOUT_MS = 120_000;

/** The environment every child gets: the parent's, minus NODE_EXTRA_CA_CERTS (see README of bench). */
/** @param {Record<string, string | undefined>} [extra] @returns {NodeJS.ProcessEnv} */
export function childEnv(extra = {}) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * Runs `file args` with `input` on stdin; returns wall ms, exit status and output. With `stdinFd`
 * (a function making a pipe that holds the input, see stdin-pipe.mjs) stdin is that pipe, as
 * oned gives it; it is prepared before the clock starts.
 */
/**
 * @param {string} file
 * @param {readonly string[]} args
 * @param {{ input?: string, env?: NodeJS.ProcessEnv, cwd?: string, stdinFd?: (input?: string) => number }} options
 */
export function runTimed(file, args, { input, env, cwd, stdinFd }) {
  const fd = stdinFd?.(input);
  try {
    const start = process.hrtime.bigint();
    const child = spawnSync(file, args, {
      ...(fd === undefined ? { input: input ?? '' } : { stdio: [fd, 'pipe', 'pipe'] }),
      env,
      cwd,
      timeout: CHILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.error) throw child.error;
    return { ms, status: child.status, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export const canMeasureRss = existsSync(GNU_TIME);

/** The same run under GNU time; returns its result plus peak RSS in KiB (undefined without GNU time). */
export function runWithRss(file, args, options, scratchDir) {
  if (!canMeasureRss) return { ...runTimed(file, args, options), rssKiB: undefined };
  const out = join(scratchDir, `.rss-${process.pid}`);
  const result = runTimed(GNU_TIME, ['-f', '%M', '-o', out, file, ...args], options);
  const rssKiB = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
  rmSync(out, { force: true });
  return { ...result, rssKiB };
}

/**
 * A positive whole number from the environment variable `name`, else `fallback`; anything else
 * stops the bench.
 * @param {string} name @param {number} fallback @returns {number}
 */
export function positiveInteger(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}

/** @param {readonly number[]} values @returns {number} */
export function median(values) {
  return quantile(values, 0.5);
}

/** Nearest-rank quantile: with few samples it is an observed value, never an interpolation. */
/** @param {readonly number[]} values @param {number} q @returns {number} */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
