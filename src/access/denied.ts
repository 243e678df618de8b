/**
 * "Permission denied" alone does not say what to change. Every message made from an EACCES or
 * EPERM (issue 15 item 5) adds who this process runs as and whose the file is, with its mode:
 * the usual case is a file root made (an older root-run CLI) that oned's user cannot open.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { account } from './accounts.ts';

/**
 * `error`'s message, plus the running user and the owner and mode of the file it names (else of
 * `file`) when access was denied.
 */
export function ioReason(error: unknown, file: string): string {
  return `${(error as Error).message}${deniedDetail(error, (error as NodeJS.ErrnoException).path ?? file)}`;
}

/** " (this process runs as uid 0 (root); FILE belongs to uid 9869 (oneadmin), mode 0600)", or "". */
function deniedDetail(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EACCES' && code !== 'EPERM') return '';
  const runs = `this process runs as ${account('uid', process.geteuid?.() ?? -1)}`;
  // The file, or (when this process cannot even look at it) the nearest directory above it it can.
  for (let at = path.resolve(file); ; at = path.dirname(at)) {
    try {
      const stat = fs.lstatSync(at);
      return ` (${runs}; ${at} belongs to ${account('uid', stat.uid)}, ${account('group', stat.gid)}, mode ${modeText(stat.mode)})`;
    } catch {
      if (path.dirname(at) === at) return ` (${runs})`;
    }
  }
}

export function modeText(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}
