/**
 * The first run: `install` writes this config where the driver will look for one, when there is
 * none, so the driver and the CLI start from a file that says what they use instead of from
 * nothing (a missing config is an error everywhere else: load-config.ts). No pools: only
 * explicit ranges work until the operator describes some. Never written over an existing file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IpamError } from '../core/errors.ts';

const STARTER_CONFIG = `${JSON.stringify({ pools: [] }, null, 2)}\n`;

/** True when it wrote the file, false when one was there. Readable by all (oned runs as oneadmin); it holds no secret. */
export function writeStarterConfig(file: string): boolean {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    const fd = fs.openSync(
      file,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      0o644,
    );
    try {
      fs.fchmodSync(fd, 0o644);
      fs.writeSync(fd, STARTER_CONFIG);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new IpamError('store-io', `Cannot write the starter config ${file}: ${(error as Error).message}`, {
      subject: file,
    });
  }
}
