/**
 * `npm run bench:etcd` (also the last part of `npm run bench`): the etcd backend's figures, on a
 * real 3-member etcd cluster on 127.0.0.1 (test/support/etcd-cluster.ts; run under tsx, which
 * loads that TypeScript harness and the store used to write the starting books).
 *
 *   - get_address / free_address on a range without leases and on a range of 10 000 leases,
 *     each sample right after a bare `node -e 0`, as ratios (the method of bench/run.mjs); and
 *     the range of 10 000 leases in a file book, for reference (decoding and re-packing 10 000
 *     leases is the codec's work, the same for both backends);
 *   - 16 get_address processes at once on one range, BENCH_ETCD_ROUNDS (4) rounds: latency
 *     p50/p99 and how many times each met a conflict and ran again (the driver's test hook
 *     NEBULA_IPAM_TEST_ETCD_RETRIES_TO), every address distinct.
 *
 * BENCH_REPS (15). Writes bench/results/etcd-latest.json.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEtcdCluster } from '../test/support/etcd-cluster.ts';
import { EtcdClient } from '../src/store/etcd/etcd-client.ts';
import { EtcdStore } from '../src/store/etcd/etcd-store.ts';
import { book, ip4Range, loadCodec } from './books.mjs';
import { childEnv, median, quantile, runTimed } from './measure.mjs';
import { addressRequest, formatIPv4, formatMac, getRequest, parseIPv4, replyValue, storedAr } from './requests.mjs';
import { makeFrontEnd } from './setup.mjs';
import { canUsePipes, pipeSlot } from './stdin-pipe.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPS = Number(process.env.BENCH_REPS ?? 15);
const ROUNDS = Number(process.env.BENCH_ETCD_ROUNDS ?? 4);
const WAY = 16;

const cluster = await startEtcdCluster();
// The test bundle (node build.mjs --test-hooks): the contention figures come from a test hook.
const frontEnd = makeFrontEnd(join(ROOT, 'dist', 'test', 'nebula-ipam.cjs'));
const stdinFd = canUsePipes ? pipeSlot(frontEnd.root, 'etcd') : undefined;
const config = join(frontEnd.root, 'etcd.json');
writeFileSync(
  config,
  JSON.stringify({
    backend: { type: 'etcd', endpoints: cluster.endpoints, prefix: '/nebula-ipam/bench' },
    lockTimeoutMs: 60_000,
    pools: [],
  }),
);
const retriesFile = join(frontEnd.root, 'retries');
const env = childEnv({
  NEBULA_IPAM_CONFIG: config,
  NEBULA_IPAM_CODE_CACHE: join(frontEnd.root, 'code-cache'),
  NEBULA_IPAM_STORE: undefined,
});
delete env.NEBULA_IPAM_STORE;
let requestId = 1;

const cleanup = async () => {
  rmSync(frontEnd.root, { recursive: true, force: true });
  await cluster.stop();
};

try {
  // r1: 256 addresses, no leases; r2: 16 384 addresses, 10 000 leases; r3: 256, for contention.
  const big = ip4Range(2, 0x0b000000n, 16_384);
  const start = Date.UTC(2026, 0, 1);
  big.leases = Array.from({ length: 10_000 }, (_, i) => ({
    first: BigInt(i),
    last: BigInt(i),
    holder: 'opennebula',
    mac: big.mac + BigInt(i),
    requestId: String(5000 + 3 * i),
    at: new Date(start + 1_700 * (i + 1)).toISOString(),
  }));
  const ranges = [ip4Range(1, 0x0a000000n, 256), big, ip4Range(3, 0x0c000000n, 256)];
  const client = new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 5_000 });
  const store = new EtcdStore({ client, prefix: '/nebula-ipam/bench', lockTimeoutMs: 30_000 });
  // A book is made on purpose (as `nebula-ipam init` does), then filled.
  await store.create({ time: new Date().toISOString(), actor: 'bench', action: 'init', result: 'ok' });
  await store.update((b) => ({
    book: { .../** @type {any} */ (book(ranges)), generation: b.generation },
    result: undefined,
  }));
  client.close();

  // The same books as a file, for reference: what the 10 000 leases cost without etcd.
  const codec = await loadCodec(ROOT);
  const fileBook = join(frontEnd.root, 'file-book', 'leases.json');
  mkdirSync(dirname(fileBook), { recursive: true });
  writeFileSync(fileBook, codec.encodeBook(book(ranges)));
  const fileConfig = join(frontEnd.root, 'file.json');
  writeFileSync(fileConfig, JSON.stringify({ lockTimeoutMs: 60_000, pools: [] }));
  const fileEnv = childEnv({
    NEBULA_IPAM_CONFIG: fileConfig,
    NEBULA_IPAM_STORE: fileBook,
    NEBULA_IPAM_CODE_CACHE: join(frontEnd.root, 'code-cache'),
  });

  const rows = [];
  for (const [label, range, backend] of /** @type {[string, (typeof ranges)[number], string][]} */ ([
    ['range without leases', ranges[0], 'etcd'],
    ['range of 10 000 leases', ranges[1], 'etcd'],
    ['range of 10 000 leases', ranges[1], 'file'],
  ])) {
    const ar = storedAr({ ...range, size: Number(range.size) });
    /** @type {{ name: string, samples: number[], baseline: number[] }} */
    const get = { name: `${backend} get_address, ${label}`, samples: [], baseline: [] };
    /** @type {{ name: string, samples: number[], baseline: number[] }} */
    const free = { name: `${backend} free_address, ${label}`, samples: [], baseline: [] };
    const runEnv = backend === 'etcd' ? env : fileEnv;
    process.stderr.write(`  ${get.name} ...\n`);
    for (let i = -1; i < REPS; i++) {
      const b1 = bare();
      const got = action('get_address', getRequest(ar), runEnv);
      const ip = parseIPv4(replyValue(got.stdout, 'IP'));
      const b2 = bare();
      const freed = action(
        'free_address',
        addressRequest(ar, { mac: formatMac(range.mac + ip - range.ip), ip: formatIPv4(ip) }),
        runEnv,
      );
      if (i < 0) continue; // warm-up: the code cache
      get.baseline.push(b1);
      get.samples.push(got.ms);
      free.baseline.push(b2);
      free.samples.push(freed.ms);
    }
    rows.push(get, free);
  }

  process.stderr.write(`  ${WAY}-way contention ...\n`);
  const ar3 = storedAr({ ...ranges[2], size: 256 });
  const slots = Array.from({ length: WAY }, (_, i) => (canUsePipes ? pipeSlot(frontEnd.root, `way-${i}`) : undefined));
  const latencies = [];
  const makespans = [];
  for (let round = 0; round < ROUNDS; round++) {
    rmSync(retriesFile, { force: true });
    const start = performance.now();
    const results = await Promise.all(
      slots.map((slot) => spawnAsync(frontEnd.links.get_address, [String(requestId++)], getRequest(ar3), slot)),
    );
    makespans.push(performance.now() - start);
    const ips = results.map((r) => {
      if (r.status !== 0) throw new Error(`get_address failed under contention: ${r.stderr}`);
      latencies.push(r.ms);
      return replyValue(r.stdout, 'IP');
    });
    if (new Set(ips).size !== WAY)
      throw new Error(`${WAY} concurrent get_address got ${new Set(ips).size} distinct addresses`);
    for (const ip of ips)
      action('free_address', addressRequest(ar3, { mac: formatMac(ranges[2].mac + parseIPv4(ip) - ranges[2].ip), ip }));
  }
  const retries = readFileSync(retriesFile, 'utf8').trim().split('\n').map(Number);
  const base = median(Array.from({ length: 15 }, bare));

  const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const table = rows.map((r) => ({
    scenario: r.name,
    n: r.samples.length,
    medianMs: median(r.samples),
    p95Ms: quantile(r.samples, 0.95),
    baselineMs: median(r.baseline),
    ratio: median(r.samples) / median(r.baseline),
  }));
  const contention = {
    scenario: `${WAY} get_address processes at once on one range, ${ROUNDS} rounds`,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    makespanMedianMs: median(makespans),
    baselineMs: base,
    retries: {
      total: retries.reduce((a, b) => a + b, 0),
      mean: retries.reduce((a, b) => a + b, 0) / retries.length,
      p50: quantile(retries, 0.5),
      p99: quantile(retries, 0.99),
      max: Math.max(...retries),
      ofLastRoundActions: retries.length,
    },
  };
  const lines = [
    '| scenario (3-member etcd on 127.0.0.1) | n | median ms | p95 ms | bare node ms | ratio |',
    '|---|---:|---:|---:|---:|---:|',
    ...table.map(
      (t) =>
        `| ${t.scenario} | ${t.n} | ${fmt(t.medianMs)} | ${fmt(t.p95Ms)} | ${fmt(t.baselineMs)} | ${fmt(t.ratio, 2)}x |`,
    ),
    '',
    `${contention.scenario}: every address distinct; latency p50 ${fmt(contention.p50Ms)} ms, p99 ${fmt(contention.p99Ms)} ms; all ${WAY} done in ${fmt(contention.makespanMedianMs)} ms (median; bare node ${fmt(base)} ms); conflicts per action (last round): mean ${fmt(contention.retries.mean, 2)}, p50 ${contention.retries.p50}, p99 ${contention.retries.p99}, max ${contention.retries.max}.`,
    `Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}; etcd data in ${os.tmpdir()} (${cluster.dir}).`,
  ];
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'etcd-latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), rows: table, contention, markdown: text }, null, 2)}\n`,
  );
} finally {
  await cleanup();
}

function bare() {
  return runTimed('node', ['-e', '0'], { env: childEnv(), stdinFd }).ms;
}

function action(name, input, runEnv = env) {
  const result = runTimed(frontEnd.links[name], [String(requestId++)], {
    input,
    env: runEnv,
    cwd: frontEnd.root,
    stdinFd,
  });
  if (result.status !== 0) throw new Error(`${name} failed (exit ${result.status}): ${result.stderr.trim()}`);
  return result;
}

function spawnAsync(file, args, input, slot) {
  return new Promise((resolvePromise, reject) => {
    const fd = slot?.(input);
    const start = performance.now();
    const child = spawn(file, args, {
      env: { ...env, NEBULA_IPAM_TEST_ETCD_RETRIES_TO: retriesFile },
      stdio: [fd ?? 'pipe', 'pipe', 'pipe'],
    });
    if (fd !== undefined) closeSync(fd);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr, ms: performance.now() - start }));
    if (fd === undefined) child.stdin.end(input);
  });
}
