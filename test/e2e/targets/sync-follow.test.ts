/**
 * `sync --follow` as the unit runs it: a new lease's records appear (polled, bounded; no timing
 * asserted), and SIGTERM ends it cleanly (exit 143, the unit's SuccessExitStatus).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { startBind } from '../../support/bind-server.ts';
import { nodeBinary } from '../../support/driver-harness.ts';
import { createSyncSandbox } from '../../support/sync-sandbox.ts';

/** `sync --follow` started as the unit starts it; `output()` is all it printed so far. */
function startFollower(s: ReturnType<typeof createSyncSandbox>) {
  const child = spawn(nodeBinary('default'), [s.program, 'sync', '--follow'], {
    env: s.env({ ONE_LOCATION: s.oneLocation }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 143 : null))),
  );
  return { child, exited, output: () => output };
}

it("sync --follow puts a new lease's records, and stops on SIGTERM with exit 143", async () => {
  const bind = await startBind();
  const s = createSyncSandbox(bind);
  const follower = startFollower(s);
  const { child, exited } = follower;
  try {
    const ip = s.lease();
    let found: string[] = [];
    for (let attempt = 0; attempt < 100 && found.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = await bind.lookup(s.nameOf(ip), 'A');
    }
    assert.deepEqual(found, [ip], `the record came; sync said: ${follower.output()}`);
    child.kill('SIGTERM');
    assert.equal(await exited, 143, follower.output());
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    s.cleanup();
    await bind.stop();
  }
});

it('after its first pass, --follow puts a lease and takes a freed one away by a change pass; a name somebody took meanwhile is left alone and reported', async () => {
  const bind = await startBind();
  const s = createSyncSandbox(bind);
  const first = s.lease();
  const follower = startFollower(s);
  const { child, exited } = follower;
  /** Polls `lookup` (every 100 ms, 150 times at most) until `done` says so; the last answer. */
  const until = async (name: string, done: (found: string[]) => boolean) => {
    let found = await bind.lookup(name, 'A');
    for (let attempt = 0; attempt < 150 && !done(found); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = await bind.lookup(name, 'A');
    }
    return found;
  };
  try {
    // The lease made before it started: its first (full) pass puts it.
    assert.deepEqual(await until(s.nameOf(first), (f) => f.length > 0), [first], follower.output());
    const second = s.lease();
    assert.deepEqual(
      await until(s.nameOf(second), (f) => f.length > 0),
      [second],
      `a change pass put it: ${follower.output()}`,
    );
    // The next address's name, taken by somebody after the last full pass: the change pass's
    // update finds it in use and leaves it; the full pass it brings forward reports the conflict.
    const parts = second.split('.');
    const third = [...parts.slice(0, 3), String(Number(parts[3]) + 1)].join('.');
    const taken = await bind.nsupdate('cloud.example.com', [`update add ${s.nameOf(third)} 600 A 203.0.113.9`]);
    assert.equal(taken.code, 0, taken.stderr);
    assert.equal(s.lease(), third);
    // The full pass (its state is what status shows; a change pass does not write it) counts the conflict.
    let status = '';
    for (let attempt = 0; attempt < 150 && !/dns \(dns\): .*, 1 conflicting/.test(status); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = s.cli(['status']).stdout;
    }
    assert.match(status, /dns \(dns\): .*, 1 conflicting/, `the full pass came soon after: ${follower.output()}`);
    assert.match(
      follower.output(),
      /vm-192-0-2-\d+\.cloud\.example\.com A [\d.]+ \(not applied: YXDOMAIN/,
      'the change pass said it',
    );
    assert.deepEqual(await bind.lookup(s.nameOf(third), 'A'), ['203.0.113.9'], 'left alone');
    s.free(first);
    assert.deepEqual(
      await until(s.nameOf(first), (f) => f.length === 0),
      [],
      `a change pass deleted it: ${follower.output()}`,
    );
    child.kill('SIGTERM');
    assert.equal(await exited, 143, follower.output());
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    s.cleanup();
    await bind.stop();
  }
});
