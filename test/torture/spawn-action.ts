/**
 * One driver action as a separate process, asynchronously, so many can run at once and one can be
 * killed at a chosen moment. The synchronous twin for one-at-a-time tests is the driver harness.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeRequest, type Action, type DriverSandbox } from '../support/driver-harness.ts';
import { bundlePath } from './sandbox.ts';

/** A driver action, or the operator CLI. */
export type Program = Action | 'nebula-ipam';

export interface ActionRun {
  readonly action: Program;
  /** Exit status, or undefined when a signal ended the process. */
  readonly code: number | undefined;
  readonly signal: NodeJS.Signals | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** performance.now() when the process was spawned and when it was reaped, in ms. */
  readonly start: number;
  readonly end: number;
  /** True when this runner sent the SIGKILL (not the test hook). */
  readonly killedByUs: boolean;
  /** True when the SIGKILL was for running past HARD_LIMIT_MS: a hung process, not a chosen kill. */
  readonly hung: boolean;
}

export interface SpawnOptions {
  readonly requestId: string;
  /** Extra environment (config, test hooks); undefined values remove a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SIGKILL the process this many ms after spawning it. */
  readonly killAfterMs?: number;
  /** Exact stdin; default: base64 of the XML, as oned sends it. */
  readonly stdin?: string | Buffer;
  /** argv instead of the request id (e.g. the 5.x form, or none at all). */
  readonly args?: readonly string[];
}

/** No action may take this long; a hung child is killed and reported as such. */
const HARD_LIMIT_MS = 90_000;

export function spawnAction(
  sandbox: DriverSandbox,
  action: Program,
  xml: string,
  options: SpawnOptions,
): Promise<ActionRun> {
  const env = sandbox.env(options.env);
  const start = performance.now();
  // The CLI is the bundle under any other name; run it by its own path.
  const program = action === 'nebula-ipam' ? bundlePath() : path.join(sandbox.driverDir, action);
  const child = spawn(program, [...(options.args ?? [options.requestId])], {
    env,
    cwd: sandbox.dir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killedByUs = false;
  let hung = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A child killed before it read stdin closes the pipe under us; that is expected here.
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.stdin ?? encodeRequest(xml));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) {
      killedByUs = true;
      child.kill('SIGKILL');
    }
  };
  const killTimer = options.killAfterMs === undefined ? undefined : setTimeout(kill, options.killAfterMs);
  const hardTimer = setTimeout(() => {
    hung = child.exitCode === null && child.signalCode === null;
    kill();
  }, HARD_LIMIT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      clearTimeout(hardTimer);
      resolve({
        action,
        code: code ?? undefined,
        signal: signal ?? undefined,
        stdout,
        stderr,
        start,
        end: performance.now(),
        killedByUs,
        hung,
      });
    });
  });
}

/** The operator CLI (`nebula-ipam <args>`) against the sandbox's config and book. */
export function spawnCli(
  sandbox: DriverSandbox,
  args: readonly string[],
  options: Omit<SpawnOptions, 'requestId' | 'args' | 'stdin'> = {},
): Promise<ActionRun> {
  return spawnAction(sandbox, 'nebula-ipam', '', { ...options, requestId: '', args, stdin: '' });
}
