/**
 * `install` over an older install (issue 15 item 4): it says which release replaces which, it
 * replaces the installed copy (even from the installed copy itself, given --from), and it names
 * the older bundles its links used to lead to, or removes them with --remove-old. Before: the
 * installed copy copied itself onto itself silently, and /usr/local/lib/nebula-ipam.cjs of the
 * --link layout stayed, unnamed, to rewrite books with the old release.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { ACTIONS, BUNDLE, childEnv } from '../../support/driver-harness.ts';
import { expectOk } from '../../support/cli-harness.ts';
import { bundleAs, runProgram, writeBundle } from '../../support/install-fixtures.ts';

const VERSION = JSON.parse(fs.readFileSync(path.join(path.dirname(BUNDLE), '..', 'package.json'), 'utf8'))
  .version as string;
const roots: string[] = [];
after(() => {
  for (const dir of roots) fs.rmSync(dir, { recursive: true, force: true });
});

/** A front-end's tree under a temp dir: remotes/ipam/nebula, usr/local/bin, usr/local/lib. */
function frontEnd() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-upgrade-'));
  roots.push(root);
  return {
    root,
    dir: path.join(root, 'remotes', 'ipam', 'nebula'),
    bin: path.join(root, 'usr', 'local', 'bin'),
    lib: path.join(root, 'usr', 'local', 'lib'),
  };
}

/** The layout 0.1.0's README made with `install --link --bin`: every link to /usr/local/lib/nebula-ipam.cjs. */
function linkLayoutOf010(f: ReturnType<typeof frontEnd>): string {
  const old = writeBundle(path.join(f.lib, 'nebula-ipam.cjs'), bundleAs(undefined));
  fs.mkdirSync(f.dir, { recursive: true });
  fs.mkdirSync(f.bin, { recursive: true });
  for (const action of ACTIONS) fs.symlinkSync(old, path.join(f.dir, action));
  fs.symlinkSync(old, path.join(f.bin, 'nebula-ipam'));
  return old;
}

test('over the 0.1.0 --link layout: the old bundle is named as no longer used, and kept', () => {
  const f = frontEnd();
  const old = linkLayoutOf010(f);
  const out = expectOk(runProgram(BUNDLE, ['install', f.dir, '--bin', f.bin]));
  assert.ok(out.startsWith(`Installed nebula-ipam ${VERSION} as IPAM driver "nebula"`), out);
  assert.ok(
    out.includes(
      `Old bundle ${old} (0.1.0 or older) was used by these links before and no longer is: remove it, or run install again with --remove-old`,
    ),
    out,
  );
  assert.ok(fs.existsSync(old), 'kept without --remove-old');
  for (const action of ACTIONS) assert.equal(fs.readlinkSync(path.join(f.dir, action)), 'nebula-ipam.cjs');
  assert.equal(runProgram(path.join(f.bin, 'nebula-ipam'), ['--version']).stdout, `nebula-ipam ${VERSION}\n`);
});

test('with --remove-old the old bundle is removed, unless another driver still leads to it', () => {
  const f = frontEnd();
  const old = linkLayoutOf010(f);
  const other = path.join(path.dirname(f.dir), 'other');
  fs.mkdirSync(other);
  fs.symlinkSync(old, path.join(other, 'get_address'));
  const kept = JSON.parse(expectOk(runProgram(BUNDLE, ['--json', 'install', f.dir, '--bin', f.bin, '--remove-old'])));
  assert.deepEqual(kept.oldBundles, [{ path: old, version: null, state: 'kept', usedBy: other }]);
  assert.ok(fs.existsSync(old));

  const g = frontEnd();
  const gone = linkLayoutOf010(g);
  const out = expectOk(runProgram(BUNDLE, ['install', g.dir, '--bin', g.bin, '--remove-old']));
  assert.ok(
    out.includes(`Old bundle ${gone} (0.1.0 or older) was used by these links before: removed (--remove-old)`),
    out,
  );
  assert.equal(fs.existsSync(gone), false);
});

test('over an older copy: it says which release replaces which, and the copy is the new bundle', () => {
  const f = frontEnd();
  expectOk(runProgram(BUNDLE, ['install', f.dir]));
  const copy = path.join(f.dir, 'nebula-ipam.cjs');
  fs.writeFileSync(copy, bundleAs('0.1.9'));
  const out = expectOk(runProgram(BUNDLE, ['install', f.dir]));
  assert.ok(out.includes(`Replaced nebula-ipam 0.1.9 with ${VERSION}: ${copy}`), out);
  assert.deepEqual(fs.readFileSync(copy), fs.readFileSync(BUNDLE));
  assert.equal(fs.statSync(copy).mode & 0o7777, 0o755);
  const json = JSON.parse(expectOk(runProgram(BUNDLE, ['--json', 'install', f.dir])));
  assert.deepEqual([json.version, json.copy.state, json.replaced], [VERSION, 'kept', []]);
});

test('run from the installed copy itself: it is kept and the line says so; with --from the new bundle replaces it', () => {
  const f = frontEnd();
  expectOk(runProgram(BUNDLE, ['install', f.dir]));
  const copy = path.join(f.dir, 'nebula-ipam.cjs');
  fs.writeFileSync(copy, bundleAs('0.1.9'));
  const kept = expectOk(runProgram(copy, ['install', f.dir]));
  assert.ok(
    kept.includes(
      `Kept ${copy} (0.1.9): it is the program running this install, so there is nothing newer to put in its place`,
    ),
    kept,
  );
  assert.deepEqual(fs.readFileSync(copy), bundleAs('0.1.9'));
  const replaced = expectOk(runProgram(copy, ['install', f.dir, '--from', BUNDLE]));
  assert.ok(replaced.includes(`Replaced nebula-ipam 0.1.9 with ${VERSION}: ${copy}`), replaced);
  assert.deepEqual(fs.readFileSync(copy), fs.readFileSync(BUNDLE));
});

test('--from a file that is not a bundle is refused in one line, nothing changed', () => {
  const f = frontEnd();
  const bogus = path.join(f.root, 'bogus.cjs');
  fs.writeFileSync(bogus, '#!/bin/sh\necho hi\n', { mode: 0o755 });
  const result = runProgram(BUNDLE, ['install', f.dir, '--from', bogus]);
  assert.equal(result.code, 5, result.stderr);
  assert.match(
    result.stderr,
    /^Cannot install from [^\n]*bogus\.cjs: it is not a nebula-ipam bundle; nothing was changed\n$/,
  );
  assert.equal(fs.existsSync(f.dir), false);
});

test("the README's upgrade, as an operator runs it: npm install -g of each release, then install --bin; the second replaces the first everywhere", () => {
  const f = frontEnd();
  const prefix = path.join(f.root, 'global');
  const npm = (args: readonly string[], cwd: string) =>
    spawnSync('npm', [...args], {
      cwd,
      encoding: 'utf8',
      env: childEnv('default', { npm_config_cache: path.join(f.root, 'npm-cache') }),
      timeout: 120_000,
    });
  /** A package of release `version` (the built bundle carrying that release line), packed as `npm pack` does. */
  const pack = (version: string) => {
    const dir = path.join(f.root, `package-${version}`);
    writeBundle(path.join(dir, 'dist', 'nebula-ipam.cjs'), bundleAs(version));
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'nebula-ipam',
        version,
        bin: { 'nebula-ipam': 'dist/nebula-ipam.cjs' },
        files: ['dist/nebula-ipam.cjs'],
      }),
    );
    const packed = npm(['pack', '--ignore-scripts', '--pack-destination', f.root, '--silent'], dir);
    assert.equal(packed.status, 0, packed.stderr);
    return path.join(f.root, packed.stdout.trim().split('\n').pop()!);
  };
  const onPath = path.join(prefix, 'bin', 'nebula-ipam');
  const copy = path.join(f.dir, 'nebula-ipam.cjs');
  const upgrade = (version: string) => {
    const installed = npm(
      ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', pack(version)],
      f.root,
    );
    assert.equal(installed.status, 0, installed.stderr);
    return expectOk(runProgram(onPath, ['install', f.dir, '--bin', path.join(prefix, 'bin')]));
  };

  upgrade('0.2.0');
  assert.ok(fs.readFileSync(copy).includes('// nebula-ipam 0.2.0\n'));
  const second = upgrade('0.2.1');
  assert.ok(second.includes(`Replaced nebula-ipam 0.2.0 with 0.2.1: ${copy}`), second);
  assert.ok(fs.readFileSync(copy).includes('// nebula-ipam 0.2.1\n'), 'the actions run the new release');
  assert.ok(
    fs.readFileSync(fs.realpathSync(onPath)).includes('// nebula-ipam 0.2.1\n'),
    'so does the command on the PATH',
  );
  assert.ok(
    !fs.realpathSync(onPath).startsWith(`${f.dir}${path.sep}`),
    'which is not the copy in the driver directory',
  );
});
