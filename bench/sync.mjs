/**
 * `npm run bench` (its last part; alone: `npm run bench:sync`): `nebula-ipam sync` against real
 * servers the benchmark starts (test/support's harnesses, run under tsx): BIND 9 and Kea 2 (with
 * lease_cmds), on 127.0.0.1 and free high ports, stopped by PID. The book holds BENCH_SYNC_LEASES
 * (10 000) leases in ranges of 250 of one pool whose config asks for an A, a PTR (and their
 * ownership TXT records) and a DHCP lease for each. Issue 18's numbers:
 *
 *   (a) the first `sync` (the built bundle, a separate process): under 30 s;
 *   (b) a pass with nothing to change: under 2 s;
 *   (c) under `sync --follow`, from the end of a get_address (through its action symlink, as oned
 *       runs it) until its A, PTR and Kea lease are all there (polled with dig and Kea's
 *       lease4-get, bounded): under 2 s;
 *   (d) get_address/free_address with those targets configured and without, each sample right
 *       after a bare `node -e 0`, as ratios (bench/run.mjs's method): the same.
 *
 * BENCH_SYNC_LEASES (10000), BENCH_REPS (15), BENCH_SYNC_FOLLOW (5 leases under --follow),
 * BENCH_SYNC_DNS (bind; `bind,pdns` also measures (a) and (b) against PowerDNS),
 * BENCH_SYNC_CPU_PROF (a directory: every `sync` child runs under `node --cpu-prof` writing there;
 * Node refuses --cpu-prof in NODE_OPTIONS), BENCH_NO_RESULTS. A run at the full size writes the `sync` part of bench/results.json and
 * the "DNS and DHCP sync" block of docs/performance.md from it (bench/sync-table.mjs).
 * NODE_EXTRA_CA_CERTS is removed from every child's environment (bench/measure.mjs).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBind } from '../test/support/bind-server.ts';
import { startKeaServer } from '../test/support/kea-server.ts';
import { startPdns } from '../test/support/pdns-server.ts';
import { book, loadCodec } from './books.mjs';
import { childEnv, median, positiveInteger as int, quantile, runTimed } from './measure.mjs';
import { addressRequest, formatIPv4, formatMac, getRequest, replyValue, storedAr } from './requests.mjs';
import { mergedResults, RESULTS, readResults } from './results-table.mjs';
import { makeFrontEnd, scenarioDir } from './setup.mjs';
import { canUsePipes, pipeSlot } from './stdin-pipe.mjs';
import { writeSyncDocument } from './sync-table.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LEASES = int('BENCH_SYNC_LEASES', 10_000);
const REPS = int('BENCH_REPS', 15);
const FOLLOW = int('BENCH_SYNC_FOLLOW', 5);
const DNS_KINDS = (process.env.BENCH_SYNC_DNS ?? 'bind').split(',').filter(Boolean);
const CPU_PROF = process.env.BENCH_SYNC_CPU_PROF;
const PER_RANGE = 250;
/** Each range is a /24's .2-.253 (the gateway is .1): 250 leased, 2 free for the --follow leases. */
const RANGE_SIZE = 252;
const FORWARD = 'cloud.example.com';
const REVERSE = '0.10.in-addr.arpa';
const NETWORK = '10.0.0.0/16';
const FULL_SIZE = 10_000;
/** Every wait on a child or a record is bounded. */
const CHILD_TIMEOUT_MS = 300_000;
const RECORD_WAIT_MS = 20_000;

const RANGES = Math.ceil(LEASES / PER_RANGE);
if (RANGES > 255) throw new Error(`BENCH_SYNC_LEASES must be at most ${255 * PER_RANGE}`);
const rangeBase = (i) => 0x0a000000n + BigInt(i) * 256n;

const codec = await loadCodec(ROOT);
const frontEnd = makeFrontEnd(join(ROOT, 'dist', 'nebula-ipam.cjs'));
const stdinFd = canUsePipes ? pipeSlot(frontEnd.root, 'sync') : undefined;
const oneLocation = join(frontEnd.root, 'one');
mkdirSync(oneLocation, { recursive: true });
/** @type {{ stop(): Promise<void> }[]} */
const servers = [];
const cleanup = async () => {
  for (const server of servers.reverse()) await server.stop().catch(() => {});
  rmSync(frontEnd.root, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    cleanup().finally(() => process.exit(130));
  });

/** The book: RANGES ranges of pool "sync", LEASES leases in all, each with oned's MAC. */
function syncBook() {
  const start = Date.UTC(2026, 0, 1);
  let left = LEASES;
  const ranges = Array.from({ length: RANGES }, (_, i) => {
    const base = rangeBase(i);
    const count = Math.min(PER_RANGE, left);
    left -= count;
    const ip = base + 2n;
    return {
      id: `r${i + 1}`,
      type: 'IP4',
      size: BigInt(RANGE_SIZE),
      ip,
      mac: 0x020000000000n + ip,
      pool: 'sync',
      block: { first: base, last: base + 255n },
      createdAt: new Date(start).toISOString(),
      requestId: String(i + 1),
      leases: Array.from({ length: count }, (_, n) => ({
        first: BigInt(n),
        last: BigInt(n),
        holder: 'opennebula',
        mac: 0x020000000000n + ip + BigInt(n),
        requestId: String(1000 + i * PER_RANGE + n),
        at: new Date(start + 1000 * (i * PER_RANGE + n)).toISOString(),
      })),
    };
  });
  return book(ranges);
}

function pool(withTargets) {
  return {
    name: 'sync',
    network: NETWORK,
    subnetPrefix: 24,
    gateway: 'first',
    dns: ['198.51.100.53'],
    default: true,
    ...(withTargets
      ? {
          dnsNames: { forwardZone: FORWARD, reverseZone: REVERSE, name: 'vm-{ip}', server: 'dns' },
          dhcp: { server: 'kea' },
        }
      : {}),
  };
}

function writeConfig(name, dns, keaUrl) {
  const dir = scenarioDir(frontEnd, name);
  const config = { lockTimeoutMs: 60_000, pools: [pool(dns !== undefined)] };
  if (dns) {
    const keyFile = join(dir, 'tsig.key');
    writeFileSync(keyFile, `${dns.key.secret.toString('base64')}\n`, { mode: 0o600 });
    config.targets = {
      dns: {
        type: 'rfc2136',
        host: '127.0.0.1',
        port: dns.port,
        tsigKeyName: dns.key.name,
        tsigSecretFile: keyFile,
        timeoutMs: 5000,
      },
      kea: { type: 'kea', url: keaUrl, timeoutMs: 10_000 },
    };
  }
  const file = join(dir, 'config.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  const bookFile = join(dir, 'leases.json');
  writeFileSync(bookFile, codec.encodeBook(syncBook()));
  const env = childEnv({
    NEBULA_IPAM_CONFIG: file,
    NEBULA_IPAM_STORE: bookFile,
    NEBULA_IPAM_CODE_CACHE: join(frontEnd.root, 'code-cache'),
    ONE_LOCATION: oneLocation,
  });
  return { dir, bookFile, env };
}

/** A child to its end (bounded), timed; stdout and stderr kept. */
function runAsync(file, args, env) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: performance.now() - start });
    });
  });
}

/**
 * `nebula-ipam args` as a command line: under `node --cpu-prof` with BENCH_SYNC_CPU_PROF.
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
function cli(args) {
  const link = frontEnd.links['nebula-ipam'];
  if (!CPU_PROF) return [link, args];
  return [process.execPath, ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, link, ...args]];
}

async function sync(setup, what) {
  const result = await runAsync(...cli(['sync', '--json']), setup.env);
  if (result.status !== 0)
    throw new Error(`${what}: sync exited ${result.status}: ${result.stderr.trim()} ${result.stdout.slice(0, 400)}`);
  return { ms: result.ms, report: JSON.parse(result.stdout) };
}

const changes = (report) =>
  report.plan.dns.reduce((n, t) => n + t.updates.length, 0) +
  report.plan.dhcp.reduce((n, t) => n + t.put.length + t.remove.length, 0);

/** When a pass last wrote the sync state (`status` reads it), in ms; 0 before any. */
function stateWritten() {
  const dir = join(oneLocation, 'var', 'nebula-ipam');
  let latest = 0;
  for (const driver of existsSync(dir) ? readdirSync(dir) : []) {
    const file = join(dir, driver, 'sync-state.json');
    if (existsSync(file)) latest = Math.max(latest, statSync(file).mtimeMs);
  }
  return latest;
}

/** Retries `probe` (every 20 ms, at most `waitMs`) until it is true. */
async function until(what, probe, waitMs = RECORD_WAIT_MS) {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what} not in place within ${waitMs} ms`);
}

const nameOf = (ip) => `vm-${ip.replaceAll('.', '-')}.${FORWARD}`;
const ptrOf = (ip) => `${ip.split('.').reverse().slice(0, 2).join('.')}.${REVERSE}`;

/** What the servers hold after the first sync, counted by clients that are not ours. */
async function checkInPlace(dns, kea) {
  const forward = await dns.axfr(FORWARD);
  const reverse = await dns.axfr(REVERSE);
  const a = forward.filter((r) => r[2] === 'A' && r[0].startsWith('vm-')).length;
  const ptr = reverse.filter((r) => r[2] === 'PTR').length;
  let leases = 0;
  for (let from = 'start', page = 0; page < 1000; page++) {
    const answer = await kea.command('lease4-get-page', { from, limit: 1000 });
    if (answer.result === 3) break;
    if (answer.result !== 0) throw new Error(`lease4-get-page: ${answer.text}`);
    const got = /** @type {{ leases: { 'ip-address': string }[] }} */ (answer.arguments).leases;
    leases += got.length;
    if (got.length < 1000) break;
    from = got[got.length - 1]['ip-address'];
  }
  if (a !== LEASES || ptr !== LEASES || leases !== LEASES)
    throw new Error(`after the first sync: ${a} A, ${ptr} PTR, ${leases} Kea leases, not ${LEASES} each`);
}

function keaSubnets() {
  return Array.from({ length: RANGES }, (_, i) => {
    const base = rangeBase(i);
    return {
      id: i + 1,
      subnet: `${formatIPv4(base)}/24`,
      pools: [{ pool: `${formatIPv4(base + 2n)} - ${formatIPv4(base + 253n)}` }],
      'option-data': [
        { name: 'routers', data: formatIPv4(base + 1n) },
        { name: 'domain-name-servers', data: '198.51.100.53' },
      ],
    };
  });
}

const baseline = () => runTimed('node', ['-e', '0'], { env: childEnv(), stdinFd }).ms;
let requestId = 1;

/** One get_address through its symlink on range `i`; its address. */
function getAddress(setup, i, samples, baselines) {
  const base = rangeBase(i);
  const ar = storedAr({
    id: `r${i + 1}`,
    type: 'IP4',
    ip: base + 2n,
    mac: 0x020000000000n + base + 2n,
    size: RANGE_SIZE,
  });
  if (baselines) baselines.push(baseline());
  const result = runTimed(frontEnd.links.get_address, [String(requestId++)], {
    input: getRequest(ar),
    env: setup.env,
    cwd: setup.dir,
    stdinFd,
  });
  if (result.status !== 0) throw new Error(`get_address exited ${result.status}: ${result.stderr.trim()}`);
  if (samples) samples.push(result.ms);
  return { ar, ip: replyValue(result.stdout, 'IP') };
}

function freeAddress(setup, ar, ip, samples, baselines) {
  if (baselines) baselines.push(baseline());
  const offset =
    BigInt(ip.split('.').reduce((n, o) => n * 256 + Number(o), 0)) -
    BigInt(ar.IP.split('.').reduce((n, o) => n * 256 + Number(o), 0));
  const mac = formatMac(BigInt(`0x${ar.MAC.replaceAll(':', '')}`) + offset);
  const result = runTimed(frontEnd.links.free_address, [String(requestId++)], {
    input: addressRequest(ar, { mac, ip }),
    env: setup.env,
    cwd: setup.dir,
    stdinFd,
  });
  if (result.status !== 0) throw new Error(`free_address exited ${result.status}: ${result.stderr.trim()}`);
  if (samples) samples.push(result.ms);
}

/** @type {{ leases: number, dns: object[], follow?: object, actions?: object[] }} */
const results = { leases: LEASES, dns: [] };
try {
  process.stderr.write(`  sync: starting Kea (${RANGES} subnets) ...\n`);
  const kea = await startKeaServer({ subnets: keaSubnets() });
  servers.push(kea);
  let first = true;
  for (const kind of DNS_KINDS) {
    if (kind !== 'bind' && kind !== 'pdns') throw new Error(`BENCH_SYNC_DNS: bind or pdns, not ${kind}`);
    process.stderr.write(`  sync: ${kind}, ${LEASES} leases: first pass ...\n`);
    const dns = kind === 'bind' ? await startBind([FORWARD, REVERSE]) : await startPdns([FORWARD, REVERSE]);
    servers.push(dns);
    if (!first) {
      // Each DNS server's first pass starts from an empty Kea as well.
      const cleared = await kea.command('lease4-wipe', {});
      if (cleared.result !== 0 && cleared.result !== 3) throw new Error(`lease4-wipe: ${cleared.text}`);
    }
    const setup = writeConfig(`sync-${kind}`, dns, kea.agentUrl);
    const initial = await sync(setup, 'first pass');
    await checkInPlace(dns, kea);
    process.stderr.write(
      `  sync: ${kind}: first pass ${(initial.ms / 1000).toFixed(1)} s; passes with nothing to change ...\n`,
    );
    const idle = [];
    for (let i = 0; i < 5; i++) {
      const pass = await sync(setup, 'a pass with nothing to change');
      if (changes(pass.report) !== 0)
        throw new Error(`a pass with nothing to change planned ${changes(pass.report)} changes`);
      idle.push(pass.ms);
    }
    results.dns.push({
      server: dns.kind,
      firstPassMs: initial.ms,
      firstPassChanges: changes(initial.report),
      noChangeMedianMs: median(idle),
      noChangeMaxMs: Math.max(...idle),
      noChangePasses: idle.length,
    });

    if (first) {
      // (c): sync --follow, a lease through the action link, its records polled.
      process.stderr.write(`  sync: ${kind}: ${FOLLOW} leases under sync --follow ...\n`);
      const follower = spawn(...cli(['sync', '--follow']), {
        env: setup.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let said = '';
      follower.stdout.on('data', (d) => (said += d));
      follower.stderr.on('data', (d) => (said += d));
      try {
        // Its first pass (a full one, nothing to change) is over when it rewrites the state file.
        const written = stateWritten();
        await until(
          `the first pass of sync --follow (it said: ${said.slice(-400)})`,
          async () => stateWritten() > written,
          120_000,
        );
        const waits = [];
        for (let n = 0; n < FOLLOW; n++) {
          const { ip } = getAddress(setup, n % RANGES);
          const leased = performance.now();
          await until(
            `the A record of ${ip} (sync said: ${said.slice(-400)})`,
            async () => (await dns.lookup(nameOf(ip), 'A'))[0] === ip,
          );
          await until(`the PTR record of ${ip}`, async () => (await dns.lookup(ptrOf(ip), 'PTR'))[0] === nameOf(ip));
          await until(
            `the Kea lease of ${ip}`,
            async () => (await kea.command('lease4-get', { 'ip-address': ip })).result === 0,
          );
          waits.push(performance.now() - leased);
        }
        results.follow = { server: dns.kind, leases: waits.length, medianMs: median(waits), maxMs: Math.max(...waits) };
      } finally {
        follower.kill('SIGTERM');
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            follower.kill('SIGKILL');
            resolve(undefined);
          }, 10_000);
          follower.once('exit', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
        });
      }

      // (d): the same actions on the same book, with targets and without.
      process.stderr.write('  sync: driver actions with targets and without ...\n');
      const bare = writeConfig('actions-without', undefined, undefined);
      const rows = {};
      for (const label of ['with targets', 'without targets']) rows[label] = { get: [], free: [], baseline: [] };
      for (let rep = -1; rep < REPS; rep++) {
        for (const [label, config] of [
          ['with targets', setup],
          ['without targets', bare],
        ]) {
          const row = rep < 0 ? undefined : rows[label];
          const i = RANGES - 1;
          const { ar, ip } = getAddress(config, i, row?.get, row?.baseline);
          freeAddress(config, ar, ip, row?.free, row?.baseline);
        }
      }
      results.actions = Object.entries(rows).map(([label, row]) => ({
        config: label,
        n: row.get.length,
        getMedianMs: median(row.get),
        getP95Ms: quantile(row.get, 0.95),
        freeMedianMs: median(row.free),
        freeP95Ms: quantile(row.free, 0.95),
        baselineMs: median(row.baseline),
        getRatio: median(row.get) / median(row.baseline),
        freeRatio: median(row.free) / median(row.baseline),
      }));
      first = false;
    }
  }
} finally {
  await cleanup();
}

const machine = {
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  kernel: os.release(),
  node: process.version,
  // The machine may be shared: the load while this ran says how much the figures are worth.
  loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
};
const doc = { date: new Date().toISOString(), machine, settings: { LEASES, REPS, FOLLOW, DNS_KINDS }, ...results };
process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench', 'results', `sync-${doc.date.replace(/[:.]/g, '-')}.json`),
  `${JSON.stringify(doc, null, 2)}\n`,
);
if (LEASES === FULL_SIZE && !process.env.BENCH_NO_RESULTS) {
  writeFileSync(RESULTS, `${JSON.stringify(mergedResults(readResults(), { sync: doc }), null, 2)}\n`);
  writeSyncDocument();
  process.stderr.write('results: the sync part of bench/results.json; docs/performance.md updated from it\n');
} else process.stderr.write('results: bench/results/ only (not the full size, or BENCH_NO_RESULTS)\n');
