/**
 * What each start-up device buys, per Node version (issue 10 item 7): the bundle run as oned runs
 * it (get_address through its symlink, base64 on a pipe) with one device taken away at a time,
 * every sample right after a bare `node -e 0` in the same round, variants interleaved, medians
 * reported. Each device must buy >= 2 ms per action on a supported Node to stay
 * (docs/performance.md records the result).
 *
 *   node --import tsx scripts/startup-devices.ts [--rounds 15] [--json FILE]
 *
 * The machine is shared and loaded: wall times move by tens of ms between runs. So each child
 * also reports the CPU time it used (user + system, process.cpuUsage() at exit, from a preload
 * given to the bare Node and to the action alike), which load barely moves; the devices are
 * judged on CPU ms over bare Node, wall times are shown beside them.
 *
 * Nodes: the one running this script and those of test/runtimes that are installed
 * (`npm run test:runtimes` installs them). Takes ~5 minutes with all four and 15 rounds.
 *
 * Devices measured in the bundle: the code cache (the bundle's vs none), the stdin re-open (a
 * socket on stdin instead of a pipe makes the driver fall back to process.stdin); an older or
 * other build beside them with DEVICES_BEFORE (the split parts, the CLI part deflated and Node's
 * compile cache were measured so, from builds of 408156b: docs/performance.md). Devices measured
 * beside it, as small cold programs (no code cache for either side): the XML reader next to
 * fast-xml-parser's XMLParser, the IPv6 fast path next to ipaddr.js (1 000 addresses, as reading
 * a book of 1 000 IPv6 ranges does).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { book, ip4Range, loadCodec } from '../bench/books.mjs';
import { childEnv, median, runTimed } from '../bench/measure.mjs';
import {
  addressRequest,
  formatIPv4,
  formatMac,
  getRequest,
  parseIPv4,
  replyValue,
  storedAr,
} from '../bench/requests.mjs';
import { makeFrontEnd } from '../bench/setup.mjs';
import { canUsePipes, pipeSlot } from '../bench/stdin-pipe.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, json: { type: 'string' } } });
const ROUNDS = Number(values.rounds);
if (!canUsePipes) throw new Error('startup-devices needs mkfifo: stdin must be a pipe, as oned gives it');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-devices-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
const cpuOut = path.join(work, 'cpu');
const preload = path.join(work, 'cpu-preload.cjs');
fs.writeFileSync(
  preload,
  `process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeFileSync(${JSON.stringify(cpuOut)}, String((u.user + u.system) / 1000)); });\n`,
);
const CPU_ENV = { NODE_OPTIONS: `--require ${preload}`, NEBULA_CPU_OUT: cpuOut };

/** runTimed, plus the child's CPU ms (from the preload). */
function runCpu(
  file: string,
  args: string[],
  options: { input?: string; env: NodeJS.ProcessEnv; stdinFd?: (input?: string) => number },
) {
  fs.rmSync(cpuOut, { force: true });
  const result = runTimed(file, args, { ...options, env: { ...options.env, ...CPU_ENV } });
  const cpuMs = fs.existsSync(cpuOut) ? Number(fs.readFileSync(cpuOut, 'utf8')) : NaN;
  return { ...result, cpuMs };
}

function buildBundle(args: string[], out: string): string {
  const r = spawnSync(process.execPath, ['build.mjs', ...args, `--out=${out}`], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build ${args.join(' ')}: ${r.stderr}`);
  return out;
}
const asBuilt = buildBundle([], path.join(work, 'as-built.cjs'));

const nodes: { label: string; bin: string }[] = [{ label: process.version, bin: process.execPath }];
const runtimes = path.join(ROOT, 'test', 'runtimes', 'node_modules');
for (const name of fs.existsSync(runtimes) ? fs.readdirSync(runtimes).sort() : []) {
  const bin = path.join(runtimes, name, 'bin', 'node');
  if (!fs.existsSync(bin)) continue;
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (version.split('.')[0] !== process.version.split('.')[0]) nodes.push({ label: version, bin });
}
// DEVICES_NODES: a regexp on versions (e.g. "^v2[02]"), for a closer look at a few.
if (process.env.DEVICES_NODES)
  nodes.splice(0, nodes.length, ...nodes.filter((n) => new RegExp(process.env.DEVICES_NODES!).test(n.label)));

const codec = await loadCodec(ROOT, path.join(ROOT, 'node_modules'));
const range = ip4Range(1, parseIPv4('10.0.0.0'), 256);
const ar = storedAr({ ...range, size: 256 });

interface Variant {
  readonly name: string;
  readonly bundle: string;
  readonly env?: Record<string, string>;
  /** stdin a socket (Node's child_process default) instead of a pipe. */
  readonly socket?: boolean;
}
const VARIANTS: Variant[] = [
  { name: 'as built', bundle: asBuilt },
  { name: 'no code cache', bundle: asBuilt, env: { NEBULA_IPAM_CODE_CACHE: 'off' } },
  { name: 'process.stdin (no stdin re-open)', bundle: asBuilt, socket: true },
  // DEVICES_BEFORE=<bundle>[,<bundle>...]: older or other builds beside these, named by file.
  ...(process.env.DEVICES_BEFORE?.split(',') ?? []).map((file) => ({
    name: path.basename(file, '.cjs'),
    bundle: path.resolve(file),
  })),
];

interface Row {
  node: string;
  variant: string;
  actionMs: number;
  bareMs: number;
  ratio: number;
  overBareMs: number;
  cpuMs: number;
  bareCpuMs: number;
  cpuRatio: number;
  cpuOverBareMs: number;
}
const rows: Row[] = [];

for (const node of nodes) {
  // DEVICES_ONLY: a regexp on variant names, for a closer look at a few.
  const only = process.env.DEVICES_ONLY ? new RegExp(process.env.DEVICES_ONLY) : undefined;
  const variants = VARIANTS.filter((v) => !only || only.test(v.name));
  // One front-end per variant: its own copy of the bundle, book and code cache.
  const setups = variants.map((variant) => {
    const frontEnd = makeFrontEnd(variant.bundle);
    const bookFile = path.join(frontEnd.root, 'leases.json');
    fs.writeFileSync(bookFile, codec.encodeBook(book([range])));
    // The copy was just made; the code cache is used only for a file older than the process.
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(frontEnd.root, 'nebula-ipam.cjs'), old, old);
    const env = childEnv({
      PATH: `${path.dirname(node.bin)}:${process.env.PATH}`,
      NEBULA_IPAM_CONFIG: frontEnd.config,
      NEBULA_IPAM_STORE: bookFile,
      NEBULA_IPAM_CODE_CACHE: path.join(frontEnd.root, 'code-cache'),
      ...variant.env,
    });
    return {
      variant,
      frontEnd,
      env,
      stdin: pipeSlot(frontEnd.root, 'stdin'),
      samples: [] as number[],
      bare: [] as number[],
      cpu: [] as number[],
      bareCpu: [] as number[],
    };
  });
  // ctime granularity: the copies must be older than the processes that use their caches.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const bareEnv = childEnv();
  process.stderr.write(`  ${node.label}: ${variants.length} variants x ${ROUNDS} rounds ...\n`);
  for (let round = -1; round < ROUNDS; round++) {
    // Rotated order, so no variant always follows the same one.
    for (let k = 0; k < setups.length; k++) {
      const s = setups[(k + Math.max(round, 0)) % setups.length]!;
      const bare = runCpu(node.bin, ['-e', '0'], { env: bareEnv, stdinFd: s.stdin });
      const input = getRequest(ar);
      const got = runCpu(
        s.frontEnd.links.get_address,
        ['1'],
        s.variant.socket ? { input, env: s.env } : { input, env: s.env, stdinFd: s.stdin },
      );
      if (got.status !== 0) throw new Error(`${s.variant.name} on ${node.label}: exit ${got.status}: ${got.stderr}`);
      const ip = parseIPv4(replyValue(got.stdout, 'IP')!);
      const freed = runTimed(s.frontEnd.links.free_address, ['2'], {
        input: addressRequest(ar, { mac: formatMac(range.mac + ip - range.ip), ip: formatIPv4(ip) }),
        env: s.env,
        stdinFd: s.stdin,
      });
      if (freed.status !== 0) throw new Error(`free on ${node.label}: ${freed.stderr}`);
      // Round -1 warms up: writes each variant's code cache.
      if (round >= 0) {
        s.samples.push(got.ms);
        s.bare.push(bare.ms);
        s.cpu.push(got.cpuMs);
        s.bareCpu.push(bare.cpuMs);
      }
    }
  }
  for (const s of setups) {
    const actionMs = median(s.samples);
    const bareMs = median(s.bare);
    const cpuMs = median(s.cpu);
    const bareCpuMs = median(s.bareCpu);
    rows.push({
      node: node.label,
      variant: s.variant.name,
      actionMs,
      bareMs,
      ratio: actionMs / bareMs,
      overBareMs: actionMs - bareMs,
      cpuMs,
      bareCpuMs,
      cpuRatio: cpuMs / bareCpuMs,
      cpuOverBareMs: cpuMs - bareCpuMs,
    });
    fs.rmSync(s.frontEnd.root, { recursive: true, force: true });
  }
}

// --- Devices beside the bundle: small cold programs ------------------------------------------------
// DEVICES_SIDE=off: the bundle variants only.
const REQUEST_XML = Buffer.from(getRequest(ar), 'base64').toString('utf8');
const IPV6 = Array.from(
  { length: 1000 },
  (_, i) => `2001:db8:${(0x100 + (i >> 8)).toString(16)}:${(i & 0xff).toString(16)}::`,
);
const PROGRAMS: Record<string, string> = {
  'XML: validator + the project reader': `import { decodeRequest } from './src/oned/request.ts'; decodeRequest(${JSON.stringify(Buffer.from(REQUEST_XML).toString('base64'))});`,
  'XML: validator + XMLParser': `import { XMLParser, XMLValidator } from 'fast-xml-parser'; const x = ${JSON.stringify(REQUEST_XML)}; if (XMLValidator.validate(x) !== true) throw 1; new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true, htmlEntities: false, textNodeName: '#text' }).parse(x);`,
  'IPv6: 1 000 addresses, fast path': `import { parseIPv6 } from './src/core/address/ipv6.ts'; for (const t of ${JSON.stringify(IPV6)}) if (parseIPv6(t) === undefined) throw 1;`,
  'IPv6: 1 000 addresses, ipaddr.js': `import ipaddr from 'ipaddr.js'; for (const t of ${JSON.stringify(IPV6)}) { let v = 0n; for (const p of ipaddr.IPv6.parse(t).parts) v = (v << 16n) | BigInt(p); }`,
};
const programFiles: Record<string, string> = {};
for (const [name, source] of Object.entries(PROGRAMS)) {
  const out = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  const file = path.join(work, `${name.replace(/\W+/g, '-')}.cjs`);
  fs.writeFileSync(file, out.outputFiles[0]!.text);
  programFiles[name] = file;
}
const sideRows: {
  node: string;
  program: string;
  ms: number;
  bareMs: number;
  overBareMs: number;
  cpuMs: number;
  bareCpuMs: number;
  cpuOverBareMs: number;
}[] = [];
for (const node of process.env.DEVICES_SIDE === 'off' ? [] : nodes) {
  const env = childEnv();
  const samples = Object.fromEntries(
    Object.keys(programFiles).map((k) => [
      k,
      { ms: [] as number[], bare: [] as number[], cpu: [] as number[], bareCpu: [] as number[] },
    ]),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, file] of Object.entries(programFiles)) {
      const bare = runCpu(node.bin, ['-e', '0'], { env });
      const r = runCpu(node.bin, [file], { env });
      if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
      const s = samples[name]!;
      s.bare.push(bare.ms);
      s.bareCpu.push(bare.cpuMs);
      s.ms.push(r.ms);
      s.cpu.push(r.cpuMs);
    }
  }
  for (const [name, s] of Object.entries(samples)) {
    sideRows.push({
      node: node.label,
      program: name,
      ms: median(s.ms),
      bareMs: median(s.bare),
      overBareMs: median(s.ms) - median(s.bare),
      cpuMs: median(s.cpu),
      bareCpuMs: median(s.bareCpu),
      cpuOverBareMs: median(s.cpu) - median(s.bareCpu),
    });
  }
}

const fmt = (v: number, d = 1) => v.toFixed(d);
const lines = [
  '| Node | variant | CPU ms | bare CPU ms | CPU ratio | CPU over bare | wall ms | bare wall ms | wall ratio |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|',
];
for (const r of rows)
  lines.push(
    `| ${r.node} | ${r.variant} | ${fmt(r.cpuMs)} | ${fmt(r.bareCpuMs)} | ${fmt(r.cpuRatio, 2)}x | ${fmt(r.cpuOverBareMs)} | ${fmt(r.actionMs)} | ${fmt(r.bareMs)} | ${fmt(r.ratio, 2)}x |`,
  );
lines.push(
  '',
  '| Node | program (cold, no code cache) | CPU ms | bare CPU ms | CPU over bare | wall over bare |',
  '|---|---|---:|---:|---:|---:|',
);
for (const r of sideRows)
  lines.push(
    `| ${r.node} | ${r.program} | ${fmt(r.cpuMs)} | ${fmt(r.bareCpuMs)} | ${fmt(r.cpuOverBareMs)} | ${fmt(r.overBareMs)} |`,
  );
lines.push(
  '',
  `${ROUNDS} rounds; machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Linux ${os.release()}; ${new Date().toISOString()}`,
);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json)
  fs.writeFileSync(
    values.json,
    `${JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, rows, sideRows }, null, 2)}\n`,
  );
