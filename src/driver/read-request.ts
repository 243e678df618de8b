/**
 * Where oned's request comes from: standard input (OpenNebula 5.10+, argv holds the request id),
 * or the only argument (5.2-5.8, no request id). Input is capped before it is decoded, and
 * bounded in time: oned writes the whole request at once and closes standard input, so a request
 * that has not ended after READ_TIMEOUT_MS never will, and waiting for it would stall every IPAM
 * action of the cloud (one_ipam runs them one at a time).
 */
import { IpamError } from '../errors.ts';
import { MAX_REQUEST_BYTES } from '../oned/request.ts';

export interface RawRequest {
  readonly payload: string;
  readonly requestId?: string;
}

export const READ_TIMEOUT_MS = 10_000;

export async function readRawRequest(args: readonly string[], input: NodeJS.ReadableStream = process.stdin, timeoutMs = READ_TIMEOUT_MS): Promise<RawRequest> {
  const first = args[0];
  if (first !== undefined && !/^[0-9]{1,20}$/.test(first)) {
    if (first.length > MAX_REQUEST_BYTES) throw tooBig();
    return { payload: first };
  }
  return { payload: await readCapped(input, timeoutMs), ...(first === undefined ? {} : { requestId: first }) };
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
    const onError = (error: Error) => finish(new IpamError('bad-request', `Cannot read the request from standard input: ${error.message}`));
    const timer = setTimeout(() => {
      finish(new IpamError('bad-request', `Cannot read the request: standard input was not closed within ${timeoutMs / 1000} s (oned writes the request at once and closes it; ${total} bytes arrived)`));
    }, timeoutMs);
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
  });
}

function tooBig(): IpamError {
  return new IpamError('bad-request', `Cannot read the request: it is larger than ${MAX_REQUEST_BYTES} bytes, far more than oned ever sends`);
}
