/**
 * Running a program on a pseudo-terminal, as an operator at a shell does, through util-linux's
 * `script` (node-pty would need a native build). stdout and stderr both reach the terminal, so
 * the output is one stream, with the terminal's CRLF line ends turned back into LF.
 */
import { spawnSync } from 'node:child_process';
import { childEnv } from './driver-harness.ts';

export interface PtyRun {
  readonly code: number;
  /** Everything the terminal showed, stdout and stderr interleaved. */
  readonly output: string;
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

export function runInPty(program: string, args: readonly string[], options: { env?: Readonly<Record<string, string | undefined>>; columns?: number; timeoutMs?: number } = {}): PtyRun {
  const command = `${options.columns === undefined ? '' : `stty cols ${options.columns} rows 50; `}exec ${[program, ...args].map(quote).join(' ')}`;
  const child = spawnSync('script', ['-qefc', command, '/dev/null'], {
    encoding: 'utf8',
    env: childEnv('default', { TERM: 'xterm', ...options.env }),
    timeout: options.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.error) throw child.error;
  return { code: child.status ?? 1, output: child.stdout.replace(/\r\n/g, '\n') };
}
