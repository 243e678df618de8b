/** The one table of exit codes, for the driver actions and the CLI alike. */
import type { ErrorKind } from './errors.ts';

export const EXIT_CODES: Readonly<Record<ErrorKind | 'ok' | 'findings', number>> = {
  ok: 0,
  internal: 1,
  findings: 1,
  usage: 2,
  'bad-request': 3,
  unsupported: 3,
  config: 4,
  conflict: 5,
  'not-found': 5,
  'store-locked': 6,
  'store-corrupt': 7,
  'store-io': 8,
  // A write stopped by SIGINT or SIGTERM before anything was written: what a shell reports for
  // a process those signals ended (128 + 2, 128 + 15), so a script's check keeps working.
  interrupted: 130,
  terminated: 143,
  // oned's documentation asks for -1 when get_address has no room; the shell sees 255.
  exhausted: 255,
};
