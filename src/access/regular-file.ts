/**
 * The one way the program reads a file: the config, ipamrc, the books, the lock's owner record,
 * the audit log, `import FILE`, `--from`, TLS files, the bundles driver discovery looks at. Whoever
 * can write where such a file lives can put something else at its name. A FIFO opened the
 * ordinary way blocks in open(2) until someone opens its other end, past every timeout and past
 * SIGTERM (Node's signal handlers run on the blocked thread); a device can block a read for ever
 * or never end; a name checked with stat(2) and then read by name can be swapped in between. So:
 * - the name is looked at first and anything but a regular file is refused without opening it
 *   (opening some devices has effects of its own);
 * - it is opened O_NONBLOCK (a FIFO opens at once, or fails with ENXIO) and O_NOCTTY, and
 *   O_NOFOLLOW where a symlink must not be followed;
 * - it is checked on the descriptor (fstat) to be a regular file: this, not the look by name,
 *   is what holds when the name is swapped meanwhile;
 * - it is read from that descriptor, at most `maxBytes`: a file over the cap is refused before a
 *   byte is read, and one that grows past it while read is refused too.
 */
import * as fs from 'node:fs';
import { IpamError, type ErrorKind } from '../core/errors.ts';
import { ioReason } from './denied.ts';

const { O_NONBLOCK, O_NOFOLLOW, O_NOCTTY, O_RDONLY } = fs.constants;

export interface FileRules {
  /** How messages name the file: "the config", "--from", "backend.tls.ca". */
  readonly what: string;
  /** The kind (so the exit code) of a failure to read it. */
  readonly kind: ErrorKind;
  /** False for the store's own files, whose names a symlink must not redirect. Default: true. */
  readonly follow?: boolean;
}

export interface ReadRules extends FileRules {
  /** Far above any real file of its kind; a bigger one is not one. */
  readonly maxBytes: number;
}

export interface FileRead {
  readonly bytes: Buffer;
  /** Of the descriptor the bytes were read from. */
  readonly stat: fs.Stats;
}

/** A file over its cap: its own class so a caller can say it in its own words (a book: corrupt). */
export class FileTooBig extends IpamError {
  readonly bytes: number;
  constructor(kind: ErrorKind, file: string, what: string, bytes: number, maxBytes: number) {
    const reason = `it holds ${sizeOf(bytes)}, more than the ${sizeOf(maxBytes)} ${what} can be`;
    super(kind, `Cannot read ${what} ${file}: ${reason}; nothing was changed`, { subject: file, reason });
    this.bytes = bytes;
  }
}

/** Something other than a regular file at the name: its own class so a caller can tell it from EACCES. */
export class NotRegularFile extends IpamError {}

/**
 * The bytes of the regular file at `file`, or undefined when nothing is at that name (the caller
 * knows whether that is fine). Every other failure is an IpamError of `rules.kind` in one line
 * naming the file.
 */
export function readRegularFile(file: string, rules: ReadRules): FileRead | undefined {
  let opened: { fd: number; stat: fs.Stats };
  try {
    opened = openRegularFile(file, O_RDONLY, rules);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const { fd, stat } = opened;
  try {
    if (stat.size > rules.maxBytes) throw new FileTooBig(rules.kind, file, rules.what, stat.size, rules.maxBytes);
    return { bytes: readCapped(fd, file, stat.size, rules), stat };
  } catch (error) {
    if (error instanceof IpamError) throw error;
    throw new IpamError(rules.kind, `Cannot read ${rules.what} ${file}: ${ioReason(error, file)}`, {
      subject: file,
      reason: (error as Error).message,
    });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `file` opened with `flags` (plus O_NONBLOCK, O_NOCTTY, and O_NOFOLLOW unless `rules.follow`),
 * known on its descriptor to be a regular file. ENOENT and EEXIST are thrown as they are (a
 * caller creating the file, or reading an optional one, decides); a special file or a symlink
 * not to follow is an IpamError of `rules.kind`, as is any other failure.
 */
export function openRegularFile(
  file: string,
  flags: number,
  rules: FileRules,
  mode = 0o600,
): { fd: number; stat: fs.Stats } {
  const follow = rules.follow ?? true;
  const named = lookAt(file, follow);
  if (named !== undefined && !named.isFile())
    throw notRegular(file, rules, named.isSymbolicLink() ? 'a symlink' : kindOf(named));
  let fd: number;
  try {
    fd = fs.openSync(file, flags | O_NONBLOCK | O_NOCTTY | (follow ? 0 : O_NOFOLLOW), mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EEXIST') throw error;
    // ELOOP: the name became a symlink. ENXIO: a FIFO nobody reads, or a socket, opened for writing.
    if (code === 'ELOOP') throw notRegular(file, rules, 'a symlink');
    if (code === 'ENXIO') throw notRegular(file, rules, 'a FIFO or a socket');
    throw new IpamError(rules.kind, `Cannot open ${rules.what} ${file}: ${ioReason(error, file)}`, {
      subject: file,
      reason: (error as Error).message,
    });
  }
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    throw new IpamError(rules.kind, `Cannot open ${rules.what} ${file}: ${(error as Error).message}`, {
      subject: file,
    });
  }
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw notRegular(file, rules, kindOf(stat));
  }
  return { fd, stat };
}

/** `612 MiB`, `3 KiB`, `17 bytes`: sizes in messages. */
export function sizeOf(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.ceil(bytes / (1024 * 1024))} MiB`;
  if (bytes >= 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/** What is at the name now (lstat when a symlink must not be followed), or undefined when nothing is. */
function lookAt(file: string, follow: boolean): fs.Stats | undefined {
  try {
    return follow ? fs.statSync(file) : fs.lstatSync(file);
  } catch {
    // Nothing there (or not visible): open(2) says what is wrong, in its words.
    return undefined;
  }
}

/** Reads to the end, never more than `maxBytes`: a file that grows while read is not let through. */
function readCapped(fd: number, file: string, size: number, rules: ReadRules): Buffer {
  let buffer = Buffer.allocUnsafe(Math.min(size, rules.maxBytes) + 1);
  let got = 0;
  for (;;) {
    if (got === buffer.length) {
      if (got > rules.maxBytes) throw new FileTooBig(rules.kind, file, rules.what, got, rules.maxBytes);
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, rules.maxBytes + 1));
      buffer.copy(bigger, 0, 0, got);
      buffer = bigger;
    }
    const n = fs.readSync(fd, buffer, got, buffer.length - got, null);
    if (n === 0) return buffer.subarray(0, got);
    got += n;
  }
}

function notRegular(file: string, rules: FileRules, kind: string): NotRegularFile {
  const reason = `it is ${kind}, not a regular file`;
  return new NotRegularFile(
    rules.kind,
    `Cannot open ${rules.what} ${file}: ${reason}; nothing was changed, move it away`,
    { subject: file, reason },
  );
}

function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSymbolicLink()) return 'a symlink';
  return 'a special file';
}
