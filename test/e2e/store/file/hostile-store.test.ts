/**
 * The lease book under faults (issue 4 item 3): replaced by garbage, emptied, of the wrong shape,
 * its previous generation deleted, the disk full, the directory read-only, the writer killed at
 * each step of a write, the lock held by a live, a dead or a remote holder. Each time: a clear
 * error with its exit code, nothing overwritten, and the documented recovery works.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { expectFailure, expectQuietSuccess, expectReply } from '../../../support/driver-assert.ts';
import {
  createSandbox,
  OnedAr,
  TEST_BUNDLE,
  registerXml,
  type DriverSandbox,
} from '../../../support/driver-harness.ts';
import { WRITE_STEPS } from '../../../../src/store/file/atomic-write.ts';
import { STALE_MS } from '../../../../src/store/file/lock.ts';
import { newOwner } from '../../../../src/store/file/lock-owner.ts';
import { readBookView, describeView } from '../../../torture/book-view.ts';
import { fillDisk, makeReadOnly, mountTinyDisk } from '../../../torture/disk-faults.ts';
import { spawnAction, spawnCli } from '../../../torture/spawn-action.ts';

const AR = { TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' };

/** A sandbox whose book has one range with one lease, and a previous generation. */
function withBook(
  body: (sandbox: DriverSandbox, ar: OnedAr, t: TestContext) => void | Promise<void>,
  config: object = {},
): (t: TestContext) => Promise<void> {
  return async (t) => {
    // The test bundle: some of these tests kill or fail a writer through the test hooks.
    const sandbox = createSandbox({ config, bundle: TEST_BUNDLE });
    try {
      const ar = new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(AR)), 'AR'));
      expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(2n)));
      await body(sandbox, ar, t);
    } finally {
      sandbox.cleanup();
    }
  };
}

function bytes(file: string): Buffer | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
}

/** Files in the book's directory that are not the book, its .prev or its audit log. */
function strayFiles(sandbox: DriverSandbox): string[] {
  const base = path.basename(sandbox.bookPath);
  return fs
    .readdirSync(path.dirname(sandbox.bookPath))
    .filter((name) => ![base, `${base}.prev`, `${base}.audit.jsonl`].includes(name));
}

/** Every action oned can send, against the AR. */
function everyAction(sandbox: DriverSandbox, ar: OnedAr) {
  return [
    sandbox.run('get_address', ar.getXml(1)),
    sandbox.run('allocate_address', ar.allocateXml(5n)),
    sandbox.run('free_address', ar.freeXml(2n)),
    sandbox.run('register_address_range', registerXml({ ...AR, IP: '10.0.1.0' })),
    sandbox.run('unregister_address_range', ar.unregisterXml('rmar')),
  ];
}

const BROKEN_BOOKS: readonly [string, string | Buffer][] = [
  ['garbage bytes', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x7b])],
  ['an empty file', ''],
  ['a truncated book', '{"schema":1,"generation":4,"nextRangeId":2,"ranges":[\n{"id":"r1","type":"IP4","si'],
  ['JSON of the wrong shape (a list)', '[]'],
  ['JSON of the wrong shape (no ranges)', '{"schema":1,"generation":3,"nextRangeId":2}'],
  ['JSON of another schema', '{"schema":2,"generation":3,"nextRangeId":2,"ranges":[]}'],
  [
    'a lease outside its range',
    '{"schema":1,"generation":3,"nextRangeId":2,"ranges":[{"id":"r1","type":"IP4","size":10,"ip":"10.0.0.10","createdAt":"x","leases":[{"from":12,"to":12,"holder":"opennebula","at":"x"}]}]}',
  ],
];

for (const [what, content] of BROKEN_BOOKS) {
  test(
    `a book replaced by ${what} is refused by every action (exit 7), left untouched, and \`cp <book>.prev <book>\` brings it back`,
    withBook((sandbox, ar) => {
      const previous = bytes(`${sandbox.bookPath}.prev`)!;
      fs.writeFileSync(sandbox.bookPath, content);
      const broken = bytes(sandbox.bookPath)!;
      for (const run of everyAction(sandbox, ar)) {
        expectFailure(run, 7, ['Cannot read the lease book', 'restore', '.prev']);
        assert.deepEqual(bytes(sandbox.bookPath), broken, 'the broken book is not overwritten');
        assert.deepEqual(bytes(`${sandbox.bookPath}.prev`), previous, 'the previous generation is not overwritten');
      }
      assert.deepEqual(strayFiles(sandbox), [], 'no lock or temp file left');
      fs.copyFileSync(`${sandbox.bookPath}.prev`, sandbox.bookPath);
      expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS');
    }),
  );
}

test(
  '`nebula-ipam restore --yes` brings back the previous generation of a book replaced by garbage',
  withBook(async (sandbox, ar) => {
    fs.writeFileSync(sandbox.bookPath, 'not a book');
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 7);
    const restore = await spawnCli(sandbox, ['restore', '--yes']);
    assert.equal(restore.code, 0, restore.stderr);
    const reply = expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS');
    assert.notEqual(reply.get('IP'), '10.0.0.12', 'the restored book still has its lease');
  }),
);

test(
  'a deleted .prev: writes go on and keep a new one; with a broken book as well nothing is overwritten and restore says there is none',
  withBook(async (sandbox, ar) => {
    fs.rmSync(`${sandbox.bookPath}.prev`);
    expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS');
    assert.ok(fs.existsSync(`${sandbox.bookPath}.prev`), 'the next write keeps a previous generation again');

    fs.rmSync(`${sandbox.bookPath}.prev`);
    fs.writeFileSync(sandbox.bookPath, '{');
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 7, ['Cannot read the lease book']);
    assert.equal(bytes(sandbox.bookPath)!.toString(), '{');
    assert.ok(!fs.existsSync(`${sandbox.bookPath}.prev`), 'a broken book never becomes the previous generation');
    const restore = await spawnCli(sandbox, ['restore', '--yes']);
    expectFailure({ code: restore.code ?? -1, stdout: restore.stdout, stderr: restore.stderr }, 5, [
      'no previous generation',
    ]);
  }),
);

for (const step of ['temp-written', 'temp-synced', 'previous-kept'] as const) {
  test(
    `a full disk at ${step} (injected ENOSPC): exit 8 saying so, the book unchanged, no temp file left, the next action works`,
    withBook((sandbox, ar) => {
      const before = bytes(sandbox.bookPath);
      const line = expectFailure(
        sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_TEST_FAIL_AT: step } }),
        8,
        ['ENOSPC', 'the book is unchanged'],
      );
      assert.ok(line.includes(sandbox.bookPath), line);
      assert.deepEqual(bytes(sandbox.bookPath), before);
      assert.deepEqual(strayFiles(sandbox), []);
      expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS');
    }),
  );
}

for (const step of ['renamed', 'directory-synced'] as const) {
  test(
    `a write failing after the rename (${step}) is reported as failed and says the change is in the book`,
    withBook((sandbox, ar) => {
      const before = describeView(readBookView(sandbox.bookPath));
      expectFailure(sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_TEST_FAIL_AT: step } }), 8, [
        'the change is in the book',
      ]);
      assert.notEqual(
        describeView(readBookView(sandbox.bookPath)),
        before,
        'the lease landed: a leak oned will not use, never a duplicate',
      );
    }),
  );
}

test(
  'a misspelt test hook is refused instead of silently crashing nothing',
  withBook((sandbox, ar) => {
    expectFailure(sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_TEST_CRASH_AT: 'temp-writen' } }), 4, [
      'NEBULA_IPAM_TEST_CRASH_AT',
      'temp-written',
    ]);
  }),
);

test('a real full disk (a tiny tmpfs): writes fail with exit 8 and change nothing, reads still work, and freeing space is all it takes', async (t) => {
  const sandbox = createSandbox({ config: {}, book: 'none' });
  const disk = mountTinyDisk(path.dirname(sandbox.bookPath), 64);
  if ('skip' in disk) {
    sandbox.cleanup();
    t.skip(disk.skip);
    return;
  }
  try {
    sandbox.init();
    const ar = new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(AR)), 'AR'));
    ar.noteLeased(ar.indexOf(expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!));
    // The first request after a get_address settles its offer (a write): made before the disk fills.
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(7n)));
    fillDisk(path.dirname(sandbox.bookPath), 0);
    const before = bytes(sandbox.bookPath);
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 8, ['no space left on device', 'the book is unchanged']);
    assert.deepEqual(bytes(sandbox.bookPath), before);
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(7n)));
    fs.rmSync(path.join(path.dirname(sandbox.bookPath), 'filler'));
    expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS');
    assert.deepEqual(
      strayFiles(sandbox).filter((n) => n !== 'filler'),
      [],
    );
  } finally {
    disk.unmount();
    sandbox.cleanup();
  }
});

test(
  'a read-only book directory: exit 8 naming the book and the reason, nothing changed',
  withBook((sandbox, ar, t) => {
    const dir = path.dirname(sandbox.bookPath);
    const before = bytes(sandbox.bookPath);
    const readOnly = makeReadOnly(dir);
    if ('skip' in readOnly) {
      // Reported as a skip with its reason, never as a pass: nothing was checked.
      t.skip(readOnly.skip);
      return;
    }
    try {
      expectFailure(sandbox.run('get_address', ar.getXml(1)), 8, ['Cannot lock the lease book', sandbox.bookPath]);
      assert.deepEqual(bytes(sandbox.bookPath), before);
    } finally {
      readOnly.undo();
    }
    expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS');
  }),
);

for (const step of WRITE_STEPS) {
  test(
    `a writer killed at ${step}: the book loads, is the state ${step === 'renamed' || step === 'directory-synced' ? 'after' : 'before'} the action, and the next action gets the lock at once`,
    withBook(async (sandbox, ar) => {
      const before = describeView(readBookView(sandbox.bookPath));
      const killed = await spawnAction(sandbox, 'allocate_address', ar.allocateXml(7n), {
        requestId: '9',
        env: { NEBULA_IPAM_TEST_CRASH_AT: step },
      });
      assert.equal(killed.signal, 'SIGKILL');
      assert.ok(fs.existsSync(`${sandbox.bookPath}.lock`), 'the dead writer left its lock');
      const after = describeView(readBookView(sandbox.bookPath));
      const landed = after.includes('[2,7]');
      assert.equal(landed, step === 'renamed' || step === 'directory-synced', after);
      if (!landed) assert.equal(after, before);
      const next = await spawnAction(sandbox, 'get_address', ar.getXml(1), { requestId: '10' });
      assert.equal(next.code, 0, next.stderr);
      assert.ok(
        next.end - next.start < STALE_MS,
        `took ${Math.round(next.end - next.start)} ms: the dead holder was not recognised`,
      );
      assert.deepEqual(strayFiles(sandbox), [], "the dead writer's temp files are swept");
    }),
  );
}

test(
  'a lock held by a live process, however old: the waiter gives up with exit 6 "locked" at its deadline, naming the holder',
  withBook((sandbox, ar) => {
    const lock = `${sandbox.bookPath}.lock`;
    fs.mkdirSync(lock);
    // This test process is alive, on this machine: its lock must be respected even when it has not
    // been refreshed for a long time (a holder stuck in I/O must not get a second writer beside it).
    fs.writeFileSync(`${lock}/owner`, JSON.stringify(newOwner()));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const config = path.join(sandbox.dir, 'etc', 'impatient.json');
    fs.writeFileSync(config, JSON.stringify({ lockTimeoutMs: 300 }));
    const started = Date.now();
    expectFailure(sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_CONFIG: config } }), 6, [
      'locked',
      `process ${process.pid}`,
      '300 ms',
    ]);
    assert.ok(Date.now() - started < 300 + 5_000, 'it gave up near its deadline');
    assert.ok(fs.existsSync(lock), "a live holder's lock is never removed");
  }),
);

test(
  'a lock from another machine is respected while fresh and taken over once STALE_MS old',
  withBook((sandbox, ar) => {
    const lock = `${sandbox.bookPath}.lock`;
    fs.mkdirSync(lock);
    fs.writeFileSync(
      `${lock}/owner`,
      JSON.stringify({ token: 't', pid: 1, host: 'another-front-end', boot: 'b', pidns: 'p' }),
    );
    const config = path.join(sandbox.dir, 'etc', 'impatient.json');
    fs.writeFileSync(config, JSON.stringify({ lockTimeoutMs: 500 }));
    expectFailure(sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_CONFIG: config } }), 6, ['locked']);
    const old = new Date(Date.now() - STALE_MS - 1_000);
    fs.utimesSync(lock, old, old);
    expectReply(sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_CONFIG: config } }), 'ADDRESS');
    assert.ok(!fs.existsSync(lock));
  }),
);

test(
  'a lock dated in the future (the clock was stepped back) from a holder that cannot be checked is taken over once unchanged for STALE_MS',
  withBook((sandbox, ar) => {
    const lock = `${sandbox.bookPath}.lock`;
    fs.mkdirSync(lock);
    fs.writeFileSync(
      `${lock}/owner`,
      JSON.stringify({ token: 't', pid: 1, host: 'another-front-end', boot: 'b', pidns: 'p' }),
    );
    const future = new Date(Date.now() + 3_600_000);
    fs.utimesSync(lock, future, future);
    const config = path.join(sandbox.dir, 'etc', 'patient.json');
    fs.writeFileSync(config, JSON.stringify({ lockTimeoutMs: STALE_MS + 5_000 }));
    const started = Date.now();
    expectReply(sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_CONFIG: config } }), 'ADDRESS');
    assert.ok(Date.now() - started >= STALE_MS, 'it watched the lock for STALE_MS before taking it');
    assert.ok(!fs.existsSync(lock));
  }),
);
