/**
 * The etcd store's own promises, on a real 3-member cluster: a write whose answer is lost is
 * found again (never applied twice, never dropped), a range of 100 000 leases is stored and
 * changed, restore needs no history, and a broken layout is refused by name.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Book, Lease, RangeRecord } from '../../../../src/core/book/book.ts';
import { IpamError } from '../../../../src/core/errors.ts';
import {
  AnswerLost,
  EtcdClient,
  type Compare,
  type Op,
  type RangeRequest,
  type RangeResult,
  type TxnResult,
} from '../../../../src/store/etcd/etcd-client.ts';
import { EtcdStore } from '../../../../src/store/etcd/etcd-store.ts';
import { post, startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';

let cluster: EtcdCluster;
before(async () => {
  cluster = await startEtcdCluster();
});
after(async () => {
  await cluster?.stop();
});

let prefixes = 0;
const plainClient = () => new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 2_000 });
const INIT = { time: '2026-11-29T09:00:00.000Z', actor: 'cli:test', action: 'init', result: 'ok' } as const;
/** The empty book made on purpose under `prefix` (by a client of its own: a test client's tricks are for the writes under test). */
async function created(prefix: string): Promise<string> {
  const client = plainClient();
  try {
    await new EtcdStore({ client, prefix, lockTimeoutMs: 5_000 }).create(INIT);
  } finally {
    client.close();
  }
  return prefix;
}
const storeWith = async (client: EtcdClient, lockTimeoutMs = 5_000) =>
  new EtcdStore({ client, prefix: await created(`/nebula-ipam/store-test-${++prefixes}`), lockTimeoutMs });

const range = (id: string, leases: readonly Lease[] = [], size = 65_536n): RangeRecord => ({
  id,
  type: 'IP4',
  size,
  ip: 0x0a000000n,
  mac: 0x02000a000000n,
  createdAt: '2026-11-29T00:00:00.000Z',
  leases,
});
const addRange = (book: Book): Book => ({
  ...book,
  nextRangeId: book.nextRangeId + 1,
  ranges: [...book.ranges, range(`r${book.nextRangeId}`)],
});
const lease = (i: number, at = '2026-11-29T10:00:00.000Z'): Lease => ({
  first: BigInt(i),
  last: BigInt(i),
  holder: 'opennebula',
  mac: 0x02000a000000n + BigInt(i),
  requestId: String(1000 + i),
  at,
});
const withLease = (book: Book, i: number): Book => ({
  ...book,
  ranges: book.ranges.map((r, k) =>
    k === 0 ? { ...r, leases: [...r.leases, lease(i)].sort((a, b) => Number(a.first - b.first)) } : r,
  ),
});

/** A client that loses the answer of its next `count` transactions, after (or before) sending them. */
class LosingClient extends EtcdClient {
  constructor(
    private count: number,
    private readonly landFirst: boolean,
  ) {
    super({ endpoints: cluster.endpoints, timeoutMs: 2_000 });
  }
  override async txn(compare: readonly Compare[], success: readonly Op[]): Promise<TxnResult> {
    if (this.count > 0) {
      this.count--;
      if (this.landFirst) await super.txn(compare, success);
      throw new AnswerLost('answer lost (test)');
    }
    return super.txn(compare, success);
  }
}

test('a write whose answer was lost after it landed is recognised, not applied again', async () => {
  const store = await storeWith(new LosingClient(1, true));
  let runs = 0;
  const result = await store.update((book) => {
    runs++;
    return { book: addRange(book), result: 'added' };
  });
  const book = await store.read();
  assert.deepEqual([result, runs, book.generation, book.ranges.map((r) => r.id)], ['added', 1, 1, ['r1']]);
});

test('a write whose answer was lost before it landed is sent again and lands once', async () => {
  const store = await storeWith(new LosingClient(2, false));
  const result = await store.update((book) => ({ book: addRange(book), result: 'added' }));
  const book = await store.read();
  assert.deepEqual([result, book.generation, book.ranges.map((r) => r.id)], ['added', 1, ['r1']]);
});

/** A client whose first transaction's answer is lost and which lands it late: right after the next read answers. */
class LateClient extends EtcdClient {
  private held: [readonly Compare[], readonly Op[]] | undefined;
  private first = true;
  constructor() {
    super({ endpoints: cluster.endpoints, timeoutMs: 2_000 });
  }
  override async txn(compare: readonly Compare[], success: readonly Op[]): Promise<TxnResult> {
    if (this.first) {
      this.first = false;
      this.held = [compare, success];
      throw new AnswerLost('answer lost, the write still in flight (test)');
    }
    return super.txn(compare, success);
  }
  override async range(request: RangeRequest): Promise<RangeResult> {
    const answer = await super.range(request);
    const held = this.held;
    this.held = undefined;
    if (held) await super.txn(...held);
    return answer;
  }
}

test('a lost write that lands while its outcome is being looked up is recognised, not applied again', async () => {
  const store = await storeWith(new LateClient());
  let runs = 0;
  await store.update((book) => {
    runs++;
    return { book: addRange(book), result: undefined };
  });
  const book = await store.read();
  assert.deepEqual([runs, book.generation, book.ranges.map((r) => r.id)], [1, 1, ['r1']]);
});

test('concurrent writers in one process: every change lands exactly once', async () => {
  const prefix = await created(`/nebula-ipam/store-test-${++prefixes}`);
  const stores = Array.from(
    { length: 8 },
    () => new EtcdStore({ client: plainClient(), prefix, lockTimeoutMs: 20_000 }),
  );
  await stores[0]!.update((book) => ({ book: addRange(book), result: undefined }));
  await Promise.all(
    stores.flatMap((store, s) =>
      [0, 1, 2].map((k) => store.update((book) => ({ book: withLease(book, s * 3 + k), result: undefined }))),
    ),
  );
  const book = await stores[0]!.read();
  assert.deepEqual(
    book.ranges[0]!.leases.map((l) => Number(l.first)).sort((a, b) => a - b),
    Array.from({ length: 24 }, (_, i) => i),
  );
  assert.equal(book.generation, 25, 'one generation per write');
});

test('a range of 100 000 leases is stored and changed by one more lease', async () => {
  const store = await storeWith(plainClient(), 20_000);
  const many = Array.from({ length: 100_000 }, (_, i) =>
    lease(i, new Date(Date.UTC(2026, 10, 1) + i * 1_000).toISOString()),
  );
  await store.update((book) => ({
    book: { ...book, nextRangeId: 2, ranges: [range('r1', many, 131_072n)] },
    result: undefined,
  }));
  const started = Date.now();
  let decided = 0;
  await store.update((book) => {
    const next = withLease(book, 100_000);
    decided = Date.now();
    return { book: next, result: undefined };
  });
  const ms = Date.now() - started;
  console.log(`# etcd: read+decide ${decided - started} ms`);
  const book = await store.read();
  assert.equal(book.ranges[0]!.leases.length, 100_001);
  assert.deepEqual(book.ranges[0]!.leases[99_999], many[99_999]);
  console.log(`# etcd: one more lease in a range of 100 000 leases: ${ms} ms`);
});

test('a layout that does not add up is refused by name, and nothing is written', async () => {
  const client = plainClient();
  const store = await storeWith(client);
  await store.update((book) => ({ book: addRange(book), result: undefined }));
  const prefix = `/nebula-ipam/store-test-${prefixes}`;
  const [header] = (await client.range({ key: `${prefix}/range/r1@`, rangeEnd: `${prefix}/range/r1A`, keysOnly: true }))
    .kvs;
  await client.txn([], [{ delete: header!.key }]);
  await assert.rejects(
    store.update((book) => ({ book: addRange(book), result: undefined })),
    (error) => {
      assert.ok(error instanceof IpamError && error.kind === 'store-corrupt', String(error));
      assert.match(
        error.message,
        /the head lists \/nebula-ipam\/store-test-\d+\/range\/r1@[0-9a-z.]+, which does not exist/,
      );
      return true;
    },
  );
  assert.equal(
    (await client.range({ key: `${prefix}/meta` })).kvs[0]?.version,
    '2',
    'meta untouched since the one write (create was the first)',
  );
});

test('restore needs no history: after etcd compacted everything, the previous generation comes back', async () => {
  const client = plainClient();
  const store = await storeWith(client);
  await store.update((book) => ({ book: addRange(book), result: undefined }));
  await store.update((book) => ({ book: addRange(book), result: undefined }));
  assert.deepEqual(
    (await store.generations()).previous.ranges.map((r) => r.id),
    ['r1'],
  );
  const { revision } = await client.range({ key: 'any' });
  await post(cluster.endpoints[0]!, '/v3/kv/compaction', { revision, physical: true });
  const shown = await store.generations();
  assert.deepEqual(
    shown.previous.ranges.map((r) => r.id),
    ['r1'],
  );
  const restored = await store.restore(shown, shown.previous, {
    time: '2026-12-01T00:00:00.000Z',
    actor: 'test',
    action: 'restore',
    result: 'ok',
  });
  assert.deepEqual([restored.generation, restored.nextRangeId], [3, 3], 'a new generation; the counter stays above r2');
  assert.deepEqual(
    (await store.read()).ranges.map((r) => r.id),
    ['r1'],
  );
});
