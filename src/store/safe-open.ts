/**
 * Opening the store's files so that nothing planted at their names can hang or redirect an
 * action. A FIFO opened the ordinary way blocks in open(2) until someone opens its other end,
 * past the lock timeout and past SIGTERM (Node's signal handlers run on the blocked thread), so
 * every open is O_NONBLOCK (a FIFO opens at once, or fails with ENXIO) and O_NOFOLLOW, and is
 * followed by fstat: anything but a regular file is refused with one line naming it. Reads are
 * capped, so a file too big to be what it claims is refused before a byte of it is read.
 */
import * as fs from 'node:fs';
import { IpamError } from '../errors.ts';

const { O_NONBLOCK, O_NOFOLLOW } = fs.constants;

/**
 * `file` opened with `flags` plus O_NONBLOCK and O_NOFOLLOW, known to be a regular file. Errors of
 * open(2) other than "not a regular file" (ENOENT, EACCES) are thrown as they are.
 */
export function openRegular(file: string, flags: number, what: string, mode = 0o600): { fd: number; stat: fs.Stats } {
  let fd: number;
  try {
    fd = fs.openSync(file, flags | O_NONBLOCK | O_NOFOLLOW, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ELOOP: the name is a symlink. ENXIO: a FIFO nobody reads, or a socket, opened for writing.
    if (code === 'ELOOP') throw notRegular(file, what, 'a symlink');
    if (code === 'ENXIO') throw notRegular(file, what, 'a FIFO or a socket');
    throw error;
  }
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw notRegular(file, what, kindOf(stat));
  }
  return { fd, stat };
}

/**
 * The bytes of a regular file, or undefined when there is none. A file over `maxBytes` is refused
 * with `tooBig(size)` without reading it.
 */
export function readRegular(file: string, what: string, maxBytes: number, tooBig: (bytes: number) => Error): { bytes: Buffer; stat: fs.Stats } | undefined {
  let opened: { fd: number; stat: fs.Stats };
  try {
    opened = openRegular(file, fs.constants.O_RDONLY, what);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const { fd, stat } = opened;
  try {
    if (stat.size > maxBytes) throw tooBig(stat.size);
    return { bytes: fs.readFileSync(fd), stat };
  } finally {
    fs.closeSync(fd);
  }
}

/** `612 MiB`: sizes in messages. */
export function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / (1024 * 1024))} MiB`;
}

function notRegular(file: string, what: string, kind: string): IpamError {
  const reason = `it is ${kind}, not a regular file`;
  return new IpamError('store-io', `Cannot open ${what} ${file}: ${reason}; nothing was changed, move it away`, { subject: file, reason });
}

function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'a special file';
}
