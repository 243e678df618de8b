/**
 * Issue 17 item 1 side by side: an older build (BENCH_OLD_BUNDLE, and BENCH_OLD_ROOT, a checkout
 * of its sources, for its codec) against this one, in one run, samples interleaved:
 *   - the header decode of a book of 4 000 ranges (1 000 000 leases), in a fresh process each
 *     sample, as a change reads it: the book decoded for a change and every range's footprint
 *     read (what get_address's overlap check reads; the older codec's `quickFootprint` if it has one);
 *   - get_address and allocate_address (each followed by an untimed free_address) on a small book
 *     (one range, no leases) and at 100 000 leases (400 ranges), as ratios to a bare `node -e 0`
 *     run just before each pair.
 *
 *   git archive <commit> | tar -x -C /tmp/old && ln -s $PWD/node_modules /tmp/old/ && (cd /tmp/old && node build.mjs)
 *   node build.mjs && BENCH_OLD_ROOT=/tmp/old BENCH_OLD_BUNDLE=/tmp/old/dist/nebula-ipam.cjs node bench/plain-book.mjs
 *
 * BENCH_REPS (11) samples a row; BENCH_PARTS=decode measures the header decode only. Every row
 * gives wall time (median) and CPU time, user+system: of the decoding process around the decode
 * (process.cpuUsage, so the garbage collector's helper threads count), and of each child process
 * (the parent's children's times in /proc/self/stat, in clock ticks: their mean over the samples
 * is kept, a median of 10 ms ticks would hide differences). The machine's load average is printed
 * with the table. NODE_EXTRA_CA_CERTS is removed from every child (measure.mjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { book, bundleCodec, ip4Range, leasedBook, loadCodec } from './books.mjs';
import { childEnv, median, runTimed } from './measure.mjs';
import { addressRequest, formatIPv4, formatMac, getRequest, parseIPv4, replyValue, storedAr } from './requests.mjs';
import { makeFrontEnd, scenarioDir } from './setup.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = join(ROOT, 'node_modules');
const REPS = Number(process.env.BENCH_REPS ?? 11);
const ACTIONS = process.env.BENCH_PARTS !== 'decode';
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU ms (user+system) of the children this process has waited for, so far. */
function childrenCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command's closing parenthesis; cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

/** `fn()`'s result with the CPU ms its children used, as `cpu`. */
function withChildrenCpu(fn) {
  const before = childrenCpuMs();
  const result = fn();
  return { result, cpu: childrenCpuMs() - before };
}
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const OLD_ROOT = process.env.BENCH_OLD_ROOT;
const OLD_BUNDLE = process.env.BENCH_OLD_BUNDLE;
if (!OLD_ROOT || !OLD_BUNDLE) throw new Error('BENCH_OLD_ROOT and BENCH_OLD_BUNDLE name the build to compare with');

const scratch = mkdtempSync(join(tmpdir(), 'nebula-ipam-plain-book-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const codec = await loadCodec(ROOT, MODULES);
const sides = {
  before: { bundle: OLD_BUNDLE, codec: await bundleCodec(OLD_ROOT, MODULES, join(scratch, 'old-codec.mjs')) },
  after: {
    bundle: join(ROOT, 'dist', 'nebula-ipam.cjs'),
    codec: await bundleCodec(ROOT, MODULES, join(scratch, 'codec.mjs')),
  },
};

// --- Header decode, in-process -----------------------------------------------------------------
const bigBook = join(scratch, 'books-4000.json');
writeFileSync(bigBook, codec.encodeBook(leasedBook(1_000_000, 250)));
const DECODE = `
const { readFileSync } = await import('node:fs');
const codec = await import(process.argv[1]);
const source = readFileSync(process.argv[2]);
const start = performance.now();
const cpu = process.cpuUsage();
const book = codec.decodeBookLazily(source, process.argv[2]);
const span = (ip, size) => (ip === undefined ? undefined : { first: ip, last: ip + size - 1n });
for (const range of book.ranges)
  for (const family of ['ipv4', 'ipv6'])
    if (codec.quickFootprint) codec.quickFootprint(range, family);
    else if (family === 'ipv4') void (range.block ?? span(range.ip, range.size));
    else void (range.block6 ?? span(range.ip6, range.size));
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ ms, cpu: (used.user + used.system) / 1000 }));
`;
/** @type {Record<'before' | 'after', { ms: number[], cpu: number[] }>} */
const decode = { before: { ms: [], cpu: [] }, after: { ms: [], cpu: [] } };
for (let i = 0; i < REPS; i++)
  for (const side of i % 2 ? ['after', 'before'] : ['before', 'after']) {
    const run = spawnSync('node', ['--input-type=module', '-e', DECODE, sides[side].codec, bigBook], {
      env: childEnv(),
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`decode (${side}) failed: ${run.stderr}`);
    const { ms, cpu } = JSON.parse(run.stdout);
    decode[side].ms.push(ms);
    decode[side].cpu.push(cpu);
  }

// --- Actions through each bundle ----------------------------------------------------------------
const fronts = ACTIONS && { before: makeFrontEnd(OLD_BUNDLE), after: makeFrontEnd(sides.after.bundle) };
process.on('exit', () => {
  for (const front of Object.values(fronts || {})) rmSync(front.root, { recursive: true, force: true });
});
let requestId = 1;
function act(side, file, action, input) {
  const front = fronts[side];
  const env = childEnv({
    NEBULA_IPAM_CONFIG: front.config,
    NEBULA_IPAM_STORE: file,
    NEBULA_IPAM_CODE_CACHE: join(front.root, 'code-cache'),
  });
  const run = runTimed(front.links[action], [String(requestId++)], { input, env, cwd: dirname(file) });
  if (run.status !== 0) throw new Error(`${action} (${side}) failed: ${run.stderr.trim()}`);
  return run;
}
/** The action's wall ms and its CPU ms (user+system of the child). */
function actTimed(side, file, action, input) {
  const { result, cpu } = withChildrenCpu(() => act(side, file, action, input));
  return { ...result, cpu };
}
const small = ip4Range(1, parseIPv4('10.0.0.0'), 256);
const leased = leasedBook(100_000, 250);
const target = leased.ranges[leased.ranges.length >> 1];
const books = ACTIONS
  ? [
      { label: 'small book (one range, no leases)', value: book([small]), range: small },
      { label: '100 000 leases in 400 ranges', value: leased, range: target },
    ]
  : [];
/** @typedef {{ ms: number[], cpu: number[] }} Samples */
/** @type {({ name: string } & Record<'before' | 'after' | 'baseline', Samples>)[]} */
const rows = [];
for (const { label, value, range } of books) {
  const ar = storedAr({ ...range, size: 256 });
  const files = {};
  for (const side of ['before', 'after']) {
    files[side] = join(scenarioDir(fronts[side], label), 'leases.json');
    writeFileSync(files[side], codec.encodeBook(value));
  }
  const free = (ip) => addressRequest(ar, { mac: formatMac(range.mac + ip - range.ip), ip: formatIPv4(ip) });
  const steps = {
    get_address: (side) => {
      const run = actTimed(side, files[side], 'get_address', getRequest(ar));
      act(side, files[side], 'free_address', free(parseIPv4(replyValue(run.stdout, 'IP'))));
      return run;
    },
    allocate_address: (side) => {
      const ip = range.ip + 253n;
      const run = actTimed(side, files[side], 'allocate_address', free(ip));
      act(side, files[side], 'free_address', free(ip));
      return run;
    },
  };
  for (const [action, step] of Object.entries(steps)) {
    /** @type {Record<'before' | 'after' | 'baseline', Samples>} */
    const samples = { before: { ms: [], cpu: [] }, after: { ms: [], cpu: [] }, baseline: { ms: [], cpu: [] } };
    const keep = (side, { ms, cpu }) => {
      samples[side].ms.push(ms);
      samples[side].cpu.push(cpu);
    };
    // Untimed warm-up: writes each build's code cache, as a front-end has one.
    for (const side of ['before', 'after']) step(side);
    for (let i = 0; i < REPS; i++) {
      const bare = withChildrenCpu(() => runTimed('node', ['-e', '0'], { env: childEnv() }));
      keep('baseline', { ms: bare.result.ms, cpu: bare.cpu });
      for (const side of i % 2 ? ['after', 'before'] : ['before', 'after']) keep(side, step(side));
    }
    rows.push({ name: `${action}, ${label}`, ...samples });
  }
}

const fmt = (v, d = 1) => v.toFixed(d);
const load = loadavg()
  .map((v) => v.toFixed(2))
  .join(', ');
const lines = [
  `Node ${process.version}, load average at the end ${load}; wall: median of ${REPS} interleaved samples; CPU: user+system, mean`,
  '',
  '| measure | before | after | bare node |',
  '|---|---:|---:|---:|',
  `| header decode of 4 000 ranges, in-process, wall | ${fmt(median(decode.before.ms))} ms | ${fmt(median(decode.after.ms))} ms | |`,
  `| header decode of 4 000 ranges, in-process, CPU | ${fmt(mean(decode.before.cpu))} ms | ${fmt(mean(decode.after.cpu))} ms | |`,
  ...rows.flatMap((row) => {
    const wall = median(row.baseline.ms);
    const cpu = mean(row.baseline.cpu);
    const cell = (side) => `${fmt(median(row[side].ms))} ms = ${fmt(median(row[side].ms) / wall, 2)}x`;
    const cpuCell = (side) => `${fmt(mean(row[side].cpu))} ms = ${fmt(mean(row[side].cpu) / cpu, 2)}x`;
    return [
      `| ${row.name}, wall | ${cell('before')} | ${cell('after')} | ${fmt(wall)} ms |`,
      `| ${row.name}, CPU | ${cpuCell('before')} | ${cpuCell('after')} | ${fmt(cpu)} ms |`,
    ];
  }),
];
process.stdout.write(`${lines.join('\n')}\n`);
