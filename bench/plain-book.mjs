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
 * BENCH_REPS (11) samples a row. NODE_EXTRA_CA_CERTS is removed from every child (measure.mjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { book, bundleCodec, ip4Range, leasedBook, loadCodec } from './books.mjs';
import { childEnv, median, runTimed } from './measure.mjs';
import { addressRequest, formatIPv4, formatMac, getRequest, parseIPv4, replyValue, storedAr } from './requests.mjs';
import { makeFrontEnd, scenarioDir } from './setup.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = join(ROOT, 'node_modules');
const REPS = Number(process.env.BENCH_REPS ?? 11);
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
const book = codec.decodeBookLazily(source, process.argv[2]);
const span = (ip, size) => (ip === undefined ? undefined : { first: ip, last: ip + size - 1n });
for (const range of book.ranges)
  for (const family of ['ipv4', 'ipv6'])
    if (codec.quickFootprint) codec.quickFootprint(range, family);
    else if (family === 'ipv4') void (range.block ?? span(range.ip, range.size));
    else void (range.block6 ?? span(range.ip6, range.size));
process.stdout.write(String(performance.now() - start));
`;
/** @type {{ before: number[], after: number[] }} */
const decode = { before: [], after: [] };
for (let i = 0; i < REPS; i++)
  for (const side of i % 2 ? ['after', 'before'] : ['before', 'after']) {
    const run = spawnSync('node', ['--input-type=module', '-e', DECODE, sides[side].codec, bigBook], {
      env: childEnv(),
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`decode (${side}) failed: ${run.stderr}`);
    decode[side].push(Number(run.stdout));
  }

// --- Actions through each bundle ----------------------------------------------------------------
const fronts = { before: makeFrontEnd(OLD_BUNDLE), after: makeFrontEnd(sides.after.bundle) };
process.on('exit', () => {
  for (const front of Object.values(fronts)) rmSync(front.root, { recursive: true, force: true });
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
const small = ip4Range(1, parseIPv4('10.0.0.0'), 256);
const leased = leasedBook(100_000, 250);
const target = leased.ranges[leased.ranges.length >> 1];
const books = [
  { label: 'small book (one range, no leases)', value: book([small]), range: small },
  { label: '100 000 leases in 400 ranges', value: leased, range: target },
];
/** @type {{ name: string, before: number[], after: number[], baseline: number[] }[]} */
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
      const run = act(side, files[side], 'get_address', getRequest(ar));
      act(side, files[side], 'free_address', free(parseIPv4(replyValue(run.stdout, 'IP'))));
      return run.ms;
    },
    allocate_address: (side) => {
      const ip = range.ip + 253n;
      const run = act(side, files[side], 'allocate_address', free(ip));
      act(side, files[side], 'free_address', free(ip));
      return run.ms;
    },
  };
  for (const [action, step] of Object.entries(steps)) {
    /** @type {{ before: number[], after: number[], baseline: number[] }} */
    const samples = { before: [], after: [], baseline: [] };
    // Untimed warm-up: writes each build's code cache, as a front-end has one.
    for (const side of ['before', 'after']) step(side);
    for (let i = 0; i < REPS; i++) {
      samples.baseline.push(runTimed('node', ['-e', '0'], { env: childEnv() }).ms);
      for (const side of i % 2 ? ['after', 'before'] : ['before', 'after']) samples[side].push(step(side));
    }
    rows.push({ name: `${action}, ${label}`, ...samples });
  }
}

const fmt = (v, d = 1) => v.toFixed(d);
const lines = [
  `| measure (median of ${REPS}, interleaved) | before | after | bare node |`,
  '|---|---:|---:|---:|',
  `| header decode of 4 000 ranges, in-process | ${fmt(median(decode.before))} ms | ${fmt(median(decode.after))} ms | |`,
  ...rows.map((row) => {
    const base = median(row.baseline);
    const cell = (side) => `${fmt(median(row[side]))} ms = ${fmt(median(row[side]) / base, 2)}x`;
    return `| ${row.name} | ${cell('before')} | ${cell('after')} | ${fmt(base)} ms |`;
  }),
];
process.stdout.write(`${lines.join('\n')}\n`);
