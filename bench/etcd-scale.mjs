/**
 * `npm run bench:etcd-scale`: how far the etcd backend goes on etcd's default limits
 * (--max-txn-ops 128, --max-request-bytes 1.5 MiB, --quota-backend-bytes 2 GiB), on a real
 * 3-member cluster on 127.0.0.1 (test/support/etcd-cluster.ts; run under tsx). Not a test:
 * the figures for the README's HA section and issue 16's closing note.
 *
 *   limits   the built bundle's `import` of BENCH_SCALE_RANGES (1000,4000,10000) ranges and of
 *            books of BENCH_SCALE_MB (20,50,100) MB, each followed by `restore --yes` (which
 *            takes them all away again); `unregister_address_range` of a range holding
 *            BENCH_SCALE_LEASES (200,1000,4000) operator leases (each kept as a range of its
 *            own). Each: exit code, seconds, and the first stderr line when it failed.
 *   history  BENCH_SCALE_WRITES (10000) lease changes through the store on one range of
 *            100 000 leases (one lease taken anew per write, as free_address + get_address
 *            would), and etcd's db size (in use, and on disk) every 250 writes.
 *
 * BENCH_SCALE_PHASES (limits,history). Prints one JSON line per figure and writes
 * bench/results/etcd-scale-<phases>-latest.json. NODE_EXTRA_CA_CERTS is removed from every child's env.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeBook } from '../src/store/encoding/codec.ts';
import { EtcdClient } from '../src/store/etcd/etcd-client.ts';
import { EtcdStore } from '../src/store/etcd/etcd-store.ts';
import { expectReply } from '../test/support/driver-assert.ts';
import { OnedAr, encodeRequest, registerXml } from '../test/support/driver-harness.ts';
import { startEtcdCluster } from '../test/support/etcd-cluster.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'dist', 'nebula-ipam.cjs');
const list = (name, fallback) => (process.env[name] ?? fallback).split(',').filter(Boolean).map(Number);
const PHASES = (process.env.BENCH_SCALE_PHASES ?? 'limits,history').split(',');
const WRITES = Number(process.env.BENCH_SCALE_WRITES ?? 10_000);

const cluster = await startEtcdCluster();
const client = new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 30_000 });
const results = [];
const report = (figure) => {
  results.push(figure);
  console.log(JSON.stringify(figure));
};

let prefixes = 0;
/** A driver directory with the five action links and the CLI link, and a config naming a fresh prefix. */
function frontEnd() {
  const dir = mkdtempSync(join(os.tmpdir(), 'nebula-scale-'));
  const prefix = `/nebula-ipam/scale-${++prefixes}`;
  for (const name of ['nebula-ipam', 'register_address_range', 'unregister_address_range'])
    symlinkSync(BUNDLE, join(dir, name));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      backend: { type: 'etcd', endpoints: cluster.endpoints, prefix, timeoutMs: 30_000 },
      lockTimeoutMs: 60_000,
      pools: [],
    }),
  );
  const env = { PATH: process.env.PATH, NEBULA_IPAM_CONFIG: config };
  const run = (name, args, input = '') => {
    const started = process.hrtime.bigint();
    const child = spawnSync(join(dir, name), args, { env, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return {
      code: child.status ?? 128,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      stderr: child.stderr,
      stdout: child.stdout,
    };
  };
  const store = new EtcdStore({ client, prefix, lockTimeoutMs: 600_000 });
  return { dir, prefix, run, store, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const operatorLease = (i, note) => ({
  first: BigInt(i),
  last: BigInt(i),
  holder: /** @type {const} */ ('operator'),
  owner: `host-${i}`,
  note,
  at: '2026-11-01T00:00:00.000Z',
});
const onedLease = (i) => ({
  first: BigInt(i),
  last: BigInt(i),
  holder: /** @type {const} */ ('opennebula'),
  mac: 0x02000a000000n + BigInt(i),
  requestId: String(i),
  at: '2026-11-01T00:00:00.000Z',
});
const range = (n, size, leases, extra = {}) => ({
  id: `r${n}`,
  type: /** @type {const} */ ('IP4'),
  size,
  ip: 0x0a000000n + BigInt(n) * size,
  mac: 0x02000a000000n,
  createdAt: '2026-11-29T00:00:00.000Z',
  leases,
  ...extra,
});

/** An export of `count` operator ranges (restore takes them away again) of `size` addresses. */
function exportOf(dir, count, size, leases) {
  const file = join(dir, 'export.json');
  const text = encodeBook({
    schema: 1,
    generation: 1,
    nextRangeId: count + 2,
    ranges: Array.from({ length: count }, (_, i) => range(i + 2, size, leases(i + 2), { unmanaged: true })),
  });
  writeFileSync(file, text);
  return { file, mb: Buffer.byteLength(text) / 1e6 };
}

async function importAndRestore(label, count, size, leases) {
  const fe = frontEnd();
  try {
    await fe.store.update((book) => ({
      book: { ...book, nextRangeId: 2, ranges: [range(1, 16n, [])] },
      result: undefined,
    }));
    const { file, mb } = exportOf(fe.dir, count, size, leases);
    const imported = fe.run('nebula-ipam', ['import', file]);
    report({
      what: `import ${label}`,
      ranges: count,
      mb: Number(mb.toFixed(1)),
      code: imported.code,
      seconds: Number(imported.seconds.toFixed(1)),
      ...(imported.code ? { stderr: imported.stderr.split('\n')[0] } : {}),
    });
    if (imported.code !== 0) return;
    const restored = fe.run('nebula-ipam', ['restore', '--yes']);
    report({
      what: `restore --yes taking away ${label}`,
      ranges: count,
      mb: Number(mb.toFixed(1)),
      code: restored.code,
      seconds: Number(restored.seconds.toFixed(1)),
      ...(restored.code ? { stderr: restored.stderr.split('\n')[0] } : {}),
    });
  } finally {
    fe.cleanup();
  }
}

async function unregister(count) {
  const fe = frontEnd();
  try {
    const size = Math.max(256, count * 2);
    const registered = fe.run(
      'register_address_range',
      ['0'],
      encodeRequest(registerXml({ TYPE: 'IP4', IP: '10.200.0.0', SIZE: String(size), IPAM_MAD: 'nebula' })),
    );
    if (registered.code !== 0) throw new Error(`register_address_range: ${registered.stderr}`);
    const ar = new OnedAr(expectReply(registered, 'AR'));
    await fe.store.update((book) => ({
      book: {
        ...book,
        ranges: book.ranges.map((r) => ({
          ...r,
          leases: Array.from({ length: count }, (_, i) => operatorLease(i * 2, 'bmc')),
        })),
      },
      result: undefined,
    }));
    const done = fe.run('unregister_address_range', ['0'], encodeRequest(ar.unregisterXml('rmar')));
    const book = await fe.store.read();
    report({
      what: 'unregister_address_range of a range with operator leases',
      leases: count,
      code: done.code,
      seconds: Number(done.seconds.toFixed(1)),
      rangesAfter: book.ranges.length,
      ...(done.code ? { stderr: done.stderr.split('\n')[0] } : {}),
    });
  } finally {
    fe.cleanup();
  }
}

async function dbSize() {
  const space = await new EtcdStore({ client, prefix: '/nebula-ipam/none', lockTimeoutMs: 1_000 }).space();
  return { dbBytes: space?.usedBytes, dbInUseBytes: space?.inUseBytes };
}

async function history() {
  const fe = frontEnd();
  try {
    await fe.store.update((book) => ({
      book: {
        ...book,
        nextRangeId: 2,
        ranges: [
          range(
            1,
            131_072n,
            Array.from({ length: 100_000 }, (_, i) => onedLease(i)),
          ),
        ],
      },
      result: undefined,
    }));
    report({ what: 'history', writes: 0, ...(await dbSize()) });
    const started = Date.now();
    for (let w = 1; w <= WRITES; w++) {
      const index = (w * 37) % 100_000;
      const at = new Date(Date.UTC(2026, 11, 1) + w * 1000).toISOString();
      await fe.store.update((book) => ({
        book: {
          ...book,
          ranges: [
            {
              ...book.ranges[0],
              leases: book.ranges[0].leases.map((l) => (Number(l.first) === index ? { ...onedLease(index), at } : l)),
            },
          ],
        },
        result: undefined,
      }));
      if (w % 250 === 0 || w === WRITES)
        report({ what: 'history', writes: w, seconds: Math.round((Date.now() - started) / 1000), ...(await dbSize()) });
    }
  } finally {
    fe.cleanup();
  }
}

try {
  if (PHASES.includes('limits')) {
    for (const count of list('BENCH_SCALE_RANGES', '1000,4000,10000'))
      await importAndRestore(`${count} ranges`, count, 256n, () =>
        Array.from({ length: 10 }, (_, i) => onedLease(i * 7)),
      );
    for (const mb of list('BENCH_SCALE_MB', '20,50,100')) {
      const count = Math.ceil(mb / 2.7);
      await importAndRestore(`a ${mb} MB book`, count, 65_536n, () =>
        Array.from({ length: 16_384 }, (_, i) => operatorLease(i * 4, `cabinet ${'x'.repeat(140)}`)),
      );
    }
    for (const count of list('BENCH_SCALE_LEASES', '200,1000,4000')) await unregister(count);
  }
  if (PHASES.includes('history')) await history();
} finally {
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', `etcd-scale-${PHASES.join('-')}-latest.json`),
    `${JSON.stringify({ node: process.version, when: new Date().toISOString(), results }, null, 2)}\n`,
  );
  await cluster.stop();
}
