/**
 * Replacing a file so that a crash at any moment leaves either the old or the new content, and
 * a returned write survives power loss: temp file beside it (exclusive create, owner-only),
 * fsync, keep the old file as `.prev`, rename over, fsync the directory.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The steps of a write, named so crash tests can stop a writer between them. */
export type WriteStep = 'temp-written' | 'temp-synced' | 'previous-kept' | 'renamed' | 'directory-synced';

export interface WriteOptions {
  /** Called after each step; the last chance to refuse before the rename is 'previous-kept'. */
  readonly onStep?: (step: WriteStep) => void;
}

export function writeAtomically(file: string, content: string, options: WriteOptions = {}): void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  // Unpredictable name, exclusive create: nobody can plant a symlink for us to write through.
  const temp = path.join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const step = options.onStep ?? (() => undefined);
  let renamed = false;
  try {
    const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    try {
      fs.writeSync(fd, content);
      step('temp-written');
      fs.fsyncSync(fd);
      step('temp-synced');
    } finally {
      fs.closeSync(fd);
    }
    keepPrevious(file, dir, base);
    step('previous-kept');
    fs.renameSync(temp, file);
    renamed = true;
    step('renamed');
    syncDirectory(dir);
    step('directory-synced');
  } finally {
    if (!renamed) fs.rmSync(temp, { force: true });
  }
}

/** The current file becomes `<file>.prev` (a hard link, so no copy); a missing file is fine. */
function keepPrevious(file: string, dir: string, base: string): void {
  const link = path.join(dir, `.${base}.prev.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fs.linkSync(file, link);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  fs.renameSync(link, `${file}.prev`);
}

function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
