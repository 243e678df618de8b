/**
 * Reading a book file (the book, or its `.prev`): a regular file only, never through a symlink at
 * its name (`regular-file.ts`), of at most MAX_BOOK_BYTES. A million leases take about 11 MiB; a
 * file of hundreds of MiB is not a book anyone wrote, and past 512 MiB it could not even be made
 * into one string, so it is refused as corrupt (exit 7) before a byte is read, instead of failing
 * deep inside the decoder.
 *
 * Root does not read a book file with another name (a hard link), unless that name is its twin
 * (the book and its `.prev` share one inode after a write died between keeping `.prev` and
 * renaming the new book into place). oneadmin can hard-link any file of the filesystem at the
 * book's name (where `fs.protected_hardlinks` is 0); root would read it, and the decoder's
 * reasons quote what they read, into root's message and the audit record of the failure, in
 * oneadmin's directory: the first bytes of `/etc/shadow`. Other users read only what they could
 * read anyway, so their actions never stop on a hard link (a backup made with `cp -al`).
 */
import * as fs from 'node:fs';
import { corrupt } from '../encoding/codec.ts';
import { IpamError } from '../../core/errors.ts';
import { FileTooBig, readRegularFile, sizeOf, type FileRead } from '../../access/regular-file.ts';

export const MAX_BOOK_BYTES = 256 * 1024 * 1024;

/** The file's bytes and stat, or undefined when there is no such file. */
export function readBook(file: string, what: string): FileRead | undefined {
  let read: FileRead | undefined;
  try {
    read = readRegularFile(file, { what, kind: 'store-io', follow: false, maxBytes: MAX_BOOK_BYTES });
  } catch (error) {
    if (!(error instanceof FileTooBig)) throw error;
    const why = `it is ${sizeOf(error.bytes)}, more than the ${sizeOf(MAX_BOOK_BYTES)} a lease book can be (a million leases take about 11 MiB)`;
    throw what === 'the lease book'
      ? corrupt(file, why)
      : new IpamError('store-corrupt', `Cannot read ${what} ${file}: ${why}`, { subject: file, reason: why });
  }
  if (read) checkNames(file, what, read.stat);
  return read;
}

/** The name a book file may share its inode with: the book's `.prev`, or the `.prev`'s book. */
function twinOf(file: string): string {
  return file.endsWith('.prev') ? file.slice(0, -'.prev'.length) : `${file}.prev`;
}

function checkNames(file: string, what: string, stat: fs.Stats): void {
  if (stat.nlink === 1 || process.geteuid?.() !== 0) return;
  let twin: fs.Stats | undefined;
  try {
    twin = fs.lstatSync(twinOf(file));
  } catch {
    // No twin: the other names are something else's.
  }
  if (stat.nlink === 2 && twin && twin.dev === stat.dev && twin.ino === stat.ino) return;
  const reason = `it has ${stat.nlink} names (hard links), and another name may be any file`;
  throw new IpamError(
    'store-io',
    `Cannot read ${what} ${file}: ${reason}; nothing was read or changed. Look at what it is (ls -li), and move it away`,
    { subject: file, reason },
  );
}
