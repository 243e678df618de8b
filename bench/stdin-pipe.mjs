/**
 * Standard input as oned gives it to a driver: a pipe holding the request, its writer closed.
 * oned's one_ipam (Ruby popen3) uses pipe(2); Node's child_process would give a socket pair
 * instead, which the driver reads another (slower) way. A named pipe per slot reproduces oned:
 * the request is written into it, the writing end closed, and the reading end handed to the child.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A pipe holds 64 KiB before a writer blocks; requests are far smaller. */
const PIPE_CAPACITY = 64 * 1024;

export const canUsePipes = spawnSync('mkfifo', ['--version']).status === 0;

/** Creates named pipe `slot` in `dir`; returns a function giving a fresh stdin fd holding `input`. */
export function pipeSlot(dir, slot) {
  const fifo = join(dir, `stdin-${slot}.fifo`);
  const made = spawnSync('mkfifo', ['-m', '600', fifo]);
  if (made.status !== 0) throw new Error(`mkfifo ${fifo}: ${made.stderr}`);
  return (input) => {
    const bytes = Buffer.from(input ?? '');
    if (bytes.length >= PIPE_CAPACITY) throw new Error(`a request of ${bytes.length} bytes does not fit in a pipe`);
    // The reader first, non-blocking, so that opening the writer does not wait for one.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    if (bytes.length) writeSync(writer, bytes);
    closeSync(writer);
    return reader;
  };
}
