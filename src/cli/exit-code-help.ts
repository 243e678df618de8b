/**
 * The "Exit codes:" paragraph of a command's --help, one code a line, from the one table's
 * codes, so a test can hold each command to the list it prints.
 */
export type ExitCodeLine = readonly [code: number, meaning: string];

/** What every command that reads the book can also meet. */
export const READS_BOOK: readonly ExitCodeLine[] = [
  [4, 'the config is unreadable or invalid'],
  [5, 'no config file, or no lease book at the place used (is --driver right? `nebula-ipam init` makes one)'],
  [7, 'the lease book is corrupt'],
  [8, 'the lease book cannot be read'],
  [
    130,
    'SIGINT (Ctrl-C): stopped with nothing written, or, once a write had begun to commit, after finishing and reporting it',
  ],
  [143, 'SIGTERM: the same as 130'],
];

export function exitCodeHelp(lines: readonly ExitCodeLine[]): string {
  const merged = new Map<number, string[]>();
  for (const [code, meaning] of lines) merged.set(code, [...(merged.get(code) ?? []), meaning]);
  const sorted = [...merged].sort(([a], [b]) => a - b);
  return `Exit codes:\n${sorted.map(([code, meanings]) => `  ${String(code).padEnd(4)} ${meanings.join('; ')}`).join('\n')}\n`;
}

/** What a command that changes the book can meet: the same, since it never makes a missing book. */
export const WRITES_BOOK: readonly ExitCodeLine[] = READS_BOOK;
