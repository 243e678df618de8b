/**
 * The store's lock in one process: exclusion with a bounded wait, a dead holder taken over at
 * once, a lost lock seen at commit time, and a holder that lost its lock unable to remove its
 * successor's.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { acquireLock, lockPath, STALE_MS } from '../../../../src/store/file/lock.ts';
import { newOwner } from '../../../../src/store/file/lock-owner.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';

function withBookPath(body: (book: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-lock-'));
    try {
      await body(path.join(dir, 'leases.json'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** An owner record of a process that existed on this machine and is gone now. */
function deadOwner(): object {
  return { ...newOwner(), pid: 2 ** 22 + 1, started: '1' };
}

test(
  'a second taker waits its deadline and fails with store-locked naming the holder; after release it gets the lock',
  withBookPath(async (book) => {
    const first = await acquireLock(book, 1_000);
    const started = Date.now();
    await assert.rejects(acquireLock(book, 150), (error) => {
      expectIpamError(
        () => {
          throw error;
        },
        'store-locked',
        ['stayed locked', `process ${process.pid}`, '150 ms'],
      );
      return true;
    });
    const waited = Date.now() - started;
    assert.ok(waited >= 140 && waited < 2_000, `waited ${waited} ms`);
    await first.release();
    const second = await acquireLock(book, 150);
    assert.equal(second.compromised(), undefined);
    await second.release();
    assert.ok(!fs.existsSync(lockPath(book)), 'released locks leave nothing behind');
  }),
);

test(
  'a lock whose holder died on this machine is taken over at once, however fresh',
  withBookPath(async (book) => {
    fs.mkdirSync(lockPath(book));
    fs.writeFileSync(path.join(lockPath(book), 'owner'), JSON.stringify(deadOwner()));
    const started = Date.now();
    const lock = await acquireLock(book, 2_000);
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
    await lock.release();
  }),
);

test(
  "a lock taken away from its holder is reported by compromised(), and its release leaves the new holder's lock alone",
  withBookPath(async (book) => {
    const lost = await acquireLock(book, 1_000);
    // Someone decided it was dead and took it: simulate by replacing the record.
    fs.rmSync(lockPath(book), { recursive: true });
    const successor = await acquireLock(book, 1_000);
    assert.match(String(lost.compromised()?.message), /taken over/);
    await lost.release();
    assert.ok(fs.existsSync(lockPath(book)), 'the successor still holds its lock');
    assert.equal(successor.compromised(), undefined);
    await successor.release();
  }),
);

test(
  'a lock directory without a record is taken over only once STALE_MS old',
  withBookPath(async (book) => {
    fs.mkdirSync(lockPath(book));
    await assert.rejects(acquireLock(book, 100));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPath(book), old, old);
    const lock = await acquireLock(book, 100);
    await lock.release();
  }),
);

test(
  'a lock dated in the future (the clock stepped back) whose holder cannot be checked is taken over once it has not changed for STALE_MS',
  withBookPath(async (book) => {
    fs.mkdirSync(lockPath(book));
    fs.writeFileSync(
      path.join(lockPath(book), 'owner'),
      JSON.stringify({ token: 't', pid: 1, host: 'another-front-end', boot: 'b', pidns: 'p' }),
    );
    const future = new Date(Date.now() + 3_600_000);
    fs.utimesSync(lockPath(book), future, future);
    const started = Date.now();
    const lock = await acquireLock(book, STALE_MS + 3_000);
    const took = Date.now() - started;
    assert.ok(took >= STALE_MS - 100 && took < STALE_MS + 3_000, `took ${took} ms`);
    await lock.release();
  }),
);

test(
  'a lock dated in the future whose holder is seen alive is never taken over',
  withBookPath(async (book) => {
    fs.mkdirSync(lockPath(book));
    fs.writeFileSync(path.join(lockPath(book), 'owner'), JSON.stringify(newOwner()));
    const future = new Date(Date.now() + 3_600_000);
    fs.utimesSync(lockPath(book), future, future);
    await assert.rejects(acquireLock(book, 300), /stayed locked/);
  }),
);

test(
  'a lock dated in the future left by a dead holder of this machine is taken over at once',
  withBookPath(async (book) => {
    fs.mkdirSync(lockPath(book));
    fs.writeFileSync(path.join(lockPath(book), 'owner'), JSON.stringify(deadOwner()));
    const future = new Date(Date.now() + 3_600_000);
    fs.utimesSync(lockPath(book), future, future);
    const started = Date.now();
    const lock = await acquireLock(book, 2_000);
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
    await lock.release();
  }),
);

test(
  "a lock held past its refresh period stays its holder's (the owner record does not count as a stranger's touch)",
  withBookPath(async (book) => {
    const lock = await acquireLock(book, 1_000);
    try {
      // proper-lockfile refreshes every REFRESH_MS (1 s): two refreshes, with the event loop free.
      await new Promise((resolve) => setTimeout(resolve, 2_300));
      assert.equal(lock.compromised()?.message, undefined);
    } finally {
      await lock.release();
    }
    assert.equal(fs.existsSync(lockPath(book)), false, 'released');
  }),
);
