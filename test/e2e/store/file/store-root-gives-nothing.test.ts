/**
 * Root gives oneadmin nothing (issue 16 item 2), with a real second user who owns the book's
 * directory, as oneadmin does on a front-end. What that user can do there is done as that user
 * (`runuser`), except the hard links: whether a user may hard-link a file of root's depends on
 * `fs.protected_hardlinks` (0 in many containers), so root makes the link in the test, in the
 * same filesystem, exactly as the user could where it is 0. The races are held open with the
 * test bundle's NEBULA_IPAM_TEST_HOLD_AT hook, at the point a swap has to be caught.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectFailure, expectReply } from '../../../support/driver-assert.ts';
import {
  ACTIONS,
  BUNDLE,
  childEnv,
  createSandbox,
  encodeRequest,
  OnedAr,
  registerXml,
  TEST_BUNDLE,
  type DriverSandbox,
  type RunResult,
} from '../../../support/driver-harness.ts';
import { expectOk } from '../../../support/cli-harness.ts';
import { bundleAs, runProgram, writeBundle } from '../../../support/install-fixtures.ts';
import { chownTree, ensureTestUser, hasRunuser, isRoot, TEST_USER, type TestUser } from '../../../support/test-user.ts';
import { spawnCli, type ActionRun } from '../../../torture/spawn-action.ts';
import { newOwner } from '../../../../src/store/file/lock-owner.ts';

const CONFIG = { pools: [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true }] };
const SECRET = 'root:$6$not-a-real-hash:19000:0:99999:7:::\n';
/** A blocked process is killed this late, so the test reports a hang instead of hanging. */
const KILL_AFTER_MS = 40_000;
/** How long a paused root process may take to reach its pause (Node start-up on a loaded machine). */
const REACH_PAUSE_MS = 20_000;

describe('root gives the book owner nothing of its own', {
  skip: !isRoot || !hasRunuser ? 'needs root and runuser to act as two users' : false,
}, () => {
  let user: TestUser;
  let sandbox: DriverSandbox;
  let ar: OnedAr;
  let storeDir: string;
  /** Root's own directory, standing for /etc (or /etc/apt/apt.conf.d): nothing may appear there. */
  let rootDir: string;
  /** A root-only file in the book's filesystem, standing for /etc/shadow. */
  let victim: string;

  const asUser = (command: string): void => {
    const run = spawnSync('runuser', ['-u', TEST_USER, '--', 'sh', '-c', command], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(run.status, 0, `as ${TEST_USER}: ${command}: ${run.stderr}`);
  };
  const userAction = (action: string, xml: string): RunResult => {
    const run = spawnSync('runuser', ['-u', TEST_USER, '--', path.join(sandbox.driverDir, action), '1'], {
      cwd: sandbox.dir,
      env: childEnv('default', { NEBULA_IPAM_STORE: sandbox.bookPath, NEBULA_IPAM_CONFIG: sandbox.configPath }),
      input: encodeRequest(xml),
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    return { code: run.status ?? 128, stdout: run.stdout, stderr: run.stderr };
  };
  const victimUntouched = (): void => {
    const stat = fs.statSync(victim);
    assert.deepEqual([stat.uid, stat.gid, stat.mode & 0o777], [0, 0, 0o600], 'the root file keeps its owner and mode');
    assert.equal(fs.readFileSync(victim, 'utf8'), SECRET, 'and its content');
  };

  /** Root's `nebula-ipam lease`, paused at `point` until `during` (run while it waits) is done. */
  const rootLeasePausedAt = async (point: string, during: () => void): Promise<RunResult> => {
    const holdDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-hold-'));
    const running = spawnCli(sandbox, ['lease', '--pool', 'private', '--owner', `paused-${point}`], {
      killAfterMs: KILL_AFTER_MS,
      env: { NEBULA_IPAM_TEST_HOLD_AT: point, NEBULA_IPAM_TEST_HOLD_DIR: holdDir },
    });
    try {
      for (const end = Date.now() + REACH_PAUSE_MS; !fs.existsSync(path.join(holdDir, `${point}.held`)); ) {
        assert.ok(Date.now() < end, `root never reached ${point}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      during();
    } finally {
      fs.writeFileSync(path.join(holdDir, `${point}.go`), '');
    }
    const run: ActionRun = await running;
    fs.rmSync(holdDir, { recursive: true, force: true });
    assert.ok(!run.killedByUs, `still running after ${KILL_AFTER_MS} ms: ${run.stderr}`);
    return { code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
  };

  /** What the user can do with the directory it owns: move the book's directory away, leave a symlink to root's. */
  const swapStoreDir = () => asUser(`mv ${storeDir} ${storeDir}.moved && ln -s ${rootDir} ${storeDir}`);
  const unswapStoreDir = () => asUser(`rm ${storeDir} && mv ${storeDir}.moved ${storeDir}`);

  before(() => {
    user = ensureTestUser();
    sandbox = createSandbox({ config: CONFIG, bundle: TEST_BUNDLE });
    storeDir = path.dirname(sandbox.bookPath);
    fs.chmodSync(storeDir, 0o700); // made by the sandbox's init
    chownTree(sandbox.dir, user);
    fs.chmodSync(sandbox.dir, 0o755);
    // Root's, in the same filesystem as the book (os.tmpdir()), where the user cannot look.
    rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-root-only-'));
    victim = path.join(rootDir, 'shadow');
    fs.writeFileSync(victim, SECRET, { mode: 0o600 });
    ar = new OnedAr(
      expectReply(userAction('register_address_range', registerXml({ SIZE: '10', IPAM_MAD: 'mydrv' })), 'AR'),
    );
  });
  after(() => {
    sandbox?.cleanup();
    if (rootDir) fs.rmSync(rootDir, { recursive: true, force: true });
  });

  it('an audit log that is a hard link to a root file: root neither gives it away nor appends to it, and says so in one WARN line', () => {
    const log = `${sandbox.bookPath}.audit.jsonl`;
    fs.rmSync(log, { force: true });
    fs.linkSync(victim, log);
    try {
      const lease = sandbox.runRaw('nebula-ipam', { args: ['lease', '--pool', 'private', '--owner', 'bm-01'] });
      assert.equal(lease.code, 0, lease.stderr);
      victimUntouched();
      // The one WARN line, then the line naming the book the command used.
      assert.match(
        lease.stderr,
        /^WARN: Cannot append to the audit log [^\n]+: it has 2 names \(hard links\)[^\n]*\nLease book [^\n]+\n$/,
      );
      assert.ok(lease.stderr.includes(log), lease.stderr);
      // The owner's own action skips it the same way, and still works.
      const got = userAction('get_address', ar.getXml(1));
      assert.equal(got.code, 0, got.stderr);
      victimUntouched();
    } finally {
      fs.rmSync(log);
    }
  });

  it("the book replaced by a hard link to a root file: root refuses it in one line and quotes none of it, in its message or the owner's audit log", () => {
    const saved = `${sandbox.bookPath}.saved`;
    fs.renameSync(sandbox.bookPath, saved);
    fs.linkSync(victim, sandbox.bookPath);
    try {
      const run = sandbox.runRaw('nebula-ipam', { args: ['lease', '--pool', 'private', '--owner', 'bm-05'] });
      const log = `${sandbox.bookPath}.audit.jsonl`;
      const logged = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      for (const [where, text] of [
        ['stderr', run.stderr],
        ['audit log', logged],
      ] as const) {
        assert.ok(!text.includes(SECRET.slice(0, 8)), `${where} quotes the root file: ${text}`);
      }
      expectFailure(run, 8, [sandbox.bookPath, 'hard links']);
      victimUntouched();
    } finally {
      fs.rmSync(sandbox.bookPath);
      fs.renameSync(saved, sandbox.bookPath);
    }
  });

  it("the book's directory swapped for a symlink to root's directory while root waits for the lock: refused in one line, nothing written there", async () => {
    const before = fs.readdirSync(rootDir);
    let run: RunResult;
    try {
      run = await rootLeasePausedAt('book-found', swapStoreDir);
    } finally {
      unswapStoreDir();
    }
    expectFailure(run, 8, [storeDir, 'was replaced']);
    assert.deepEqual(fs.readdirSync(rootDir), before, 'nothing created in root’s directory');
    expectReply(userAction('get_address', ar.getXml(1)), 'ADDRESS');
  });

  it("the book's directory swapped right after root took the lock: the write is refused in one line, nothing written there", async () => {
    const before = fs.readdirSync(rootDir);
    const book = fs.readFileSync(sandbox.bookPath);
    let run: RunResult;
    try {
      run = await rootLeasePausedAt('lock-taken', swapStoreDir);
    } finally {
      unswapStoreDir();
    }
    expectFailure(run, 8, [storeDir, 'was replaced']);
    assert.deepEqual(fs.readdirSync(rootDir), before, 'nothing created in root’s directory');
    assert.deepEqual(fs.readFileSync(sandbox.bookPath), book, 'the book unchanged');
    // Root's lock, left without a record in the moved directory, is taken over by age.
    expectReply(userAction('get_address', ar.getXml(1)), 'ADDRESS');
  });

  it('the lock directory replaced by a hard link to a root file as root takes it: not given away, refused in one line', async () => {
    const lock = `${sandbox.bookPath}.lock`;
    const book = fs.readFileSync(sandbox.bookPath);
    const run = await rootLeasePausedAt('lock-taken', () => {
      // The user may remove root's empty lock directory (the directory it is in is the user's).
      asUser(`rmdir ${lock}`);
      fs.linkSync(victim, lock);
    });
    try {
      victimUntouched();
      expectFailure(run, 6, [lock]);
      assert.deepEqual(fs.readFileSync(sandbox.bookPath), book, 'the book unchanged');
    } finally {
      fs.rmSync(lock, { force: true });
    }
    expectReply(userAction('get_address', ar.getXml(1)), 'ADDRESS');
  });

  it('a dead lock the user planted holding a directory: root does not remove it recursively, and says so in one line', () => {
    const lock = `${sandbox.bookPath}.lock`;
    // A record of a process that is gone, and a tree a recursive removal would walk: between its
    // look at a name and its unlink, the user could swap a directory there for a symlink to /etc.
    asUser(`mkdir -p ${lock}/tree && echo x > ${lock}/tree/file && touch -d '1 minute ago' ${lock}`);
    fs.writeFileSync(path.join(lock, 'owner'), JSON.stringify({ ...newOwner(), pid: 2 ** 22 + 1, started: '1' }));
    fs.chownSync(path.join(lock, 'owner'), user.uid, user.gid);
    const book = fs.readFileSync(sandbox.bookPath);
    try {
      const run = sandbox.runRaw('nebula-ipam', { args: ['lease', '--pool', 'private', '--owner', 'bm-09'] });
      expectFailure(run, 6, [lock, 'rm -r']);
      assert.ok(fs.existsSync(path.join(lock, 'tree', 'file')), 'the tree in it is left alone');
      assert.deepEqual(fs.readFileSync(sandbox.bookPath), book, 'the book unchanged');
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  });

  it('install --remove-old as root leaves an old bundle in a directory the user can write, and says why', () => {
    // Removed by name there, the bundle's directory could be a symlink to /etc by the time root
    // removes it (the links that led to it are what install judged, long before).
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-old-bundle-'));
    try {
      fs.chmodSync(root, 0o755);
      const lib = path.join(root, 'users-lib');
      const old = writeBundle(path.join(lib, 'nebula-ipam.cjs'), bundleAs(undefined));
      chownTree(lib, user);
      const dir = path.join(root, 'remotes', 'ipam', 'nebula');
      fs.mkdirSync(dir, { recursive: true });
      for (const action of ACTIONS) fs.symlinkSync(old, path.join(dir, action));
      const out = expectOk(runProgram(BUNDLE, ['install', dir, '--remove-old']));
      assert.ok(fs.existsSync(old), 'not removed');
      assert.ok(
        out.includes(`Old bundle ${old} (0.1.0 or older)`) &&
          out.includes(`${lib} can be written by uid ${user.uid} (${TEST_USER})`),
        out,
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
