/**
 * What the BIND and PowerDNS harnesses share: the binaries (a missing one fails the test with
 * the line that says to run scripts/test-prerequisites.sh, never a skip), a free port above 24000
 * open for both UDP and TCP on 127.0.0.1, and a server process stopped by its own PID (also when
 * the test process dies), paused and resumed by SIGSTOP and SIGCONT.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';

const living = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of living)
    if (child.pid)
      try {
        process.kill(child.pid, 'SIGCONT');
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
});

/** `file` if it is executable (or readable), else an Error naming the package and the script that installs it. */
export function requireBinary(file: string, debianPackage: string, mode = fs.constants.X_OK): string {
  try {
    fs.accessSync(file, mode);
    return file;
  } catch {
    throw new Error(
      `${file} is missing: the tests need Debian's ${debianPackage}; run scripts/test-prerequisites.sh (as root) to install it`,
    );
  }
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** A port above 24000 free for TCP and UDP on 127.0.0.1 (a server listens on both). */
export async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 24_000 + Math.floor(Math.random() * 30_000);
    if ((await tcpFree(port)) && (await udpFree(port))) return port;
  }
  throw new Error('no free port above 24000 for a DNS test server');
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** What it wrote to stdout and stderr, for a failure's message. */
  output(): string;
  /** SIGSTOP: it holds its sockets but answers nothing. */
  pause(): void;
  resume(): void;
  /** SIGTERM (SIGKILL after 5 s), by PID; resolves when it has exited. */
  stop(): Promise<void>;
}

export function startProcess(binary: string, args: readonly string[], cwd: string): ServerProcess {
  const { NODE_EXTRA_CA_CERTS: _drop, ...env } = process.env;
  // Its output goes to a file, never a pipe: a test blocked in spawnSync (the CLI run as oned
  // or an operator runs it) drains no pipe, and a server whose log pipe is full stops answering.
  const log = path.join(cwd, `${path.basename(binary)}.${process.pid}.${Date.now()}.log`);
  const fd = fs.openSync(log, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { cwd, env, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  living.add(child);
  const output = () => {
    try {
      return fs.readFileSync(log, 'utf8').slice(-8_000);
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => living.delete(child));
  const signal = (name: NodeJS.Signals) => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, name);
  };
  return {
    child,
    output,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal('SIGCONT');
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool (dig, nsupdate, sqlite3) to its end, bounded by `timeoutMs`. */
export function run(binary: string, args: readonly string[], input?: string, timeoutMs = 10_000): Promise<RunResult> {
  const { NODE_EXTRA_CA_CERTS: _drop, ...env } = process.env;
  return new Promise((resolve) => {
    const child = execFile(
      binary,
      args,
      { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** Retries `probe` every 50 ms until it is true, for at most `ms`. */
export async function waitFor(
  what: string,
  ms: number,
  probe: () => Promise<boolean>,
  explain: () => string,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (let attempt = 0; attempt < 1_000 && Date.now() < deadline; attempt++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} within ${ms} ms; ${explain()}`);
}
