/**
 * etcd's audit keys are kept as long as the file book's rotated logs are (item 8: they grew for
 * ever): 26 weeks (packaging/nebula-ipam.logrotate: weekly, rotate 26). On a real one-member
 * etcd, with a fake clock: the records older than that go as writes come; the younger stay.
 * And however young, no more than a count of keys (the file's log has maxsize too): the oldest
 * beyond it go, at most AUDIT_PRUNE_KEYS a prune.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { AuditRecord } from '../../../../src/core/change.ts';
import type { Book } from '../../../../src/core/book/book.ts';
import { EtcdClient } from '../../../../src/store/etcd/etcd-client.ts';
import {
  AUDIT_PRUNE_KEYS,
  AUDIT_RETENTION_MS,
  COMPACT_EVERY,
  EtcdStore,
} from '../../../../src/store/etcd/etcd-store.ts';
import { startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';

let cluster: EtcdCluster | undefined;
after(async () => {
  await cluster?.stop();
});

const NOW = new Date('2027-07-01T00:00:00.000Z');
const at = (action: string, time: string): AuditRecord => ({ time, actor: 'cli:test', action, result: 'ok' });
const touched = (book: Book): Book => ({ ...book, nextRangeId: book.nextRangeId + 1 });

test('audit records older than 26 weeks are deleted as writes come; younger ones stay', async () => {
  cluster = await startEtcdCluster(1);
  const client = new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 2_000 });
  try {
    const store = new EtcdStore({ client, prefix: '/nebula-ipam/retention', lockTimeoutMs: 5_000, now: () => NOW });
    const old = new Date(NOW.getTime() - AUDIT_RETENTION_MS - 86_400_000).toISOString();
    const young = new Date(NOW.getTime() - AUDIT_RETENTION_MS + 86_400_000).toISOString();
    await store.create(at('init', old));
    for (let i = 0; i < 5; i++)
      await store.update((book) => ({ book: touched(book), result: undefined, audit: [at(`old-${i}`, old)] }));
    assert.equal((await store.readAudit(() => true)).records.length, 6, 'nothing pruned before a prune write');
    const writes = 2 * COMPACT_EVERY;
    for (let i = 0; i < writes; i++)
      await store.update((book) => ({ book: touched(book), result: undefined, audit: [at(`young-${i}`, young)] }));
    const { records } = await store.readAudit(() => true);
    assert.deepEqual(
      records.map((r) => r.action),
      Array.from({ length: writes }, (_, i) => `young-${i}`),
      'the old ones are gone, every young one is there, in order',
    );
  } finally {
    client.close();
  }
});

test('past the count bound the oldest keys go, young or not, at most AUDIT_PRUNE_KEYS a prune', async () => {
  cluster ??= await startEtcdCluster(1);
  const client = new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 2_000 });
  try {
    const bound = 10;
    const store = new EtcdStore({
      client,
      prefix: '/nebula-ipam/count-bound',
      lockTimeoutMs: 5_000,
      now: () => NOW,
      auditMaxKeys: bound,
    });
    const young = NOW.toISOString();
    const keys = async () => (await store.readAudit(() => true)).records.map((r) => r.action);
    await store.create(at('init', young));
    // Records a write did not make (audit(): a failed action's) are kept keys too, and trigger no prune.
    const seeded = AUDIT_PRUNE_KEYS + 2 * bound;
    for (let i = 0; i < seeded; i++) await store.audit(at(`seed-${i}`, young));
    let n = 0;
    /** Writes up to and including the next one that prunes (its generation a multiple of COMPACT_EVERY). */
    const writeToPrune = async () => {
      for (let i = 0; i < COMPACT_EVERY; i++) {
        const generation = await store.update((book) => ({
          book: touched(book),
          result: book.generation + 1,
          audit: [at(`write-${n++}`, young)],
        }));
        if (generation % COMPACT_EVERY === 0) return;
      }
      assert.fail(`no write of generation a multiple of ${COMPACT_EVERY} in ${COMPACT_EVERY} writes`);
    };
    await writeToPrune();
    const total = 1 + seeded + n;
    const first = await keys();
    assert.equal(first.length, total - AUDIT_PRUNE_KEYS, 'one prune deletes no more than AUDIT_PRUNE_KEYS keys');
    assert.deepEqual(
      first.slice(-n),
      Array.from({ length: n }, (_, i) => `write-${i}`),
      'the oldest went first',
    );
    await writeToPrune();
    const second = await keys();
    assert.deepEqual(
      second,
      Array.from({ length: bound }, (_, i) => `write-${n - bound + i}`),
      'down to the bound: the newest kept, in order',
    );
  } finally {
    client.close();
  }
});
