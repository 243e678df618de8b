/**
 * The guest agents' reports, read by running `onevm list -x --extended` (found on PATH, with
 * the environment sync runs in: ONE_AUTH, ONE_XMLRPC). Never on a driver action's path: only
 * `sync` calls it. A failure (no onevm, oned down, a timeout, output that is not a VM pool) is
 * one IpamError naming the command, which the pass reports as it reports a target down.
 */
import { execFile } from 'node:child_process';
import type { GuestReport } from '../core/sync/guest-holds.ts';
import { IpamError } from '../core/errors.ts';
import { readGuestReports } from '../oned/vm-pool-xml.ts';

const COMMAND = 'onevm';
const ARGS = ['list', '-x', '--extended'];
/** The full body of every VM: a large cloud prints tens of MB, far more is not onevm's. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export function readOnevm(timeoutMs: number): Promise<GuestReport[]> {
  const shown = `${COMMAND} ${ARGS.join(' ')}`;
  return new Promise((resolve, reject) => {
    execFile(
      COMMAND,
      ARGS,
      { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8', killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
          const why =
            e.code === 'ENOENT'
              ? `${COMMAND} is not on PATH (${process.env.PATH ?? ''})`
              : e.killed
                ? `it did not finish within ${timeoutMs} ms (observe.onevm.timeoutMs)`
                : e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'
                  ? `it printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB`
                  : `it exited ${String(e.code)}: ${firstLine(stderr) || firstLine(stdout) || e.message}`;
          reject(new IpamError('store-io', `Cannot run ${shown}: ${why}`));
          return;
        }
        try {
          resolve(readGuestReports(stdout, shown));
        } catch (failure) {
          reject(failure);
        }
      },
    );
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
