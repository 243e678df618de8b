/**
 * The etcd layout at real size and age, on a real 3-member cluster (issue 16 items 5-7): a lease
 * change puts the window of leases it changed, not the range; a change too big for one
 * transaction is written in steps within etcd's default limits and lands whole or not at all;
 * what an interrupted write leaves is cleaned by the next writer, what a write in flight stages
 * is not; books whose prefixes nest refuse to read each other's keys; restore never sends the
 * range-id counter back; a schema 1 book is read and rewritten in this layout; a signal stops a
 * staged write right before its commit point; a value over --max-request-bytes is refused with
 * the size to raise it to.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Book, Lease, RangeRecord } from '../../../../src/core/book/book.ts';
import { encodeBookChunks } from '../../../../src/store/encoding/codec.ts';
import { IpamError } from '../../../../src/core/errors.ts';
import {
  EtcdClient,
  prefixEnd,
  type Compare,
  type Op,
  type TxnResult,
} from '../../../../src/store/etcd/etcd-client.ts';
import {
  ETCD_DEFAULT_MAX_REQUEST_BYTES,
  ETCD_DEFAULT_MAX_TXN_OPS,
  EtcdStore,
} from '../../../../src/store/etcd/etcd-store.ts';
import { startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';

let cluster: EtcdCluster;
before(async () => {
  cluster = await startEtcdCluster();
});
after(async () => {
  await cluster?.stop();
});

let prefixes = 0;
const nextPrefix = () => `/nebula-ipam/layout-test-${++prefixes}`;
const AUDIT = { time: '2026-12-01T00:00:00.000Z', actor: 'test', action: 'restore', result: 'ok' } as const;

const lease = (i: number, holder: Lease['holder'] = 'opennebula'): Lease =>
  holder === 'opennebula'
    ? {
        first: BigInt(i),
        last: BigInt(i),
        holder,
        mac: 0x02000a000000n + BigInt(i),
        requestId: String(1000 + i),
        at: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
      }
    : {
        first: BigInt(i),
        last: BigInt(i),
        holder,
        owner: `host-${i}`,
        note: 'rack 12, row 4',
        at: '2026-11-01T00:00:00.000Z',
      };

const range = (n: number, leases: readonly Lease[] = [], size = 256n): RangeRecord => ({
  id: `r${n}`,
  type: 'IP4',
  size,
  ip: 0x0a000000n + BigInt(n) * 0x10000n,
  mac: 0x02000a000000n,
  createdAt: '2026-11-29T00:00:00.000Z',
  leases,
});

const withRanges = (
  book: Book,
  from: number,
  count: number,
  leases: (n: number) => readonly Lease[] = () => [],
): Book => ({
  ...book,
  nextRangeId: Math.max(book.nextRangeId, from + count),
  ranges: [...book.ranges, ...Array.from({ length: count }, (_, i) => range(from + i, leases(from + i)))],
});

interface Sent {
  readonly ops: readonly Op[];
  readonly bytes: number;
}
const weight = (ops: readonly Op[]) =>
  ops.reduce((n, op) => n + ('put' in op ? op.put.length + op.value.length : op.delete.length), 0);

/** Records every transaction it sends; `failCommit`: refuses the one that puts the pointer (the commit point) of a staged write. */
class RecordingClient extends EtcdClient {
  readonly sent: Sent[] = [];
  failCommit = false;
  constructor() {
    super({ endpoints: cluster.endpoints, timeoutMs: 5_000 });
  }
  override async txn(compare: readonly Compare[], success: readonly Op[]): Promise<TxnResult> {
    const commitsAlone =
      success.some((op) => 'put' in op && op.put.endsWith('/meta')) &&
      !success.some((op) => 'put' in op && op.put.includes('/range/'));
    if (this.failCommit && commitsAlone) throw new IpamError('store-io', 'Cannot use etcd: refused (test)');
    this.sent.push({ ops: success, bytes: weight(success) });
    return super.txn(compare, success);
  }
}

/** A book made on purpose, as \`init\` makes it. */
async function madeStore(options: ConstructorParameters<typeof EtcdStore>[0]): Promise<EtcdStore> {
  const store = new EtcdStore(options);
  await store.create(AUDIT);
  return store;
}

const plainClient = () => new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 5_000 });
const keysUnder = async (client: EtcdClient, prefix: string) =>
  (await client.range({ key: `${prefix}/`, rangeEnd: prefixEnd(`${prefix}/`), keysOnly: true })).kvs.map(
    (kv) => kv.key,
  );

test('a lease change in a range of 100 000 leases puts one window of leases, not the range', async () => {
  const client = new RecordingClient();
  const store = await madeStore({ client, prefix: nextPrefix(), lockTimeoutMs: 20_000 });
  const many = Array.from({ length: 100_000 }, (_, i) => lease(i));
  await store.update((book) => ({
    book: { ...book, nextRangeId: 2, ranges: [range(1, many, 131_072n)] },
    result: undefined,
  }));
  const before = client.sent.length;
  await store.update((book) => ({
    book: { ...book, ranges: [{ ...book.ranges[0]!, leases: [...book.ranges[0]!.leases, lease(100_500)] }] },
    result: undefined,
  }));
  const write = client.sent.slice(before);
  assert.equal(write.length, 1, 'one transaction');
  console.log(
    `# etcd: one more lease in a range of 100 000 leases puts ${write[0]!.bytes} bytes (the range is ~600 000)`,
  );
  assert.ok(write[0]!.bytes < 40_000, `${write[0]!.bytes} bytes written`);
  const book = await store.read();
  assert.equal(book.ranges[0]!.leases.length, 100_001);
  assert.deepEqual(book.ranges[0]!.leases[99_999], many[99_999]);
  assert.deepEqual(book.ranges[0]!.leases[100_000], lease(100_500));
});

test("a change of 1 000 ranges is written in steps within etcd's default limits, and so is taking them all away", async () => {
  const client = new RecordingClient();
  const store = await madeStore({ client, prefix: nextPrefix(), lockTimeoutMs: 30_000 });
  await store.update((book) => ({
    book: withRanges(book, 1, 1_000, (n) =>
      Array.from({ length: 20 }, (_, i) => lease(i * 3 + (n % 3), n % 2 ? 'operator' : 'opennebula')),
    ),
    result: undefined,
  }));
  const book = await store.read();
  assert.equal(book.ranges.length, 1_000);
  assert.deepEqual(book.ranges[999]!.leases[19], lease(57 + (1000 % 3), 'opennebula'));
  await store.update((b) => ({ book: { ...b, ranges: [] }, result: undefined }));
  assert.deepEqual((await store.read()).ranges, []);
  assert.ok(client.sent.length > 2, 'in several transactions');
  for (const txn of client.sent) {
    assert.ok(txn.ops.length <= ETCD_DEFAULT_MAX_TXN_OPS, `${txn.ops.length} operations in one transaction`);
    assert.ok(txn.bytes < ETCD_DEFAULT_MAX_REQUEST_BYTES, `${txn.bytes} bytes in one transaction`);
  }
});

test('a staged write stopped before its commit point changes nothing; the next writer deletes what it left, not what a write in flight staged', async () => {
  const client = new RecordingClient();
  const prefix = nextPrefix();
  const store = await madeStore({ client, prefix, lockTimeoutMs: 10_000 });
  await store.update((book) => ({ book: withRanges(book, 1, 2), result: undefined }));
  client.failCommit = true;
  const sentBefore = client.sent.length;
  await assert.rejects(
    store.update((book) => ({ book: withRanges(book, 3, 300), result: undefined })),
    (error) => error instanceof IpamError && error.kind === 'store-io',
  );
  const staged = client.sent.slice(sentBefore).flatMap((txn) => txn.ops.flatMap((op) => ('put' in op ? [op.put] : [])));
  assert.ok(staged.length > ETCD_DEFAULT_MAX_TXN_OPS, 'the write was staged in steps');
  client.failCommit = false;
  assert.deepEqual(
    (await store.read()).ranges.map((r) => r.id),
    ['r1', 'r2'],
    'the book is as it was',
  );
  // Another writer's staging for the generation after the current one: in flight, not garbage.
  const inFlight = `${prefix}/range/r9@zz.feedbeef0`;
  await client.txn([], [{ put: inFlight, value: '{}' }]);
  // The first write after it commits the generation the interrupted one staged for; the one
  // after that knows those keys can never be committed any more.
  await store.update((book) => ({ book: withRanges(book, 3, 1), result: undefined }));
  assert.ok((await keysUnder(client, prefix)).includes(staged[0]!), 'not yet known to be garbage');
  await store.update((book) => ({ book: withRanges(book, 4, 1), result: undefined }));
  const left = new Set(await keysUnder(client, prefix));
  assert.deepEqual(
    staged.filter((key) => left.has(key)),
    [],
    'the interrupted write left nothing behind',
  );
  assert.ok(left.has(inFlight), 'a write in flight keeps what it staged');
  assert.deepEqual(
    (await store.read()).ranges.map((r) => r.id),
    ['r1', 'r2', 'r3', 'r4'],
  );
});

test('books whose prefixes nest refuse to use each other: neither reads nor deletes the other one', async () => {
  const base = nextPrefix();
  const outer = await madeStore({ client: plainClient(), prefix: base, lockTimeoutMs: 5_000 });
  const inner = await madeStore({ client: plainClient(), prefix: `${base}/range`, lockTimeoutMs: 5_000 });
  await inner.update((book) => ({ book: withRanges(book, 1, 3), result: undefined }));
  await inner.update((book) => ({ book: withRanges(book, 4, 1), result: undefined }));
  const innerKeys = await keysUnder(plainClient(), `${base}/range`);
  const refused = (error: unknown) => {
    assert.ok(error instanceof IpamError && error.kind === 'config', String(error));
    assert.match(error.message, /another book's prefix overlaps this one/);
    assert.ok(error.message.includes(`${base}/range/`), error.message);
    return true;
  };
  await assert.rejects(outer.read(), refused);
  await assert.rejects(
    outer.update((book) => ({ book: withRanges(book, 1, 1), result: undefined })),
    refused,
  );
  await assert.rejects(outer.generations(), refused);
  assert.deepEqual(await keysUnder(plainClient(), `${base}/range`), innerKeys, "the inner book's keys are untouched");
  assert.deepEqual(
    (await inner.read()).ranges.map((r) => r.id),
    ['r1', 'r2', 'r3', 'r4'],
  );

  // The other way round: an outer book with ranges, then a book under its range keys.
  const base2 = nextPrefix();
  const outer2 = await madeStore({ client: plainClient(), prefix: base2, lockTimeoutMs: 5_000 });
  await outer2.update((book) => ({ book: withRanges(book, 1, 2), result: undefined }));
  const inner2 = new EtcdStore({ client: plainClient(), prefix: `${base2}/range`, lockTimeoutMs: 5_000 });
  await assert.rejects(
    inner2.create(AUDIT),
    (error) => error instanceof IpamError && error.kind === 'config' && error.message.includes(`${base2}/range/r1@`),
  );
  assert.equal((await outer2.read()).ranges.length, 2);
});

test('restore keeps the range-id counter above every id ever handed out, also when the book does not decode', async () => {
  const client = plainClient();
  const prefix = nextPrefix();
  const store = await madeStore({ client, prefix, lockTimeoutMs: 5_000 });
  for (let n = 1; n <= 3; n++) await store.update((book) => ({ book: withRanges(book, n, 1), result: undefined }));
  // r3's value no longer decodes: the book is broken, the previous generation (r1, r2; counter 3) is not.
  const [r3] = (await client.range({ key: `${prefix}/range/r3@`, rangeEnd: `${prefix}/range/r3A`, keysOnly: true }))
    .kvs;
  await client.txn([], [{ put: r3!.key, value: 'not json' }]);
  await assert.rejects(store.read(), (error) => error instanceof IpamError && error.kind === 'store-corrupt');
  const shown = await store.generations();
  assert.ok('error' in shown.current, 'the current book does not decode');
  assert.equal(shown.previous.nextRangeId, 3);
  const restored = await store.restore(shown, shown.previous, AUDIT);
  assert.equal(restored.nextRangeId, 4, 'r3 was handed out: never again');
  await store.update((book) => ({ book: withRanges(book, book.nextRangeId, 1), result: undefined }));
  assert.deepEqual(
    (await store.read()).ranges.map((r) => r.id),
    ['r1', 'r2', 'r4'],
  );
});

test('a schema 1 book is read as it is, rewritten in steps by its next write, and kept as the previous generation', async () => {
  const client = plainClient();
  const prefix = nextPrefix();
  const old = [range(1, [lease(5)]), ...Array.from({ length: 199 }, (_, i) => range(i + 2))];
  const line = (r: RangeRecord) => encodeBookChunks({ schema: 1, generation: 0, nextRangeId: 0, ranges: [r] })[1]!;
  for (let i = 0; i < old.length; i += 100)
    await client.txn(
      [],
      old.slice(i, i + 100).map((r) => ({ put: `${prefix}/range/${r.id}`, value: line(r) })),
    );
  await client.txn(
    [],
    [
      {
        put: `${prefix}/meta`,
        value: JSON.stringify({
          schema: 1,
          generation: 7,
          nextRangeId: 201,
          ranges: old.map((r) => r.id),
          writer: 'x.1',
        }),
      },
    ],
  );
  const store = await madeStore({ client, prefix, lockTimeoutMs: 10_000 });
  assert.deepEqual((await store.read()).ranges[0]!.leases, [lease(5)]);
  await store.update((book) => ({
    book: { ...book, ranges: book.ranges.map((r, i) => (i === 0 ? { ...r, leases: [...r.leases, lease(6)] } : r)) },
    result: undefined,
  }));
  const shown = await store.generations();
  assert.equal(shown.previous.generation, 7);
  assert.deepEqual(shown.previous.ranges[0]!.leases, [lease(5)]);
  assert.ok('book' in shown.current && shown.current.book.ranges[0]!.leases.length === 2);
  await store.update((book) => ({ book: withRanges(book, 201, 1), result: undefined }));
  const keys = await keysUnder(client, prefix);
  assert.deepEqual(
    keys.filter((key) => /\/range\/r[0-9]+$/.test(key)),
    [],
    'the schema 1 keys are gone once no generation needs them',
  );
  assert.equal((await store.read()).ranges.length, 201);
});

test("a schema 1 book that does not decode says why once (not the whole error), and its previous generation is etcd's history", async () => {
  const client = plainClient();
  const prefix = nextPrefix();
  const line = encodeBookChunks({ schema: 1, generation: 0, nextRangeId: 0, ranges: [range(1, [lease(5)])] })[1]!;
  const meta = (generation: number) => ({
    put: `${prefix}/meta`,
    value: JSON.stringify({ schema: 1, generation, nextRangeId: 2, ranges: ['r1'], writer: 'x.1' }),
  });
  await client.txn([], [{ put: `${prefix}/range/r1`, value: line }]);
  await client.txn([], [meta(1)]);
  await client.txn([], [meta(2)]);
  await client.txn([], [{ put: `${prefix}/range/r1`, value: 'not a range line' }]);
  const store = new EtcdStore({ client, prefix, lockTimeoutMs: 5_000 });
  await assert.rejects(store.read(), (error) => error instanceof IpamError && error.kind === 'store-corrupt');
  const shown = await store.generations();
  assert.ok('error' in shown.current, 'the current book does not decode');
  assert.match(shown.current.error, /r1/);
  // restore prints "The book X does not decode (<this>)": the reason, not a second "Cannot read the lease book X: …".
  assert.doesNotMatch(shown.current.error, /Cannot read the lease book/);
  assert.equal(shown.previous.generation, 1);
  assert.deepEqual(shown.previous.ranges[0]!.leases, [lease(5)]);
});

test('a signal during a staged write stops it right before its commit point: nothing changes', async () => {
  const controller = new AbortController();
  class AbortingClient extends EtcdClient {
    override async txn(compare: readonly Compare[], success: readonly Op[]): Promise<TxnResult> {
      // The first staging transaction of the big write: SIGTERM arrives while it is in flight.
      if (success.length > 100) controller.abort('SIGTERM');
      return super.txn(compare, success);
    }
  }
  const store = await madeStore({
    client: new AbortingClient({ endpoints: cluster.endpoints, timeoutMs: 5_000 }),
    prefix: nextPrefix(),
    lockTimeoutMs: 10_000,
  });
  await store.update((book) => ({ book: withRanges(book, 1, 1), result: undefined }));
  await assert.rejects(
    store.update((book) => ({ book: withRanges(book, 2, 300), result: undefined }), { signal: controller.signal }),
    (error) =>
      error instanceof IpamError &&
      error.kind === 'terminated' &&
      /before the commit; nothing was written/.test(error.message),
  );
  const book = await store.read();
  assert.deepEqual([book.generation, book.ranges.map((r) => r.id)], [1, ['r1']]);
});

test('a single value over --max-request-bytes is refused with the size to raise it to; the book is unchanged', async () => {
  const store = await madeStore({ client: plainClient(), prefix: nextPrefix(), lockTimeoutMs: 10_000 });
  await store.update((book) => ({ book: withRanges(book, 1, 1), result: undefined }));
  // 4 096 operator leases in one window, each with a 400-character note: one value of ~1.7 MB.
  const note = 'n'.repeat(400);
  const heavy = Array.from({ length: 4_096 }, (_, i) => ({ ...lease(i, 'operator'), note }));
  await assert.rejects(
    store.update((book) => ({ book: { ...book, ranges: [{ ...range(1, heavy, 4_096n) }] }, result: undefined })),
    (error) => {
      assert.ok(error instanceof IpamError && error.kind === 'store-io', String(error));
      assert.match(error.message, /--max-request-bytes \(1\.5 MiB\)/);
      assert.match(
        error.message,
        /raise --max-request-bytes to \d+ \(\d+ MiB\) on every member; the book is unchanged/,
      );
      return true;
    },
  );
  const book = await store.read();
  assert.deepEqual([book.generation, book.ranges[0]!.leases.length], [1, 0]);
});
