/**
 * A large file read and checked in one go (an import, an `onevnet list -x` of a big cloud, a
 * lease book of millions of leases) keeps the process busy for seconds with no event loop to
 * tick a progress bar. On a terminal, the command says up front what it reads and how big it
 * is, so a long wait is not taken for a hang. Never in a pipe or a script.
 */
import * as fs from 'node:fs';
import { isatty } from 'node:tty';

const LONG_READ_BYTES = 4 * 1024 * 1024;

/** `what`: e.g. "the file to import". Quiet for small files, missing files and off a terminal. */
export function announceLongRead(
  file: string,
  what: string,
  stderr: (text: string) => void,
  onTerminal: boolean = isatty(2),
): void {
  let size: number | undefined;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  announceBigRead(file, size, what, stderr, onTerminal);
}

/** The same for what a store knows the size of (its `sizeOnDisk`), named by `where`. */
export function announceBigRead(
  where: string,
  size: number | undefined,
  what: string,
  stderr: (text: string) => void,
  onTerminal: boolean = isatty(2),
): void {
  if (!onTerminal || size === undefined || size < LONG_READ_BYTES) return;
  stderr(`Reading ${what} ${where} (${(size / 1024 / 1024).toFixed(1)} MiB)...\n`);
}
