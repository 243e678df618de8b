/**
 * The text of an `onevnet -x` document: a file (`-` for standard input), capped in size, UTF-8
 * or refused, with the file's modification time. That time is when `onevnet` finished writing,
 * not when oned took its snapshot: `--apply` never uses it as the document's time.
 */
import * as fs from 'node:fs';
import { IpamError } from '../core/errors.ts';
import { noSuchFile } from '../core/no-such-file.ts';
import { FileTooBig, readRegularFile, type FileRead } from '../access/regular-file.ts';
import { readStandardInput, STANDARD_INPUT, utf8Text } from './read-standard-input.ts';

/** `onevnet list -x` of a large cloud is tens of MB; far more is not oned's output. */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * `modifiedAt` is undefined for standard input. `role` names the option or setting that named
 * the file (`--from`, `--vms`, `observe.oned.fromFile`): oned's VM pool is read the same way.
 */
export function loadOnevnetText(from: string, role = '--from'): { text: string; modifiedAt?: string } {
  if (from === '-') return { text: readStandardInput(MAX_DOCUMENT_BYTES, () => tooBig(STANDARD_INPUT)) };
  let read: FileRead | undefined;
  try {
    // A FIFO given as --from is refused, not waited on: `--from -` is the way to pipe.
    read = readRegularFile(from, { what: role, kind: 'bad-request', maxBytes: MAX_DOCUMENT_BYTES });
  } catch (error) {
    if (error instanceof FileTooBig) throw tooBig(from);
    throw error;
  }
  if (read === undefined) throw noSuchFile(role, from);
  return { text: utf8Text(read.bytes, from), modifiedAt: read.stat.mtime.toISOString() };
}

/**
 * Whether standard input is a saved file (`--from - < FILE`) rather than a pipe: then, as for
 * `--from FILE`, the start of reconcile is no time before oned's snapshot.
 */
export function standardInputIsFile(): boolean {
  try {
    return fs.fstatSync(0).isFile();
  } catch {
    return false;
  }
}

function tooBig(source: string): IpamError {
  return new IpamError(
    'bad-request',
    `Cannot read ${source}: it is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB, more than onevnet or onevm prints; nothing was changed`,
  );
}
