/**
 * The README's command examples are real output. A block marked `<!-- example -->` (the line
 * before a ```console fence) shows commands as `$ LINE` followed by what they printed; this
 * script plays one operator's session on a scratch front-end (a self-contained OpenNebula under
 * ONE_LOCATION=/tmp/guide/one, the driver installed as "nebula", oned's requests sent as oned
 * sends them, then the commands of SESSION) and puts each command's real output under its `$`
 * line in every marked block. A marked command that the session does not run is an error: add
 * it to SESSION where its output belongs.
 *
 *   npm run readme                    # build, then rewrite README.md's marked blocks
 *   npm run readme -- --check         # exit 1 naming each stale block; nothing written
 *
 * Times (ISO stamps, "N ms") differ from run to run; `--check` compares with them masked.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectReply } from '../test/support/driver-assert.ts';
import { BUNDLE, childEnv, encodeRequest, OnedAr, registerXml } from '../test/support/driver-harness.ts';
import { onevnetList } from '../test/support/onevnet-list.ts';
import { SAMPLE_CONFIG } from '../test/support/sample-config.ts';

export const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const ROOT = '/tmp/guide';
const ONE = path.join(ROOT, 'one');
const BIN = path.join(ROOT, 'bin');
const DRIVER_DIR = path.join(ONE, 'var', 'remotes', 'ipam', 'nebula');
const ONED_CONF = path.join(ONE, 'etc', 'oned.conf');
const MARKER = '<!-- example -->';
const CONFIG_FILE = path.join(ONE, 'etc', 'nebula-ipam', 'nebula.json');
const BOOK = path.join(ONE, 'var', 'nebula-ipam', 'nebula', 'leases.json');
// The operator excludes 10.20.0.8/29 after reconcile adopted a VM's lease there.
const EXCLUDE_MORE = `sed -i 's|"10.20.255.0/24"|"10.20.255.0/24", "10.20.0.8/29"|' ${CONFIG_FILE}`;

/**
 * OpenNebula's view for the reconcile examples, printed by a stand-in `onevnet` on PATH. Against
 * the book: r1 lacks the book's first lease and has a VM's lease and a hold the book lacks (the
 * hold on an operator's lease), r2 was resized with `onevnet updatear`, a range oned refused
 * after register has no AR, VNET 11's r9 is unknown to the book, VNET 8's AR is another driver's.
 */
function writeOnevnetList(
  run: { oned: (action: string, xml: string, request: number) => string },
  r1: OnedAr,
  r2: OnedAr,
): void {
  run.oned('register_address_range', registerXml({ IPAM_MAD: 'nebula', IPAM_POOL: 'private', SIZE: '16' }), 40);
  const held = [...r1.leased].sort((a, b) => (a < b ? -1 : 1));
  const r1Holders = new Map<bigint, string>([
    ...held.slice(1).map((i, n) => [i, `VM ${13 + n}`] as [bigint, string]),
    [r1.indexOf('10.20.0.10'), 'VM 30'],
    [r1.indexOf('10.20.0.40'), 'VM -1'],
  ]);
  const r9 = new OnedAr(
    {
      TYPE: 'IP4',
      IP: '10.20.9.3',
      SIZE: '5',
      IPAM_MAD: 'nebula',
      NEBULA_IPAM_RANGE: 'r9',
      NETWORK_ADDRESS: '10.20.9.0',
      NETWORK_MASK: '255.255.255.0',
      GATEWAY: '10.20.9.1',
    },
    { modern: false },
  );
  const other = new OnedAr({ TYPE: 'IP4', IP: '192.168.50.10', SIZE: '10', IPAM_MAD: 'dummy' }, { modern: false });
  const xml = onevnetList([
    {
      id: 3,
      name: 'private',
      ars: [
        { ar: r1, holders: r1Holders },
        { ar: new OnedAr({ ...r2.attrs, SIZE: '12' }, { arId: 1, modern: false }), holders: new Map() },
      ],
    },
    { id: 8, name: 'lab', ars: [{ ar: other, holders: new Map([[0n, 'VM 20']]) }] },
    {
      id: 11,
      name: 'web',
      ars: [
        {
          ar: r9,
          holders: new Map([
            [0n, 'VM 31'],
            [1n, 'VROUTER 2'],
          ]),
        },
      ],
    },
  ]);
  fs.writeFileSync(path.join(ROOT, 'onevnet-list.xml'), `${xml}\n`);
  fs.writeFileSync(path.join(BIN, 'onevnet'), `#!/bin/sh\ncat ${path.join(ROOT, 'onevnet-list.xml')}\n`, {
    mode: 0o755,
  });
}

/** The operator's commands, in the order they are typed; `oned` steps stand for what oned does meanwhile. */
type Step = string | { readonly oned: () => void } | { readonly quiet: string };

function session(run: { oned: (action: string, xml: string, request: number) => string }): Step[] {
  let ar: OnedAr | undefined;
  let ar6: OnedAr | undefined;
  const reply = (stdout: string) => new OnedAr(expectReply({ code: 0, stdout, stderr: '' }, 'AR'));
  return [
    `nebula-ipam install ${DRIVER_DIR} --bin ${BIN}-linked`,
    'nebula-ipam doctor',
    // oned registers an AR and leases two addresses to VMs, then an IP4_6 AR from both pools.
    {
      oned: () => {
        ar = new OnedAr(
          expectReply(
            {
              code: 0,
              stdout: run.oned('register_address_range', registerXml({ IPAM_MAD: 'nebula', SIZE: '50' }), 12),
              stderr: '',
            },
            'AR',
          ),
        );
        for (const request of [13, 14]) {
          const stdout = run.oned('get_address', ar.getXml(1), request);
          const reply = expectReply({ code: 0, stdout, stderr: '' }, 'ADDRESS');
          ar.noteLeased(ar.indexOf(reply.get('IP')!));
        }
        ar6 = reply(
          run.oned(
            'register_address_range',
            registerXml({ IPAM_MAD: 'nebula', TYPE: 'IP4_6', IPAM_POOL: 'private', IPAM_POOL6: 'public6', SIZE: '8' }),
            15,
          ),
        );
      },
    },
    'nebula-ipam lease --pool private --count 2 --owner bm-web-01 --note "rack 4, U12, the blue cable by the door"',
    'nebula-ipam lease --pool private --ip 10.20.0.40 --owner bm-db-01',
    'nebula-ipam lease --pool private --ip 10.20.0.3 --owner bm-db-02',
    'nebula-ipam lease --pool private --ip 10.20.0.1 --owner bm-db-02',
    'nebula-ipam lease --pool lab --owner x',
    'nebula-ipam lease --pool private --ip 10.99.0.1 --owner x',
    'nebula-ipam range add --pool private --size 16 --owner rack7',
    'nebula-ipam status',
    'nebula-ipam show r2',
    'nebula-ipam show 10.20.2.3',
    'nebula-ipam show 10.20.0.4',
    'nebula-ipam show 10.20.0.255',
    'nebula-ipam range list',
    'nebula-ipam leases',
    'nebula-ipam leases --owner bm-web-01',
    'nebula-ipam lease --pool privte --owner x',
    'nebula-ipam stauts',
    'nebula-ipam leases --ownr bm-web-01',
    'nebula-ipam verify',
    // A second self-contained OpenNebula with the driver installed but its config and book gone.
    {
      quiet: `ONE_LOCATION=${ROOT}/bare nebula-ipam install ${ROOT}/bare/var/remotes/ipam/nebula >/dev/null 2>&1; rm -r ${ROOT}/bare/etc/nebula-ipam ${ROOT}/bare/var/nebula-ipam`,
    },
    `ONE_LOCATION=${ROOT}/bare nebula-ipam status    # driver "nebula" installed, its config and book not`,
    'nebula-ipam export --format csv',
    "nebula-ipam export --format json | jq '.leases[0,3]'",
    { quiet: `nebula-ipam export > ${ROOT}/export.json` },
    { quiet: `nebula-ipam export --format csv > ${ROOT}/leases.csv` },
    `nebula-ipam --store ${ROOT}/other.json import ${ROOT}/export.json --dry-run`,
    `nebula-ipam --store ${ROOT}/other.json init`,
    `nebula-ipam --store ${ROOT}/other.json import ${ROOT}/export.json --dry-run`,
    `nebula-ipam --store ${ROOT}/other.json import ${ROOT}/leases.csv --format csv --dry-run`,
    'nebula-ipam --driver nebula metrics | grep -E "^# (HELP|TYPE) nebula_ipam_pool_utilisation|^nebula_ipam_pool_utilisation|nebula_ipam_range_used_addresses.*range=\\"r1\\""',
    'nebula-ipam version --json',
    'nebula-ipam release --ip 10.20.0.4',
    'nebula-ipam release --owner bm-web-01',
    'nebula-ipam restore',
    'nebula-ipam restore --yes',
    'nebula-ipam log --limit 3',
    // Reconcile: oned registers one more AR that it then refuses (no AR stands for it), and
    // `onevnet list -x` (a stand-in on PATH) prints OpenNebula's view, which differs from the book.
    { oned: () => writeOnevnetList(run, ar!, ar6!) },
    { quiet: 'sleep 1; date -u +%FT%TZ > vnets.as-of; onevnet list -x > vnets.xml' },
    // A second driver on this front-end, nebula-lab, with a book of its own and no AR in the document.
    {
      quiet: `cp ${CONFIG_FILE} ${path.join(ONE, 'etc', 'nebula-ipam', 'nebula-lab.json')}; nebula-ipam --driver nebula-lab init`,
    },
    'nebula-ipam reconcile --from vnets.xml --driver nebula-lab',
    'nebula-ipam reconcile --from vnets.xml',
    'nebula-ipam reconcile --from vnets.xml --as-of "$(cat vnets.as-of)" --apply',
    'nebula-ipam log | tail -5',
    'nebula-ipam reconcile --from vnets.xml --json',
    { quiet: `cp ${CONFIG_FILE} ${ROOT}/config.json; ${EXCLUDE_MORE}` },
    'nebula-ipam verify      # after adding "10.20.0.8/29" to the pool\'s exclude',
    'nebula-ipam verify --json',
    { quiet: `cp ${ROOT}/config.json ${CONFIG_FILE}; sed -i 's/"type": *"IP4"/"type": "IP5"/' ${BOOK}` },
    'nebula-ipam verify      # a damaged book',
    `rm ${BOOK} ${BOOK}.prev; nebula-ipam init >/dev/null; nebula-ipam reconcile --from vnets.xml --as-of "$(cat vnets.as-of)" --apply`,
    'nebula-ipam verify',
    'nebula-ipam status',
    { quiet: "printf '<VNET_POOL><VNET><ID>3</ID>' > broken.xml" },
    'nebula-ipam reconcile --from broken.xml --as-of "$(cat vnets.as-of)" --apply',
    `nebula-ipam uninstall ${DRIVER_DIR}`,
    `nebula-ipam uninstall ${DRIVER_DIR}`,
  ];
}

/** Each command line the session ran and what it printed (stdout, then stderr, then "(exit N)" unless 0). */
export type Transcript = readonly (readonly [string, string])[];

/** Plays the session on a fresh /tmp/guide (one run at a time: a lock directory beside it). */
export function playSession(): Transcript {
  if (!fs.existsSync(BUNDLE))
    throw new Error(`${BUNDLE} is missing: run \`node build.mjs\` first (npm run readme does)`);
  const lock = `${ROOT}.lock`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline)
        throw new Error(`${lock} is still there after 120 s: another run, or a stale one (remove it)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return play();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function play(): Transcript {
  fs.rmSync(ROOT, { recursive: true, force: true });
  const configFile = path.join(ONE, 'etc', 'nebula-ipam', 'nebula.json');
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  fs.writeFileSync(configFile, `${JSON.stringify(SAMPLE_CONFIG, null, 2)}\n`);
  // The documentation's own trap: a space after the comma (doctor's first FAIL).
  fs.writeFileSync(ONED_CONF, 'IPAM_MAD = [\n  EXECUTABLE = "one_ipam",\n  ARGUMENTS  = "-t 1 -i dummy, nebula"\n]\n');
  fs.mkdirSync(BIN);
  fs.copyFileSync(BUNDLE, path.join(BIN, 'nebula-ipam'));
  fs.chmodSync(path.join(BIN, 'nebula-ipam'), 0o755);
  // The defaults of a self-contained OpenNebula under ONE: no config or book variable.
  const env = childEnv('default', { ONE_LOCATION: ONE, PATH: `${BIN}:${process.env.PATH}`, COLUMNS: undefined });
  const transcript: [string, string][] = [];
  const shell = (line: string) => {
    const child = spawnSync('sh', ['-c', line], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    // CSV ends its lines with CRLF; a Markdown file keeps one kind of line end.
    const printed = `${child.stdout}${child.stderr}`.replaceAll('\r\n', '\n');
    return `${printed}${child.status === 0 ? '' : `(exit ${child.status})\n`}`;
  };
  const oned = (action: string, xml: string, request: number) => {
    const child = spawnSync(path.join(DRIVER_DIR, action), [String(request)], {
      input: encodeRequest(xml),
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (child.status !== 0) throw new Error(`${action} ${request} exited ${child.status}: ${child.stderr}`);
    return child.stdout;
  };
  for (const step of session({ oned })) {
    if (typeof step === 'string') transcript.push([step, shell(step)]);
    else if ('quiet' in step) shell(step.quiet);
    else step.oned();
  }
  return transcript;
}

interface Block {
  /** Offsets of the block's body in the document: after the opening fence line, before the closing one. */
  readonly start: number;
  readonly end: number;
  readonly commands: readonly string[];
  /** The line of the marker, for messages. */
  readonly line: number;
}

export function markedBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let from = 0;
  for (;;) {
    // The marker on a line of its own: the prose may name it.
    const at = text.indexOf(`\n${MARKER}\n`, from - 1) + 1;
    if (at <= 0) return blocks;
    const line = text.slice(0, at).split('\n').length;
    const open = text.indexOf('\n', at) + 1;
    if (!text.startsWith('```console\n', open))
      throw new Error(`README line ${line}: ${MARKER} is not followed by a \`\`\`console block`);
    const start = open + '```console\n'.length;
    const end = text.indexOf('\n```', start - 1) + 1;
    if (end <= 0) throw new Error(`README line ${line}: the block is never closed`);
    const commands = text
      .slice(start, end)
      .split('\n')
      .filter((l) => l.startsWith('$ '))
      .map((l) => l.slice(2));
    if (!commands.length) throw new Error(`README line ${line}: the marked block has no $ line`);
    blocks.push({ start, end, commands, line });
    from = end;
  }
}

/** The document with every marked block's output taken from the transcript (a command run twice: its runs in order). */
export function withOutputs(text: string, transcript: Transcript): string {
  const used = new Map<string, number>();
  let out = '';
  let at = 0;
  for (const block of markedBlocks(text)) {
    const body = block.commands
      .map((command) => {
        const runs = transcript.filter(([line]) => line === command);
        const n = used.get(command) ?? 0;
        const run = runs[n] ?? runs[runs.length - 1];
        if (!run)
          throw new Error(
            `README line ${block.line}: \`${command}\` is not a command of the session (scripts/readme-examples.ts SESSION)`,
          );
        used.set(command, n + 1);
        return `$ ${command}\n${run[1]}`;
      })
      .join('\n');
    const was = text.slice(block.start, block.end);
    // Only times changed: the block stays as it is, so a rerun rewrites nothing (and merges nothing).
    out += text.slice(at, block.start) + (masked(was) === masked(body) ? was : body);
    at = block.end;
  }
  return out + text.slice(at);
}

/** What differs from run to run: times. */
export function masked(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>').replace(/\b\d+(\.\d+)? ms\b/g, '<n> ms');
}

/** The marked blocks (by README line) whose output is not what the session prints now, times aside. */
export function staleBlocks(text: string, transcript: Transcript): string[] {
  const fresh = withOutputs(text, transcript);
  const now = markedBlocks(fresh);
  return markedBlocks(text).flatMap((block, i) => {
    const was = masked(text.slice(block.start, block.end));
    const is = masked(fresh.slice(now[i]!.start, now[i]!.end));
    if (was === is) return [];
    const a = was.split('\n');
    const b = is.split('\n');
    const k = a.findIndex((l, j) => l !== b[j]);
    return [
      `README line ${block.line} (${block.commands[0]}): the README has ${JSON.stringify(a[k])}, the command prints ${JSON.stringify(b[k])}`,
    ];
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const text = fs.readFileSync(README, 'utf8');
  const transcript = playSession();
  if (check) {
    const stale = staleBlocks(text, transcript);
    for (const line of stale) console.error(line);
    console.error(
      stale.length
        ? `${stale.length} stale example block(s) in README.md: run \`npm run readme\``
        : `README.md: all ${markedBlocks(text).length} example blocks are current`,
    );
    process.exitCode = stale.length ? 1 : 0;
  } else {
    const next = withOutputs(text, transcript);
    if (next !== text) fs.writeFileSync(README, next);
    console.error(
      `README.md: ${markedBlocks(text).length} example blocks ${next === text ? 'already current' : 'rewritten'}`,
    );
  }
}
