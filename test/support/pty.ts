/**
 * Running a program on a pseudo-terminal, as an operator at a shell does, through util-linux's
 * `script` (node-pty would need a native build). stdout and stderr both reach the terminal, so
 * the output is one stream, with the terminal's CRLF line ends turned back into LF.
 */
import { spawn, spawnSync } from 'node:child_process';
import { childEnv } from './driver-harness.ts';

export interface PtyRun {
  readonly code: number;
  /** Everything the terminal showed, stdout and stderr interleaved. */
  readonly output: string;
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

export function runInPty(
  program: string,
  args: readonly string[],
  options: { env?: Readonly<Record<string, string | undefined>>; columns?: number; timeoutMs?: number } = {},
): PtyRun {
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

export interface PtySession {
  /** Everything the terminal has shown so far (CRLF turned into LF). */
  output(): string;
  /** Resolves once the terminal has shown `text` (bounded by `timeoutMs`). */
  shown(text: string, timeoutMs?: number): Promise<void>;
  /** Types `keys` at the terminal: "\x03" is Ctrl-C, which the terminal turns into SIGINT. */
  type(keys: string): void;
  readonly done: Promise<PtyRun>;
}

/** Like runInPty, but running on while the test watches and types (Ctrl-C at a chosen moment). */
export function startInPty(
  program: string,
  args: readonly string[],
  options: { env?: Readonly<Record<string, string | undefined>>; timeoutMs?: number } = {},
): PtySession {
  const child = spawn('script', ['-qefc', `exec ${[program, ...args].map(quote).join(' ')}`, '/dev/null'], {
    env: childEnv('default', { TERM: 'xterm', ...options.env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const wake of waiters.splice(0)) wake();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<PtyRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const wake of waiters.splice(0)) wake();
      resolve({ code: code ?? 1, output: text.replace(/\r\n/g, '\n') });
    });
  });
  let closed = false;
  void done.then(() => {
    closed = true;
  });
  return {
    output: () => text.replace(/\r\n/g, '\n'),
    async shown(wanted, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!text.replace(/\r\n/g, '\n').includes(wanted)) {
        if (closed || Date.now() > deadline)
          throw new Error(`the terminal never showed ${JSON.stringify(wanted)}; it showed ${JSON.stringify(text)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    type: (keys) => {
      child.stdin.write(keys);
    },
    done,
  };
}
