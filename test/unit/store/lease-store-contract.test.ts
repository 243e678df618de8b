/**
 * The LeaseStore contract, held by the in-memory fake, the file store and the etcd store (on a
 * real 3-member cluster) alike, so that code tested against the fake behaves the same against
 * the disk and etcd: a change's result comes back, a
 * change that returns no book writes nothing, every write bumps the generation by one, audit
 * records go with the change that made them, the previous generation comes back whole, and
 * an update says what it waits for (onWait).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { AuditRecord } from '../../../src/core/change.ts';
import type { Book } from '../../../src/core/book/book.ts';
import { recordHolds, releaseHold, type SeenInUse } from '../../../src/core/book/holds.ts';
import { vmFacts } from '../../../src/core/book/vms.ts';
import { IpamError } from '../../../src/core/errors.ts';
import { EtcdClient } from '../../../src/store/etcd/etcd-client.ts';
import { EtcdStore } from '../../../src/store/etcd/etcd-store.ts';
import { FileStore } from '../../../src/store/file/file-store.ts';
import { acquireLock } from '../../../src/store/file/lock.ts';
import { MemoryStore } from '../../../src/store/memory/memory-store.ts';
import type { LeaseStore } from '../../../src/store/store.ts';
import type { StoreWait } from '../../../src/store/store-wait.ts';
import { startEtcdCluster, type EtcdCluster } from '../../support/etcd-cluster.ts';

// Started when the first etcd test needs it: without etcd those fail (never skip), the others still run.
let cluster: Promise<EtcdCluster> | undefined;
after(async () => {
  await (await cluster?.catch(() => undefined))?.stop();
});
let prefixes = 0;

const withRange = (book: Book): Book => ({
  ...book,
  nextRangeId: book.nextRangeId + 1,
  ranges: [
    ...book.ranges,
    {
      id: `r${book.nextRangeId}`,
      type: 'IP4',
      size: 10n,
      ip: 0x0a00000an,
      createdAt: '2026-11-28T00:00:00.000Z',
      leases: [],
    },
  ],
});

/** `contend`: makes the store's next update wait once (absent: the store never waits). */
interface Made {
  store: LeaseStore;
  done: () => void;
  contend?: () => Promise<void>;
}

const stores: [string, () => Promise<Made> | Made][] = [
  ['MemoryStore', () => ({ store: new MemoryStore(), done: () => undefined })],
  [
    'FileStore',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-store-'));
      const book = path.join(dir, 'book', 'leases.json');
      return {
        store: new FileStore(book, { lockTimeoutMs: 1_000 }),
        done: () => fs.rmSync(dir, { recursive: true, force: true }),
        // Another holder of the lock (this very process, alive), for a moment.
        contend: async () => {
          const lock = await acquireLock(book, 1_000);
          setTimeout(() => void lock.release(), 200);
        },
      };
    },
  ],
  [
    'EtcdStore',
    async () => {
      cluster ??= startEtcdCluster();
      const client = new EtcdClient({ endpoints: (await cluster).endpoints, timeoutMs: 2_000 });
      const prefix = `/nebula-ipam/contract-${++prefixes}`;
      // Before the store's next transaction, another writer's change lands: a conflict.
      let before: (() => Promise<void>) | undefined;
      const interposed = Object.create(client, {
        txn: {
          value: async (...args: Parameters<EtcdClient['txn']>) => {
            await before?.();
            return client.txn(...args);
          },
        },
      }) as EtcdClient;
      return {
        store: new EtcdStore({ client: interposed, prefix, lockTimeoutMs: 5_000 }),
        done: () => client.close(),
        contend: async () => {
          before = async () => {
            before = undefined;
            await new EtcdStore({ client, prefix, lockTimeoutMs: 5_000 }).update((book) => ({
              book: withRange(book),
              result: undefined,
            }));
          };
        },
      };
    },
  ],
];

const record = (action: string, result: AuditRecord['result'] = 'ok'): AuditRecord => ({
  time: '2026-11-29T10:00:00.000Z',
  actor: 'cli:test',
  action,
  result,
});

/** A store whose empty book was made on purpose, as init makes it (a missing book is refused). */
async function made(make: (typeof stores)[number][1]): Promise<Made> {
  const made = await make();
  await made.store.create(record('init'));
  return made;
}

for (const [name, make] of stores) {
  test(`${name}: a missing book is refused by read and update and made only by create, once`, async () => {
    const { store, done } = await make();
    const missing = (error: unknown) =>
      error instanceof IpamError && error.kind === 'not-found' && error.message.includes('nebula-ipam init');
    try {
      assert.equal(await store.exists(), false);
      await assert.rejects(store.read(), missing, 'read refuses a missing book');
      let ran = false;
      await assert.rejects(
        store.update((book) => {
          ran = true;
          return { book: withRange(book), result: undefined };
        }),
        missing,
        'update refuses a missing book',
      );
      assert.equal(ran, false, 'the change never ran');
      assert.equal(await store.exists(), false, 'a refused update made no book');
      assert.equal(await store.create(record('init')), true);
      assert.equal(await store.create(record('init again')), false, 'a second create keeps the book');
      const made = await store.read();
      assert.deepEqual(
        [made.generation, made.ranges.length, made.nextRangeId],
        [0, 0, 1],
        'the empty book, generation 0',
      );
      await assert.rejects(
        store.generations(),
        (error) => error instanceof IpamError && error.kind === 'not-found',
        'nothing before the created book',
      );
    } finally {
      done();
    }
  });

  test(`${name}: results come back, no book means no write, each write is one generation`, async () => {
    const { store, done } = await made(make);
    try {
      await store.create(record('init'));
      assert.equal((await store.read()).generation, 0, 'a new store is the empty book');
      assert.equal(await store.update((book) => ({ book: withRange(book), result: 'added' })), 'added');
      const once = await store.read();
      assert.deepEqual([once.generation, once.ranges.map((r) => r.id), once.nextRangeId], [1, ['r1'], 2]);

      assert.equal(
        await store.update((book) => ({ result: book.ranges.length })),
        1,
        'the change sees the stored book',
      );
      assert.equal((await store.read()).generation, 1, 'a change without a book writes nothing');

      await store.update((book) => ({ book: withRange(book), result: undefined }));
      const twice = await store.read();
      assert.deepEqual([twice.generation, twice.ranges.map((r) => r.id)], [2, ['r1', 'r2']]);
    } finally {
      done();
    }
  });
}

for (const [name, make] of stores) {
  test(`${name}: audit records go with their change, failures on their own, and read back in order`, async () => {
    const { store, done } = await make();
    try {
      assert.equal(await store.exists(), false, 'nothing written yet');
      await store.create(record('init'));
      assert.equal(await store.exists(), true);
      await store.update((book) => ({ book: withRange(book), result: undefined, audit: [record('first')] }));
      await store.update(() => ({ result: undefined, audit: [record('ignored')] }));
      await store.audit(record('refused', 'error'));
      await store.update((book) => ({
        book: withRange(book),
        result: undefined,
        audit: [record('second'), record('third')],
      }));
      const all = await store.readAudit(() => true);
      assert.deepEqual(
        all.records.map((r) => r.action),
        ['init', 'first', 'refused', 'second', 'third'],
        'a change without a book records nothing',
      );
      const last = await store.readAudit((r) => r.result === 'ok', 2);
      assert.deepEqual(
        last.records.map((r) => r.action),
        ['second', 'third'],
      );
    } finally {
      done();
    }
  });

  test(`${name}: a commit's records are never dated before what the log holds (a writer that waited for the lock)`, async () => {
    const { store, done } = await made(make);
    try {
      // A fake clock: each writer took its time before the update; the second one waited and commits later.
      const at = (action: string, time: string): AuditRecord => ({ ...record(action), time });
      await store.update((book) => ({
        book: withRange(book),
        result: undefined,
        audit: [at('started-later', '2026-11-29T10:00:05.000Z')],
      }));
      await store.audit({ ...at('refused', '2026-11-29T10:00:07.000Z'), result: 'error' });
      await store.update((book) => ({
        book: withRange(book),
        result: undefined,
        audit: [at('waited', '2026-11-29T10:00:01.000Z'), at('after', '2026-11-29T10:00:09.000Z')],
      }));
      const { records } = await store.readAudit(() => true);
      assert.deepEqual(
        records.map((r) => `${r.action} ${r.time}`),
        [
          'init 2026-11-29T10:00:00.000Z',
          'started-later 2026-11-29T10:00:05.000Z',
          'refused 2026-11-29T10:00:07.000Z',
          // etcd clamps to the commit before (its pointer); the file and memory logs, read in the
          // order appended, to the latest record before, a refusal included.
          `waited ${name === 'EtcdStore' ? '2026-11-29T10:00:05.000Z' : '2026-11-29T10:00:07.000Z'}`,
          'after 2026-11-29T10:00:09.000Z',
        ],
      );
      const times = records.filter((r) => r.result === 'ok').map((r) => Date.parse(r.time));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        "the commits' times never go back",
      );
    } finally {
      done();
    }
  });

  test(`${name}: restore brings the previous generation back as a new one, only if nothing moved`, async () => {
    const { store, done } = await made(make);
    try {
      await store.create(record('init'));
      await store.update((book) => ({ book: withRange(book), result: undefined }));
      assert.deepEqual(
        (await store.generations()).previous.ranges,
        [],
        'after the first write, the previous generation is the created book',
      );
      await store.update((book) => ({ book: withRange(book), result: undefined }));
      const shown = await store.generations();
      assert.deepEqual(
        shown.previous.ranges.map((r) => r.id),
        ['r1'],
      );
      assert.ok('book' in shown.current && shown.current.book.generation === 2);

      await store.update((book) => ({ book: withRange(book), result: undefined }));
      await assert.rejects(
        store.restore(shown, shown.previous, record('restore')),
        (error) => error instanceof IpamError && error.kind === 'store-locked',
        'a write since it was shown',
      );

      const again = await store.generations();
      const restored = await store.restore(again, { ...again.previous, nextRangeId: 99 }, record('restore'));
      const book = await store.read();
      assert.deepEqual(
        [restored.generation, book.generation, book.ranges.map((r) => r.id), book.nextRangeId],
        [4, 4, ['r1', 'r2'], 99],
      );
      assert.deepEqual((await store.readAudit((r) => r.action === 'restore')).records.length, 1);
    } finally {
      done();
    }
  });
}

for (const [name, make] of stores) {
  test(`${name}: onWait says what an update waits for and when the wait is over; nothing when it need not wait (issue 17 item 3)`, async () => {
    const { store, done, contend } = await made(make);
    try {
      const waits: StoreWait[] = [];
      const onWait = (wait: StoreWait) => waits.push(wait);
      await store.update((book) => ({ book: withRange(book), result: undefined }), { onWait });
      assert.equal(waits.length, 0, 'nobody in the way: nothing reported');
      if (!contend) return; // The memory store never waits, so never reports.
      await contend();
      await store.update((book) => ({ book: withRange(book), result: undefined }), { onWait });
      assert.deepEqual(waits.at(-1), { for: 'nothing' }, 'the end of the wait');
      const first = waits[0]!;
      if (first.for === 'lock') {
        assert.equal(first.holder?.pid, process.pid);
        assert.equal(first.holder?.user, os.userInfo().username);
        assert.ok(first.holder?.command?.startsWith(path.basename(process.argv[1]!)), first.holder?.command);
        assert.match(first.since ?? '', /^\d{4}-\d\d-\d\dT/);
        assert.ok(first.lock.endsWith('leases.json.lock'), first.lock);
      } else assert.deepEqual(first, { for: 'conflict', retries: 1 });
      assert.equal((await store.read()).generation, name === 'EtcdStore' ? 3 : 2, "the waiter's change landed too");
    } finally {
      done();
    }
  });
}

/** A range as the codec hands it out from a book a newer release wrote: with fields this release does not know. */
const withNewerRange = (book: Book): Book => ({
  ...withRange(book),
  ranges: [...book.ranges, { ...withRange(book).ranges.at(-1)!, unknownFields: { vlan: { id: 42 } } }],
  unknownFields: { site: 'east' },
});

for (const [name, make] of stores) {
  test(`${name}: fields a newer release wrote survive this release's changes; a newer format's book is never written`, async () => {
    const { store, done } = await made(make);
    try {
      await store.update((book) => ({ book: withNewerRange(book), result: undefined }));
      // A change to the very range that holds them (a lease taken), as an action makes it.
      await store.update((book) => ({
        book: {
          ...book,
          ranges: book.ranges.map((r) => ({ ...r, leases: [{ first: 1n, last: 1n, holder: 'opennebula', at: 'x' }] })),
        },
        result: undefined,
      }));
      const kept = await store.read();
      assert.deepEqual(kept.ranges[0]!.unknownFields, { vlan: { id: 42 } }, "the range's unknown fields");
      assert.equal(kept.ranges[0]!.leases.length, 1);
      assert.deepEqual(kept.unknownFields, { site: 'east' }, "the book's unknown fields");
      const before = await store.read();
      await assert.rejects(
        store.update((book) => ({ book: { ...withRange(book), newerFormat: 99 }, result: undefined })),
        (error: unknown) =>
          error instanceof IpamError && error.kind === 'store-corrupt' && /format 99/.test(error.message),
      );
      assert.equal((await store.read()).generation, before.generation, 'nothing was written');
    } finally {
      done();
    }
  });
}

const seen = (address: bigint, reason: string, seenAt: string): SeenInUse => ({
  family: 'ipv4',
  address,
  pool: 'lan',
  source: 'dhcp',
  reason,
  seenAt,
});

for (const [name, make] of stores) {
  test(`${name}: holds (issue 18 item 5) round-trip, survive lease changes and restore, and go when released`, async () => {
    const { store, done } = await made(make);
    try {
      await store.update((book) => ({ book: withRange(book), result: undefined }));
      await store.update((book) => ({
        book: recordHolds(book, [
          seen(0x0a00000cn, 'Kea lease 10.0.0.12 for 02:00:00:00:00:01', '2026-12-07T10:00:00.000Z'),
          seen(0x0a00000bn, 'A record web.cloud.example.com', '2026-12-07T10:00:01.000Z'),
        ]),
        result: undefined,
      }));
      const held = await store.read();
      assert.deepEqual(
        held.holds?.map((h) => [h.address, h.reason, h.firstSeen, h.lastSeen]),
        [
          [0x0a00000bn, 'A record web.cloud.example.com', '2026-12-07T10:00:01.000Z', '2026-12-07T10:00:01.000Z'],
          [
            0x0a00000cn,
            'Kea lease 10.0.0.12 for 02:00:00:00:00:01',
            '2026-12-07T10:00:00.000Z',
            '2026-12-07T10:00:00.000Z',
          ],
        ],
      );
      // A lease taken: the holds stay as they were.
      await store.update((book) => ({
        book: {
          ...book,
          ranges: book.ranges.map((r) => ({ ...r, leases: [{ first: 1n, last: 1n, holder: 'opennebula', at: 'x' }] })),
        },
        result: undefined,
      }));
      assert.deepEqual((await store.read()).holds, held.holds, 'a lease change keeps the holds');
      await store.update((book) => ({ book: releaseHold(book, 'ipv4', 0x0a00000bn).book, result: undefined }));
      await store.update((book) => ({ book: releaseHold(book, 'ipv4', 0x0a00000cn).book, result: undefined }));
      const released = await store.read();
      assert.equal(released.holds, undefined, 'no holds left: the book has none');
      const shown = await store.generations();
      assert.deepEqual(
        shown.previous.holds?.map((h) => h.address),
        [0x0a00000cn],
        'the previous generation keeps its hold',
      );
      await store.restore(shown, shown.previous, record('restore'));
      assert.deepEqual(
        (await store.read()).holds?.map((h) => h.address),
        [0x0a00000cn],
        'restore brings it back',
      );
    } finally {
      done();
    }
  });
}

for (const [name, make] of stores) {
  test(`${name}: VM names (issue 18 item 6) round-trip and survive lease changes; vmFacts reads them by address text`, async () => {
    const { store, done } = await made(make);
    try {
      await store.update((book) => ({
        book: {
          ...withRange(book),
          vms: [
            { space: 'ipv4', address: 0x0a00000bn, id: 42, name: 'web-1' },
            { space: 'ipv6', address: 0x20010db8n << 96n, id: 42, name: 'web-1' },
            { space: 'mac', address: 0x02000a00000cn, id: 43, name: 'ether-1' },
          ],
        },
        result: undefined,
      }));
      await store.update((book) => ({
        book: {
          ...book,
          ranges: book.ranges.map((r) => ({ ...r, leases: [{ first: 1n, last: 1n, holder: 'opennebula', at: 'x' }] })),
        },
        result: undefined,
      }));
      const book = await store.read();
      assert.deepEqual(
        book.vms?.map((vm) => `${vm.space} ${vm.id} ${vm.name}`),
        ['ipv4 42 web-1', 'ipv6 42 web-1', 'mac 43 ether-1'],
        'an entry found by MAC only round-trips as well',
      );
      assert.deepEqual(
        [...vmFacts(book)],
        [
          ['10.0.0.11', { id: 42, name: 'web-1' }],
          ['2001:db8::', { id: 42, name: 'web-1' }],
        ],
      );
      await store.update((b) => ({ book: { ...b, vms: [] }, result: undefined }));
      assert.equal((await store.read()).vms?.length ?? 0, 0);
    } finally {
      done();
    }
  });
}

const stoppedBy = (kind: 'interrupted' | 'terminated') => (error: unknown) =>
  error instanceof IpamError && error.kind === kind;

for (const [name, make] of stores) {
  test(`${name}: an aborted signal stops the update before its commit point, with nothing written (issue 15 item 3)`, async () => {
    const { store, done } = await made(make);
    try {
      await store.update((book) => ({ book: withRange(book), result: undefined }));
      const before = await store.read();
      let ran = false;
      const change = (book: Book) => {
        ran = true;
        return { book: withRange(book), result: undefined, audit: [record('stopped')] };
      };
      await assert.rejects(
        store.update(change, { signal: AbortSignal.abort('SIGINT') }),
        stoppedBy('interrupted'),
        'aborted before it began',
      );
      assert.equal(ran, false, 'the change never ran');
      // A signal that comes while the change runs (a long one) is seen before the commit.
      const during = new AbortController();
      const abortingChange = (book: Book) => {
        during.abort('SIGTERM');
        return change(book);
      };
      await assert.rejects(
        store.update(abortingChange, { signal: during.signal }),
        stoppedBy('terminated'),
        'aborted during the change',
      );
      const after = await store.read();
      assert.deepEqual(
        [after.generation, after.ranges.map((r) => r.id)],
        [before.generation, before.ranges.map((r) => r.id)],
      );
      assert.deepEqual((await store.readAudit((r) => r.action === 'stopped')).records, []);
    } finally {
      done();
    }
  });
}

test('FileStore and EtcdStore: past the commit point (the rename, the transaction sent) a signal is ignored and the write lands', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-store-'));
  cluster ??= startEtcdCluster();
  const controllers: AbortController[] = [];
  const abortNow = () => controllers.at(-1)?.abort('SIGINT');
  const client = new EtcdClient({ endpoints: (await cluster).endpoints, timeoutMs: 2_000, onTxnSent: abortNow });
  const committing: [string, LeaseStore][] = [
    [
      'FileStore',
      new FileStore(path.join(dir, 'leases.json'), {
        lockTimeoutMs: 1_000,
        onWriteStep: (step) => step === 'previous-kept' && abortNow(),
      }),
    ],
    ['EtcdStore', new EtcdStore({ client, prefix: `/nebula-ipam/contract-${++prefixes}`, lockTimeoutMs: 5_000 })],
  ];
  try {
    for (const [, store] of committing) await store.create(record('init'));
    for (const [name, store] of committing) {
      const controller = new AbortController();
      controllers.push(controller);
      assert.equal(
        await store.update((book) => ({ book: withRange(book), result: 'landed' }), { signal: controller.signal }),
        'landed',
        name,
      );
      assert.equal(controller.signal.aborted, true, `${name}: the signal came during the commit`);
      assert.deepEqual(
        (await store.read()).ranges.map((r) => r.id),
        ['r1'],
        name,
      );
    }
  } finally {
    client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
