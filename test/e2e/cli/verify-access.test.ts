/**
 * `verify` checks what oned will meet (issue 15 item 5), with real users: run as root, it opens
 * the book, its directory, lock and audit log as the driver's user (the owner of the driver's
 * directory in oned's remotes tree) and fails with the fix when that user cannot use them: a
 * book root:root 0600, a directory the user cannot write, a read-only mount. `status` warns, and
 * the action's own EACCES line names the user it runs as and the file's owner. Needs root (to
 * switch users with runuser and make the files root's); it creates the user `nebipamtest`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectFailure, expectReply } from '../../support/driver-assert.ts';
import {
  childEnv,
  createSandbox,
  encodeRequest,
  OnedAr,
  registerXml,
  type DriverSandbox,
  type RunResult,
} from '../../support/driver-harness.ts';
import { chownTree, ensureTestUser, hasRunuser, isRoot, type TestUser } from '../../support/test-user.ts';

const CONFIG = { pools: [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true }] };

interface AccessFindingJson {
  kind: string;
  path: string;
  what: string;
  user: string;
  needs: string;
  reason: string;
  owner: string;
  fix: string;
}

describe("verify opens the book as oned's user would (issue 15 item 5)", {
  skip: !isRoot || !hasRunuser ? 'needs root and runuser to act as two users' : false,
}, () => {
  let user: TestUser;
  let group: string;
  let sandbox: DriverSandbox;
  let ar: OnedAr;
  let storeDir: string;
  let oneLocation: string;

  /** A driver action or the CLI as the user, as oned (running as that user) starts it. */
  const asUser = (program: string, args: readonly string[], stdin = ''): RunResult => {
    const run = spawnSync('runuser', ['-u', user.name, '--', path.join(sandbox.driverDir, program), ...args], {
      cwd: sandbox.dir,
      env: childEnv('default', {
        NEBULA_IPAM_STORE: sandbox.bookPath,
        NEBULA_IPAM_CONFIG: sandbox.configPath,
        ONE_LOCATION: oneLocation,
      }),
      input: stdin,
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    return { code: run.status ?? 128, stdout: run.stdout, stderr: run.stderr };
  };
  const userAction = (action: string, xml: string) => asUser(action, ['1'], encodeRequest(xml));
  /** The CLI as root, on the sandbox's book, the driver's remotes tree at ONE_LOCATION. */
  const cli = (args: readonly string[]) =>
    sandbox.runRaw('nebula-ipam', { args: ['--driver', sandbox.driver, ...args], env: { ONE_LOCATION: oneLocation } });
  const verifyJson = () => {
    const run = cli(['--json', 'verify']);
    return {
      code: run.code,
      doc: JSON.parse(run.stdout) as {
        ok: boolean;
        access?: { user: string; checked: boolean; asDriverUser: boolean };
        findings: AccessFindingJson[];
      },
    };
  };
  const accessFindings = () => verifyJson().doc.findings.filter((f) => f.kind === 'book-access');
  /** Runs a fix verify printed, as root would paste it into a shell. */
  const applyFix = (fix: string) => {
    const run = spawnSync('sh', ['-c', fix], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${fix}: ${run.stderr}`);
  };

  before(() => {
    user = ensureTestUser();
    group = spawnSync('id', ['-gn', user.name], { encoding: 'utf8' }).stdout.trim();
    sandbox = createSandbox({ config: CONFIG });
    storeDir = path.dirname(sandbox.bookPath);
    fs.chmodSync(storeDir, 0o700); // made by the sandbox's init
    // oned's remotes tree, as a self-contained install keeps it: its driver directory is the user's.
    oneLocation = path.join(sandbox.dir, 'one');
    fs.mkdirSync(path.join(oneLocation, 'var', 'remotes', 'ipam', sandbox.driver), { recursive: true });
    chownTree(sandbox.dir, user);
    fs.chmodSync(sandbox.dir, 0o755);
    ar = new OnedAr(
      expectReply(userAction('register_address_range', registerXml({ SIZE: '10', IPAM_MAD: sandbox.driver })), 'AR'),
    );
    expectReply(userAction('get_address', ar.getXml(1)), 'ADDRESS');
  });
  after(() => sandbox?.cleanup());

  it('a book the user can use: OK, checked as that user', () => {
    const { code, doc } = verifyJson();
    assert.equal(code, 0, JSON.stringify(doc));
    assert.deepEqual(doc.access, { user: `uid ${user.uid} (${user.name})`, checked: true, asDriverUser: true });
    assert.match(
      cli(['verify']).stdout,
      new RegExp(`oned's user uid ${user.uid} \\(${user.name}\\) can use the lease book`),
    );
  });

  it('a book root:root 0600: verify fails with the chown, status warns, the action names both users; the fix works', () => {
    fs.chownSync(sandbox.bookPath, 0, 0);
    fs.chmodSync(sandbox.bookPath, 0o600);
    const { code } = verifyJson();
    assert.equal(code, 1);
    const [finding, ...more] = accessFindings();
    assert.deepEqual(more, [], JSON.stringify(more));
    assert.deepEqual(
      { what: finding!.what, path: finding!.path, needs: finding!.needs, reason: finding!.reason, fix: finding!.fix },
      {
        what: 'the lease book',
        path: sandbox.bookPath,
        needs: 'read',
        reason: 'permission denied',
        fix: `chown ${user.name}:${group} ${sandbox.bookPath}`,
      },
    );
    assert.match(finding!.owner, /^uid 0 \(root\), group 0 \(root\), mode 0600$/);
    const text = cli(['verify']);
    assert.equal(text.code, 1);
    assert.ok(text.stdout.includes(`oned cannot read the lease book`), text.stdout);

    const status = cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stderr,
      new RegExp(
        `^Warning: oned's user uid ${user.uid} \\(${user.name}\\) cannot read the lease book ${sandbox.bookPath} .*chown`,
        'm',
      ),
    );

    // What oned meets: exit 8, one line naming who the action runs as and whose the book is.
    expectFailure(userAction('get_address', ar.getXml(1)), 8, [
      sandbox.bookPath,
      `this process runs as uid ${user.uid} (${user.name})`,
      'belongs to uid 0 (root)',
      'mode 0600',
    ]);
    // verify run as that user finds the same, instead of failing to read.
    const own = asUser('nebula-ipam', ['--driver', sandbox.driver, '--json', 'verify']);
    assert.equal(own.code, 1, own.stderr);
    assert.ok(
      (JSON.parse(own.stdout) as { findings: AccessFindingJson[] }).findings.some(
        (f) => f.kind === 'book-access' && f.what === 'the lease book',
      ),
    );

    applyFix(finding!.fix);
    assert.equal(verifyJson().code, 0);
    expectReply(userAction('get_address', ar.getXml(1)), 'ADDRESS');
  });

  it("a directory the user cannot write: verify fails with the directory's fix; the fix works", () => {
    fs.chownSync(storeDir, 0, 0);
    fs.chmodSync(storeDir, 0o755);
    try {
      assert.equal(verifyJson().code, 1);
      const findings = accessFindings();
      assert.deepEqual(
        findings.map((f) => [f.what, f.path, f.needs, f.reason, f.fix]),
        [
          [
            "the lease book's directory",
            storeDir,
            'write',
            'permission denied',
            `chown ${user.name}:${group} ${storeDir}`,
          ],
        ],
      );
      expectFailure(userAction('get_address', ar.getXml(1)), 8, [
        `this process runs as uid ${user.uid} (${user.name})`,
        'belongs to uid 0 (root)',
      ]);
      applyFix(findings[0]!.fix);
      assert.equal(verifyJson().code, 0);
    } finally {
      fs.chownSync(storeDir, user.uid, user.gid);
      fs.chmodSync(storeDir, 0o700);
    }
  });

  it('a read-only mount: verify fails naming the mount and how to make it writable', (t) => {
    const bind = spawnSync('mount', ['--bind', storeDir, storeDir], { encoding: 'utf8' });
    if (bind.status !== 0) {
      t.skip(
        `cannot bind-mount here (${bind.stderr.trim() || `mount exited ${bind.status}`}): the read-only case needs mount -o bind,ro`,
      );
      return;
    }
    try {
      const ro = spawnSync('mount', ['-o', 'remount,bind,ro', storeDir], { encoding: 'utf8' });
      if (ro.status !== 0) {
        t.skip(`cannot remount read-only here (${ro.stderr.trim()})`);
        return;
      }
      assert.equal(verifyJson().code, 1);
      const findings = accessFindings();
      assert.deepEqual(
        findings.map((f) => [f.what, f.reason]),
        [
          ["the lease book's directory", 'read-only file system'],
          ['the audit log', 'read-only file system'],
        ],
      );
      for (const f of findings) assert.ok(f.fix.includes(storeDir), f.fix);
      expectFailure(userAction('get_address', ar.getXml(1)), 8, [sandbox.bookPath]);
      applyFix(findings[0]!.fix.replace(/^.*\((.*)\)$/, '$1'));
      assert.equal(verifyJson().code, 0, 'the fix made it writable');
    } finally {
      spawnSync('umount', [storeDir]);
    }
  });
});
