/**
 * Root runs only root's code (issue 16 item 1), with real users: `nebipamtest` plays oneadmin,
 * owner of the driver directory (the README has it `chown -R`ed to oneadmin). Before: `install
 * --bin` linked root's `nebula-ipam` to the copy in that directory, so whatever oneadmin wrote
 * there ran as root; and re-running install as root chmodded its temp file there by name, so a
 * symlink swapped in made root chmod any file. Needs root and runuser; skipped, saying so, otherwise.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUNDLE, childEnv } from '../../support/driver-harness.ts';
import { expectCliFailure, expectOk } from '../../support/cli-harness.ts';
import { bundleAs, runProgram, writeBundle } from '../../support/install-fixtures.ts';
import { chownTree, ensureTestUser, hasRunuser, isRoot, type TestUser } from '../../support/test-user.ts';

const VERSION = JSON.parse(fs.readFileSync(path.join(path.dirname(BUNDLE), '..', 'package.json'), 'utf8'))
  .version as string;

describe('install --bin as root: root runs only root-owned code', {
  skip: !isRoot || !hasRunuser ? 'needs root and runuser to act as two users' : false,
}, () => {
  let user: TestUser;
  let root: string;
  const asUser = (args: readonly string[]) =>
    spawnSync('runuser', ['-u', user.name, '--', ...args], {
      env: childEnv('default'),
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });

  before(() => {
    user = ensureTestUser();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-rootsafe-'));
    // mkdtemp made it 0700: let the user reach the driver directories inside.
    fs.chmodSync(root, 0o755);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A front-end: remotes/ipam/<name> (to be the user's) and usr/bin (root's). */
  const frontEnd = (name: string) => {
    const base = path.join(root, name);
    fs.mkdirSync(path.join(base, 'usr', 'bin'), { recursive: true });
    return {
      dir: path.join(base, 'remotes', 'ipam', 'nebula'),
      bin: path.join(base, 'usr', 'bin'),
      lib: path.join(base, 'usr', 'lib', 'nebula-ipam'),
    };
  };

  it('what oneadmin writes into the driver directory (or into a bundle it owns) does not run when root runs nebula-ipam', () => {
    const f = frontEnd('attack');
    // Installed from a bundle the user owns (a build in its home, say): that one is not root's to run either.
    const home = path.join(root, 'attack', 'home');
    const source = writeBundle(path.join(home, 'nebula-ipam.cjs'), fs.readFileSync(BUNDLE));
    chownTree(home, user);
    const out = expectOk(runProgram(source, ['install', f.dir, '--bin', f.bin]));
    assert.ok(
      out.includes(`Warning: root ran this install from ${source}, and ${source} can be written by uid ${user.uid}`),
      out,
    );
    chownTree(path.join(root, 'attack', 'remotes'), user);

    const program = fs.realpathSync(path.join(f.bin, 'nebula-ipam'));
    assert.equal(program, path.join(f.lib, 'nebula-ipam.cjs'), 'a copy of its own, outside the driver directory');
    const stat = fs.statSync(program);
    assert.deepEqual([stat.uid, stat.gid, stat.mode & 0o7777], [0, 0, 0o755]);

    const marker = path.join(root, 'attack', 'ran-as-root');
    const payload = `#!/bin/sh\ntouch ${marker}\necho pwned\n`;
    for (const file of [path.join(f.dir, 'nebula-ipam.cjs'), source]) {
      const wrote = asUser(['sh', '-c', `printf '%s' "$1" > "$2"`, 'sh', payload, file]);
      assert.equal(wrote.status, 0, `the user can write ${file}: ${wrote.stderr}`);
    }
    const run = runProgram(path.join(f.bin, 'nebula-ipam'), ['--version']);
    assert.equal(run.stdout, `nebula-ipam ${VERSION}\n`);
    assert.equal(fs.existsSync(marker), false, "the user's code did not run as root");
    // The lib copy cannot be reached by the user's writes.
    assert.notEqual(asUser(['sh', '-c', `echo x >> ${program}`]).status, 0);
  });

  it('a bundle root owns, that nobody else can write, is linked as it is', () => {
    const f = frontEnd('own');
    const source = writeBundle(path.join(root, 'own', 'opt', 'nebula-ipam.cjs'), fs.readFileSync(BUNDLE));
    expectOk(runProgram(source, ['install', f.dir, '--bin', f.bin]));
    assert.equal(fs.realpathSync(path.join(f.bin, 'nebula-ipam')), source);
    assert.equal(fs.existsSync(f.lib), false);
  });

  it('a --bin someone else can write is refused in one line, before anything changes', () => {
    const f = frontEnd('foreign-bin');
    chownTree(f.bin, user);
    const refused = expectCliFailure(runProgram(BUNDLE, ['install', f.dir, '--bin', f.bin]), 5, [
      path.join(f.bin, 'nebula-ipam'),
      f.bin,
      `uid ${user.uid}`,
    ]);
    assert.match(refused, /nothing was changed/);
    assert.equal(fs.existsSync(f.dir), false, 'the driver directory was not even made');
    assert.deepEqual(fs.readdirSync(f.bin), []);
  });

  it('re-running install as root never changes the mode of a file a symlink swapped in for its temp file leads to', async () => {
    const f = frontEnd('race');
    const a = writeBundle(path.join(root, 'race', 'a', 'nebula-ipam.cjs'), fs.readFileSync(BUNDLE));
    const b = writeBundle(path.join(root, 'race', 'b', 'nebula-ipam.cjs'), bundleAs('0.2.1'));
    expectOk(runProgram(a, ['install', f.dir]));
    chownTree(path.join(root, 'race', 'remotes'), user);
    const secret = path.join(root, 'race', 'secret');
    fs.writeFileSync(secret, 'root only\n', { mode: 0o600 });

    // The user watches its directory and swaps every temp file that appears for a symlink to the secret.
    const attacker = spawn(
      'runuser',
      [
        '-u',
        user.name,
        '--',
        process.execPath,
        '-e',
        `const fs = require('fs'), path = require('path');
         const [dir, target] = process.argv.slice(1);
         const done = new Set();
         fs.watch(dir, (event, name) => {
           if (!name || !name.endsWith('.tmp') || done.has(name)) return;
           done.add(name);
           const file = path.join(dir, name);
           try { fs.unlinkSync(file); fs.symlinkSync(target, file); } catch {}
         });
         process.stdout.write('watching\\n');
         setTimeout(() => process.exit(0), 120000);`,
        f.dir,
        secret,
      ],
      { env: childEnv('default'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        attacker.stdout.once('data', () => resolve());
        attacker.once('exit', (code) => reject(new Error(`the attacker exited (${code}) before watching`)));
      });
      for (let i = 0; i < 12; i++) {
        const copy = path.join(f.dir, 'nebula-ipam.cjs');
        // A swap that won leaves the user's symlink in place of the copy: put a copy back, as the user could.
        if (fs.lstatSync(copy).isSymbolicLink()) fs.rmSync(copy);
        if (!fs.existsSync(copy)) fs.copyFileSync(a, copy);
        const run = runProgram(i % 2 ? a : b, ['install', f.dir]);
        // Losing the race (the temp file gone, a symlink in the copy's place) may fail the install; that is not the point.
        assert.ok([0, 5, 8].includes(run.code), `install ${i}: exit ${run.code}: ${run.stderr}`);
        assert.equal(fs.statSync(secret).mode & 0o7777, 0o600, `after install ${i} the secret is still 0600`);
      }
    } finally {
      // runuser passes SIGTERM on to the watcher, which it started.
      attacker.kill('SIGTERM');
    }
    assert.equal(fs.readFileSync(secret, 'utf8'), 'root only\n');
  });
});
