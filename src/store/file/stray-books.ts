/**
 * Lease books beside the one in use (issue 15 item 1). A book at a mistyped `--store` path, or
 * one an older release made at the default path while the config was missing, hands out the
 * same addresses as the real book. verify names them; nothing here removes one, since only the
 * operator knows whether oned ever used it.
 *
 * A stray book is a regular file named `*.json` in the real book's directory or in the default
 * book's directory, other than the real book, whose first bytes are a book's header. Only the
 * header is read: a book can be large, and the files are not ours to judge further.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openRegularFile } from '../../access/regular-file.ts';

/** How every book the codec writes begins. */
const BOOK_HEADER = Buffer.from('{"schema":');

export function findStrayBooks(realBook: string, defaultBook: string): string[] {
  const real = realPath(realBook);
  const candidates = new Set<string>();
  for (const dir of new Set([path.dirname(real), path.dirname(path.resolve(defaultBook))])) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue; // No such directory, or not ours to read: nothing to report from it.
    }
    for (const name of names) if (name.endsWith('.json')) candidates.add(path.join(dir, name));
  }
  return [...candidates].filter((file) => realPath(file) !== real && beginsAsBook(file)).sort();
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

function beginsAsBook(file: string): boolean {
  let fd: number;
  try {
    // Never follows a symlink and never blocks: a FIFO or a device here is simply not a book.
    fd = openRegularFile(file, fs.constants.O_RDONLY, {
      what: 'a file beside the lease book',
      kind: 'store-io',
      follow: false,
    }).fd;
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(BOOK_HEADER.length);
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(BOOK_HEADER);
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}
