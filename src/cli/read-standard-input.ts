/**
 * Standard input read whole, up to a cap, as UTF-8 text: what `--from -`, `--vms -` and `hook -`
 * are given. Past the cap nothing more is read and the caller's `tooBig` is the one line; text
 * that is not UTF-8 is refused. Both say "nothing was changed": they come before any change.
 */
import * as fs from 'node:fs';
import { IpamError } from '../core/errors.ts';

/** What the one line calls standard input. */
export const STANDARD_INPUT = '(standard input)';

export function readStandardInput(maxBytes: number, tooBig: () => IpamError): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw new IpamError(
        'bad-request',
        `Cannot read ${STANDARD_INPUT}: ${(error as Error).message}; nothing was changed`,
      );
    }
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw tooBig();
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return utf8Text(Buffer.concat(chunks), STANDARD_INPUT);
}

/** `bytes` as UTF-8, or one line naming `source`. */
export function utf8Text(bytes: Buffer, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new IpamError('bad-request', `Cannot read ${source}: it is not UTF-8 text; nothing was changed`);
  }
}
