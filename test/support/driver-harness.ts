/**
 * Running the built bundle exactly as oned does, for black-box tests.
 *
 *   const sandbox = createSandbox({ config: { pools: [...] } });   // temp remotes tree + config + book
 *   const r = sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', SIZE: '21' }));
 *   const reply = parseTemplateReply(r.stdout, 'AR');             // strict oned grammar
 *   const ar = new OnedAr(reply.attrs);                            // oned's stored AR, for later actions
 *   sandbox.run('get_address', ar.getXml(1));
 *   sandbox.cleanup();
 *
 * - `createSandbox`: `<tmp>/remotes/ipam/<driver>/<action>` symlinks to `dist/nebula-ipam.cjs`,
 *   a config file (`NEBULA_IPAM_CONFIG`) and a book path (`NEBULA_IPAM_STORE`; not for an etcd
 *   config) inside `<tmp>`, and the empty book made on purpose, as an operator makes it:
 *   `nebula-ipam init` (`sandbox.init()`; `book: 'none'` leaves it to the test). No action makes
 *   a book, so without it every action fails.
 * - Nothing reaches the host's OpenNebula: every child gets ONE_LOCATION inside a temp dir
 *   (`<tmp>/one` for a sandbox), so the defaults (config, book, ipamrc, remotes) are there.
 * - `sandbox.run` / `runRaw`: execute the symlink itself (its `#!/usr/bin/env node` picks the
 *   first `node` on PATH, so the chosen runtime goes first), argv = request id, stdin = exact bytes.
 * - The XML builders and `OnedAr` write requests byte for byte as oned does (docs/oned-contract.md 2).
 * - `parseTemplateReply` checks a reply against oned's template grammar (docs/oned-contract.md 3.1).
 * - `childEnv` and `nodeBinary` let a caller spawn the bundle its own way (e.g. concurrently).
 *
 * Deliberately independent of `src/`: address arithmetic is redone here, so a product bug is not
 * shared by the test that should catch it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLE = path.join(REPO_ROOT, 'dist', 'nebula-ipam.cjs');
/** The same program with the test hooks (src/store/file/test-hooks.ts) in: `node build.mjs --test-hooks`. */
export const TEST_BUNDLE = path.join(REPO_ROOT, 'dist', 'test', 'nebula-ipam.cjs');

export const ACTIONS = [
  'register_address_range',
  'unregister_address_range',
  'allocate_address',
  'get_address',
  'free_address',
] as const;
export type Action = (typeof ACTIONS)[number];

// ---------------------------------------------------------------------------------------------
// Runtimes and processes

/**
 * 'default' is the node running the tests (20 here); a major version ('18', '22', '24') is a Node
 * of test/runtimes, which `npm run test:runtimes` installs (npm ci does not).
 */
export type NodeVersion = 'default' | `${number}`;

export function nodeBinary(version: NodeVersion): string {
  if (version === 'default') return process.execPath;
  const binary = path.join(REPO_ROOT, 'test', 'runtimes', 'node_modules', `node${version}`, 'bin', 'node');
  if (!fs.existsSync(binary))
    throw new Error(`Node ${version} is not installed at ${binary} (npm run test:runtimes installs it)`);
  return binary;
}

/**
 * The environment of a child: ours minus what a real front-end lacks or what would leak into the
 * child (NODE_EXTRA_CA_CERTS costs ~40 ms per start; node --test and NODE_OPTIONS hooks), with
 * the chosen node first on PATH and `extra` on top (a value of undefined removes the variable).
 */
export function childEnv(
  version: NodeVersion,
  extra: Readonly<Record<string, string | undefined>> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      name === 'NODE_EXTRA_CA_CERTS' ||
      name === 'NODE_OPTIONS' ||
      name.startsWith('NODE_TEST') ||
      name.startsWith('NEBULA_IPAM_')
    )
      delete env[name];
  }
  env.PATH = `${path.dirname(nodeBinary(version))}${path.delimiter}${process.env.PATH ?? ''}`;
  // Never the host's /etc/one or /var/lib/one, nor the ONE_LOCATION of the shell running the tests.
  env.ONE_LOCATION = harnessOneLocation();
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

let oneLocation: string | undefined;

/**
 * A self-contained OpenNebula location of this test process, empty: children that do not name
 * their own find no config, no book, no ipamrc and no installed driver there, as on a fresh
 * front-end, and never the machine's. Removed when the process exits.
 */
export function harnessOneLocation(): string {
  if (oneLocation === undefined) {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-one-'));
    // Others may look in too (tests that run the driver as another user): it is empty.
    fs.chmodSync(made, 0o755);
    oneLocation = made;
    process.on('exit', () => fs.rmSync(made, { recursive: true, force: true }));
  }
  return oneLocation;
}

export interface RunResult {
  /** Exit status; a signal death is reported as 128 + signal number, as a shell would. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RawRun {
  /** argv after the program name; oned passes exactly one: the request id. */
  readonly args?: readonly string[];
  /** Exact stdin bytes; empty by default. */
  readonly stdin?: string | Buffer;
  readonly node?: NodeVersion;
  /** Extra environment variables for this run (undefined removes one). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface RunOptions {
  /** oned's request id, argv[1]; default "0". */
  readonly requestId?: string;
  readonly node?: NodeVersion;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface SandboxOptions {
  /** The driver name: the directory the action links live in, the AR's IPAM_MAD. Default "mydrv". */
  readonly driver?: string;
  /**
   * The config: an object (written as JSON), a string (written as is, e.g. a broken file), or
   * 'none' (NEBULA_IPAM_CONFIG unset: the driver looks at its default path). Default `{}`.
   */
  readonly config?: object | string;
  /** Node used when a run does not say; default 'default'. */
  readonly node?: NodeVersion;
  /** The bundle the links point at; default BUNDLE (TEST_BUNDLE for tests that set a test hook). */
  readonly bundle?: string;
  /**
   * 'init' (the default, unless config is 'none' or a string: a broken config cannot make one): the sandbox runs `nebula-ipam init` once, as an
   * operator does before oned registers anything. 'none': no book; the test makes it (or not).
   */
  readonly book?: 'init' | 'none';
}

export interface DriverSandbox {
  readonly dir: string;
  readonly driver: string;
  /** `<dir>/remotes/ipam/<driver>`, holding the five symlinks. */
  readonly driverDir: string;
  readonly configPath: string | undefined;
  readonly bookPath: string;
  /** This sandbox's ONE_LOCATION (`<dir>/one`): where the defaults point. */
  readonly oneLocation: string;
  /** The environment of the sandbox's children (ONE_LOCATION, NEBULA_IPAM_CONFIG, NEBULA_IPAM_STORE unless in etcd) plus `extra`. */
  env(extra?: Readonly<Record<string, string | undefined>>, node?: NodeVersion): NodeJS.ProcessEnv;
  /** `nebula-ipam init` with the sandbox's settings: makes the empty book on purpose (exit 0 or throws). */
  init(env?: Readonly<Record<string, string | undefined>>): RunResult;
  /** One action as oned runs it: argv = request id, stdin = base64 of `xml`, no newline. */
  run(action: Action, xml: string, options?: RunOptions): RunResult;
  /** Anything else: other argv, other stdin bytes, a name that is not an action. */
  runRaw(name: string, raw?: RawRun): RunResult;
  /** The book's exact bytes, or undefined when it does not exist yet. */
  bookBytes(): Buffer | undefined;
  /** The book as JSON, or undefined when it does not exist yet. */
  book(): BookJson | undefined;
  cleanup(): void;
}

/** The parts of the book file the tests read (the file is the product's documented format). */
export interface BookJson {
  readonly schema: number;
  readonly generation: number;
  readonly nextRangeId: number;
  readonly ranges: readonly {
    id: string;
    type: string;
    size: number;
    ip?: string;
    leases: readonly { from: number; to: number; holder: string }[];
  }[];
}

const RUN_TIMEOUT_MS = 30_000;

export function createSandbox(options: SandboxOptions = {}): DriverSandbox {
  const bundle = options.bundle ?? BUNDLE;
  if (!fs.existsSync(bundle))
    throw new Error(`${bundle} is missing: run node build.mjs${bundle === TEST_BUNDLE ? ' --test-hooks' : ''} first`);
  const driver = options.driver ?? 'mydrv';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-e2e-'));
  const driverDir = path.join(dir, 'remotes', 'ipam', driver);
  fs.mkdirSync(driverDir, { recursive: true });
  for (const action of ACTIONS) fs.symlinkSync(bundle, path.join(driverDir, action));

  const config = options.config ?? {};
  let configPath: string | undefined;
  if (config !== 'none') {
    configPath = path.join(dir, 'etc', `${driver}.json`);
    fs.mkdirSync(path.dirname(configPath));
    fs.writeFileSync(configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  }
  const bookPath = path.join(dir, 'store', 'leases.json');
  const oneLocation = path.join(dir, 'one');
  const defaultNode = options.node ?? 'default';
  // An etcd config keeps the book in etcd; NEBULA_IPAM_STORE would contradict it (resolve-book.ts).
  const inEtcd = typeof config === 'object' && (config as { backend?: { type?: string } }).backend?.type === 'etcd';
  const sandboxEnv = (node: NodeVersion, extra: Readonly<Record<string, string | undefined>> = {}) =>
    childEnv(node, {
      ONE_LOCATION: oneLocation,
      ...(inEtcd ? {} : { NEBULA_IPAM_STORE: bookPath }),
      ...(configPath === undefined ? {} : { NEBULA_IPAM_CONFIG: configPath }),
      ...extra,
    });

  const spawnResult = (child: ReturnType<typeof spawnSync>): RunResult => {
    if (child.error) throw child.error;
    const code = child.status ?? 128 + (os.constants.signals[child.signal as keyof typeof os.constants.signals] ?? 0);
    return { code, stdout: String(child.stdout), stderr: String(child.stderr) };
  };

  const runRaw = (name: string, raw: RawRun = {}): RunResult => {
    const program = path.join(driverDir, name);
    if (!fs.existsSync(program)) fs.symlinkSync(bundle, program);
    const env = sandboxEnv(raw.node ?? defaultNode, raw.env);
    const child = spawnSync(program, [...(raw.args ?? [])], {
      cwd: dir,
      env,
      input: raw.stdin ?? '',
      encoding: 'utf8',
      timeout: RUN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    });
    return spawnResult(child);
  };

  // The bundle under its own file name is the CLI (src/program.ts); no link is added to driverDir.
  const init = (env: Readonly<Record<string, string | undefined>> = {}): RunResult => {
    const child = spawnSync(nodeBinary(defaultNode), [bundle, '--driver', driver, 'init'], {
      cwd: dir,
      env: sandboxEnv(defaultNode, env),
      encoding: 'utf8',
      timeout: RUN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    const result = spawnResult(child);
    if (result.code !== 0) throw new Error(`nebula-ipam init exited ${result.code}: ${result.stderr}`);
    return result;
  };
  if ((options.book ?? (typeof config === 'string' ? 'none' : 'init')) === 'init') init();

  return {
    dir,
    driver,
    driverDir,
    configPath,
    bookPath,
    oneLocation,
    env: (extra = {}, node = defaultNode) => sandboxEnv(node, extra),
    init,
    run: (action, xml, opts = {}) =>
      runRaw(action, {
        args: [opts.requestId ?? '0'],
        stdin: encodeRequest(xml),
        ...(opts.node ? { node: opts.node } : {}),
        ...(opts.env ? { env: opts.env } : {}),
      }),
    runRaw,
    bookBytes: () => (fs.existsSync(bookPath) ? fs.readFileSync(bookPath) : undefined),
    book: () => (fs.existsSync(bookPath) ? (JSON.parse(fs.readFileSync(bookPath, 'utf8')) as BookJson) : undefined),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** stdin as oned writes it: standard base64 with padding, no trailing newline. */
export function encodeRequest(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

// ---------------------------------------------------------------------------------------------
// Requests, byte for byte as oned builds them (docs/oned-contract.md 2)

export type Attrs = Readonly<Record<string, string>>;

export const PLACEHOLDER_ADDRESS = '<ADDRESS><MAC/><IP/><IP6_GLOBAL/><IP6_ULA/><IP6/><SIZE/></ADDRESS>';

/** A value in CDATA; `]]>` cannot live inside one section, so it is split across two, as libxml does. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** Attributes as oned writes them: upper-case names in byte-wise order, CDATA values. */
export function attributeElements(attrs: Attrs): string {
  return Object.keys(attrs)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((name) => `<${name}>${cdata(attrs[name]!)}</${name}>`)
    .join('');
}

export function requestXml(arInner: string, address: string): string {
  return `<IPAM_DRIVER_ACTION_DATA><AR>${arInner}</AR>${address}</IPAM_DRIVER_ACTION_DATA>`;
}

/** register_address_range: the AR exactly as the user wrote it (plus IPAM_MAD), and the placeholder. */
export function registerXml(ar: Attrs): string {
  return requestXml(attributeElements(ar), PLACEHOLDER_ADDRESS);
}

/** The fields of an ADDRESS for allocate and free, in oned's order; MAC always, SIZE last. */
export interface AddressFields {
  readonly MAC: string;
  readonly IP?: string;
  readonly IP6_ULA?: string;
  readonly IP6_GLOBAL?: string;
  readonly IP6?: string;
  readonly SIZE: number | bigint;
}

export function addressXml(fields: AddressFields): string {
  const parts = (['MAC', 'IP', 'IP6_ULA', 'IP6_GLOBAL', 'IP6'] as const)
    .filter((name) => fields[name] !== undefined)
    .map((name) => `<${name}>${escapeText(fields[name]!)}</${name}>`);
  return `<ADDRESS>${parts.join('')}<SIZE>${fields.SIZE}</SIZE></ADDRESS>`;
}

function escapeText(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export interface StoredArOptions {
  /** oned's AR_ID; default 0. */
  readonly arId?: number;
  /** Add 7.2+ SHARED and 7.4 NEXT_INDEX, as the docs/oned-contract.md sample does; default true. */
  readonly modern?: boolean;
  /**
   * Send USED_LEASES (default true). oned runs one action at a time, so its count is exact; the
   * torture tests run many callers on one AR at once, where no count could be oned's: they send
   * none, and the driver keeps to its own book (core/engine/oned-count.ts reads nothing).
   */
  readonly sendsCount?: boolean;
}

/**
 * One AR as oned keeps it after a successful register: the reply's attributes plus AR_ID, MAC
 * (derived as oned does when the reply has none) and, on 7.x, SHARED and NEXT_INDEX. It counts
 * USED_LEASES as oned would once the test tells it what oned accepted.
 */
export class OnedAr {
  readonly attrs: Readonly<Record<string, string>>;
  readonly type: string;
  readonly size: bigint;
  readonly leased = new Set<bigint>();
  /** Blocks too big to list one address at a time (2^31 addresses in the edge tests), and the addresses freed in them. */
  private bulk: { first: bigint; last: bigint }[] = [];
  private bulkFreed = new Set<bigint>();
  private readonly firstMac: bigint;
  private readonly sendsCount: boolean;

  constructor(replyAttrs: ReadonlyMap<string, string> | Attrs, options: StoredArOptions = {}) {
    this.sendsCount = options.sendsCount ?? true;
    const reply = replyAttrs instanceof Map ? Object.fromEntries(replyAttrs) : { ...(replyAttrs as Attrs) };
    const type = reply.TYPE;
    const size = reply.SIZE;
    if (type === undefined || size === undefined)
      throw new Error(`OnedAr: the reply has no TYPE or SIZE: ${JSON.stringify(reply)}`);
    this.type = type;
    this.size = BigInt(size);
    const stored: Record<string, string> = { ...reply, AR_ID: String(options.arId ?? 0) };
    if (stored.MAC === undefined) {
      // oned: MAC_PREFIX (02:00) + the four IPv4 octets; IPv6-only and ETHER ranges get random bytes.
      const ip = stored.IP === undefined ? 0xc0ffee42n : BigInt(ipv4ToNumber(stored.IP));
      stored.MAC = formatMac((0x0200n << 32n) | ip);
    }
    if (options.modern ?? true) {
      stored.SHARED = 'NO';
      stored.NEXT_INDEX = '0';
    }
    this.attrs = stored;
    this.firstMac = parseMac(stored.MAC!);
  }

  get hasIPv4(): boolean {
    return this.type === 'IP4' || this.type === 'IP4_6' || this.type === 'IP4_6_STATIC';
  }

  /** oned's USED_LEASES: every address it holds in the AR (`get_used_addr`, the size of its lease map). */
  get usedLeases(): bigint {
    let count = BigInt(this.leased.size) - BigInt(this.bulkFreed.size);
    for (const block of this.bulk) count += block.last - block.first + 1n;
    return count;
  }

  /**
   * The same AR after `onevnet updatear` (or any edit of its attributes): oned keeps its leases,
   * so the copy counts the same USED_LEASES.
   */
  edited(changes: Attrs): OnedAr {
    const copy = new OnedAr(
      { ...this.attrs, ...changes },
      { arId: Number(this.attrs.AR_ID ?? 0), modern: false, sendsCount: this.sendsCount },
    );
    for (const index of this.leased) copy.leased.add(index);
    copy.bulk = [...this.bulk];
    copy.bulkFreed = new Set(this.bulkFreed);
    return copy;
  }

  /** The AR element's content with computed elements and USED_LEASES (get, allocate, free, rmar). */
  storedInner(): string {
    return `${attributeElements(this.attrs)}${this.computedElements()}${this.sendsCount ? `<USED_LEASES>${this.usedLeases}</USED_LEASES>` : ''}`;
  }

  /** oned's computed elements, in oned's order (docs/oned-contract.md 2.1). */
  computedElements(): string {
    const last = this.size - 1n;
    const element = (name: string, value: string) => `<${name}>${cdata(value)}</${name}>`;
    let out = element('MAC_END', formatMac(this.firstMac + last));
    if (this.hasIPv4) out += element('IP_END', numberToIpv4(ipv4ToNumber(this.attrs.IP!) + Number(last)));
    if (this.type === 'IP6' || this.type === 'IP4_6') {
      for (const [prefixName, name] of [
        ['ULA_PREFIX', 'IP6_ULA'],
        ['GLOBAL_PREFIX', 'IP6_GLOBAL'],
      ] as const) {
        const prefix = this.attrs[prefixName];
        if (prefix === undefined) continue;
        out +=
          element(name, slaacAddress(prefix, this.firstMac)) +
          element(`${name}_END`, slaacAddress(prefix, this.firstMac + last));
      }
    }
    if (this.type === 'IP6_STATIC' || this.type === 'IP4_6_STATIC')
      out += element('IP6_END', formatIpv6(parseIpv6(this.attrs.IP6!) + last));
    return out;
  }

  /**
   * The address of index `i`, as oned names it in ADDRESS for allocate and free
   * (`AddressRange::addr_to_xml`): MAC, IP where the AR has IPv4, and in every IPv6 field the
   * literal `0`, the status code of `ip6_to_s()` that oned streams instead of the address.
   * MACs count in their last four bytes, as oned's `mac[0] + index` does.
   */
  address(index: bigint, size: number | bigint = 1): AddressFields {
    const mac = (this.firstMac & ~0xffffffffn) | ((this.firstMac + index) & 0xffffffffn);
    const fields: { -readonly [K in keyof AddressFields]: AddressFields[K] } = { MAC: formatMac(mac), SIZE: size };
    if (this.hasIPv4) fields.IP = numberToIpv4(ipv4ToNumber(this.attrs.IP!) + Number(index));
    if (this.type === 'IP6' || this.type === 'IP4_6') {
      if (this.attrs.ULA_PREFIX !== undefined) fields.IP6_ULA = '0';
      if (this.attrs.GLOBAL_PREFIX !== undefined) fields.IP6_GLOBAL = '0';
    }
    if (this.type === 'IP6_STATIC' || this.type === 'IP4_6_STATIC') fields.IP6 = '0';
    return fields;
  }

  /** The IPv6 address of index `i` that oned gives the VM (never sent to the driver): static, or SLAAC global. */
  ip6Of(index: bigint): string | undefined {
    if (this.type === 'IP6_STATIC' || this.type === 'IP4_6_STATIC')
      return formatIpv6(parseIpv6(this.attrs.IP6!) + index);
    if (this.attrs.GLOBAL_PREFIX !== undefined) return slaacAddress(this.attrs.GLOBAL_PREFIX, this.firstMac + index);
    return undefined;
  }

  /** The index of an IPv4 address of this AR. */
  indexOf(ip: string): bigint {
    return BigInt(ipv4ToNumber(ip) - ipv4ToNumber(this.attrs.IP!));
  }

  getXml(size: number | bigint = 1): string {
    return requestXml(this.storedInner(), `<ADDRESS><SIZE>${size}</SIZE></ADDRESS>`);
  }

  allocateXml(index: bigint, size: number | bigint = 1): string {
    return requestXml(this.storedInner(), addressXml(this.address(index, size)));
  }

  /** oned frees one address per call, always with SIZE 1. */
  freeXml(index: bigint): string {
    return requestXml(this.storedInner(), addressXml(this.address(index, 1)));
  }

  /**
   * `rmar`: the stored AR with computed elements and USED_LEASES; `delete`: without them, with
   * ALLOCATED (oned's own lease map, often empty).
   */
  unregisterXml(shape: 'rmar' | 'delete', allocated = ''): string {
    if (shape === 'rmar') return requestXml(this.storedInner(), PLACEHOLDER_ADDRESS);
    return requestXml(attributeElements({ ...this.attrs, ALLOCATED: allocated }), PLACEHOLDER_ADDRESS);
  }

  /** Tell the model that oned accepted a lease of `size` addresses from `index`. */
  noteLeased(index: bigint, size: number | bigint = 1): void {
    if (BigInt(size) > 4096n) {
      this.bulk.push({ first: index, last: index + BigInt(size) - 1n });
      return;
    }
    for (let i = 0n; i < BigInt(size); i++) this.leased.add(index + i);
  }

  /** oned dropped its lease of `index` (a free it took as final). */
  noteFreed(index: bigint): void {
    if (this.leased.delete(index)) return;
    if (this.bulk.some((b) => b.first <= index && index <= b.last)) this.bulkFreed.add(index);
  }
}

// ---------------------------------------------------------------------------------------------
// oned's template reply grammar (docs/oned-contract.md 3.1), strictly

export interface TemplateVector {
  readonly name: string;
  /** Keys upper-cased as oned does, in reply order. */
  readonly pairs: readonly (readonly [string, string])[];
  readonly attrs: ReadonlyMap<string, string>;
}

/**
 * Parses stdout as oned would and throws on anything oned would reject or silently misread:
 * XML instead of text, `NAME = [` split over lines, unquoted values, control characters or `]]>`
 * in a value, a trailing comma, a duplicate key, an empty vector, anything after `]`.
 */
export function parseTemplateReply(text: string, expectedName?: 'AR' | 'ADDRESS'): TemplateVector {
  const fail = (why: string, at: number): never => {
    throw new Error(`reply violates oned's template grammar: ${why} at offset ${at} in ${JSON.stringify(text)}`);
  };
  if (text.startsWith('<')) fail('it starts with "<" (oned would parse it as XML)', 0);
  const head = /^([A-Za-z0-9_]+)[ \t]*=[ \t]*\[/.exec(text);
  if (!head) return fail('it does not start with `NAME = [` on one line', 0);
  const name = head[1]!.toUpperCase();
  if (expectedName !== undefined && name !== expectedName) fail(`the vector is ${name}, not ${expectedName}`, 0);

  let at = head[0].length;
  const skip = (chars: RegExp) => {
    while (at < text.length && chars.test(text[at]!)) at++;
  };
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  for (;;) {
    skip(/[ \t\r\n]/);
    const key = /^[A-Za-z0-9_]+/.exec(text.slice(at));
    if (!key) fail(pairs.length === 0 ? 'an empty vector or a missing key' : 'a trailing comma or a missing key', at);
    const upper = key![0].toUpperCase();
    if (seen.has(upper)) fail(`duplicate key ${upper} (oned keeps the first silently)`, at);
    seen.add(upper);
    at += key![0].length;
    skip(/[ \t]/);
    if (text[at] !== '=') fail(`no "=" after ${upper} on its line`, at);
    at++;
    skip(/[ \t]/);
    if (text[at] !== '"') fail(`the value of ${upper} is not quoted`, at);
    at++;
    let value = '';
    for (;;) {
      if (at >= text.length) fail(`the value of ${upper} is not closed`, at);
      const c = text[at]!;
      if (c === '\\' && text[at + 1] === '"') {
        value += '"';
        at += 2;
      } else if (c === '"') {
        at++;
        break;
      } else if (/[\u0000-\u001f\u007f]/.test(c)) {
        fail(`the value of ${upper} holds a control character`, at);
      } else {
        value += c;
        at++;
      }
    }
    if (value.includes(']]>')) fail(`the value of ${upper} holds "]]>", which breaks oned's XML`, at);
    pairs.push([upper, value]);
    skip(/[ \t\r\n]/);
    if (text[at] === ',') {
      at++;
      continue;
    }
    if (text[at] === ']') {
      at++;
      break;
    }
    fail('expected "," or "]"', at);
  }
  if (!/^\s*$/.test(text.slice(at))) fail('text after the closing "]"', at);
  return { name, pairs, attrs: new Map(pairs) };
}

/** A line oned would file as a log line instead of the error message (docs/oned-contract.md 1). */
export const ONED_LOG_LINE = /^(ERROR|INFO|WARN|DEBUG):\s+(\d+)?\s*(.*)$/;

/** The three ways OpenNebula's Ruby side has turned a failed action's stderr into the message oned shows. */
export type MessageReader = '5.x' | '6.6-6.10' | '7.0+';

/**
 * The message oned shows for a failure with this stderr, redone from OpenNebula's Ruby
 * (docs/oned-contract.md 1): 5.x `GenericCommand#get_error_message` (only what is between the
 * markers, "-" without them); 6.6-6.10 the same method rewritten (all of stderr, newlines as
 * spaces); 7.0+ `DriverExecHelper#get_info_from_execution` (each line stripped, log lines
 * dropped, the rest glued with no separator).
 */
export function onedShownMessage(stderr: string, reader: MessageReader): string {
  const orDash = (text: string) => (text === '' ? '-' : text);
  if (reader === '5.x') {
    const found = /^ERROR MESSAGE --8<------\n([\s\S]*?)ERROR MESSAGE ------>8--$/m.exec(stderr);
    return found ? found[1]!.trim() : '-';
  }
  if (reader === '6.6-6.10') return orDash(stderr.replaceAll('\n', ' ').trim());
  const kept = stderr
    .split(/(?<=\n)/)
    .map((line) => line.trim())
    .filter((line) => !ONED_LOG_LINE.test(line))
    .join('');
  return orDash(kept.replaceAll('\n', ' ').trim());
}

// ---------------------------------------------------------------------------------------------
// Address arithmetic, redone independently of src/

export function ipv4ToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255))
    throw new Error(`not a dotted quad: ${ip}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function parseMac(mac: string): bigint {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) throw new Error(`not a MAC: ${mac}`);
  return BigInt(`0x${mac.replaceAll(':', '')}`);
}

export function formatMac(value: bigint): string {
  return value.toString(16).padStart(12, '0').match(/../g)!.join(':');
}

export function parseIpv6(text: string): bigint {
  const [left, right] = text.includes('::') ? text.split('::') : [text, undefined];
  const l = left ? left.split(':') : [];
  const r = right ? right.split(':') : [];
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g)))
    throw new Error(`not an IPv6 address: ${text}`);
  return groups.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n);
}

/** RFC 5952: lower case, no leading zeros, the longest run (2+) of zero groups as `::`. */
export function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** A SLAAC address: the /64 prefix plus the modified EUI-64 of the MAC. */
export function slaacAddress(prefix: string, mac: bigint): string {
  const upper = mac >> 24n;
  const lower = mac & 0xffffffn;
  const eui = ((upper ^ 0x020000n) << 40n) | (0xfffen << 24n) | lower;
  return formatIpv6((parseIpv6(prefix) & ~((1n << 64n) - 1n)) | eui);
}
