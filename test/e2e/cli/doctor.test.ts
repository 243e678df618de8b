/**
 * `nebula-ipam doctor` against a front-end laid out as a self-contained OpenNebula (ONE_LOCATION:
 * etc/oned.conf, var/remotes/ipam/<driver>/, a bin directory on the PATH, the config and the
 * book), run as an operator runs it: the built bundle through its --bin link, a separate process.
 * Everything right first (exit 0, no warning), then each fault planted alone, seen with its fix,
 * and undone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUNDLE, childEnv, encodeRequest, registerXml } from '../../support/driver-harness.ts';
import { bundleAs, writeBundle } from '../../support/install-fixtures.ts';
import { chownTree, ensureTestUser, hasRunuser, isRoot } from '../../support/test-user.ts';

interface Finding {
  check: string;
  level: 'ok' | 'warn' | 'fail';
  subject: string;
  message: string;
  fix?: string;
}

const GOOD_ONED_CONF = `# oned.conf, as OpenNebula ships it, with the driver added
LOG = [ SYSTEM = "file", DEBUG_LEVEL = 3 ]
IPAM_MAD = [
    EXECUTABLE = "one_ipam",
    ARGUMENTS  = "-t 1 -i dummy,nebula"   # no space after the comma
]
VNET_RESTRICTED_ATTR = "VN_MAD"
VNET_RESTRICTED_ATTR = "AR/NEBULA_IPAM_RANGE"
`;

describe('nebula-ipam doctor', () => {
  let one: string;
  let bin: string;
  let dir: string;
  let config: string;
  let book: string;
  const env = (extra: Record<string, string | undefined> = {}) =>
    childEnv('default', {
      ONE_LOCATION: one,
      NEBULA_IPAM_CONFIG: config,
      NEBULA_IPAM_STORE: book,
      PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}:/usr/bin:/bin`,
      ...extra,
    });
  const doctor = (args: readonly string[] = [], extra: Record<string, string | undefined> = {}) => {
    const run = spawnSync(path.join(bin, 'nebula-ipam'), ['doctor', ...args], {
      env: env(extra),
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    return { code: run.status ?? 128, stdout: run.stdout, stderr: run.stderr };
  };
  const findings = (extra: Record<string, string | undefined> = {}) => {
    const run = doctor(['--json'], extra);
    const doc = JSON.parse(run.stdout) as { driver: string; ok: boolean; findings: Finding[] };
    return { code: run.code, ...doc };
  };
  /** The one finding of `check` that is not ok, with everything else ok. */
  const onlyProblem = (check: string, level: 'warn' | 'fail', extra: Record<string, string | undefined> = {}) => {
    const got = findings(extra);
    const problems = got.findings.filter((f) => f.level !== 'ok');
    assert.deepEqual(
      problems.map((f) => [f.check, f.level]),
      [[check, level]],
      JSON.stringify(got.findings, null, 1),
    );
    assert.equal(got.code, level === 'fail' ? 1 : 0);
    return problems[0]!;
  };

  before(() => {
    one = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
    fs.chmodSync(one, 0o755);
    bin = path.join(one, 'bin');
    fs.mkdirSync(path.join(one, 'etc', 'nebula-ipam'), { recursive: true });
    fs.writeFileSync(path.join(one, 'etc', 'oned.conf'), GOOD_ONED_CONF);
    dir = path.join(one, 'var', 'remotes', 'ipam', 'nebula');
    config = path.join(one, 'etc', 'nebula-ipam', 'nebula.json');
    book = path.join(one, 'var', 'nebula-ipam', 'nebula', 'leases.json');
    fs.writeFileSync(
      config,
      JSON.stringify({ store: book, pools: [{ name: 'p', network: '10.40.0.0/16', subnetPrefix: 24, default: true }] }),
      { mode: 0o644 },
    );
    // oned's user owns its state directory (/var/lib/one), so the directories install makes for the book are its.
    fs.mkdirSync(path.join(one, 'var'), { recursive: true });
    if (isRoot) {
      const user = ensureTestUser();
      fs.chownSync(path.join(one, 'var'), user.uid, user.gid);
    }
    const install = spawnSync(process.execPath, [BUNDLE, 'install', dir, '--bin', bin], {
      env: env(),
      encoding: 'utf8',
    });
    assert.equal(install.status, 0, install.stderr);
    fs.mkdirSync(path.dirname(book), { recursive: true });
    const register = spawnSync(path.join(dir, 'register_address_range'), ['0'], {
      input: encodeRequest(registerXml({ IPAM_MAD: 'nebula', TYPE: 'IP4', SIZE: '8' })),
      env: env(),
      encoding: 'utf8',
    });
    assert.equal(register.status, 0, register.stderr);
    // oned's user owns the driver directory and the book's, as on a front-end.
    if (isRoot) {
      const user = ensureTestUser();
      fs.chownSync(dir, user.uid, user.gid);
      chownTree(path.dirname(book), user);
    }
  });
  after(() => fs.rmSync(one, { recursive: true, force: true }));

  it('a front-end with everything right: every check ok, exit 0', () => {
    const got = findings();
    assert.equal(got.driver, 'nebula');
    assert.deepEqual(
      got.findings.filter((f) => f.level !== 'ok'),
      [],
    );
    for (const check of [
      'oned.ipam-mad',
      'oned.restricted-attr',
      'actions.links',
      'actions.bundle',
      'path.command',
      'config',
      'book',
    ]) {
      assert.ok(
        got.findings.some((f) => f.check === check),
        `${check} was checked`,
      );
    }
    const human = doctor();
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Driver "nebula":\n/);
    assert.match(human.stdout, /\n0 failed, 0 warnings, \d+ ok\n$/);
  });

  /** Plants a fault in `file` (its text replaced), runs `check`, restores it. */
  function withFile(file: string, text: string | undefined, body: () => void, mode?: number) {
    const was = fs.readFileSync(file);
    const wasMode = fs.statSync(file).mode & 0o7777;
    try {
      if (text === undefined) fs.rmSync(file);
      else fs.writeFileSync(file, text);
      if (mode !== undefined) fs.chmodSync(file, mode);
      body();
    } finally {
      fs.writeFileSync(file, was);
      fs.chmodSync(file, wasMode);
    }
  }

  it("a space after the comma in the -i list (the documentation's own example): FAIL, with the line that works", () => {
    withFile(path.join(one, 'etc', 'oned.conf'), GOOD_ONED_CONF.replace('dummy,nebula', 'dummy, nebula'), () => {
      const f = onlyProblem('oned.ipam-mad', 'fail');
      assert.match(f.message, /space after a comma/);
      assert.match(f.message, /enables only dummy/);
      assert.ok(f.fix?.includes('ARGUMENTS = "-t 1 -i dummy,nebula"'), f.fix);
      const human = doctor();
      assert.match(human.stdout, /^FAIL {2}oned\.ipam-mad .*space after a comma/m);
      assert.match(human.stdout, /^ +fix: change it to: IPAM_MAD = \[/m);
    });
  });

  it('the driver missing from the -i list: FAIL, keeping the names already there', () => {
    withFile(path.join(one, 'etc', 'oned.conf'), GOOD_ONED_CONF.replace('dummy,nebula', 'dummy,other'), () => {
      const f = onlyProblem('oned.ipam-mad', 'fail');
      assert.match(f.message, /-i dummy,other does not enable "nebula"/);
      assert.ok(f.fix?.includes('-i dummy,other,nebula'), f.fix);
    });
  });

  it('no VNET_RESTRICTED_ATTR for AR/NEBULA_IPAM_RANGE: warn (exit 0), with the line to add', () => {
    withFile(
      path.join(one, 'etc', 'oned.conf'),
      GOOD_ONED_CONF.replace(
        'VNET_RESTRICTED_ATTR = "AR/NEBULA_IPAM_RANGE"',
        '# VNET_RESTRICTED_ATTR = "AR/NEBULA_IPAM_RANGE"',
      ),
      () => {
        const f = onlyProblem('oned.restricted-attr', 'warn');
        assert.equal(f.fix, 'add: VNET_RESTRICTED_ATTR = "AR/NEBULA_IPAM_RANGE"');
      },
    );
  });

  it('no oned.conf at ONE_LOCATION: FAIL naming where it looked', () => {
    withFile(path.join(one, 'etc', 'oned.conf'), undefined, () => {
      const f = onlyProblem('oned.conf', 'fail');
      assert.equal(f.subject, path.join(one, 'etc', 'oned.conf'));
    });
  });

  it('an action link missing, or dangling: FAIL, fix names install', () => {
    const link = path.join(dir, 'get_address');
    const target = fs.readlinkSync(link);
    fs.rmSync(link);
    try {
      const f = onlyProblem('actions.links', 'fail');
      assert.match(f.message, /get_address is missing/);
      assert.equal(f.fix, `run: nebula-ipam install ${dir}`);
      fs.symlinkSync('/nonexistent/nebula-ipam.cjs', link);
      assert.match(onlyProblem('actions.links', 'fail').message, /get_address dangles/);
    } finally {
      fs.rmSync(link, { force: true });
      fs.symlinkSync(target, link);
    }
  });

  it('the bundle the actions run is writable by every user: FAIL', () => {
    const copy = path.join(dir, 'nebula-ipam.cjs');
    fs.chmodSync(copy, 0o777);
    try {
      const f = onlyProblem('actions.bundle', 'fail');
      assert.match(f.message, /can be written by every user/);
    } finally {
      fs.chmodSync(copy, 0o755);
    }
  });

  it('no nebula-ipam on the PATH, or another release there: warn', () => {
    const run = spawnSync(path.join(dir, 'nebula-ipam.cjs'), ['doctor', '--json'], {
      env: env({ PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` }),
      encoding: 'utf8',
    });
    const got = JSON.parse(run.stdout) as { findings: Finding[] };
    assert.deepEqual(
      got.findings.filter((f) => f.level !== 'ok').map((f) => [f.check, f.level]),
      [['path.command', 'warn']],
    );
    const other = path.join(one, 'other-bin');
    writeBundle(path.join(other, 'nebula-ipam'), bundleAs('0.1.9'));
    try {
      const got2 = findings({
        PATH: `${other}${path.delimiter}${bin}${path.delimiter}${path.dirname(process.execPath)}:/usr/bin:/bin`,
      });
      const problem = got2.findings.filter((f) => f.level !== 'ok');
      assert.deepEqual(
        problem.map((f) => [f.check, f.level]),
        [['path.version', 'warn']],
      );
      assert.match(problem[0]!.message, /the PATH runs nebula-ipam 0\.1\.9, the actions \S+/);
    } finally {
      fs.rmSync(other, { recursive: true });
    }
  });

  it('a config that does not parse, or one holding a password that others can read: FAIL with the message', () => {
    withFile(config, '{"pools": [', () => {
      const f = onlyProblem('config', 'fail');
      assert.ok(f.message.includes(config), f.message);
    });
    const secret = JSON.stringify({
      backend: { type: 'etcd', endpoints: ['http://127.0.0.1:1'], password: 'x', user: 'u' },
    });
    withFile(
      config,
      secret,
      () => {
        const f = onlyProblem('config', 'fail');
        assert.match(f.message, /backend\.password/);
        assert.match(f.message, /chmod 600/);
      },
      0o644,
    );
  });

  it('a book that does not decode: FAIL', () => {
    withFile(book, '{"schema": 2, "ranges": "garbage"', () => {
      onlyProblem('book', 'fail');
    });
  });

  it("oned's user (the owner of the driver directory) cannot use the book, or read the config: FAIL with the fix", {
    skip: !isRoot || !hasRunuser ? "needs root, to give the book to another user than oned's" : false,
  }, () => {
    const user = ensureTestUser();
    fs.chownSync(book, 0, 0);
    try {
      // The book root's 0600, in oned's user's directory.
      const got = findings();
      const problems = got.findings.filter((f) => f.level !== 'ok');
      assert.ok(
        problems.length > 0 && problems.every((f) => f.check === 'book.access' && f.level === 'fail'),
        JSON.stringify(got.findings),
      );
      assert.ok(
        problems.some((f) => f.subject === book && f.message.includes('nebipamtest') && f.fix !== undefined),
        JSON.stringify(problems),
      );
      assert.equal(got.code, 1);
    } finally {
      fs.chownSync(book, user.uid, user.gid);
    }
    fs.chmodSync(config, 0o600);
    try {
      const f = onlyProblem('config.access', 'fail');
      assert.match(f.message, /nebipamtest \(uid \d+\) cannot read it/);
    } finally {
      fs.chmodSync(config, 0o644);
    }
  });

  it('etcd members that do not answer: FAIL per member', () => {
    withFile(
      config,
      JSON.stringify({ backend: { type: 'etcd', endpoints: ['http://127.0.0.1:9'], timeoutMs: 500 } }),
      () => {
        const got = findings({ NEBULA_IPAM_STORE: undefined });
        const members = got.findings.filter((f) => f.check === 'etcd.member');
        assert.equal(members.length, 1, JSON.stringify(got.findings));
        assert.equal(members[0]!.level, 'fail');
        assert.equal(members[0]!.subject, 'http://127.0.0.1:9');
        assert.equal(got.code, 1);
      },
    );
  });
  it("install's next steps come from the same checks: nothing oned.conf already has is advised, the book is the config's", () => {
    const again = spawnSync(path.join(bin, 'nebula-ipam'), ['install', dir], { env: env(), encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.ok(again.stdout.includes(`${path.join(one, 'etc', 'oned.conf')} already enables the driver`), again.stdout);
    assert.doesNotMatch(again.stdout, /enable the driver \(no space|VNET_RESTRICTED_ATTR =|Restart oned/);
    withFile(
      path.join(one, 'etc', 'oned.conf'),
      GOOD_ONED_CONF.replace('dummy,nebula', 'dummy, nebula').replace(
        'VNET_RESTRICTED_ATTR = "AR/NEBULA_IPAM_RANGE"',
        '',
      ),
      () => {
        const broken = spawnSync(path.join(bin, 'nebula-ipam'), ['install', dir], { env: env(), encoding: 'utf8' });
        assert.match(
          broken.stdout,
          /enable the driver: IPAM_MAD ARGUMENTS "-t 1 -i dummy, nebula" has a space after a comma/,
        );
        assert.match(broken.stdout, /VNET_RESTRICTED_ATTR = "AR\/NEBULA_IPAM_RANGE"/);
        assert.match(broken.stdout, /Restart oned/);
      },
    );
  });
});
