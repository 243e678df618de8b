/**
 * Files that are not what the store expects (issue 8 items 11 and 14): a FIFO at the book, its
 * `.prev`, its audit log or the lock's owner record never blocks an action, SIGTERM ends an action
 * waiting for the lock at once, and a book too big to be one is refused with exit 7.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { expectFailure, expectQuietSuccess, expectReply } from '../../../support/driver-assert.ts';
import {
  childEnv,
  createSandbox,
  encodeRequest,
  OnedAr,
  registerXml,
  type DriverSandbox,
  type RunResult,
} from '../../../support/driver-harness.ts';
import { newOwner } from '../../../../src/store/file/lock-owner.ts';
import { spawnAction, spawnCli, type ActionRun } from '../../../torture/spawn-action.ts';

const AR = { TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' };
/** Loose: Node start-up on a loaded 2-core machine, not the store, is what takes time here. */
const PROMPT_MS = 8_000;
/** A blocked process is killed this late, so the test reports a hang instead of hanging. */
const KILL_AFTER_MS = 20_000;

function withBook(body: (sandbox: DriverSandbox, ar: OnedAr) => Promise<void>): () => Promise<void> {
  return async () => {
    const sandbox = createSandbox({ config: {} });
    try {
      const ar = new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(AR)), 'AR'));
      expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(2n)));
      await body(sandbox, ar);
    } finally {
      sandbox.cleanup();
    }
  };
}

function mkfifo(file: string): void {
  fs.rmSync(file, { force: true });
  const made = spawnSync('mkfifo', ['-m', '600', file]);
  assert.equal(made.status, 0, `mkfifo ${file}: ${made.stderr}`);
}

function prompt(run: ActionRun): RunResult {
  assert.ok(!run.killedByUs, `still blocked after ${KILL_AFTER_MS} ms: ${run.stderr}`);
  assert.ok(run.end - run.start < PROMPT_MS, `took ${Math.round(run.end - run.start)} ms`);
  return { code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
}

test(
  'a FIFO at the book: every action refuses it at once in one line naming it (exit 8)',
  withBook(async (sandbox, ar) => {
    mkfifo(sandbox.bookPath);
    for (const [action, xml] of [
      ['get_address', ar.getXml(1)],
      ['free_address', ar.freeXml(2n)],
    ] as const) {
      const run = prompt(await spawnAction(sandbox, action, xml, { requestId: '5', killAfterMs: KILL_AFTER_MS }));
      expectFailure(run, 8, [sandbox.bookPath, 'not a regular file']);
    }
    assert.ok(fs.lstatSync(sandbox.bookPath).isFIFO(), 'the FIFO is left for the operator to look at');
    assert.ok(!fs.existsSync(`${sandbox.bookPath}.lock`), 'no lock left behind');
  }),
);

test(
  "a FIFO at the lock's owner record: the action refuses at once in one line naming it, the book unchanged",
  withBook(async (sandbox, ar) => {
    const lock = `${sandbox.bookPath}.lock`;
    fs.mkdirSync(lock, { mode: 0o700 });
    mkfifo(path.join(lock, 'owner'));
    const before = fs.readFileSync(sandbox.bookPath);
    const run = prompt(
      await spawnAction(sandbox, 'get_address', ar.getXml(1), { requestId: '5', killAfterMs: KILL_AFTER_MS }),
    );
    expectFailure(run, 8, [path.join(lock, 'owner'), 'not a regular file']);
    assert.deepEqual(fs.readFileSync(sandbox.bookPath), before);
  }),
);

test(
  'a FIFO at the audit log: actions neither block nor lose their change (the log line is what is lost)',
  withBook(async (sandbox, ar) => {
    mkfifo(`${sandbox.bookPath}.audit.jsonl`);
    const run = prompt(
      await spawnAction(sandbox, 'get_address', ar.getXml(1), { requestId: '5', killAfterMs: KILL_AFTER_MS }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^ADDRESS = \[/);
    assert.ok(fs.lstatSync(`${sandbox.bookPath}.audit.jsonl`).isFIFO());
    // Index 2 is leased already: a failure, whose audit line is lost the same way.
    const failed = prompt(
      await spawnAction(sandbox, 'allocate_address', ar.allocateXml(2n), {
        requestId: '6',
        killAfterMs: KILL_AFTER_MS,
      }),
    );
    expectFailure(failed, 5, ['10.0.0.12']);
  }),
);

test(
  'a FIFO at the audit log: `nebula-ipam log` refuses it at once in one line naming it',
  withBook(async (sandbox) => {
    const log = `${sandbox.bookPath}.audit.jsonl`;
    mkfifo(log);
    const run = prompt(await spawnCli(sandbox, ['log'], { killAfterMs: KILL_AFTER_MS }));
    expectFailure(run, 8, [log, 'not a regular file']);
  }),
);

test(
  'a FIFO at .prev: actions replace it like any stale .prev, and `restore` refuses it at once in one line',
  withBook(async (sandbox, ar) => {
    const prev = `${sandbox.bookPath}.prev`;
    mkfifo(prev);
    const before = fs.readFileSync(sandbox.bookPath);
    const restore = prompt(await spawnCli(sandbox, ['restore', '--yes'], { killAfterMs: KILL_AFTER_MS }));
    expectFailure(restore, 8, [prev, 'not a regular file']);
    assert.deepEqual(fs.readFileSync(sandbox.bookPath), before, 'nothing restored');
    const run = prompt(
      await spawnAction(sandbox, 'get_address', ar.getXml(1), { requestId: '5', killAfterMs: KILL_AFTER_MS }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.lstatSync(prev).isFile(), 'the write kept a real previous generation');
  }),
);

test(
  "SIGTERM ends an action that waits for the lock at once, and leaves the holder's lock alone",
  withBook(async (sandbox, ar) => {
    const lock = `${sandbox.bookPath}.lock`;
    fs.mkdirSync(lock, { mode: 0o700 });
    fs.writeFileSync(path.join(lock, 'owner'), JSON.stringify(newOwner()));
    const child = spawn(path.join(sandbox.driverDir, 'get_address'), ['5'], {
      env: childEnv('default', { NEBULA_IPAM_STORE: sandbox.bookPath, NEBULA_IPAM_CONFIG: sandbox.configPath }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end(encodeRequest(ar.getXml(1)));
    const ended = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.on('close', (code) => resolve({ code, at: performance.now() })),
    );
    const hang = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    try {
      // Long enough for Node to start and the action to reach its wait (lockTimeoutMs is 20 s).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const sent = performance.now();
      child.kill('SIGTERM');
      const { code, at } = await ended;
      // 143: stopped by SIGTERM with nothing written, and saying so (issue 15 item 3).
      assert.equal(code, 143, `ended by SIGTERM, not by our SIGKILL after ${KILL_AFTER_MS} ms; stderr: ${stderr}`);
      assert.match(stderr, /^[^\n]*interrupted by SIGTERM while waiting for its lock; nothing was written\n$/);
      assert.ok(at - sent < 2_000, `ended ${Math.round(at - sent)} ms after SIGTERM`);
    } finally {
      clearTimeout(hang);
    }
    assert.ok(fs.existsSync(path.join(lock, 'owner')), "the live holder's lock is still there");
  }),
);

test(
  'a book bigger than any real one (a sparse 600 MiB file) is refused with exit 7 in one line, untouched',
  withBook(async (sandbox, ar) => {
    const size = 600 * 1024 * 1024;
    fs.truncateSync(sandbox.bookPath, size);
    const run = prompt(
      await spawnAction(sandbox, 'get_address', ar.getXml(1), { requestId: '5', killAfterMs: KILL_AFTER_MS }),
    );
    expectFailure(run, 7, [sandbox.bookPath, 'MiB']);
    assert.equal(fs.statSync(sandbox.bookPath).size, size);
    const restore = prompt(await spawnCli(sandbox, ['restore'], { killAfterMs: KILL_AFTER_MS }));
    assert.equal(restore.code, 0, `restore still shows the previous generation: ${restore.stderr}`);
  }),
);

test(
  'a FIFO at the config file: the action refuses it at once in one line naming it (exit 4), the book unchanged',
  withBook(async (sandbox, ar) => {
    const before = sandbox.bookBytes();
    mkfifo(sandbox.configPath!);
    const run = prompt(
      await spawnAction(sandbox, 'get_address', ar.getXml(1), { requestId: '6', killAfterMs: KILL_AFTER_MS }),
    );
    expectFailure(run, 4, [sandbox.configPath!, 'not a regular file']);
    assert.deepEqual(sandbox.bookBytes(), before);
  }),
);
