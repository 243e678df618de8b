/**
 * Where oned's request comes from: standard input (OpenNebula 5.10+, argv holds the request id),
 * or the only argument (5.2-5.8, no request id). Input is capped before it is decoded, and
 * bounded in time: oned writes the whole request at once and closes standard input, so a request
 * that has not ended after READ_TIMEOUT_MS never will, and waiting for it would stall every IPAM
 * action of the cloud (one_ipam runs them one at a time).
 */
import * as fs from 'node:fs';
import { IpamError } from '../core/errors.ts';
import { MAX_REQUEST_BYTES } from '../oned/request.ts';

export interface RawRequest {
  readonly payload: string;
  readonly requestId?: string;
}

export const READ_TIMEOUT_MS = 10_000;

/** OpenNebula 5.2-5.8 pass the request itself as the only argument, where later releases pass an id. */
export function isRequestInArgv(args: readonly string[]): boolean {
  const first = args[0];
  return first !== undefined && !/^[0-9]{1,20}$/.test(first);
}

/** Standard input, or `input` when given (tests). */
export async function readRawRequest(
  args: readonly string[],
  input?: NodeJS.ReadableStream,
  timeoutMs = READ_TIMEOUT_MS,
): Promise<RawRequest> {
  const first = args[0];
  if (first !== undefined && isRequestInArgv(args)) {
    if (first.length > MAX_REQUEST_BYTES) throw tooBig();
    return { payload: first };
  }
  const payload = input
    ? await readCapped(input, timeoutMs)
    : (readPipe(timeoutMs) ?? (await readCapped(process.stdin, timeoutMs)));
  return { payload, ...(first === undefined ? {} : { requestId: first }) };
}

/**
 * Standard input when it is a pipe, as oned runs its drivers: read synchronously from a second,
 * non-blocking opening of the pipe. That needs neither Node's stream machinery (process.stdin
 * loads the net and stream modules: ~5 ms of every action, and oned runs them one at a time)
 * nor an unbounded wait: EAGAIN means "nothing yet", and the process sleeps a little before it
 * asks again, until the deadline. Undefined when standard input is anything else (the socket
 * Node's child_process makes, a terminal, a file): readCapped reads those.
 */
function readPipe(timeoutMs: number): string | undefined {
  let fd: number;
  try {
    if (!fs.fstatSync(0).isFIFO()) return undefined;
    fd = fs.openSync('/dev/stdin', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const deadline = Date.now() + timeoutMs;
    const chunks: Buffer[] = [];
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let total = 0;
    let pause = 1;
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN')
          throw new IpamError(
            'bad-request',
            `Cannot read the request from standard input: ${(error as Error).message}`,
          );
        if (Date.now() >= deadline) throw notClosed(timeoutMs, total);
        sleep(pause);
        pause = Math.min(pause * 2, 25);
        continue;
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_REQUEST_BYTES) throw tooBig();
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('latin1');
  } finally {
    fs.closeSync(fd);
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readCapped(input: NodeJS.ReadableStream, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (error: IpamError | undefined) => {
      clearTimeout(timer);
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      // Stop reading (and let the process exit) whatever is still coming.
      (input as { destroy?: () => void }).destroy?.();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      total += bytes.length;
      if (total > MAX_REQUEST_BYTES) return finish(tooBig());
      chunks.push(bytes);
    };
    const onEnd = () => finish(undefined);
    const onError = (error: Error) =>
      finish(new IpamError('bad-request', `Cannot read the request from standard input: ${error.message}`));
    const timer = setTimeout(() => finish(notClosed(timeoutMs, total)), timeoutMs);
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
  });
}

function notClosed(timeoutMs: number, total: number): IpamError {
  return new IpamError(
    'bad-request',
    `Cannot read the request: standard input was not closed within ${timeoutMs / 1000} s (oned writes the request at once and closes it; ${total} bytes arrived)`,
  );
}

function tooBig(): IpamError {
  return new IpamError(
    'bad-request',
    `Cannot read the request: it is larger than ${MAX_REQUEST_BYTES} bytes, far more than oned ever sends`,
  );
}
