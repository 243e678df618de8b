/**
 * Writing a program file that root may later run, in a directory someone else may own (the
 * driver directory is oneadmin's). The temp file is created exclusively, without following a
 * symlink, under an unpredictable name; its mode and owner are set through the open descriptor
 * (fchmod, fchown), never by name: a name in someone else's directory can be swapped for a
 * symlink between two calls, and root would then chmod whatever it leads to (issue 16 item 1).
 * Renamed into place, so oned running an action meanwhile reads the old file or the new one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileOwner } from '../access/accounts.ts';
import { randomHex } from '../random-hex.ts';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

/** Replaces `file` with `content`, mode `mode` exactly (whatever the umask), owned by `owner` when given. */
export function writeProgram(file: string, content: Buffer, mode: number, owner?: FileOwner): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomHex(6)}.tmp`);
  const fd = fs.openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    try {
      for (let at = 0; at < content.length; ) at += fs.writeSync(fd, content, at, content.length - at);
      if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
      // After fchown, which clears the set-id bits: the mode as asked, not as the umask left it.
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    // Removing by name is safe: unlink never follows a symlink.
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * `dir` made if missing (and the missing levels above it), then given `mode` through a descriptor
 * opened without following a symlink: mkdir's mode is cut by the umask, and a program in the
 * directory must stay readable by the users who run it. Existing directories are left as they are.
 */
export function makeDirectory(dir: string, mode: number): void {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(dir, { recursive: true, mode });
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | O_NOFOLLOW);
  try {
    fs.fchmodSync(fd, mode);
  } finally {
    fs.closeSync(fd);
  }
}
