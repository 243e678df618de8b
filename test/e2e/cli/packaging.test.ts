/**
 * Packaging (issue 19 item 8): `install --system-files` puts the systemd units, the logrotate
 * file, bash and zsh completion and the man page in place under --system-root, from a copy of
 * the bundle alone (run far from the repository: what an air-gapped front-end receives), and
 * `man` lists every command of the table.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUNDLE, childEnv } from '../../support/driver-harness.ts';

describe('packaging: install --system-files, man', () => {
  let t: string;
  let bundle: string;
  const run = (args: readonly string[]) => {
    const r = spawnSync(bundle, args, {
      cwd: t,
      env: childEnv('default', { ONE_LOCATION: path.join(t, 'no-opennebula') }),
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  };
  const commandNames = () => {
    const help = run(['help']).stdout;
    const block = help.slice(help.indexOf('Commands:'));
    return [...block.matchAll(/^ {2}([a-z][a-z-]*) {2,}/gm)].map((m) => m[1]!);
  };
  before(() => {
    t = fs.mkdtempSync(path.join(os.tmpdir(), 'packaging-'));
    // Only the bundle: no packaging/ directory beside it or in the working directory.
    bundle = path.join(t, 'nebula-ipam.cjs');
    fs.copyFileSync(BUNDLE, bundle);
    fs.chmodSync(bundle, 0o755);
  });
  after(() => fs.rmSync(t, { recursive: true, force: true }));

  it("man prints nebula-ipam(1) with a section for every command, and each one's --help", () => {
    const man = run(['man']);
    assert.equal(man.code, 0, man.stderr);
    assert.match(man.stdout, /^\.TH NEBULA-IPAM 1 /);
    const names = commandNames();
    assert.ok(names.includes('install') && names.includes('doctor') && names.includes('man'), names.join(' '));
    // help and version are the program's own (the global part of the page has them); every
    // command of the table has its section.
    for (const name of names.filter((n) => n !== 'help' && n !== 'version')) {
      assert.match(man.stdout, new RegExp(`^\\.SS ${name}$`, 'm'), `the man page has ${name}`);
      const usage = run([name, '--help']).stdout.split('\n')[0]!;
      assert.ok(man.stdout.includes(usage), `the man page has ${name}'s usage line ${usage}`);
    }
    const roff = spawnSync('man', ['-l', '-'], {
      input: man.stdout,
      encoding: 'utf8',
      env: { ...childEnv('default'), MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' },
    });
    if (roff.status === 0) assert.match(roff.stdout, /NEBULA-IPAM\(1\)/);
  });

  it('install --system-files puts every file under --system-root, the units running the --bin command; again, all kept', () => {
    const root = path.join(t, 'root');
    const dir = path.join(t, 'remotes', 'ipam', 'nebula');
    const bin = path.join(t, 'bin');
    const first = run(['--json', 'install', dir, '--bin', bin, '--system-files', '--system-root', root]);
    assert.equal(first.code, 0, first.stderr);
    const files = (JSON.parse(first.stdout) as { systemFiles: { path: string; state: string }[] }).systemFiles;
    const expected = [
      'etc/systemd/system/nebula-ipam-metrics@.service',
      'etc/systemd/system/nebula-ipam-metrics@.timer',
      'etc/systemd/system/nebula-ipam-sync@.service',
      'etc/logrotate.d/nebula-ipam',
      'usr/share/bash-completion/completions/nebula-ipam',
      'usr/share/zsh/vendor-completions/_nebula-ipam',
      'usr/share/man/man1/nebula-ipam.1',
    ];
    assert.deepEqual(
      files.map((f) => [path.relative(root, f.path), f.state]),
      expected.map((f) => [f, 'created']),
    );
    const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
    for (const f of expected) assert.equal(fs.statSync(path.join(root, f)).mode & 0o777, 0o644, f);
    assert.match(
      read(expected[0]!),
      new RegExp(
        `^ExecStart=${path.join(bin, 'nebula-ipam').replace(/[.]/g, '\\.')} --driver %i metrics --output `,
        'm',
      ),
    );
    assert.match(read(expected[1]!), /^\[Timer\]$/m);
    assert.match(
      read(expected[2]!),
      new RegExp(`^ExecStart=${path.join(bin, 'nebula-ipam').replace(/[.]/g, '\\.')} --driver %i sync --follow$`, 'm'),
    );
    const rotate = read(expected[3]!)
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'));
    assert.ok(
      !rotate.some((l) => /copytruncate/.test(l)),
      'no copytruncate: the log is appended by name, a rename is exact',
    );
    assert.ok(rotate.some((l) => l.trim() === 'nocreate'));
    assert.ok(rotate.some((l) => /\.audit\.jsonl \{$/.test(l)));
    assert.equal(
      read(expected[4]!),
      run(['completion', 'bash']).stdout,
      'the bash completion is what `completion bash` prints',
    );
    assert.match(read(expected[5]!), /^#compdef nebula-ipam\n/);
    assert.equal(read(expected[6]!), run(['man']).stdout);
    const again = run(['--json', 'install', dir, '--bin', bin, '--system-files', '--system-root', root]);
    assert.deepEqual(
      (JSON.parse(again.stdout) as { systemFiles: { state: string }[] }).systemFiles.map((f) => f.state),
      expected.map(() => 'kept'),
    );
  });

  it('without --system-files nothing is written outside DIR; --system-root alone is a usage error', () => {
    const root = path.join(t, 'root-unused');
    const plain = run(['--json', 'install', path.join(t, 'remotes', 'ipam', 'plain')]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual((JSON.parse(plain.stdout) as { systemFiles: unknown[] }).systemFiles, []);
    const alone = run(['install', path.join(t, 'remotes', 'ipam', 'plain'), '--system-root', root]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--system-root is where --system-files go/);
    assert.equal(fs.existsSync(root), false);
  });
});
