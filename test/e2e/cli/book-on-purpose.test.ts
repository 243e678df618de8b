/**
 * A book is made on purpose, and found one way (issue 15 items 1 and 2): only `init` and
 * `install` make a book; every action and command refuses a missing one, naming where it looked
 * and which setting and config chose that place; the CLI finds the book oned's actions use,
 * ipamrc included. Through the built bundle: the five action links in a self-contained
 * OpenNebula tree (ONE_LOCATION), the bytes oned sends, the CLI as a separate process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectFailure, expectReply } from '../../support/driver-assert.ts';
import { childEnv, encodeRequest, OnedAr, registerXml, type RunResult } from '../../support/driver-harness.ts';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';

const POOLS = [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true }];

/** A front-end as the README installs it, under ONE_LOCATION: no NEBULA_IPAM_* variable anywhere. */
interface FrontEnd {
  readonly s: CliSandbox;
  readonly driverDir: string;
  readonly config: string;
  readonly storeRoot: string;
  /** An action as oned runs it: oned's environment is ONE_LOCATION plus what ipamrc holds. */
  oned(action: string, xml: string, env?: Readonly<Record<string, string>>): RunResult;
  /** The operator's shell: nothing but ONE_LOCATION. */
  operator(args: readonly string[], env?: Readonly<Record<string, string | undefined>>): RunResult;
}

function frontEnd(): FrontEnd {
  const s = createCliSandbox({ config: { pools: POOLS }, book: 'none' });
  const one = s.oneLocation;
  const driverDir = path.join(one, 'var', 'remotes', 'ipam', 'nebula');
  const bare = { NEBULA_IPAM_STORE: undefined, NEBULA_IPAM_CONFIG: undefined };
  const operator = (args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}) =>
    s.cli(args, { env: { ...bare, ...env } });
  return {
    s,
    driverDir,
    config: path.join(one, 'etc', 'nebula-ipam', 'nebula.json'),
    storeRoot: path.join(one, 'var', 'nebula-ipam'),
    operator,
    oned(action, xml, env = {}) {
      const child = spawnSync(path.join(driverDir, action), ['7'], {
        cwd: one,
        input: encodeRequest(xml),
        encoding: 'utf8',
        env: childEnv('default', { ONE_LOCATION: one, ...env }),
        timeout: 30_000,
      });
      return { code: child.status ?? 1, stdout: child.stdout, stderr: child.stderr };
    },
  };
}

/** Every file under `dir`, relative, sorted (none when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

const EXPLICIT = { IPAM_MAD: 'nebula', TYPE: 'IP4', IP: '10.20.0.10', SIZE: '10' };

test('a config moved away makes no second book: every action refuses, naming the config (issue 15 Why 1)', () => {
  const f = frontEnd();
  try {
    // The real book lives where the config says, as on a site that moved it off the default.
    const real = path.join(f.s.dir, 'books', 'nebula.json');
    fs.mkdirSync(path.dirname(f.config), { recursive: true });
    fs.writeFileSync(f.config, JSON.stringify({ store: real, pools: POOLS }));
    expectOk(f.operator(['install', f.driverDir]));
    const r1 = new OnedAr(expectReply(f.oned('register_address_range', registerXml(EXPLICIT)), 'AR'));
    for (let i = 0; i < 3; i++)
      r1.noteLeased(r1.indexOf(expectReply(f.oned('get_address', r1.getXml(1)), 'ADDRESS').get('IP')!));
    const before = fs.readFileSync(real);

    fs.renameSync(f.config, `${f.config}.moved`);
    // The next register (the same explicit range, as a second network would ask) is refused.
    const line = expectFailure(f.oned('register_address_range', registerXml(EXPLICIT)), 5, [
      f.config,
      'no such file',
      'nebula-ipam install',
    ]);
    assert.doesNotMatch(line, /^(ERROR|INFO|WARN|DEBUG):/);
    expectFailure(f.oned('get_address', r1.getXml(1)), 5, [f.config]);
    expectFailure(f.oned('unregister_address_range', r1.unregisterXml('rmar')), 5, [f.config]);
    expectCliFailure(f.operator(['--driver', 'nebula', 'verify']), 5, [f.config, 'no such file']);
    assert.deepEqual(filesUnder(f.storeRoot), [], 'no book appeared at the default place');
    assert.deepEqual(fs.readFileSync(real), before, 'the real book is untouched');

    fs.renameSync(`${f.config}.moved`, f.config);
    expectReply(f.oned('get_address', r1.getXml(1)), 'ADDRESS');
  } finally {
    f.s.cleanup();
  }
});

test('install makes the starter config and the book; without them nothing works, with them the first register does', () => {
  const f = frontEnd();
  try {
    fs.mkdirSync(f.driverDir, { recursive: true });
    expectOk(f.operator(['install', f.driverDir]));
    assert.deepEqual(JSON.parse(fs.readFileSync(f.config, 'utf8')), { pools: [] });
    assert.deepEqual(filesUnder(f.storeRoot), ['nebula/leases.json', 'nebula/leases.json.audit.jsonl']);
    const reply = expectReply(f.oned('register_address_range', registerXml(EXPLICIT)), 'AR');
    assert.equal(reply.get('NEBULA_IPAM_RANGE'), 'r1');
    const log = f.operator(['--json', 'log']);
    assert.deepEqual(
      (JSON.parse(log.stdout) as { records: { action: string }[] }).records.map((r) => r.action),
      ['init', 'register_address_range'],
      'the log says who made the book',
    );
  } finally {
    f.s.cleanup();
  }
});

test('--store and NEBULA_IPAM_STORE typos refuse instead of making a book (issue 15 Why 2)', () => {
  const s = createCliSandbox({ config: { pools: POOLS } });
  try {
    const ar = s.register({ SIZE: '8' });
    const before = s.bookBytes();
    const typo = path.join(s.dir, 'store', 'lease.json');
    const elsewhere = path.join(s.dir, 'nowhere', 'leases-typo.json');
    expectCliFailure(s.cli(['--store', typo, 'lease', '--pool', 'private', '--owner', 'bm-01']), 5, [
      `Cannot use the lease book ${typo}: there is no lease book there (chosen by --store; config ${s.configPath})`,
      'nebula-ipam init',
    ]);
    expectCliFailure(
      s.cli(['range', 'add', '--pool', 'private', '--size', '4', '--owner', 'bm-02'], {
        env: { NEBULA_IPAM_STORE: elsewhere },
      }),
      5,
      [
        `Cannot use the lease book ${elsewhere}: there is no lease book there (chosen by NEBULA_IPAM_STORE; config ${s.configPath})`,
      ],
    );
    for (const [args, env] of [
      [['--store', typo, 'import', '/dev/null'], {}],
      [['--store', typo, 'release', '--ip', '10.20.0.2'], {}],
      [['--store', typo, 'restore', '--yes'], {}],
      [['--store', typo, 'log'], {}],
      [['--store', typo, 'status'], {}],
      [['--store', typo, 'verify'], {}],
    ] as const) {
      expectCliFailure(s.cli(args, { env }), 5, [typo, 'there is no lease book there']);
    }
    // The driver's actions too: a typo in oned's environment registers nothing anywhere.
    expectFailure(
      s.run('register_address_range', registerXml({ IPAM_MAD: s.driver, SIZE: '8' }), {
        env: { NEBULA_IPAM_STORE: elsewhere },
      }),
      5,
      [elsewhere, 'NEBULA_IPAM_STORE'],
    );
    expectFailure(s.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_STORE: elsewhere } }), 5, [elsewhere]);
    assert.equal(fs.existsSync(typo), false);
    assert.equal(fs.existsSync(path.dirname(elsewhere)), false, 'not even its directory was made');
    assert.deepEqual(s.bookBytes(), before, 'the real book is untouched');

    // init makes it on purpose, once; then the same command works.
    assert.match(
      expectOk(s.cli(['--store', typo, 'init'])),
      /^Created the empty lease book .*lease\.json \(chosen by --store; config /,
    );
    assert.match(expectOk(s.cli(['--store', typo, 'init'])), /^Kept the lease book .*: it is already there/);
    assert.deepEqual(s.json<{ created: boolean }>(['--store', typo, 'init']).created, false);
    expectOk(s.cli(['--store', typo, 'lease', '--pool', 'private', '--owner', 'bm-01']));
  } finally {
    s.cleanup();
  }
});

test('verify names the other lease books beside the one in use: a --store typo, one left at the default place (issue 15 item 1)', () => {
  const f = frontEnd();
  try {
    const real = path.join(f.s.dir, 'books', 'leases.json');
    fs.mkdirSync(path.dirname(f.config), { recursive: true });
    fs.writeFileSync(f.config, JSON.stringify({ store: real, pools: POOLS }));
    expectOk(f.operator(['install', f.driverDir]));
    const verify = () => f.operator(['--driver', 'nebula', '--json', 'verify']);
    const strays = () =>
      (JSON.parse(verify().stdout) as { findings: { kind: string; path?: string }[] }).findings
        .filter((x) => x.kind === 'stray-book')
        .map((x) => x.path);
    assert.equal(verify().code, 0, 'only the real book: OK');

    // A typo beside the real book, made on purpose by init (only init makes one now), and a book
    // at the default place, as 0.1.0 made one while the config was missing.
    const typo = path.join(path.dirname(real), 'lease.json');
    expectOk(f.operator(['--driver', 'nebula', '--store', typo, 'init']));
    const atDefault = path.join(f.storeRoot, 'nebula', 'leases.json');
    fs.mkdirSync(path.dirname(atDefault), { recursive: true });
    fs.copyFileSync(real, atDefault);
    // Not books: the config's JSON and a FIFO named like one never count (nor block).
    fs.writeFileSync(path.join(path.dirname(real), 'notes.json'), '{"pools": []}');
    spawnSync('mkfifo', [path.join(path.dirname(real), 'pipe.json')]);

    assert.deepEqual(strays(), [typo, atDefault].sort());
    const human = f.operator(['--driver', 'nebula', 'verify']);
    assert.equal(human.code, 1, human.stdout + human.stderr);
    assert.match(human.stdout, /another lease book/);
    assert.ok(human.stdout.replace(/\s+/g, ' ').includes(`nebula-ipam --store ${typo} leases`), human.stdout);
    fs.rmSync(typo);
    fs.rmSync(atDefault);
    assert.equal(verify().code, 0, 'once they are gone: OK');
  } finally {
    f.s.cleanup();
  }
});

test("ipamrc's NEBULA_IPAM_STORE and NEBULA_IPAM_CONFIG are seen by the CLI as oned's actions get them (issue 15 Why 2)", () => {
  const f = frontEnd();
  try {
    const shared = path.join(f.s.dir, 'shared', 'leases.json');
    const config = path.join(f.s.dir, 'site.json');
    fs.writeFileSync(config, JSON.stringify({ pools: POOLS }));
    const ipamrc = path.join(f.s.oneLocation, 'etc', 'ipam', 'ipamrc');
    fs.mkdirSync(path.dirname(ipamrc), { recursive: true });
    fs.writeFileSync(
      ipamrc,
      `# oned exports these to the IPAM actions\nONE_MAD_DEBUG=\nNEBULA_IPAM_STORE="${shared}"\nNEBULA_IPAM_CONFIG=${config}\n`,
    );
    // What one_ipam does: the file's variables in the actions' environment.
    const onedEnv = { NEBULA_IPAM_STORE: shared, NEBULA_IPAM_CONFIG: config };
    expectOk(f.operator(['install', f.driverDir]));
    assert.ok(fs.existsSync(shared), 'install made the book where ipamrc puts it');
    assert.equal(fs.existsSync(f.config), false, 'and wrote no starter config beside the one ipamrc names');
    const ar = new OnedAr(
      expectReply(f.oned('register_address_range', registerXml({ IPAM_MAD: 'nebula', SIZE: '8' }), onedEnv), 'AR'),
    );
    const ip = expectReply(f.oned('get_address', ar.getXml(1), onedEnv), 'ADDRESS').get('IP')!;

    const status = f.operator(['--json', 'status']);
    assert.equal(status.code, 0, status.stderr);
    const json = JSON.parse(status.stdout) as { book: string; ranges: { id: string; used: number }[] };
    assert.equal(json.book, shared);
    assert.deepEqual(
      json.ranges.map((r) => [r.id, r.used]),
      [['r1', 1]],
    );
    // The operator's environment still wins over ipamrc, as it does for the actions.
    expectCliFailure(f.operator(['status'], { NEBULA_IPAM_STORE: path.join(f.s.dir, 'other.json') }), 5, [
      'chosen by NEBULA_IPAM_STORE;',
    ]);
    // A missing book named by ipamrc says so.
    fs.renameSync(shared, `${shared}.away`);
    expectCliFailure(f.operator(['leases']), 5, [shared, `chosen by NEBULA_IPAM_STORE in ${ipamrc}`]);
    fs.renameSync(`${shared}.away`, shared);
    assert.match(expectOk(f.operator(['leases'])), new RegExp(ip.replaceAll('.', '\\.')));
    // A value only the shell could read is refused, not guessed.
    fs.writeFileSync(ipamrc, 'NEBULA_IPAM_STORE=$HOME/leases.json\n');
    expectCliFailure(f.operator(['status']), 4, [ipamrc, 'line 1', 'NEBULA_IPAM_STORE']);
  } finally {
    f.s.cleanup();
  }
});

test('a command names the book it used once, on stderr; --json and commands that name it themselves add no line (issue 15 item 2)', () => {
  const s = createCliSandbox({ config: { pools: POOLS } });
  try {
    const bookLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('Lease book '));
    const lease = s.cli(['lease', '--pool', 'private', '--owner', 'bm-01']);
    assert.equal(lease.code, 0, lease.stderr);
    assert.deepEqual(bookLines(lease.stderr), [`Lease book ${s.bookPath} (NEBULA_IPAM_STORE)`]);
    assert.doesNotMatch(lease.stdout, /Lease book/, 'stdout stays the lease report');
    for (const args of [['leases'], ['show', '10.20.0.2'], ['log'], ['release', '--ip', '10.20.0.2']]) {
      const run = s.cli(args);
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(bookLines(run.stderr).length, 1, `${args.join(' ')} names the book once: ${run.stderr}`);
    }
    assert.deepEqual(bookLines(s.cli(['--json', 'leases']).stderr), [], '--json adds nothing');
    const status = s.cli(['status']);
    assert.deepEqual(bookLines(status.stderr), [], 'status names the book in its own output');
    assert.match(status.stdout, new RegExp(`Lease book ${s.bookPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  } finally {
    s.cleanup();
  }
});
