// `npm start`: the driver's main job, shown on a built-in pool and a temporary lease book.
// It runs dist/nebula-ipam.cjs exactly as oned does: through the five action symlinks in a
// remotes/ipam/nebula/ tree (IPAM_MAD "nebula", the name the README installs it as), exec'd
// with argv[0] = the link's path and argv[1] = oned's request id (process.argv[2] in Node, whose
// process.argv[1] is the script), stdin = one line of base64 XML. Each step
// prints what oned asked, what the driver answered and the exit code; the demo exits non-zero
// as soon as a step does not behave as expected.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(ROOT, 'dist', 'nebula-ipam.cjs');
// The IPAM_MAD: the driver directory's name, as the README's install (and oned.conf's -i list) has it.
const DRIVER = 'nebula';
const ACTIONS = [
  'register_address_range',
  'unregister_address_range',
  'allocate_address',
  'get_address',
  'free_address',
];
const POOL = {
  name: 'demo',
  network: '10.10.0.0/16',
  subnetPrefix: 24,
  gateway: 'first',
  dns: ['10.10.0.53'],
  mtu: 1500,
  searchDomain: 'demo.example',
  default: true,
};

const tty = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const dim = (t) => (tty ? `\x1b[2m${t}\x1b[0m` : t);
const bold = (t) => (tty ? `\x1b[1m${t}\x1b[0m` : t);

class DemoFailure extends Error {}
/**
 * @param {unknown} ok
 * @param {string} what
 * @returns {asserts ok}
 */
function expect(ok, what) {
  if (!ok) throw new DemoFailure(what);
}

// --- the sandbox: config, book, symlinks -------------------------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-demo-'));
const driverDir = path.join(dir, 'remotes', 'ipam', DRIVER);
const configFile = path.join(dir, `${DRIVER}.json`);
const bookFile = path.join(dir, 'book', 'leases.json');

function setUp() {
  if (!fs.existsSync(BUNDLE)) throw new DemoFailure(`${BUNDLE} is missing; run \`node build.mjs\` (npm start does)`);
  fs.mkdirSync(driverDir, { recursive: true });
  for (const action of ACTIONS) fs.symlinkSync(BUNDLE, path.join(driverDir, action));
  fs.symlinkSync(BUNDLE, path.join(dir, 'nebula-ipam'));
  fs.writeFileSync(configFile, JSON.stringify({ pools: [POOL] }, null, 2));
}

// A real front-end has no NODE_EXTRA_CA_CERTS (it costs ~40 ms per start); the shebang
// `#!/usr/bin/env node` finds the node running this script first on PATH.
/** @type {NodeJS.ProcessEnv} */
// ONE_LOCATION inside the sandbox: no default path of the machine's OpenNebula is ever looked at.
const env = {
  ...process.env,
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
  NEBULA_IPAM_CONFIG: configFile,
  NEBULA_IPAM_STORE: bookFile,
  ONE_LOCATION: path.join(dir, 'one'),
};
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;

let requestId = 0;
function runAction(action, xml) {
  const id = String(requestId++);
  const started = process.hrtime.bigint();
  const child = spawnSync(path.join(driverDir, action), [id], {
    cwd: dir,
    env,
    input: Buffer.from(xml).toString('base64'),
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  if (child.error) throw new DemoFailure(`could not run ${action}: ${child.error.message}`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { id, code: child.status ?? 128, stdout: child.stdout, stderr: child.stderr, ms };
}

// --- oned's XML, as oned writes it (docs/oned-contract.md 2) ---------------------------------------------
const cdata = (v) => `<![CDATA[${v}]]>`;
const elements = (attrs) =>
  Object.keys(attrs)
    .sort()
    .map((k) => `<${k}>${cdata(attrs[k])}</${k}>`)
    .join('');
const PLACEHOLDER = '<ADDRESS><MAC/><IP/><IP6_GLOBAL/><IP6_ULA/><IP6/><SIZE/></ADDRESS>';
const request = (ar, address) => `<IPAM_DRIVER_ACTION_DATA><AR>${ar}</AR>${address}</IPAM_DRIVER_ACTION_DATA>`;

const ipToNumber = (ip) => ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
const numberToIp = (n) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const macOf = (n) => (0x020000000000 + n).toString(16).padStart(12, '0').match(/../g).join(':');

/** The AR as oned stores it after register: reply + AR_ID + MAC, then computed elements. */
function storedAr(reply, used) {
  const attrs = { ...reply, AR_ID: '0', MAC: reply.MAC ?? macOf(ipToNumber(reply.IP)) };
  const last = Number(reply.SIZE) - 1;
  const computed = `<MAC_END>${cdata(macOf(ipToNumber(reply.IP) + last))}</MAC_END><IP_END>${cdata(numberToIp(ipToNumber(reply.IP) + last))}</IP_END>`;
  return `${elements(attrs)}${computed}<USED_LEASES>${used}</USED_LEASES>`;
}
const addressOf = (ip, size) =>
  `<ADDRESS><MAC>${macOf(ipToNumber(ip))}</MAC><IP>${ip}</IP><SIZE>${size}</SIZE></ADDRESS>`;

/** `NAME = [ K = "v", ... ]` into an object; undefined if stdout is anything else. */
function parseReply(text, name) {
  const pair = '[A-Za-z0-9_]+[ \\t]*=[ \\t]*"(?:[^"\\\\\\n]|\\\\")*"';
  const m = new RegExp(`^${name}[ \\t]*=[ \\t]*\\[\\s*((?:${pair}\\s*,\\s*)*${pair})\\s*\\]\\s*$`).exec(text);
  if (!m) return undefined;
  const out = {};
  for (const [, key, value] of m[1].matchAll(/([A-Za-z0-9_]+)[ \t]*=[ \t]*"((?:[^"\\\n]|\\")*)"/g)) {
    if (key.toUpperCase() in out) return undefined; // oned would silently keep the first
    out[key.toUpperCase()] = value.replaceAll('\\"', '"');
  }
  return out;
}

// --- printing ----------------------------------------------------------------------------------
let sectionNo = 0;
let calls = 0;
const section = (title) => console.log(`\n${bold(`${++sectionNo}. ${title}`)}`);

/** One request on one line: action, oned's request id, the request in short, exit code, reply. */
function show(action, shortRequest, result) {
  calls++;
  const out = result.stdout.trim();
  const err = result.stderr.trim();
  // The AR vector is printed as oned receives it; everything else fits on the request's line.
  const vector = out.startsWith('AR');
  const answer = vector ? 'stdout:' : out ? out.replace(/\s*\n\s*/g, ' ') : err ? `stderr: ${err}` : '';
  console.log(
    `   ${action} ${result.id} ${dim('<-')} ${shortRequest} ${dim('->')} exit ${result.code} ${dim(`(${result.ms.toFixed(0)} ms)`)}${answer ? `  ${answer}` : ''}`,
  );
  if (vector) console.log(`      ${out.split('\n').join('\n      ')}`);
}

/**
 * The book as an operator sees it: the same bundle under its own name is the operator CLI
 * (`nebula-ipam leases`), so the demo never depends on the book's file format.
 */
function operator(...args) {
  const child = spawnSync(path.join(dir, 'nebula-ipam'), args, {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  if (child.status !== 0)
    throw new DemoFailure(`nebula-ipam ${args.join(' ')} exited ${child.status}: ${child.stderr.trim()}`);
  return child.stdout;
}

function showBook() {
  console.log(`   ${dim('$ nebula-ipam leases')}`);
  console.log(`   ${operator('leases').trimEnd().split('\n').join('\n   ')}`);
}

/**
 * The request id the driver read from argv[1] is the one the book recorded for each lease
 * (it is what matches a lease to oned.log's lines): proof the demo passes it where oned does.
 */
function showRequestIds(takenBy) {
  const { leases } = JSON.parse(operator('--json', 'leases', '--holder', 'opennebula'));
  const recorded = leases.map((l) => `${l.addresses.split('-')[0]}:${l.requestId}`);
  const sent = [...takenBy].map(([ip, id]) => `${ip}:${id}`);
  expect(
    JSON.stringify([...recorded].sort()) === JSON.stringify([...sent].sort()),
    `the book's request ids ${recorded.join(' ')} are not the argv[1] of the requests ${sent.join(' ')}`,
  );
  console.log(`   request ids the book recorded (argv[1] of each get_address/allocate_address): ${sent.join(' ')}`);
}

// --- the life-cycle ----------------------------------------------------------------------------
function main() {
  setUp();
  console.log(bold('nebula-ipam demo: the driver run exactly as oned runs it'));
  console.log(`   actions  ${driverDir}/<action> -> dist/nebula-ipam.cjs (five symlinks)`);
  console.log(
    `   request  argv[1] = oned's request id (argv[0] the link's path), stdin = base64 of the XML oned writes, no newline`,
  );
  console.log(
    `   pool     "${POOL.name}" ${POOL.network}, carves /${POOL.subnetPrefix} subnets, gateway first, DNS ${POOL.dns.join(' ')}`,
  );
  console.log(`   book     ${bookFile} (temporary)`);

  section('Create the empty lease book on purpose, as install does (no action ever makes one)');
  console.log(`   ${dim('$ nebula-ipam init')}`);
  console.log(`   ${operator('init').trimEnd()}`);

  section('Create a network from the pool: onevnet create with AR = [ SIZE = 16 ], no TYPE, no IP');
  let r = runAction('register_address_range', request(elements({ IPAM_MAD: DRIVER, SIZE: '16' }), PLACEHOLDER));
  show('register_address_range', `AR: IPAM_MAD=${DRIVER} SIZE=16`, r);
  const reply = parseReply(r.stdout, 'AR');
  expect(r.code === 0 && reply, 'register did not answer with an AR vector');
  expect(
    reply.IPAM_MAD === DRIVER && reply.TYPE === 'IP4' && reply.SIZE === '16' && reply.IP,
    'the AR lacks IPAM_MAD, TYPE, SIZE or IP',
  );
  const first = ipToNumber(reply.IP);
  const inRange = (ip) => ipToNumber(ip) >= first && ipToNumber(ip) < first + 16;
  const arShown = `AR ${reply.NEBULA_IPAM_RANGE} ${reply.IP}+16`;

  const leased = new Set();
  const given = new Set();
  /** First address of each block get_address or allocate_address took -> the request id it was sent with. */
  const takenBy = new Map();
  const lease = (size) => {
    r = runAction('get_address', request(storedAr(reply, leased.size), `<ADDRESS><SIZE>${size}</SIZE></ADDRESS>`));
    show('get_address', `${arShown}, SIZE=${size}`, r);
    const address = parseReply(r.stdout, 'ADDRESS');
    expect(
      r.code === 0 && address?.IP && address.SIZE === String(size),
      'get_address did not answer with an ADDRESS vector',
    );
    for (let i = 0; i < size; i++) {
      const ip = numberToIp(ipToNumber(address.IP) + i);
      expect(inRange(ip), `${ip} is outside the range`);
      expect(!leased.has(ip), `${ip} was given out twice`);
      leased.add(ip);
      given.add(ip);
    }
    takenBy.set(address.IP, r.id);
    return address.IP;
  };
  const allocate = (ip) => {
    r = runAction('allocate_address', request(storedAr(reply, leased.size), addressOf(ip, 1)));
    show('allocate_address', `${arShown}, IP=${ip} SIZE=1`, r);
    return r;
  };
  const free = (ip) => {
    r = runAction('free_address', request(storedAr(reply, leased.size), addressOf(ip, 1)));
    show('free_address', `IP=${ip} SIZE=1`, r);
    expect(r.code === 0 && r.stdout === '', `free_address ${ip} failed`);
    leased.delete(ip);
  };

  section('Three VMs start, each NIC without an IP: get_address picks one');
  const vms = [lease(1), lease(1), lease(1)];

  section('Reserve a block: onevnet reserve -s 4 asks for 4 contiguous addresses');
  const block = lease(4);

  const held = numberToIp(first + 12);
  section(`Hold ${held} (onevnet hold), then try to hold VM 1's address: refused, one line for oned`);
  r = allocate(held);
  expect(r.code === 0 && r.stdout === '', 'allocate_address failed');
  leased.add(held);
  takenBy.set(held, r.id);
  r = allocate(vms[0]);
  expect(
    r.code !== 0 && r.stdout === '' && r.stderr.split('\n').length === 2,
    'a leased address was given out twice, or the failure was not one line',
  );
  showBook();
  showRequestIds(takenBy);

  section('Free: VM 2 ends; the reservation and the hold go one address per call, as oned does');
  free(vms[1]);
  for (let i = 0; i < 4; i++) free(numberToIp(ipToNumber(block) + i));
  free(held);
  showBook();

  section(
    'A fourth VM gets the next never-used address, not one just freed (onevnet release may free an address a VM still uses)',
  );
  const next = lease(1);
  expect(next === numberToIp(ipToNumber(block) + 4), `VM 4 got ${next}, not the address after the reservation`);

  section(`Remove the range with its ${leased.size} leases still in it (onevnet rmar); its /24 goes back to the pool`);
  r = runAction('unregister_address_range', request(storedAr(reply, leased.size), PLACEHOLDER));
  show('unregister_address_range', arShown, r);
  expect(r.code === 0 && r.stdout === '', 'unregister failed');

  const status = JSON.parse(operator('status', '--json'));
  const mode = (fs.statSync(bookFile).mode & 0o777).toString(8);
  console.log(`\n${bold('The lease book at the end')} ${dim(`(mode ${mode}, generation ${status.generation})`)}`);
  console.log(`   ${dim('$ nebula-ipam status')}`);
  console.log(`   ${operator('status').trimEnd().split('\n').join('\n   ')}`);
  expect(status.ranges.length === 0, 'the book still holds ranges');
  expect(mode === '600', `the book is mode ${mode}, not 600`);
  console.log(
    `\n${bold('OK')}: ${calls} requests, ${given.size} distinct addresses handed out, none to two holders at once; the book is empty again.`,
  );
}

let status = 0;
try {
  main();
} catch (error) {
  status = 1;
  console.error(
    `\ndemo FAILED: ${error instanceof DemoFailure ? error.message : error instanceof Error ? error.stack : String(error)}`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exitCode = status;
