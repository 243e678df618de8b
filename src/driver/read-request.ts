/**
 * Where oned's request comes from: standard input (OpenNebula 5.10+, argv holds the request id),
 * or the only argument (5.2-5.8, no request id). Input is capped before it is decoded.
 */
import * as fs from 'node:fs';
import { IpamError } from '../errors.ts';
import { MAX_REQUEST_BYTES } from '../oned/request.ts';

export interface RawRequest {
  readonly payload: string;
  readonly requestId?: string;
}

export function readRawRequest(args: readonly string[], stdinFd = 0): RawRequest {
  const first = args[0];
  if (first !== undefined && !/^[0-9]{1,20}$/.test(first)) {
    if (first.length > MAX_REQUEST_BYTES) throw tooBig();
    return { payload: first };
  }
  return { payload: readCapped(stdinFd), ...(first === undefined ? {} : { requestId: first }) };
}

function readCapped(fd: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw new IpamError('bad-request', `Cannot read the request from standard input: ${(error as Error).message}`);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_REQUEST_BYTES) throw tooBig();
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('latin1');
}

function tooBig(): IpamError {
  return new IpamError('bad-request', `Cannot read the request: it is larger than ${MAX_REQUEST_BYTES} bytes, far more than oned ever sends`);
}
