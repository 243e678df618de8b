/** `nebula-ipam install` / `uninstall` into a temporary remotes tree, then oned's view of the result. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectReply } from '../../support/driver-assert.ts';
import { ACTIONS, BUNDLE, childEnv, registerXml, encodeRequest } from '../../support/driver-harness.ts';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';

describe('nebula-ipam install / uninstall', () => {
  let s: CliSandbox;
  let remotes: string;
  before(() => {
    s = createCliSandbox({
      config: { pools: [{ name: 'p', network: '10.30.0.0/16', subnetPrefix: 24, default: true }] },
    });
    remotes = path.join(s.dir, 'one', 'remotes', 'ipam');
  });
  after(() => s.cleanup());

  /** What oned does: run <remotes>/<name>/<action> with the request on stdin. */
  function onedRuns(dir: string, action: string, xml: string) {
    const child = spawnSync(path.join(dir, action), ['0'], {
      input: encodeRequest(xml),
      encoding: 'utf8',
      env: childEnv('default', { NEBULA_IPAM_STORE: s.bookPath, NEBULA_IPAM_CONFIG: s.configPath }),
    });
    return { code: child.status ?? 1, stdout: child.stdout, stderr: child.stderr };
  }

  it('with --link, links the five actions to the bundle and prints the exact oned.conf line', () => {
    const dir = path.join(remotes, 'bm-ipam');
    // First run on a front-end: no NEBULA_IPAM_* anywhere, nothing at the defaults (ONE_LOCATION).
    const fresh = { NEBULA_IPAM_STORE: undefined, NEBULA_IPAM_CONFIG: undefined };
    const out = expectOk(s.cli(['install', dir, '--link'], { env: fresh }));
    assert.ok(out.includes('IPAM_MAD = [ EXECUTABLE = "one_ipam", ARGUMENTS = "-t 1 -i dummy,bm-ipam" ]\n'));
    const starter = path.join(s.oneLocation, 'etc', 'nebula-ipam', 'bm-ipam.json');
    const book = path.join(s.oneLocation, 'var', 'nebula-ipam', 'bm-ipam', 'leases.json');
    assert.ok(out.includes(`Describe the pools in ${starter}\n     (written now as a starter with no pools`), out);
    assert.ok(out.includes(`The lease book is ${book}\n     (created now, empty`), out);
    assert.deepEqual(JSON.parse(fs.readFileSync(starter, 'utf8')), { pools: [] });
    assert.equal(fs.statSync(starter).mode & 0o777, 0o644, 'oneadmin reads the config root wrote');
    assert.equal(JSON.parse(fs.readFileSync(book, 'utf8')).generation, 0);
    const again = s.json<{ configState: string; bookState: string }>(['install', dir, '--link'], { env: fresh });
    assert.deepEqual([again.configState, again.bookState], ['kept', 'kept']);
    for (const action of ACTIONS) assert.equal(fs.realpathSync(path.join(dir, action)), fs.realpathSync(BUNDLE));
    // oned can use it at once.
    const reply = expectReply(
      onedRuns(dir, 'register_address_range', registerXml({ IPAM_MAD: 'bm-ipam', SIZE: '5' })),
      'AR',
    );
    assert.equal(reply.get('IP'), '10.30.0.2');
  });

  it('is idempotent: a second run keeps everything', () => {
    const dir = path.join(remotes, 'bm-ipam');
    const states = s
      .json<{ links: { name: string; state: string }[] }>(['install', dir, '--link'])
      .links.map((l) => l.state);
    assert.deepEqual(states, ['kept', 'kept', 'kept', 'kept', 'kept']);
  });

  it('with --copy, puts the bundle in the directory and links to it by a relative name', () => {
    const dir = path.join(remotes, 'copied');
    expectOk(s.cli(['install', dir, '--copy']));
    const copy = path.join(dir, 'nebula-ipam.cjs');
    assert.deepEqual(fs.readFileSync(copy), fs.readFileSync(BUNDLE));
    assert.equal(fs.statSync(copy).mode & 0o777, 0o755);
    for (const action of ACTIONS) assert.equal(fs.readlinkSync(path.join(dir, action)), 'nebula-ipam.cjs');
    // The copy still works when the directory moves (as a backup restore would).
    const moved = path.join(remotes, 'moved');
    fs.renameSync(dir, moved);
    expectReply(onedRuns(moved, 'register_address_range', registerXml({ IPAM_MAD: 'moved', SIZE: '5' })), 'AR');
    assert.deepEqual(
      s.json<{ links: { state: string }[] }>(['install', moved, '--copy']).links.map((l) => l.state),
      ['kept', 'kept', 'kept', 'kept', 'kept'],
    );
  });

  it("refuses to clobber another driver's files, changing nothing", () => {
    const dir = path.join(remotes, 'dummy');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'get_address'), '#!/bin/sh\necho ADDRESS = [ IP = "1.2.3.4" ]\n', { mode: 0o755 });
    expectCliFailure(s.cli(['install', dir]), 5, ['get_address', "not nebula-ipam's"]);
    assert.deepEqual(fs.readdirSync(dir), ['get_address']);
    // uninstall leaves it too, and says nebula-ipam is not installed there.
    const refused = expectCliFailure(s.cli(['uninstall', dir]), 5, [dir, 'not installed here']);
    assert.doesNotMatch(refused, /oned\.conf/);
    assert.ok(fs.existsSync(path.join(dir, 'get_address')));
  });

  it('refuses the name "internal" and names oned would misread', () => {
    expectCliFailure(s.cli(['install', path.join(remotes, 'internal')]), 2, ['"internal"']);
    expectCliFailure(s.cli(['install', path.join(remotes, 'a,b')]), 2, ['"a,b"']);
    assert.equal(fs.existsSync(path.join(remotes, 'internal')), false);
    expectCliFailure(s.cli(['install']), 2, ['directory']);
  });

  it('uninstall removes only its own links (and copy); again, it says "not installed here"', () => {
    const dir = path.join(remotes, 'bm-ipam');
    fs.writeFileSync(path.join(dir, 'README'), 'mine\n');
    expectOk(s.cli(['uninstall', dir]));
    assert.deepEqual(fs.readdirSync(dir), ['README']);
    expectOk(s.cli(['uninstall', path.join(remotes, 'moved')]));
    assert.deepEqual(fs.readdirSync(path.join(remotes, 'moved')), []);
    const again = s.cli(['uninstall', dir]);
    expectCliFailure(again, 5, ['not installed here', dir]);
    assert.doesNotMatch(again.stderr, /oned\.conf/);
    expectCliFailure(s.cli(['uninstall', path.join(remotes, 'never-there')]), 5, [
      'not installed here',
      'no such directory',
    ]);
  });
  it('uninstall removes a --bin command that leads into DIR (as 0.1 made it), so it does not dangle; one leading elsewhere is kept', () => {
    const dir = path.join(remotes, 'old-layout');
    expectOk(s.cli(['install', dir]));
    const binDir = path.join(s.dir, 'old-bin');
    fs.mkdirSync(binDir);
    // 0.1's `install --bin`: the command led to the copy in the driver directory.
    fs.symlinkSync(path.join(dir, 'nebula-ipam.cjs'), path.join(binDir, 'nebula-ipam'));
    const keptDir = path.join(s.dir, 'other-bin');
    fs.mkdirSync(keptDir);
    fs.symlinkSync(BUNDLE, path.join(keptDir, 'nebula-ipam'));
    const out = expectOk(
      s.cli(['uninstall', dir, '--bin', binDir], { env: { PATH: `${keptDir}${path.delimiter}${process.env.PATH}` } }),
    );
    assert.match(out, new RegExp(`${path.join(binDir, 'nebula-ipam').replace(/[/.]/g, '\\$&')}\\s+removed`));
    assert.equal(
      fs.existsSync(path.join(binDir, 'nebula-ipam')) || isLink(path.join(binDir, 'nebula-ipam')),
      false,
      'no dangling command left',
    );
    assert.equal(fs.readlinkSync(path.join(keptDir, 'nebula-ipam')), BUNDLE, 'the command leading elsewhere is kept');
    // Found on the PATH too, without --bin.
    expectOk(s.cli(['install', dir]));
    fs.symlinkSync(path.join(dir, 'nebula-ipam.cjs'), path.join(binDir, 'nebula-ipam'));
    expectOk(s.cli(['uninstall', dir], { env: { PATH: `${binDir}${path.delimiter}${process.env.PATH}` } }));
    assert.equal(isLink(path.join(binDir, 'nebula-ipam')), false);
  });

  it('a refused install (a foreign file at the --bin path) has not created DIR', () => {
    const binDir = path.join(s.dir, 'foreign-bin');
    fs.mkdirSync(binDir);
    fs.writeFileSync(path.join(binDir, 'nebula-ipam'), '#!/bin/sh\necho mine\n', { mode: 0o755 });
    const dir = path.join(remotes, 'refused');
    expectCliFailure(s.cli(['install', dir, '--bin', binDir]), 5, [
      path.join(binDir, 'nebula-ipam'),
      'nothing was changed',
    ]);
    assert.equal(fs.existsSync(dir), false, 'DIR was not created');
  });
});

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
