/**
 * The CLI run as root never locks oned out (issue 8 item 9), with real users: what root writes
 * (book, .prev, temp file, audit log, lock directory, owner record) keeps the book's owner and
 * group, and a lock root left behind is taken over by the book's owner or reported in one line.
 * Needs root (to switch users with runuser); it creates the user `nebipamtest` if missing
 * (test/support/test-user.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectFailure, expectReply } from '../../../support/driver-assert.ts';
import {
  childEnv,
  createSandbox,
  encodeRequest,
  OnedAr,
  registerXml,
  TEST_BUNDLE,
  type DriverSandbox,
  type RunResult,
} from '../../../support/driver-harness.ts';
import { STALE_MS } from '../../../../src/store/file/lock.ts';
import { newOwner } from '../../../../src/store/file/lock-owner.ts';
import { chownTree, ensureTestUser, hasRunuser, isRoot, type TestUser } from '../../../support/test-user.ts';

const CONFIG = { pools: [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true }] };
const AR = { SIZE: '10', IPAM_MAD: 'mydrv' };

/** Every file and directory under `dir` whose owner or group is not the user's. */
function notOwnedBy(dir: string, user: TestUser): string[] {
  const wrong: string[] = [];
  const walk = (at: string) => {
    const stat = fs.lstatSync(at);
    if (stat.uid !== user.uid || stat.gid !== user.gid) wrong.push(`${at} ${stat.uid}:${stat.gid}`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(at)) walk(path.join(at, name));
  };
  walk(dir);
  return wrong;
}

describe('the CLI and the driver run as root keep the book usable by its owner', {
  skip: !isRoot || !hasRunuser ? 'needs root and runuser to act as two users' : false,
}, () => {
  let user: TestUser;
  let sandbox: DriverSandbox;
  let ar: OnedAr;
  let storeDir: string;

  /** A driver action or the CLI as the test user, exactly as oned (running as that user) would start it. */
  const asUser = (
    program: string,
    args: readonly string[],
    stdin = '',
    env: Record<string, string> = {},
  ): RunResult => {
    const run = spawnSync('runuser', ['-u', user.name, '--', path.join(sandbox.driverDir, program), ...args], {
      cwd: sandbox.dir,
      env: childEnv('default', { NEBULA_IPAM_STORE: sandbox.bookPath, NEBULA_IPAM_CONFIG: sandbox.configPath, ...env }),
      input: stdin,
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    return { code: run.status ?? 128, stdout: run.stdout, stderr: run.stderr };
  };
  const userAction = (action: string, xml: string, env: Record<string, string> = {}) =>
    asUser(action, ['1'], encodeRequest(xml), env);

  before(() => {
    user = ensureTestUser();
    // The test bundle: one test kills a root writer through a test hook.
    sandbox = createSandbox({ config: CONFIG, bundle: TEST_BUNDLE, book: 'none' });
    storeDir = path.dirname(sandbox.bookPath);
    fs.mkdirSync(storeDir, { mode: 0o700 });
    fs.symlinkSync(TEST_BUNDLE, path.join(sandbox.driverDir, 'nebula-ipam'));
    chownTree(sandbox.dir, user);
    // mkdtemp made the sandbox 0700: let the user in.
    fs.chmodSync(sandbox.dir, 0o755);
    // The owner makes its book, as install run by oneadmin would.
    const init = asUser('nebula-ipam', ['init']);
    assert.equal(init.code, 0, init.stderr);
    ar = new OnedAr(expectReply(userAction('register_address_range', registerXml(AR)), 'AR'));
  });
  after(() => {
    sandbox?.cleanup();
  });

  it("after `nebula-ipam lease` as root every file is still the owner's, and oned's next action works", () => {
    const lease = sandbox.runRaw('nebula-ipam', { args: ['lease', '--pool', 'private', '--owner', 'bm-01'] });
    assert.equal(lease.code, 0, lease.stderr);
    assert.deepEqual(notOwnedBy(storeDir, user), []);
    for (const file of [sandbox.bookPath, `${sandbox.bookPath}.prev`, `${sandbox.bookPath}.audit.jsonl`])
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, file);
    expectReply(userAction('get_address', ar.getXml(1)), 'ADDRESS');
  });

  it("a root process killed while holding the lock: its lock, record and temp file are the owner's, and the owner's next action takes it over at once", () => {
    const killed = sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_TEST_CRASH_AT: 'temp-synced' } });
    assert.equal(killed.code, 128 + 9, `killed by its hook: ${killed.stderr}`);
    assert.ok(fs.existsSync(`${sandbox.bookPath}.lock/owner`), 'root died holding the lock');
    assert.deepEqual(notOwnedBy(storeDir, user), []);
    const started = Date.now();
    expectReply(userAction('get_address', ar.getXml(1)), 'ADDRESS');
    assert.ok(Date.now() - started < STALE_MS, `took ${Date.now() - started} ms`);
    assert.deepEqual(notOwnedBy(storeDir, user), []);
  });

  it('a new book and its directory made by root belong to the owner of the directory they are made in', () => {
    const fresh = path.join(sandbox.dir, 'fresh', 'books', 'leases.json');
    fs.mkdirSync(path.dirname(path.dirname(fresh)), { mode: 0o700 });
    fs.chownSync(path.dirname(path.dirname(fresh)), user.uid, user.gid);
    // Root makes it (install and init run as root on a front-end), then writes to it.
    const init = sandbox.runRaw('nebula-ipam', { args: ['init'], env: { NEBULA_IPAM_STORE: fresh } });
    assert.equal(init.code, 0, init.stderr);
    const lease = sandbox.runRaw('nebula-ipam', {
      args: ['lease', '--pool', 'private', '--owner', 'bm-02'],
      env: { NEBULA_IPAM_STORE: fresh },
    });
    assert.equal(lease.code, 0, lease.stderr);
    assert.deepEqual(notOwnedBy(path.dirname(path.dirname(fresh)), user), []);
    const run = asUser('nebula-ipam', ['lease', '--pool', 'private', '--owner', 'bm-03'], '', {
      NEBULA_IPAM_STORE: fresh,
    });
    assert.equal(run.code, 0, run.stderr);
  });

  it("root does not follow a symlink the owner planted out of the owner's directories: refused in one line, nothing written there", () => {
    const rootDir = fs.mkdtempSync(path.join(sandbox.dir, 'root-only-'));
    fs.copyFileSync(sandbox.bookPath, path.join(rootDir, 'leases.json'));
    const link = path.join(storeDir, 'planted.json');
    fs.symlinkSync(path.join(rootDir, 'leases.json'), link);
    fs.lchownSync(link, user.uid, user.gid);
    const before = fs.readdirSync(rootDir);
    const run = sandbox.runRaw('nebula-ipam', {
      args: ['lease', '--pool', 'private', '--owner', 'bm-04'],
      env: { NEBULA_IPAM_STORE: link },
    });
    expectFailure(run, 8, ['as root', link, `uid ${user.uid}`]);
    assert.deepEqual(fs.readdirSync(rootDir), before, 'nothing created beside the target');
    fs.rmSync(link);
  });

  it("a lock root left that the owner cannot remove (an older version's) is reported in one line, never a stack trace", () => {
    const lock = `${sandbox.bookPath}.lock`;
    fs.mkdirSync(lock, { mode: 0o700 });
    fs.writeFileSync(path.join(lock, 'owner'), JSON.stringify({ ...newOwner(), pid: 2 ** 22 + 1, started: '1' }), {
      mode: 0o600,
    });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const before = fs.readFileSync(sandbox.bookPath);
    const line = expectFailure(userAction('get_address', ar.getXml(1)), 6, [lock, 'rm -r']);
    assert.doesNotMatch(line, /unexpected| {4}at /);
    assert.deepEqual(fs.readFileSync(sandbox.bookPath), before);
    fs.rmSync(lock, { recursive: true });
    expectReply(userAction('get_address', ar.getXml(1)), 'ADDRESS');
  });
});
