/**
 * Security of the files the driver touches (issue 4 item 5): owner-only modes whatever the
 * umask, temp files exclusive and unpredictable in the book's own directory, no shell, symlinks
 * planted beside the book not followed, and no name from a request or a config turned into a
 * path outside the book's own set of files.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectFailure, expectReply } from '../../../support/driver-assert.ts';
import {
  createSandbox,
  OnedAr,
  TEST_BUNDLE,
  registerXml,
  type DriverSandbox,
} from '../../../support/driver-harness.ts';
import { listTree } from '../../../torture/corpus.ts';
import { spawnAction, spawnCli } from '../../../torture/spawn-action.ts';

const AR = { TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' };
const mode = (file: string) => fs.lstatSync(file).mode & 0o777;

function withSandbox(body: (sandbox: DriverSandbox) => void | Promise<void>, config: object = {}): () => Promise<void> {
  return async () => {
    // The test bundle: some of these tests kill or fail a writer through the test hooks.
    const sandbox = createSandbox({ config, bundle: TEST_BUNDLE });
    try {
      await body(sandbox);
    } finally {
      sandbox.cleanup();
    }
  };
}

test(
  'book, previous generation, audit log, temp file, lock and directory are owner-only even under umask 000',
  withSandbox(async (sandbox) => {
    const saved = process.umask(0);
    try {
      const ar = new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(AR)), 'AR'));
      expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS');
      const killed = await spawnAction(sandbox, 'get_address', ar.getXml(1), {
        requestId: '3',
        env: { NEBULA_IPAM_TEST_CRASH_AT: 'temp-synced' },
      });
      assert.equal(killed.signal, 'SIGKILL');
      const dir = path.dirname(sandbox.bookPath);
      const temps = fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));
      assert.equal(temps.length, 1, `one temp file left by the killed writer: ${temps.join(', ')}`);
      assert.equal(mode(dir), 0o700, 'book directory');
      for (const file of [
        sandbox.bookPath,
        `${sandbox.bookPath}.prev`,
        `${sandbox.bookPath}.audit.jsonl`,
        path.join(dir, temps[0]!),
        `${sandbox.bookPath}.lock/owner`,
      ]) {
        assert.equal(mode(file), 0o600, file);
      }
      assert.equal(mode(`${sandbox.bookPath}.lock`), 0o700, 'lock directory');
    } finally {
      process.umask(saved);
    }
  }),
);

test(
  "temp files live in the book's own directory under names nobody can guess",
  withSandbox(async (sandbox) => {
    const ar = new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(AR)), 'AR'));
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      await spawnAction(sandbox, 'get_address', ar.getXml(1), {
        requestId: '4',
        env: { NEBULA_IPAM_TEST_CRASH_AT: 'temp-written' },
      });
      names.push(
        ...fs.readdirSync(path.dirname(sandbox.bookPath)).filter((n) => n.endsWith('.tmp') && !names.includes(n)),
      );
    }
    assert.equal(names.length, 2);
    for (const name of names)
      assert.match(name, /^\.leases\.json\.[0-9]+\.[0-9a-f]{12}\.tmp$/, 'pid plus 48 random bits');
    assert.notEqual(names[0]!.split('.').at(-2), names[1]!.split('.').at(-2));
  }),
);

// "No child process can be spawned" is checked on both halves in production-bundle.test.ts.

test(
  'symlinks planted at the .prev, audit-log and lock names are replaced or refused, never written through',
  withSandbox(async (sandbox) => {
    const ar = new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(AR)), 'AR'));
    const victims = path.join(sandbox.dir, 'victims');
    fs.mkdirSync(path.join(victims, 'dir'), { recursive: true });
    fs.writeFileSync(path.join(victims, 'prev'), 'precious\n');
    fs.writeFileSync(path.join(victims, 'audit'), 'precious\n');
    fs.writeFileSync(path.join(victims, 'dir', 'keep'), 'precious\n');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(victims, 'dir'), old, old);
    fs.rmSync(`${sandbox.bookPath}.prev`, { force: true });
    fs.rmSync(`${sandbox.bookPath}.audit.jsonl`, { force: true });
    fs.symlinkSync(path.join(victims, 'prev'), `${sandbox.bookPath}.prev`);
    fs.symlinkSync(path.join(victims, 'audit'), `${sandbox.bookPath}.audit.jsonl`);
    fs.symlinkSync(path.join(victims, 'dir'), `${sandbox.bookPath}.lock`);

    expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS');
    for (const name of ['prev', 'audit'])
      assert.equal(fs.readFileSync(path.join(victims, name), 'utf8'), 'precious\n', name);
    assert.deepEqual(fs.readdirSync(path.join(victims, 'dir')), ['keep']);
    assert.ok(fs.lstatSync(`${sandbox.bookPath}.prev`).isFile(), '.prev is now a real file');
  }),
);

test(
  'a book that is a symlink to some other file is refused as corrupt, and the other file left alone',
  withSandbox((sandbox) => {
    const victim = path.join(sandbox.dir, 'passwd');
    fs.writeFileSync(victim, 'root:x:0:0:root:/root:/bin/bash\n');
    fs.rmSync(sandbox.bookPath);
    fs.symlinkSync(victim, sandbox.bookPath);
    expectFailure(sandbox.run('register_address_range', registerXml(AR)), 7, ['Cannot read the lease book']);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'root:x:0:0:root:/root:/bin/bash\n');
  }),
);

test(
  'names from requests and operator commands never become paths',
  withSandbox(async (sandbox) => {
    const ar = new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(AR)), 'AR'));
    const before = listTree(sandbox.dir);
    const hostile = '../../../../tmp/nebula-ipam-owned';
    const runs = [
      sandbox.run(
        'register_address_range',
        registerXml({ TYPE: 'IP4', SIZE: '4', IPAM_MAD: hostile, IPAM_POOL: hostile }),
      ),
      sandbox.run('get_address', new OnedAr({ ...ar.attrs, NEBULA_IPAM_RANGE: hostile }).getXml(1)),
      sandbox.run('free_address', new OnedAr({ ...ar.attrs, NEBULA_IPAM_RANGE: hostile }).freeXml(1n)),
      sandbox.run('get_address', ar.getXml(1), { requestId: hostile }),
    ];
    for (const run of runs) assert.equal(run.stdout.includes('owned'), false);
    for (const args of [
      ['lease', '--pool', hostile, '--owner', hostile],
      ['release', '--owner', hostile],
      ['show', hostile],
    ]) {
      const run = await spawnCli(sandbox, args);
      assert.notEqual(run.code, 0, args.join(' '));
    }
    const created = listTree(sandbox.dir).filter((entry) => !before.includes(entry));
    assert.deepEqual(created, [], 'no file appeared in the sandbox');
    assert.ok(!fs.existsSync('/tmp/nebula-ipam-owned'));
  }),
);

test(
  'a config naming a file that is not a book, or a directory, as the store: refused, the file untouched, nothing else written',
  withSandbox((sandbox) => {
    const victim = path.join(sandbox.dir, 'important.conf');
    fs.writeFileSync(victim, 'do not touch\n');
    const config = path.join(sandbox.dir, 'etc', 'hostile.json');
    const env = { NEBULA_IPAM_CONFIG: config, NEBULA_IPAM_STORE: undefined };
    fs.writeFileSync(config, JSON.stringify({ store: victim }));
    const before = listTree(sandbox.dir);
    expectFailure(sandbox.run('register_address_range', registerXml(AR), { env }), 7);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'do not touch\n');
    const created = listTree(sandbox.dir).filter((e) => !before.includes(e));
    assert.deepEqual(
      created.filter((e) => e !== 'important.conf.audit.jsonl'),
      [],
      'only the audit log beside the named store',
    );

    const storeDir = path.join(sandbox.dir, 'somedir');
    fs.mkdirSync(storeDir);
    fs.writeFileSync(config, JSON.stringify({ store: storeDir }));
    expectFailure(sandbox.run('register_address_range', registerXml(AR), { env }), 8, [storeDir]);
    assert.deepEqual(fs.readdirSync(storeDir), []);
  }),
);
