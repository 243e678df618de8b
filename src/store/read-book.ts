/**
 * Reading a book file (the book, or its `.prev`): a regular file only, never through a symlink at
 * its name (`regular-file.ts`), of at most MAX_BOOK_BYTES. A million leases take about 11 MiB; a
 * file of hundreds of MiB is not a book anyone wrote, and past 512 MiB it could not even be made
 * into one string, so it is refused as corrupt (exit 7) before a byte is read, instead of failing
 * deep inside the decoder.
 */
import { corrupt } from '../book/codec.ts';
import { IpamError } from '../errors.ts';
import { FileTooBig, readRegularFile, sizeOf, type FileRead } from '../regular-file.ts';

export const MAX_BOOK_BYTES = 256 * 1024 * 1024;

/** The file's bytes and stat, or undefined when there is no such file. */
export function readBook(file: string, what: string): FileRead | undefined {
  try {
    return readRegularFile(file, { what, kind: 'store-io', follow: false, maxBytes: MAX_BOOK_BYTES });
  } catch (error) {
    if (!(error instanceof FileTooBig)) throw error;
    const why = `it is ${sizeOf(error.bytes)}, more than the ${sizeOf(MAX_BOOK_BYTES)} a lease book can be (a million leases take about 11 MiB)`;
    throw what === 'the lease book' ? corrupt(file, why) : new IpamError('store-corrupt', `Cannot read ${what} ${file}: ${why}`, { subject: file, reason: why });
  }
}
