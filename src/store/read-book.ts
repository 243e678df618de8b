/**
 * Reading a book file (the book, or its `.prev`): a regular file only (`safe-open.ts`), of at
 * most MAX_BOOK_BYTES. A million leases take about 11 MiB; a file of hundreds of MiB is not a
 * book anyone wrote, and past 512 MiB it could not even be made into one string, so it is refused
 * as corrupt (exit 7) before a byte is read, instead of failing deep inside the decoder.
 */
import type * as fs from 'node:fs';
import { corrupt } from '../book/codec.ts';
import { IpamError } from '../errors.ts';
import { mebibytes, readRegular } from './safe-open.ts';

export const MAX_BOOK_BYTES = 256 * 1024 * 1024;

/** The file's bytes and stat, or undefined when there is no such file. */
export function readBook(file: string, what: string): { bytes: Buffer; stat: fs.Stats } | undefined {
  try {
    return readRegular(file, what, MAX_BOOK_BYTES, (size) => {
      const why = `it is ${mebibytes(size)}, more than the ${mebibytes(MAX_BOOK_BYTES)} a lease book can be (a million leases take about 11 MiB)`;
      return what === 'the lease book' ? corrupt(file, why) : new IpamError('store-corrupt', `Cannot read ${what} ${file}: ${why}`, { subject: file, reason: why });
    });
  } catch (error) {
    if (error instanceof IpamError) throw error;
    throw new IpamError('store-io', `Cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}
