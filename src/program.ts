/**
 * The program: what the bundle runs once its entry (src/boot/entry.ts) has read it. oned runs
 * the bundle through five symlinks; the name it was invoked by (the symlink's, not the target's)
 * picks the action. Any other name is the operator CLI.
 *
 * build.mjs builds this file once per part of the bundle: for the driver actions and for the CLI
 * (NEBULA_IPAM_PART). The part not taken is dropped at build time, so a driver action never
 * compiles or evaluates the CLI (nor loads `node:tty`, `node:os`, `node:util`), and oned, which
 * runs actions one at a time for the whole cloud, waits less.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTION_NAMES, type ActionName } from './core/actions/action.ts';
import { installInterruptGuard } from './interrupts/interrupt-guard.ts';

/** Which part this build is; entry.ts runs the driver part for the five action names only. */
declare const NEBULA_IPAM_PART: 'driver' | 'cli';

const invokedPath = process.argv[1] ?? '';
const invokedAs = path.basename(invokedPath);
/**
 * All of `text`: one writeSync may take only part of it (a pipe's buffer, 64 KiB here), and a
 * pipe left non-blocking by its reader answers EAGAIN until the reader drains it. A big
 * `status --json` was cut off after the first part.
 */
const write = (fd: number) => (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; ) {
    try {
      at += fs.writeSync(fd, bytes, at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
};
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
const stdout = write(1);
const stderr = write(2);
// First, so a signal from the very start is honest too (interrupt-guard.ts).
const interrupts = installInterruptGuard({ stderr, exit: (code) => process.exit(code) });

const run =
  NEBULA_IPAM_PART === 'driver'
    ? import('./driver/run-action.ts').then(({ runAction }) => {
        if (!(ACTION_NAMES as readonly string[]).includes(invokedAs))
          throw new Error(`${JSON.stringify(invokedAs)} is not an action`);
        return runAction(invokedAs as ActionName, {
          args: process.argv.slice(2),
          env: process.env,
          invokedPath,
          stdout,
          stderr,
          now: () => new Date(),
          interrupts,
        });
      })
    : import('./cli/run-cli.ts').then(({ runCli }) => runCli(process.argv.slice(2), { stdout, stderr, interrupts }));

run.then(
  (code) => {
    process.exitCode = interrupts.finish(code);
  },
  (error: unknown) => {
    // Only a failure to start gets here; both runners turn their own errors into exit codes.
    stderr(`Cannot start nebula-ipam: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
