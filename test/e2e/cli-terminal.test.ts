/**
 * The CLI on a terminal (issue 11 items 3 and 5), run on a pseudo-terminal through `script`:
 * it says what it waits for, and its tables fit the terminal's width.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../support/cli-harness.ts';
import { runInPty } from '../support/pty.ts';

const CONFIG = {
  lockTimeoutMs: 2500,
  pools: [
    { name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true },
    { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 },
  ],
};

describe('a command waiting for the lock says so on a terminal (issue 11 item 3)', () => {
  let s: CliSandbox;
  let holder: ChildProcess;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    s.register({ SIZE: '8' }, '1');
    // Another live process of this machine holds the lock (as a slow oned action would).
    holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  /** A fresh lock of that process (a lock unrefreshed for 5 s is taken over as stale). */
  const holdLock = () => {
    const dir = `${s.bookPath}.lock`;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'owner'), JSON.stringify({ token: 'feedface0000feedface0000', pid: holder.pid, host: os.hostname() }));
  };
  after(() => {
    holder.kill();
    s.cleanup();
  });

  const env = () => ({ NEBULA_IPAM_STORE: s.bookPath, NEBULA_IPAM_CONFIG: s.configPath! });

  it('after about a second, names the holder and since when, then fails with exit 6', () => {
    holdLock();
    const started = Date.now();
    const run = runInPty(s.program, ['lease', '--pool', 'private', '--owner', 'bm-01'], { env: env() });
    assert.equal(run.code, 6, run.output);
    const lines = run.output.trimEnd().split('\n');
    assert.equal(lines.length, 2, run.output);
    assert.match(lines[0]!, new RegExp(`^Waiting for the lease book's lock, held by process ${holder.pid} on ${os.hostname()} since \\d{4}-\\d\\d-\\d\\dT`));
    assert.match(lines[1]!, /^Cannot use the lease book .* stayed locked/);
    assert.ok(Date.now() - started >= 2500);
  });

  it('says nothing extra when stderr is not a terminal (scripts, cron)', () => {
    holdLock();
    const result = s.cli(['lease', '--pool', 'private', '--owner', 'bm-01']);
    expectCliFailure(result, 6, ['stayed locked']);
    assert.doesNotMatch(result.stderr, /Waiting/);
  });

  it('says nothing when the lock is free at once', () => {
    fs.rmSync(`${s.bookPath}.lock`, { recursive: true, force: true });
    const run = runInPty(s.program, ['lease', '--pool', 'private', '--owner', 'bm-01'], { env: env() });
    assert.equal(run.code, 0, run.output);
    assert.doesNotMatch(run.output, /Waiting/);
    expectOk(s.cli(['release', '--owner', 'bm-01']));
  });
});
