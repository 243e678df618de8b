/**
 * An etcd book that lives for years (issue 16 item 6), on one real etcd member started with a
 * 16 MiB --quota-backend-bytes: more than the quota's worth of lease changes go through it and
 * every action and command still works afterwards, free_address first. Before, each write kept
 * a whole range value in etcd's uncompacted history, and the quota filled: from then on etcd
 * refused every write, free_address included.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Lease } from '../../../../src/core/book/book.ts';
import { EtcdClient, type Compare, type Op, type TxnResult } from '../../../../src/store/etcd/etcd-client.ts';
import { EtcdStore } from '../../../../src/store/etcd/etcd-store.ts';
import { createCliSandbox, expectOk } from '../../../support/cli-harness.ts';
import { expectQuietSuccess, expectReply } from '../../../support/driver-assert.ts';
import { startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';

const QUOTA = 16 * 1024 * 1024;
let cluster: EtcdCluster;
before(async () => {
  cluster = await startEtcdCluster(1, { quotaBytes: QUOTA });
});
after(async () => {
  await cluster?.stop();
});

/** Counts the bytes of every value it puts. */
class CountingClient extends EtcdClient {
  written = 0;
  override async txn(compare: readonly Compare[], success: readonly Op[]): Promise<TxnResult> {
    for (const op of success) if ('put' in op) this.written += op.put.length + op.value.length;
    return super.txn(compare, success);
  }
}

const onedLease = (i: number, mac: bigint): Lease => ({
  first: BigInt(i),
  last: BigInt(i),
  holder: 'opennebula',
  mac: mac + BigInt(i),
  requestId: String(i),
  at: '2026-11-01T00:00:00.000Z',
});
/** An operator's lease with a long note: ~360 bytes stored, so the test moves megabytes without decoding millions of leases. */
const operatorLease = (i: number, at: string): Lease => ({
  first: BigInt(i),
  last: BigInt(i),
  holder: 'operator',
  owner: `bm-${i}`,
  note: `rack ${i} ${'-'.repeat(330)}`,
  at,
});
/** oned's leases the actions free later. */
const ONED = new Set([5, 6, 4_100]);

test("more than the quota's worth of changes through a 16 MiB etcd: every action still works", async () => {
  const prefix = '/nebula-ipam/quota';
  const s = createCliSandbox({
    driver: 'quota',
    config: {
      backend: { type: 'etcd', endpoints: cluster.endpoints, prefix, timeoutMs: 5_000 },
      lockTimeoutMs: 20_000,
    },
  });
  try {
    const ar = s.register({ TYPE: 'IP4', IP: '10.60.0.0', SIZE: '32768' }, '1');
    const client = new CountingClient({ endpoints: cluster.endpoints, timeoutMs: 5_000 });
    const store = new EtcdStore({ client, prefix, lockTimeoutMs: 20_000 });
    const leases = (at: string, touched: number, mac: bigint) =>
      Array.from({ length: 32_768 }, (_, i) => i).flatMap((i) =>
        ONED.has(i)
          ? [onedLease(i, mac)]
          : i % 8 === 0
            ? [operatorLease(i, i === touched ? at : '2026-11-01T00:00:00.000Z')]
            : [],
      );
    await store.update((book) => ({
      book: { ...book, ranges: [{ ...book.ranges[0]!, leases: leases('', -1, book.ranges[0]!.mac ?? 0n) }] },
      result: undefined,
    }));
    // Each change takes one operator lease anew: it puts that lease's window (512 leases, ~180 KB).
    let writes = 0;
    for (; client.written < QUOTA * 1.1 && writes < 1_000; writes++) {
      const at = new Date(Date.UTC(2026, 11, 1) + writes * 1000).toISOString();
      const touched = (writes * 8) % 32_768;
      await store.update((book) => ({
        book: {
          ...book,
          ranges: [
            {
              ...book.ranges[0]!,
              leases: book.ranges[0]!.leases.map((l) => (Number(l.first) === touched ? operatorLease(touched, at) : l)),
            },
          ],
        },
        result: undefined,
      }));
    }
    assert.ok(client.written > QUOTA, `${client.written} bytes written in ${writes} changes`);
    console.log(`# etcd: ${writes} changes, ${client.written} bytes put through a ${QUOTA}-byte quota`);

    for (const index of [5n, 6n, 4_100n]) {
      expectQuietSuccess(s.run('free_address', ar.freeXml(index)));
    }
    expectReply(s.run('get_address', ar.getXml(1), { requestId: '900' }), 'ADDRESS');
    expectQuietSuccess(s.run('allocate_address', ar.allocateXml(30_001n), { requestId: '901' }));
    assert.match(expectOk(s.cli(['restore', '--yes'])), /Restored/);
    const status = expectOk(s.cli(['status']));
    assert.match(status, /Storage [0-9.]+ MiB of the 16\.0 MiB quota/);
    const metrics = expectOk(s.cli(['metrics']));
    assert.match(metrics, /^nebula_ipam_store_quota_bytes\{driver="[^"]+"\} 16777216$/m);
    const space = await store.space();
    assert.ok(space && space.usedBytes < QUOTA, `etcd's database is ${space?.usedBytes} bytes`);
    console.log(`# etcd: database ${space.usedBytes} bytes (${space.inUseBytes} in use) after ${writes} changes`);
  } finally {
    s.cleanup();
  }
});
