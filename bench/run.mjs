/**
 * `npm run bench`: the built bundle run as oned runs it (a separate process per action, exec'd
 * through its symlink, base64 request on stdin), each timed sample preceded by a bare `node -e 0`
 * in the same run, so that only side-by-side ratios are reported on a noisy machine.
 *
 * Sizes are configurable for quick runs:
 *   BENCH_REPS (15)  BENCH_BIG_REPS (5, for books of 1 000 000 leases and more)
 *   BENCH_SIZES (1000,10000,100000,1000000)  BENCH_PER_RANGE (250 leases per range)
 *   BENCH_STREAM (1000 actions)  BENCH_CONCURRENT (8)  BENCH_ROUNDS (5 rounds of concurrent commands)
 *   BENCH_ONLY (regexp on scenario names)  BENCH_LABEL (tag stored in the JSON)
 *   BENCH_BUNDLE (another build to measure, e.g. an older one; with BENCH_CODEC_ROOT, a checkout
 *   of that build's sources, to write books in its format)  BENCH_BUDGET_S (900)
 *   BENCH_NO_RESULTS (leave bench/results.json and the documents as they are)
 *
 * A whole run (no BENCH_ONLY, no BENCH_BUNDLE, nothing skipped) writes bench/results.json, which
 * is committed, and rewrites the results table of README.md and docs/performance.md from it.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  book,
  delegatedPoolBook,
  hugeRangeBook,
  ip4Range,
  leasedBook,
  loadCodec,
  nearlyFullPoolBook,
} from './books.mjs';
import { canMeasureRss, childEnv, median, positiveInteger as int, quantile, runTimed, runWithRss } from './measure.mjs';
import { canUsePipes, pipeSlot } from './stdin-pipe.mjs';
import {
  addressRequest,
  formatIPv4,
  formatMac,
  getRequest,
  parseIPv4,
  registerRequest,
  replyValue,
  storedAr,
  unregisterRequest,
} from './requests.mjs';
import { makeFrontEnd, scenarioDir, SIX48_BASE } from './setup.mjs';
import { mergedResults, RESULTS, readResults, writeDocuments } from './results-table.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = process.env.BENCH_BUNDLE ?? join(ROOT, 'dist', 'nebula-ipam.cjs');
const REPS = int('BENCH_REPS', 15);
const BIG_REPS = int('BENCH_BIG_REPS', 5);
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000,1000000').split(',').filter(Boolean).map(Number);
const PER_RANGE = int('BENCH_PER_RANGE', 250);
const STREAM = int('BENCH_STREAM', 1000);
const CONCURRENT = int('BENCH_CONCURRENT', 8);
const ROUNDS = int('BENCH_ROUNDS', 5);
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
/** The whole run is bounded: past this, remaining scenarios are skipped and reported as such. */
const BUDGET_MS = int('BENCH_BUDGET_S', 900) * 1000;

// An older build reads only its own book format: BENCH_CODEC_ROOT names a checkout of its sources.
const codec = await loadCodec(process.env.BENCH_CODEC_ROOT ?? ROOT, join(ROOT, 'node_modules'));
const frontEnd = makeFrontEnd(BUNDLE);
/** stdin as oned gives it (a pipe); one slot for the serial runs, one per concurrent child. */
const stdinFd = canUsePipes ? pipeSlot(frontEnd.root, 'serial') : undefined;
const started = Date.now();
/** @typedef {{ name: string, note: string, samples: number[], baseline: number[], rssKiB: number | undefined }} Row */
/** @type {Row[]} */
const rows = [];
/** @type {string[]} */
const skipped = [];
let requestId = 0;

/** One scenario's samples: each action timing is paired with the bare-Node timing taken just before it. */
function scenario(name, note = '') {
  /** @type {Row} */
  const row = { name, note, samples: [], baseline: [], rssKiB: undefined };
  rows.push(row);
  return row;
}

function envFor(book) {
  // A code cache of the bench's own (each scenario's warm-up writes it), as a front-end has one.
  return childEnv({
    NEBULA_IPAM_CONFIG: frontEnd.config,
    NEBULA_IPAM_STORE: book,
    NEBULA_IPAM_CODE_CACHE: join(frontEnd.root, 'code-cache'),
  });
}

function baseline() {
  return runTimed('node', ['-e', '0'], { env: childEnv(), stdinFd }).ms;
}

/** At least this many bare-Node runs back each row's ratio, however few samples the row has. */
const MIN_BASELINES = 15;

/** Runs one action; `row` (optional) records it with a baseline; a failure stops the benchmark. */
function act(row, action, input, bookFile, { measureRss = false, reps = REPS } = {}) {
  const options = { input, env: envFor(bookFile), cwd: dirname(bookFile), stdinFd };
  const args = [String(requestId++)];
  const timed = row && !measureRss;
  const before = timed ? Array.from({ length: Math.ceil(MIN_BASELINES / reps) }, baseline) : [];
  const result = measureRss
    ? runWithRss(frontEnd.links[action], args, options, dirname(bookFile))
    : runTimed(frontEnd.links[action], args, options);
  if (result.status !== 0)
    throw new Error(`${action} failed (exit ${result.status}) in ${row?.name ?? 'setup'}: ${result.stderr.trim()}`);
  if (row && measureRss) row.rssKiB = Math.max(row.rssKiB ?? 0, result.rssKiB ?? 0);
  else if (row) {
    row.baseline.push(...before);
    row.samples.push(result.ms);
  }
  return result.stdout;
}

function writeBook(name, value) {
  const file = join(scenarioDir(frontEnd, name), 'leases.json');
  writeFileSync(file, codec.encodeBook(value));
  return file;
}

/** Runs `pair` (which samples one or more rows) `reps` times after one untimed warm-up, then once more under GNU time. */
function repeat(name, reps, pair) {
  if (ONLY && !ONLY.test(name)) return;
  if (Date.now() - started > BUDGET_MS) {
    skipped.push(name);
    return;
  }
  process.stderr.write(`  ${name} ...\n`);
  pair({ warmup: true });
  for (let i = 0; i < reps; i++) pair({ reps });
  pair({ rss: true });
}

/** `act` for a sampled step: no row in warm-up, RSS only in the GNU time pass. */
function step(row, mode, action, input, file) {
  return act(mode.warmup ? undefined : row, action, input, file, { measureRss: mode.rss === true, reps: mode.reps });
}

process.on('exit', () => rmSync(frontEnd.root, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// --- Each action on an (almost) empty store -------------------------------------------------
{
  const file = writeBook('empty-register', book([]));
  const reg = scenario('register_address_range, empty store', 'carves a /24 from a /16 pool');
  const unreg = scenario('unregister_address_range, empty store', 'the only range');
  repeat('empty store: register + unregister', REPS, (mode) => {
    const reply = step(reg, mode, 'register_address_range', registerRequest({ TYPE: 'IP4', IPAM_POOL: 'small' }), file);
    const id = replyValue(reply, 'NEBULA_IPAM_RANGE');
    const ip = parseIPv4(replyValue(reply, 'IP'));
    step(
      unreg,
      mode,
      'unregister_address_range',
      unregisterRequest(
        storedAr({ id, type: 'IP4', ip, mac: 0x020000000000n + ip, size: Number(replyValue(reply, 'SIZE')) }),
      ),
      file,
    );
  });
}
{
  const range = ip4Range(1, parseIPv4('10.0.0.0'), 256);
  const file = writeBook('empty-leases', book([range]));
  const ar = storedAr({ ...range, size: 256 });
  const get = scenario('get_address, empty store', 'one range, no leases');
  const free = scenario('free_address, empty store', 'frees what get/allocate took');
  const alloc = scenario('allocate_address, empty store', 'by IP');
  repeat('empty store: get/allocate/free', REPS, (mode) => {
    const ip = parseIPv4(replyValue(step(get, mode, 'get_address', getRequest(ar), file), 'IP'));
    step(
      free,
      mode,
      'free_address',
      addressRequest(ar, { mac: formatMac(range.mac + ip - range.ip), ip: formatIPv4(ip) }),
      file,
    );
    const chosen = range.ip + 7n;
    step(
      alloc,
      mode,
      'allocate_address',
      addressRequest(ar, { mac: formatMac(range.mac + 7n), ip: formatIPv4(chosen) }),
      file,
    );
    step(
      free,
      mode,
      'free_address',
      addressRequest(ar, { mac: formatMac(range.mac + 7n), ip: formatIPv4(chosen) }),
      file,
    );
  });
}

// --- get/free with books of growing size --------------------------------------------------------
for (const total of SIZES) {
  const value = leasedBook(total, PER_RANGE);
  const ranges = value.ranges;
  const file = writeBook(`leases-${total}`, value);
  const target = ranges[ranges.length >> 1];
  const ar = storedAr({ ...target, size: 256 });
  const label = `${total.toLocaleString('en')} leases in ${ranges.length.toLocaleString('en')} ranges`;
  const get = scenario(`get_address, ${label}`);
  const free = scenario(`free_address, ${label}`);
  repeat(`get/free, ${label}`, total >= 1_000_000 ? BIG_REPS : REPS, (mode) => {
    const ip = parseIPv4(replyValue(step(get, mode, 'get_address', getRequest(ar), file), 'IP'));
    step(
      free,
      mode,
      'free_address',
      addressRequest(ar, { mac: formatMac(target.mac + ip - target.ip), ip: formatIPv4(ip) }),
      file,
    );
  });
}

// --- Carving from pools ----------------------------------------------------------------------------
{
  const file = writeBook('carve-8', nearlyFullPoolBook('big8'));
  const reg = scenario('register_address_range, nearly full /8 pool', '765 ranges; the last free /24 is carved');
  repeat('carve from a nearly full /8', REPS, (mode) => {
    const reply = step(reg, mode, 'register_address_range', registerRequest({ TYPE: 'IP4', IPAM_POOL: 'big8' }), file);
    const ip = parseIPv4(replyValue(reply, 'IP'));
    act(
      undefined,
      'unregister_address_range',
      unregisterRequest(
        storedAr({
          id: replyValue(reply, 'NEBULA_IPAM_RANGE'),
          type: 'IP4',
          ip,
          mac: 0x020000000000n + ip,
          size: Number(replyValue(reply, 'SIZE')),
        }),
      ),
      file,
    );
  });
}
{
  const file = writeBook('carve-48', delegatedPoolBook('six48', SIX48_BASE, 1000));
  const reg = scenario('register_address_range, /48 IPv6 pool', 'SLAAC /64 delegated; 1 000 /64s already out');
  repeat('carve from a /48', REPS, (mode) => {
    const reply = step(
      reg,
      mode,
      'register_address_range',
      registerRequest({ TYPE: 'IP6', IPAM_POOL6: 'six48', SIZE: '256', MAC: '02:cc:00:00:00:00' }),
      file,
    );
    act(
      undefined,
      'unregister_address_range',
      unregisterRequest({
        ...storedAr({ id: replyValue(reply, 'NEBULA_IPAM_RANGE'), type: 'IP6', mac: 0x02cc00000000n, size: 256 }),
        GLOBAL_PREFIX: replyValue(reply, 'GLOBAL_PREFIX'),
      }),
      file,
    );
  });
}

// --- Range and pool size: time must not depend on them (same leases, same book, other sizes) ---
for (const [label, size] of /** @type {[string, number][]} */ ([
  ['/22 IPv4 range (1 024 addresses)', 1024],
  ['/8 IPv4 range (16M addresses)', 1 << 24],
])) {
  const value = hugeRangeBook('ip4', 1000, size);
  const range = value.ranges[0];
  const file = writeBook(`range-ip4-${size}`, value);
  const ar = storedAr({ ...range, size });
  const get = scenario(`get_address, ${label}`, '1 000 leases');
  repeat(`get/free on a ${label}`, REPS, (mode) => {
    const ip = parseIPv4(replyValue(step(get, mode, 'get_address', getRequest(ar), file), 'IP'));
    act(
      undefined,
      'free_address',
      addressRequest(ar, { mac: formatMac(range.mac + ip - range.ip), ip: formatIPv4(ip) }),
      file,
    );
  });
}
for (const [label, size] of /** @type {[string, number][]} */ ([
  ['static IPv6 range of 65 536', 2 ** 16],
  ['static IPv6 range of 2^32 in a /64', 2 ** 32],
])) {
  const value = hugeRangeBook('ip6', 1000, size);
  const range = value.ranges[0];
  const file = writeBook(`range-ip6-${size}`, value);
  const ar = storedAr({ ...range, size });
  const index = BigInt(Math.floor(size * 0.7));
  // oned names the address by its MAC; the IP6 field it sends is the literal 0 (docs/oned-contract.md 2.1).
  const address = { mac: formatMac(range.mac + index), ip6: '0' };
  const alloc = scenario(
    `allocate_address by MAC, ${label}`,
    '1 000 leases; oned takes only IPv4 from get_address, so an IPv6 lease is allocate with an explicit IP6, sent as its MAC',
  );
  repeat(`allocate/free on a ${label}`, REPS, (mode) => {
    step(alloc, mode, 'allocate_address', addressRequest(ar, address), file);
    act(undefined, 'free_address', addressRequest(ar, address), file);
  });
}
{
  const file = writeBook('carve-empty-8', book([]));
  const reg = scenario('register_address_range, empty /8 pool', 'carves a /24; compare "empty store" (a /16 pool)');
  repeat('carve from an empty /8', REPS, (mode) => {
    const reply = step(reg, mode, 'register_address_range', registerRequest({ TYPE: 'IP4', IPAM_POOL: 'big8' }), file);
    const ip = parseIPv4(replyValue(reply, 'IP'));
    act(
      undefined,
      'unregister_address_range',
      unregisterRequest(
        storedAr({
          id: replyValue(reply, 'NEBULA_IPAM_RANGE'),
          type: 'IP4',
          ip,
          mac: 0x020000000000n + ip,
          size: Number(replyValue(reply, 'SIZE')),
        }),
      ),
      file,
    );
  });
}

// --- oned's real pattern: a serial stream ---------------------------------------------------------
const streamRow = runStream();
// --- Operators: concurrent commands on one book ------------------------------------------------
const concurrentRow = await runConcurrent();

report();

function runStream() {
  const name = `serial stream of ${STREAM} actions (get/free alternating over 40 ranges, 10 000 leases)`;
  if ((ONLY && !ONLY.test('stream')) || Date.now() - started > BUDGET_MS) {
    if (!ONLY || ONLY.test('stream')) skipped.push(name);
    return undefined;
  }
  process.stderr.write('  serial stream ...\n');
  const value = leasedBook(10_000, PER_RANGE);
  const file = writeBook('stream', value);
  /** @type {{ name: string, actions: number, seconds: number, baseline: number[] }} */
  const row = { name, actions: 0, seconds: 0, baseline: [] };
  const start = process.hrtime.bigint();
  let pending;
  for (let i = 0; i < STREAM; i++) {
    const range = value.ranges[(i >> 1) % value.ranges.length];
    const ar = storedAr({ ...range, size: 256 });
    if (i % 2 === 0)
      pending = { range, ip: parseIPv4(replyValue(act(undefined, 'get_address', getRequest(ar), file), 'IP')) };
    else
      act(
        undefined,
        'free_address',
        addressRequest(ar, { mac: formatMac(range.mac + pending.ip - range.ip), ip: formatIPv4(pending.ip) }),
        file,
      );
    row.actions++;
  }
  row.seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // Bare Node measured right after, for the same comparison as every other row.
  for (let i = 0; i < Math.min(50, STREAM); i++) row.baseline.push(baseline());
  return row;
}

/**
 * Operators at work while oned is: CONCURRENT `nebula-ipam` commands at once on one book, half
 * `lease` (writers: they queue on the book's lock) and half `status` (readers). Every lease must
 * get its own address; all are released afterwards, untimed.
 */
async function runConcurrent() {
  const name = `${CONCURRENT} concurrent operator commands on one book (10 000 leases): ${Math.ceil(CONCURRENT / 2)} lease, ${Math.floor(CONCURRENT / 2)} status`;
  if ((ONLY && !ONLY.test('concurrent')) || Date.now() - started > BUDGET_MS) {
    if (!ONLY || ONLY.test('concurrent')) skipped.push(name);
    return undefined;
  }
  process.stderr.write('  concurrent ...\n');
  const file = writeBook('concurrent', leasedBook(10_000, PER_RANGE));
  /** @type {{ name: string, makespan: number[], lease: number[], status: number[], baseline: number[] }} */
  const row = { name, makespan: [], lease: [], status: [], baseline: [] };
  const slots = Array.from({ length: CONCURRENT }, (_, i) =>
    canUsePipes ? pipeSlot(frontEnd.root, `concurrent-${i}`) : undefined,
  );
  const cli = (args, slot) => spawnAsync(frontEnd.links['nebula-ipam'], args, '', envFor(file), slot);
  for (let round = -1; round < ROUNDS; round++) {
    const owners = Array.from({ length: CONCURRENT }, (_, i) => `bench-${round}-${i}`);
    const commands = owners.map((owner, i) =>
      i % 2 === 0 ? ['lease', '--pool', 'small', '--owner', owner, '--json'] : ['status', '--json'],
    );
    if (round >= 0) row.baseline.push(baseline());
    const start = performance.now();
    const results = await Promise.all(commands.map((args, i) => cli(args, slots[i])));
    const makespan = performance.now() - start;
    const leased = new Set();
    results.forEach((r, i) => {
      if (r.status !== 0)
        throw new Error(`nebula-ipam ${commands[i].join(' ')} failed (exit ${r.status}): ${r.stderr}`);
      if (commands[i][0] === 'lease') leased.add(JSON.parse(r.stdout).addresses);
      if (round >= 0) row[commands[i][0]].push(r.ms);
    });
    // The lock must have serialised the writers: every lease got its own address.
    const leases = commands.filter((c) => c[0] === 'lease').length;
    if (leased.size !== leases) throw new Error(`${leases} concurrent leases got ${leased.size} distinct addresses`);
    if (round >= 0) row.makespan.push(makespan);
    for (const [i, owner] of owners.entries()) {
      if (commands[i][0] !== 'lease') continue;
      const released = await cli(['release', '--owner', owner], slots[i]);
      if (released.status !== 0) throw new Error(`nebula-ipam release --owner ${owner} failed: ${released.stderr}`);
    }
  }
  return row;
}

function spawnAsync(file, args, input, env, slot) {
  return new Promise((resolvePromise, reject) => {
    const fd = slot?.(input);
    const start = performance.now();
    const child = spawn(file, args, { env, stdio: [fd ?? 'pipe', 'pipe', 'pipe'] });
    if (fd !== undefined) closeSync(fd);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr, ms: performance.now() - start });
    });
    if (fd === undefined) child.stdin.end(input);
  });
}

function report() {
  const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const table = [];
  for (const row of rows) {
    if (row.samples.length === 0) continue;
    const base = median(row.baseline);
    table.push({
      scenario: row.name,
      n: row.samples.length,
      medianMs: median(row.samples),
      p95Ms: quantile(row.samples, 0.95),
      baselineMs: base,
      ratio: median(row.samples) / base,
      peakRssMiB: row.rssKiB === undefined ? undefined : row.rssKiB / 1024,
      note: row.note,
    });
  }
  const lines = [
    '| scenario | n | median ms | p95 ms | bare node ms | ratio | peak RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...table.map(
      (t) =>
        `| ${t.scenario} | ${t.n} | ${fmt(t.medianMs)} | ${fmt(t.p95Ms)} | ${fmt(t.baselineMs)} | ${fmt(t.ratio, 2)}x | ${fmt(t.peakRssMiB)} |`,
    ),
  ];
  let stream;
  if (streamRow) {
    const base = median(streamRow.baseline);
    const perAction = (streamRow.seconds * 1000) / streamRow.actions;
    stream = {
      scenario: streamRow.name,
      actions: streamRow.actions,
      seconds: streamRow.seconds,
      actionsPerSecond: streamRow.actions / streamRow.seconds,
      msPerAction: perAction,
      baselineMs: base,
      ratio: perAction / base,
    };
    lines.push(
      '',
      `${stream.scenario}: ${fmt(stream.actionsPerSecond)} actions/s (${fmt(perAction)} ms each; bare node ${fmt(base)} ms = ${fmt(1000 / base)}/s; ratio ${fmt(stream.ratio, 2)}x)`,
    );
  }
  let concurrent;
  if (concurrentRow) {
    const base = median(concurrentRow.baseline);
    concurrent = {
      scenario: concurrentRow.name,
      rounds: concurrentRow.makespan.length,
      makespanMedianMs: median(concurrentRow.makespan),
      leaseMedianMs: median(concurrentRow.lease),
      leaseP95Ms: quantile(concurrentRow.lease, 0.95),
      statusMedianMs: median(concurrentRow.status),
      statusP95Ms: quantile(concurrentRow.status, 0.95),
      baselineMs: base,
    };
    lines.push(
      '',
      `${concurrent.scenario}: every lease got its own address in every round; ${concurrent.rounds} rounds, all ${CONCURRENT} done in ${fmt(concurrent.makespanMedianMs)} ms (median); lease ${fmt(concurrent.leaseMedianMs)} ms median / ${fmt(concurrent.leaseP95Ms)} p95, status ${fmt(concurrent.statusMedianMs)} / ${fmt(concurrent.statusP95Ms)} (bare node ${fmt(base)} ms; 2 cores).`,
    );
  }
  const machine = {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
  };
  lines.push(
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}.`,
    'Each sample execs the action symlink (shebang `#!/usr/bin/env node`, as oned does) right after a bare `node -e 0` (several for rows of few samples, at least 15 a row); ratio = median / median of those paired bare runs.',
    "The bundle's V8 code cache (src/boot/entry.ts) is in a directory of the run's own, written by each scenario's untimed warm-up run.",
    "NODE_EXTRA_CA_CERTS is removed from every child's environment (it costs each Node start ~40 ms here, which a production front-end does not pay).",
    canUsePipes
      ? 'stdin is a pipe holding the request, its writer closed, as oned (Ruby popen3) gives it.'
      : "stdin: Node's socket pair (mkfifo is missing), which the driver reads more slowly than the pipe oned gives it.",
    canMeasureRss
      ? "Peak RSS: the child's ru_maxrss from GNU time (`/usr/bin/time -f %M`), in a separate untimed run."
      : 'Peak RSS: not measured (/usr/bin/time is missing).',
  );
  if (skipped.length) lines.push(`Skipped (over the ${BUDGET_MS / 1000} s budget): ${skipped.join('; ')}.`);
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const doc = {
    label: process.env.BENCH_LABEL,
    bundle: BUNDLE,
    date: new Date().toISOString(),
    machine,
    settings: { REPS, BIG_REPS, SIZES, PER_RANGE, STREAM, CONCURRENT, ROUNDS },
    rows: table,
    stream,
    concurrent,
    skipped,
    raw: rows,
    markdown: text,
  };
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  // Every run, kept locally (git-ignored).
  writeFileSync(join(resultsDir, `bench-${doc.date.replace(/[:.]/g, '-')}.json`), json);
  // A run of the whole benchmark on the project's own bundle is what the documents show: it goes
  // to the committed bench/results.json, and README.md and docs/performance.md take their table
  // from it (bench/results-table.mjs; test/unit/project/bench-results.test.ts checks they agree).
  const whole = !ONLY && !process.env.BENCH_BUNDLE && skipped.length === 0 && !process.env.BENCH_NO_RESULTS;
  if (whole) {
    const { raw: _raw, markdown: _markdown, bundle: _bundle, ...kept } = doc;
    // The `sync` part is bench/sync.mjs's, which runs after this: kept as it is.
    writeFileSync(RESULTS, `${JSON.stringify(mergedResults(readResults(), kept), null, 2)}\n`);
    writeDocuments();
    process.stderr.write('results: bench/results.json; README.md and docs/performance.md updated from it\n');
  } else {
    process.stderr.write(
      `results: bench/results/bench-${doc.date.replace(/[:.]/g, '-')}.json (a partial run or another bundle: bench/results.json unchanged)\n`,
    );
  }
}
