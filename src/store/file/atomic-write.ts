/**
 * Replacing a file so that a crash at any moment leaves either the old or the new content, and
 * a returned write survives power loss: temp file beside it (exclusive create, owner-only, and
 * given the file's owner when root writes it), fsync, keep the old file as `.prev`, rename over,
 * fsync the directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileOwner } from '../../access/accounts.ts';
import { giveFd, storeOwner } from './ownership.ts';
import { randomHex } from '../../random-hex.ts';

/** The steps of a write, in order, named so crash tests can stop a writer between them. */
export const WRITE_STEPS = ['temp-written', 'temp-synced', 'previous-kept', 'renamed', 'directory-synced'] as const;
export type WriteStep = (typeof WRITE_STEPS)[number];

export interface WriteOptions {
  /** Called after each step; the last chance to refuse before the rename is 'previous-kept'. */
  readonly onStep?: (step: WriteStep) => void;
}

/** The new content: text, or pieces written one after the other (a big book is never joined). */
export type Content = string | readonly (string | Uint8Array)[];

export function writeAtomically(file: string, content: Content, options: WriteOptions = {}): void {
  prepareWrite(file, content, options).commit();
}

/**
 * A write whose new content is written and synced beside the file but not yet in place: `commit`
 * puts it there (from `.prev` on, the steps past the last moment to back out), `discard` drops
 * it. Apart so a caller can wait for something between the two (a signal, stop-before-commit.ts).
 */
export interface PreparedWrite {
  commit(): void;
  discard(): void;
}

/** Writes the temp file and syncs it; on failure nothing is left beside `file`. */
export function prepareWrite(file: string, content: Content, options: WriteOptions = {}): PreparedWrite {
  const dir = path.dirname(file);
  const base = path.basename(file);
  // Unpredictable name, exclusive create: nobody can plant a symlink for us to write through.
  const temp = path.join(dir, `.${base}.${process.pid}.${randomHex(6)}.tmp`);
  const step = options.onStep ?? (() => undefined);
  // Looked up before the temp file exists: the book's owner, or its directory's for a new book.
  const owner = storeOwner(file);
  writeTemp(temp, owner, (fd) => {
    for (const piece of typeof content === 'string' ? [content] : content)
      writeAll(fd, typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
    step('temp-written');
    fs.fsyncSync(fd);
    step('temp-synced');
  });
  const discard = () => fs.rmSync(temp, { force: true });
  return {
    discard,
    commit: () => {
      let renamed = false;
      try {
        keepPrevious(file, dir, base);
        step('previous-kept');
        fs.renameSync(temp, file);
        renamed = true;
        step('renamed');
        syncDirectory(dir);
        step('directory-synced');
      } catch (error) {
        // Past the rename the new content is what readers see; only its durability is in doubt.
        if (renamed && error instanceof Error) throw Object.assign(error, { landed: true });
        throw error;
      } finally {
        if (!renamed) discard();
      }
    },
  };
}

/**
 * Creates `temp` (exclusive, never through a symlink, owner-only), gives it to `owner` and lets
 * `fill` write it; on any failure nothing is left of it.
 */
export function writeTemp(temp: string, owner: FileOwner | undefined, fill: (fd: number) => void): void {
  try {
    const fd = fs.openSync(
      temp,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      0o600,
    );
    try {
      giveFd(fd, owner);
      fill(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** True for an error thrown after the new content replaced the file (e.g. the directory fsync failed). */
export function landedBefore(error: unknown): boolean {
  return (error as { landed?: unknown } | undefined)?.landed === true;
}

/** write(2) may write less than asked (a disk filling up): loop until all is written or it fails. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * Removes the temp files that writers killed mid-write left beside `file` (they never become the
 * book, but would pile up). Only call it holding the store's lock: then no live writer owns one,
 * and a writer that lost the lock and still writes must not commit anyway.
 */
export function sweepLeftovers(file: string): void {
  const dir = path.dirname(file);
  const mine = new RegExp(`^\\.${escapeRegExp(path.basename(file))}(\\.prev)?\\.[0-9]+\\.[0-9a-f]{12}\\.tmp$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (mine.test(name)) fs.rmSync(path.join(dir, name), { force: true });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The current file becomes `<file>.prev` (a hard link, so no copy); a missing file is fine. */
function keepPrevious(file: string, dir: string, base: string): void {
  const link = path.join(dir, `.${base}.prev.${process.pid}.${randomHex(6)}.tmp`);
  try {
    fs.linkSync(file, link);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  fs.renameSync(link, `${file}.prev`);
  // When .prev already is the book (a write died after this step), both names are links to one
  // inode and rename(2) leaves the source in place: remove it, or one would pile up per write.
  fs.rmSync(link, { force: true });
}

/** O_DIRECTORY | O_NONBLOCK: a FIFO swapped in at the directory's name is refused, not waited on. */
function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NONBLOCK);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
