/**
 * The etcd backend at real size, black-box against a real 3-member cluster on etcd's default
 * limits (--max-txn-ops 128, --max-request-bytes 1.5 MiB), issue 16 item 5: `import` of 1 000
 * ranges and of a 20 MB book, `restore --yes` both ways over them, and `unregister_address_range`
 * of a range holding 200 operator leases (each kept as a range of its own). One transaction per
 * change failed every one of these with exit 8.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Book, Lease, RangeRecord } from '../../../../src/core/book/book.ts';
import { encodeBook } from '../../../../src/store/encoding/codec.ts';
import { EtcdClient } from '../../../../src/store/etcd/etcd-client.ts';
import { EtcdStore } from '../../../../src/store/etcd/etcd-store.ts';
import { createCliSandbox, expectOk, type CliSandbox } from '../../../support/cli-harness.ts';
import { expectQuietSuccess } from '../../../support/driver-assert.ts';
import { OnedAr } from '../../../support/driver-harness.ts';
import { onevnetList } from '../../../support/onevnet-list.ts';
import { startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';

let cluster: EtcdCluster;
before(async () => {
  cluster = await startEtcdCluster();
});
after(async () => {
  await cluster?.stop();
});

const POOLS = [{ name: 'lab', network: '10.40.0.0/16', subnetPrefix: 24, gateway: 'first', default: true }];
let drivers = 0;

function etcdSandbox(): CliSandbox & { prefix: string } {
  const driver = `scale${++drivers}`;
  const prefix = `/nebula-ipam/scale-${driver}`;
  const sandbox = createCliSandbox({
    driver,
    config: {
      backend: { type: 'etcd', endpoints: cluster.endpoints, prefix, timeoutMs: 5_000 },
      lockTimeoutMs: 60_000,
      pools: POOLS,
    },
  });
  return { ...sandbox, prefix };
}

interface StatusJson {
  generation: number;
  ranges: { id: string; used: number }[];
}

const operatorLease = (i: number, note: string): Lease => ({
  first: BigInt(i),
  last: BigInt(i),
  holder: 'operator',
  owner: `host-${i}`,
  note,
  at: '2026-11-01T00:00:00.000Z',
});
const onedLease = (i: number): Lease => ({
  first: BigInt(i),
  last: BigInt(i),
  holder: 'opennebula',
  mac: 0x02000a000000n + BigInt(i),
  requestId: String(i),
  at: '2026-11-01T00:00:00.000Z',
});

/** An export of `count` ranges (r2 on: the book has its r1) of `size` addresses from 10.100.0.0 on, each with `leases(n)`. */
function exportFile(s: CliSandbox, count: number, size: bigint, leases: (n: number) => readonly Lease[]): string {
  const ranges: RangeRecord[] = Array.from({ length: count }, (_, i) => ({
    id: `r${i + 2}`,
    type: 'IP4',
    size,
    ip: 0x0a640000n + BigInt(i) * size,
    mac: 0x02000a000000n,
    createdAt: '2026-11-29T00:00:00.000Z',
    // An operator's ranges: restore drops them (it keeps the ranges oned registered since).
    unmanaged: true,
    leases: leases(i + 1),
  }));
  const book: Book = { schema: 1, generation: 1, nextRangeId: count + 2, ranges };
  const file = path.join(s.dir, 'export.json');
  fs.writeFileSync(file, encodeBook(book));
  return file;
}

test('import of 1 000 ranges, then restore --yes without them and with them again', () => {
  const s = etcdSandbox();
  try {
    s.register({ SIZE: '16' }, '1');
    const file = exportFile(s, 1_000, 256n, (n) =>
      Array.from({ length: 10 }, (_, i) => (n % 2 ? onedLease(i * 7) : operatorLease(i * 7, 'rack 12'))),
    );
    expectOk(s.cli(['import', file]));
    const imported = s.json<StatusJson>(['status']);
    assert.equal(imported.ranges.length, 1_001);
    assert.equal(imported.ranges.at(-1)!.used, 10);
    assert.match(expectOk(s.cli(['restore', '--yes'])), /Restored: the book is now generation 3/);
    assert.equal(s.json<StatusJson>(['status']).ranges.length, 1, 'the book before the import');
    assert.match(expectOk(s.cli(['restore', '--yes'])), /Restored: the book is now generation 4/);
    const back = s.json<StatusJson>(['status']);
    assert.equal(back.ranges.length, 1_001, 'the import back, restored from the replaced generation');
    assert.match(expectOk(s.cli(['verify'])), /./);
  } finally {
    s.cleanup();
  }
});

test('import of a 20 MB book, and restore --yes of the book before it', () => {
  const s = etcdSandbox();
  try {
    s.register({ SIZE: '16' }, '1');
    const note = `cabinet ${'x'.repeat(160)}`;
    const file = exportFile(s, 8, 65_536n, () => Array.from({ length: 16_384 }, (_, i) => operatorLease(i * 4, note)));
    const bytes = fs.statSync(file).size;
    assert.ok(bytes > 20_000_000, `the export is ${bytes} bytes`);
    expectOk(s.cli(['import', file]));
    const imported = s.json<StatusJson>(['status']);
    assert.deepEqual(
      imported.ranges.map((r) => r.used),
      [0, ...Array(8).fill(16_384)],
    );
    assert.match(expectOk(s.cli(['restore', '--yes'])), /Restored/);
    assert.equal(s.json<StatusJson>(['status']).ranges.length, 1);
  } finally {
    s.cleanup();
  }
});

test('unregister_address_range of a range holding 200 operator leases keeps each as a range of its own', async () => {
  const s = etcdSandbox();
  try {
    const ar = s.register({ SIZE: '250' }, '1');
    // The operator's 200 leases, put in as `lease --range` would (in-process: 200 commands take long).
    const store = new EtcdStore({
      client: new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 5_000 }),
      prefix: s.prefix,
      lockTimeoutMs: 20_000,
    });
    await store.update((book) => ({
      book: {
        ...book,
        ranges: book.ranges.map((r) => ({
          ...r,
          leases: Array.from({ length: 200 }, (_, i) => operatorLease(i + 10, 'bmc')),
        })),
      },
      result: undefined,
    }));
    expectQuietSuccess(s.run('unregister_address_range', ar.unregisterXml('rmar')));
    const after = s.json<StatusJson>(['status']);
    assert.equal(after.ranges.length, 200, 'every operator lease kept as an unmanaged range');
    assert.ok(
      after.ranges.every((r) => r.id !== 'r1' && r.used === 1),
      'r1 is gone',
    );
  } finally {
    s.cleanup();
  }
});

test('reconcile --apply rebuilds 100 ARs from onevnet list -x into an empty etcd book', async () => {
  const s = etcdSandbox();
  try {
    const first = s.register({ TYPE: 'IP4', IP: '10.50.1.0', SIZE: '100' }, '1');
    // oned's ARs as register made them: the first one's reply, moved to its own /24 and id.
    const ars = Array.from({ length: 100 }, (_, i) =>
      i === 0
        ? first
        : new OnedAr(
            {
              ...first.attrs,
              IP: `10.50.${i + 1}.0`,
              MAC: `02:00:0a:32:${(i + 1).toString(16).padStart(2, '0')}:00`,
              NEBULA_IPAM_RANGE: `r${i + 1}`,
            },
            { arId: i },
          ),
    );
    const file = path.join(s.dir, 'vnets.xml');
    fs.writeFileSync(
      file,
      onevnetList([
        {
          id: 0,
          name: 'big',
          ars: ars.map((ar) => ({
            ar,
            holders: new Map([
              [3n, 'VM 7'],
              [4n, 'VM 8'],
            ]),
          })),
        },
      ]),
    );
    const printed = new Date(Date.now() + 1000);
    fs.utimesSync(file, printed, printed);
    // The book emptied behind oned's back: every AR is "in OpenNebula only".
    const store = new EtcdStore({
      client: new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 5_000 }),
      prefix: s.prefix,
      lockTimeoutMs: 20_000,
    });
    await store.update((book) => ({ book: { ...book, ranges: [] }, result: undefined }));
    const rebuilt = s.cli([
      'reconcile',
      '--from',
      file,
      '--apply',
      '--as-of',
      new Date(Date.now() + 1000).toISOString(),
    ]);
    assert.equal(rebuilt.code, 0, rebuilt.stdout + rebuilt.stderr);
    const status = s.json<StatusJson>(['status']);
    assert.equal(status.ranges.length, 100);
    assert.ok(status.ranges.every((r) => r.used === 2));
  } finally {
    s.cleanup();
  }
});
