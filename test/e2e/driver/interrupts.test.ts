/**
 * SIGINT and SIGTERM during a write are honest (issue 15 item 3), black-box through the test
 * bundle: a signal while waiting for the lock, during a long change or right before the commit
 * stops the write with nothing written (exit 130 / 143, one line saying so, no lock left); one at
 * the commit lets the write finish, the command report what landed, and then exit with the
 * signal's code. Ctrl-C is also sent for real, on a pseudo-terminal.
 *
 * The test hook NEBULA_IPAM_TEST_HOLD_AT (src/store/file/test-hooks.ts) marks the moment: the process
 * creates `<stage>.held` there and blocks (as a long change or a slow disk would) until the test,
 * having sent the signal, creates `<stage>.go`; at lock-wait it goes on waiting for the lock.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createCliSandbox, type CliSandbox } from '../../support/cli-harness.ts';
import { expectReply } from '../../support/driver-assert.ts';
import { childEnv, encodeRequest, TEST_BUNDLE, type OnedAr, type RunResult } from '../../support/driver-harness.ts';
import { startInPty } from '../../support/pty.ts';

const CONFIG = {
  lockTimeoutMs: 20_000,
  pools: [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true }],
};
const LEASE = ['lease', '--pool', 'private', '--owner', 'bm-01'];

interface Started {
  readonly child: ChildProcess;
  readonly done: Promise<RunResult & { output: string }>;
}

/** Waits (bounded) until `file` exists. */
async function appears(file: string, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (fs.existsSync(file)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what}: ${file} never appeared`);
}

function collect(child: ChildProcess): Started['done'] {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 128 + (os.constants.signals[signal as keyof typeof os.constants.signals] ?? 0),
        stdout,
        stderr,
        output: stdout.replace(/\r\n/g, '\n'),
      });
    });
  });
}

describe('a signal during a write: nothing written before the commit, finished and said after (issue 15 item 3)', () => {
  let s: CliSandbox;
  let ar: OnedAr;
  let holds: string;
  let holder: ChildProcess;
  before(() => {
    s = createCliSandbox({ config: CONFIG, bundle: TEST_BUNDLE });
    // The CLI too from the test bundle, which has the hold hook.
    fs.rmSync(s.program);
    fs.symlinkSync(TEST_BUNDLE, s.program);
    ar = s.register({ SIZE: '8' }, '1');
    holder = spawn('sleep', ['120'], { stdio: 'ignore' });
  });
  after(() => {
    holder.kill();
    s.cleanup();
  });
  beforeEach(() => {
    holds = fs.mkdtempSync(path.join(s.dir, 'holds-'));
  });

  /** `stage`: where the hold hook stops the process ('none': nowhere). */
  const env = (stage: string) => ({
    NEBULA_IPAM_STORE: s.bookPath,
    NEBULA_IPAM_CONFIG: s.configPath!,
    ...(stage === 'none' ? {} : { NEBULA_IPAM_TEST_HOLD_AT: stage, NEBULA_IPAM_TEST_HOLD_DIR: holds }),
  });

  /** Runs `name` (the CLI or an action) with the hold at `stage`; sends `signal` once it is held there. */
  async function signalledAt(
    name: string,
    args: readonly string[],
    stage: string,
    signal: NodeJS.Signals,
    stdin = '',
  ): Promise<RunResult> {
    const child = spawn(path.join(s.driverDir, name), [...args], {
      cwd: s.dir,
      env: childEnv('default', env(stage)),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin?.end(stdin);
    const done = collect(child);
    await appears(path.join(holds, `${stage}.held`), `${name} ${args.join(' ')}`);
    process.kill(child.pid!, signal);
    fs.writeFileSync(path.join(holds, `${stage}.go`), '');
    return done;
  }

  /** A fresh lock of a live process of this machine (as a slow oned action holds it). */
  const holdLock = () => {
    const dir = `${s.bookPath}.lock`;
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'owner'),
      JSON.stringify({ token: 'feedface0000feedface0000', pid: holder.pid, host: os.hostname() }),
    );
  };

  const leases = () => s.json<{ leases: { addresses: string; owner?: string }[] }>(['leases']).leases;

  /** What a signal must not leave: a lock (or its takeover guard), a temp file. */
  const leftovers = () =>
    fs
      .readdirSync(path.dirname(s.bookPath))
      .filter((name) => name.endsWith('.lock') || name.endsWith('.takeover') || name.endsWith('.tmp'));
  const oneLine = (stderr: string, ...mentions: string[]) => {
    assert.match(stderr, /^[^\n]+\n$/, `exactly one stderr line: ${JSON.stringify(stderr)}`);
    for (const mention of mentions)
      assert.ok(stderr.includes(mention), `stderr names ${JSON.stringify(mention)}: ${stderr}`);
  };

  it('SIGINT while waiting for the lock: exit 130, one line, the book untouched, the holder keeps its lock', async () => {
    holdLock();
    const before = s.bookBytes();
    const run = await signalledAt('nebula-ipam', LEASE, 'lock-wait', 'SIGINT');
    assert.equal(run.code, 130, run.stderr);
    assert.equal(run.stdout, '');
    oneLine(run.stderr, 'interrupted by SIGINT while waiting for its lock', 'nothing was written');
    assert.deepEqual(s.bookBytes(), before);
    assert.equal(
      JSON.parse(fs.readFileSync(`${s.bookPath}.lock/owner`, 'utf8')).pid,
      holder.pid,
      "the holder's lock is still there, as it was",
    );
    fs.rmSync(`${s.bookPath}.lock`, { recursive: true });
    assert.deepEqual(leftovers(), []);
  });

  it('SIGTERM during a long change: exit 143, one line, the book untouched, no lock left', async () => {
    const before = s.bookBytes();
    const run = await signalledAt('nebula-ipam', LEASE, 'changed', 'SIGTERM');
    assert.equal(run.code, 143, run.stderr);
    assert.equal(run.stdout, '');
    oneLine(run.stderr, 'interrupted by SIGTERM while the change was decided', 'nothing was written');
    assert.deepEqual(s.bookBytes(), before);
    assert.deepEqual(leftovers(), []);
  });

  it('SIGINT once the new book is written but before the rename: nothing lands, the previous generation is kept as it was', async () => {
    const before = s.bookBytes();
    const previousOf = () => (fs.existsSync(`${s.bookPath}.prev`) ? fs.readFileSync(`${s.bookPath}.prev`) : 'none');
    const previous = previousOf();
    const run = await signalledAt('nebula-ipam', LEASE, 'temp-synced', 'SIGINT');
    assert.equal(run.code, 130, run.stderr);
    oneLine(run.stderr, 'interrupted by SIGINT before the commit', 'nothing was written');
    assert.deepEqual(s.bookBytes(), before);
    assert.deepEqual(previousOf(), previous);
    assert.deepEqual(leftovers(), []);
  });

  it('SIGINT at the commit: the write finishes, the lease is reported, one line says so, exit 130', async () => {
    const generation = s.book()!.generation;
    const run = await signalledAt('nebula-ipam', ['--json', ...LEASE], 'previous-kept', 'SIGINT');
    assert.equal(run.code, 130, run.stderr);
    const reported = JSON.parse(run.stdout) as { addresses: string };
    oneLine(run.stderr, 'Interrupted by SIGINT once the write to the lease book', 'it was finished');
    assert.equal(s.book()!.generation, generation + 1);
    assert.ok(
      leases().some((l) => l.addresses === reported.addresses && l.owner === 'bm-01'),
      `the lease ${reported.addresses} is in the book: ${JSON.stringify(leases())}`,
    );
    assert.deepEqual(leftovers(), []);
  });

  it('Ctrl-C on a terminal while the lock is awaited: exit 130, the interrupted line, the book untouched', async () => {
    holdLock();
    const before = s.bookBytes();
    const session = startInPty(s.program, LEASE, { env: env('none') });
    // The notice a terminal gets after about a second of waiting: the moment to press Ctrl-C.
    await session.shown("Waiting for the lease book's lock");
    session.type('\x03');
    const run = await session.done;
    assert.equal(run.code, 130, run.output);
    assert.match(run.output, /interrupted by SIGINT while waiting for its lock; nothing was written\n$/);
    assert.deepEqual(s.bookBytes(), before);
    assert.equal(JSON.parse(fs.readFileSync(`${s.bookPath}.lock/owner`, 'utf8')).pid, holder.pid);
    fs.rmSync(`${s.bookPath}.lock`, { recursive: true });
    assert.deepEqual(leftovers(), []);
  });

  it('Ctrl-C on a terminal during a long change: exit 130, nothing written, no lock left', async () => {
    const before = s.bookBytes();
    const session = startInPty(s.program, LEASE, { env: env('changed') });
    await appears(path.join(holds, 'changed.held'), 'lease on a terminal');
    session.type('\x03');
    // The terminal echoes ^C as it sends SIGINT: only then may the change end.
    await session.shown('^C');
    fs.writeFileSync(path.join(holds, 'changed.go'), '');
    const run = await session.done;
    assert.equal(run.code, 130, run.output);
    assert.match(run.output, /interrupted by SIGINT while the change was decided; nothing was written\n$/);
    assert.deepEqual(s.bookBytes(), before);
    assert.deepEqual(leftovers(), []);
  });

  it('the driver: SIGTERM during the change fails the action with nothing written; at the commit, the reply is given and the lease kept', async () => {
    const before = s.bookBytes();
    const stopped = await signalledAt('get_address', ['2'], 'changed', 'SIGTERM', encodeRequest(ar.getXml(1)));
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.equal(stopped.stdout, '');
    oneLine(stopped.stderr, 'interrupted by SIGTERM', 'nothing was written');
    assert.deepEqual(s.bookBytes(), before);

    const finished = await signalledAt(
      'get_address',
      ['3'],
      'directory-synced',
      'SIGTERM',
      encodeRequest(ar.getXml(1)),
    );
    assert.equal(finished.code, 143, finished.stderr);
    oneLine(finished.stderr, 'Interrupted by SIGTERM once the write', 'it was finished');
    const reply = expectReply({ code: 0, stdout: finished.stdout, stderr: '' }, 'ADDRESS');
    assert.ok(
      leases().some((l) => l.addresses === reply.get('IP')),
      `the address ${reply.get('IP')} is leased in the book: ${JSON.stringify(leases())}`,
    );
    assert.deepEqual(leftovers(), []);
  });
});

describe('a signal while no write has begun ends the command at once, saying nothing was written (issue 15 item 3)', () => {
  it('SIGINT while status waits for an etcd member that never answers: exit 130, one line', async () => {
    // A member that takes the connection and never answers: the command is surely running (its
    // handlers installed) once it has connected, and is waiting for no write.
    const sockets: net.Socket[] = [];
    let connected: () => void = () => undefined;
    const connection = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const server = net.createServer((socket) => {
      sockets.push(socket);
      connected();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    // No book is made first: making one would wait on this very member.
    const s = createCliSandbox({
      config: {
        backend: { type: 'etcd', endpoints: [`http://127.0.0.1:${port}`], timeoutMs: 30_000 },
        pools: CONFIG.pools,
      },
      book: 'none',
    });
    try {
      const child = spawn(s.program, ['status'], {
        cwd: s.dir,
        env: childEnv('default', { NEBULA_IPAM_CONFIG: s.configPath! }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const done = collect(child);
      await connection;
      process.kill(child.pid!, 'SIGINT');
      const run = await done;
      assert.equal(run.code, 130, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        /^Interrupted by SIGINT before any change to the lease book had begun; nothing was written\n$/,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
      s.cleanup();
    }
  });
});
