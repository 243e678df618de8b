/**
 * etcd's audit keys are kept as long as the file book's rotated logs are (item 8: they grew for
 * ever): 26 weeks (packaging/nebula-ipam.logrotate: weekly, rotate 26). On a real one-member
 * etcd, with a fake clock: the records older than that go as writes come; the younger stay.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { AuditRecord } from '../../../../src/core/change.ts';
import type { Book } from '../../../../src/core/book/book.ts';
import { EtcdClient } from '../../../../src/store/etcd/etcd-client.ts';
import { AUDIT_RETENTION_MS, COMPACT_EVERY, EtcdStore } from '../../../../src/store/etcd/etcd-store.ts';
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
