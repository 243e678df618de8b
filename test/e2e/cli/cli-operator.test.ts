/**
 * The CLI as a new operator meets it (issue 11): it finds the driver's books by itself or says
 * it cannot, installs so that OpenNebula's own sync carries a working driver, goes on the PATH,
 * and speaks in one voice when given something wrong.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectReply } from '../../support/driver-assert.ts';
import {
  ACTIONS,
  BUNDLE,
  childEnv,
  encodeRequest,
  registerXml,
  REPO_ROOT,
  OnedAr,
} from '../../support/driver-harness.ts';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';

const CONFIG = {
  pools: [
    { name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true },
    { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 },
  ],
};

/** What oned does: run <dir>/<action> with the request on stdin, the book and config named in the environment. */
function onedRuns(dir: string, action: string, xml: string, env: Readonly<Record<string, string>>) {
  const child = spawnSync(path.join(dir, action), ['0'], {
    input: encodeRequest(xml),
    encoding: 'utf8',
    env: childEnv('default', env),
    timeout: 30_000,
  });
  return { code: child.status ?? 1, stdout: child.stdout, stderr: child.stderr };
}

/** A program on disk run by its path, as a shell would. */
function runProgram(file: string, args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}) {
  const child = spawnSync(file, [...args], { encoding: 'utf8', env: childEnv('default', env), timeout: 30_000 });
  return { code: child.status ?? 1, stdout: child.stdout, stderr: child.stderr };
}

describe('nebula-ipam finds the right books, or says it cannot (issue 11 item 1)', () => {
  let s: CliSandbox;
  let one: string;
  let remotes: string;
  let book: string;
  let config: string;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    one = path.join(s.dir, 'one-location');
    remotes = path.join(one, 'var', 'remotes', 'ipam');
    book = path.join(s.dir, 'nebula-book', 'leases.json');
    config = path.join(s.dir, 'nebula.json');
    fs.writeFileSync(config, JSON.stringify({ ...CONFIG, store: book }));
  });
  after(() => s.cleanup());

  /** The CLI as an operator runs it on a front-end: no NEBULA_IPAM_* variables, OpenNebula at ONE_LOCATION. */
  const operator = (args: readonly string[], extra: Readonly<Record<string, string>> = {}) =>
    s.cli(args, { env: { NEBULA_IPAM_STORE: undefined, NEBULA_IPAM_CONFIG: undefined, ONE_LOCATION: one, ...extra } });

  it('install names the exact CLI invocation for the driver', () => {
    const out = expectOk(s.cli(['install', path.join(remotes, 'nebula')]));
    assert.match(out, /nebula-ipam --driver nebula status/);
  });

  it('with one driver installed and no --driver, uses it (said with --verbose); a missing book is said so', () => {
    // The default config of "nebula" is not there: not an empty cloud, a clear word, naming the pick.
    expectCliFailure(operator(['status']), 5, [
      `Cannot load config ${path.join(one, 'etc', 'nebula-ipam', 'nebula.json')}: there is no such file`,
      'the default for driver "nebula", picked as the one installed in',
      'nebula-ipam install',
    ]);
    const verbose = operator(['--verbose', 'status']);
    assert.match(verbose.stderr, /^Using driver "nebula", the one installed in .*one-location\/var\/remotes\/ipam/);
    assert.equal(verbose.stderr.split('\n').length, 3, verbose.stderr);
    // With a config there, its default book is not: said so, with what chose that place.
    fs.mkdirSync(path.join(one, 'etc', 'nebula-ipam'), { recursive: true });
    fs.writeFileSync(path.join(one, 'etc', 'nebula-ipam', 'nebula.json'), JSON.stringify(CONFIG));
    expectCliFailure(operator(['status']), 5, [
      `Cannot use the lease book ${path.join(one, 'var', 'nebula-ipam', 'nebula', 'leases.json')}: there is no lease book there`,
      'the default for driver "nebula", picked as the one installed in',
      'nebula-ipam init',
    ]);
    // With its book in place (the config names it, init makes it), the same plain command reads it.
    expectOk(operator(['init', '--config', config]));
    onedRuns(path.join(remotes, 'nebula'), 'register_address_range', registerXml({ IPAM_MAD: 'nebula', SIZE: '8' }), {
      NEBULA_IPAM_CONFIG: config,
    });
    const status = operator(['status', '--config', config]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stderr, '', 'one driver installed: nothing to announce (issue 19 item 7)');
    assert.ok(status.stdout.startsWith(`Lease book ${book} `), status.stdout);
    assert.match(status.stdout, /10\.20\.0\.2/);
    // --json prints no word on stderr.
    const json = operator(['--json', 'status', '--config', config]);
    assert.equal(json.stderr, '');
    assert.equal(JSON.parse(json.stdout).book, book);
  });

  it('with several installed, asks for --driver naming them; --driver picks one', () => {
    expectOk(s.cli(['install', path.join(remotes, 'lab')]));
    // Another driver's directory is not counted.
    fs.mkdirSync(path.join(remotes, 'dummy'), { recursive: true });
    fs.writeFileSync(path.join(remotes, 'dummy', 'get_address'), '#!/bin/sh\n', { mode: 0o755 });
    expectCliFailure(operator(['status']), 2, ['"lab", "nebula"', '--driver', 'or --all-drivers for every one']);
    const lease = expectCliFailure(operator(['lease', '--pool', 'private', '--owner', 'x']), 2, ['--driver']);
    assert.doesNotMatch(lease, /all-drivers/, 'lease has no --all-drivers to offer');
    const picked = operator(['--driver', 'nebula', 'status', '--config', config]);
    assert.equal(picked.code, 0, picked.stderr);
    assert.equal(picked.stderr, '', 'a driver given is not announced');
  });

  it("status --all-drivers and metrics --all-drivers: each installed driver's book, named (issue 19 item 2, Why 13)", () => {
    const labBook = path.join(s.dir, 'lab-book', 'leases.json');
    const configs = path.join(one, 'etc', 'nebula-ipam');
    fs.writeFileSync(path.join(configs, 'nebula.json'), JSON.stringify({ ...CONFIG, store: book }));
    fs.writeFileSync(path.join(configs, 'lab.json'), JSON.stringify({ ...CONFIG, store: labBook }));
    expectOk(operator(['--driver', 'lab', 'init']));
    const status = operator(['status', '--all-drivers']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stderr, '');
    assert.match(
      status.stdout,
      new RegExp(
        `^Driver lab\nLease book ${labBook} [^]*No ranges yet[^]*\nDriver nebula\nLease book ${book} [^]*10\\.20\\.0\\.2`,
      ),
    );
    const json = JSON.parse(expectOk(operator(['--json', 'status', '--all-drivers']))) as {
      drivers: { driver: string; book: string; totals: { ranges: number } }[];
    };
    assert.deepEqual(
      json.drivers.map((d) => [d.driver, d.book, d.totals.ranges]),
      [
        ['lab', labBook, 0],
        ['nebula', book, 1],
      ],
    );
    const metrics = expectOk(operator(['metrics', '--all-drivers']));
    assert.equal(metrics.match(/^# HELP nebula_ipam_up /gm)?.length, 1, 'each family once');
    assert.match(metrics, /^nebula_ipam_up\{driver="lab"\} 1$/m);
    assert.match(metrics, /^nebula_ipam_up\{driver="nebula"\} 1$/m);
    assert.match(metrics, /^nebula_ipam_range_size_addresses\{driver="nebula",range="r1",/m);
    const prom = path.join(s.dir, 'all.prom');
    assert.equal(expectOk(operator(['metrics', '--all-drivers', '--output', prom])), '');
    expectCliFailure(operator(['--driver', 'lab', 'status', '--all-drivers']), 2, [
      '--driver or --all-drivers, not both',
    ]);
    expectCliFailure(operator(['status', '--all-drivers', '--config', config]), 2, ['give no --config or --store']);
    // One driver's book unreadable: the others still shown, its one line on stderr, its exit code.
    fs.rmSync(path.join(configs, 'lab.json'));
    const partial = operator(['status', '--all-drivers']);
    assert.equal(partial.code, 5, partial.stderr);
    assert.match(partial.stdout, /^Driver nebula\n/);
    assert.match(partial.stderr, /^Driver lab: Cannot load config \S+lab\.json: there is no such file[^\n]*\n$/);
    const down = operator(['metrics', '--all-drivers', '--output', prom]);
    assert.equal(down.code, 5, down.stderr);
    const written = fs.readFileSync(prom, 'utf8');
    assert.match(written, /^nebula_ipam_up\{driver="lab"\} 0$/m);
    assert.match(written, /^nebula_ipam_up\{driver="nebula"\} 1$/m);
    assert.match(
      written,
      /^nebula_ipam_last_success_timestamp_seconds\{driver="lab"\} \d+$/m,
      "lab's last success kept",
    );
  });

  it('with none installed, keeps the default driver name', () => {
    const nothing = path.join(s.dir, 'nothing-here');
    expectCliFailure(operator(['status'], { ONE_LOCATION: nothing }), 5, [
      `Cannot load config ${path.join(nothing, 'etc', 'nebula-ipam', 'nebula-ipam.json')}`,
      'the default for driver "nebula-ipam")',
    ]);
  });
});

describe('nebula-ipam on the PATH, and --version (issue 11 item 2)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
  });
  after(() => s.cleanup());

  it('--version and version --json', () => {
    const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
    assert.equal(expectOk(s.cli(['--version'])), `nebula-ipam ${version}\n`);
    assert.equal(expectOk(s.cli(['version'])), `nebula-ipam ${version}\n`);
    const json = s.json<{ name: string; version: string; node: string }>(['version']);
    assert.equal(json.version, version);
    assert.match(json.node, /^\d+\.\d+\.\d+$/);
  });

  it('install --bin links a working nebula-ipam into a bin directory, and refuses a foreign one', () => {
    const bin = path.join(s.dir, 'usr-local-bin');
    const dir = path.join(s.dir, 'one', 'remotes', 'ipam', 'nebula');
    const out = s.json<{ bin: { path: string; state: string; program: string } }>(['install', dir, '--bin', bin]);
    assert.deepEqual([out.bin.path, out.bin.state], [path.join(bin, 'nebula-ipam'), 'created']);
    const viaPath = runProgram(path.join(bin, 'nebula-ipam'), ['--version']);
    assert.equal(viaPath.code, 0, viaPath.stderr);
    assert.match(viaPath.stdout, /^nebula-ipam \d/);
    // Never the copy the actions run: the driver directory is oneadmin's (issue 16 item 1).
    const program = fs.realpathSync(path.join(bin, 'nebula-ipam'));
    assert.equal(program, out.bin.program);
    assert.ok(!program.startsWith(`${dir}${path.sep}`), program);
    assert.deepEqual(fs.readFileSync(program), fs.readFileSync(BUNDLE));
    const other = path.join(s.dir, 'other-bin');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'nebula-ipam'), '#!/bin/sh\necho mine\n', { mode: 0o755 });
    expectCliFailure(s.cli(['install', path.join(s.dir, 'one', 'remotes', 'ipam', 'second'), '--bin', other]), 5, [
      path.join(other, 'nebula-ipam'),
    ]);
    assert.equal(
      fs.existsSync(path.join(s.dir, 'one', 'remotes', 'ipam', 'second', 'get_address')),
      false,
      'nothing was changed',
    );
  });

  it('npm pack gives a package whose global install puts a working nebula-ipam on the PATH', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-pack-'));
    try {
      const npm = (args: readonly string[], cwd: string) =>
        spawnSync('npm', [...args], {
          cwd,
          encoding: 'utf8',
          env: childEnv('default', { npm_config_cache: path.join(work, 'cache') }),
          timeout: 120_000,
        });
      // --ignore-scripts: the bundle under test is the one already built.
      const packed = npm(['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], REPO_ROOT);
      assert.equal(packed.status, 0, packed.stderr);
      const tarball = path.join(work, packed.stdout.trim().split('\n').pop()!);
      const installed = npm(
        ['install', '-g', '--prefix', path.join(work, 'global'), '--offline', '--no-audit', '--no-fund', tarball],
        work,
      );
      assert.equal(installed.status, 0, installed.stderr);
      const program = path.join(work, 'global', 'bin', 'nebula-ipam');
      const version = runProgram(program, ['version', '--json']);
      assert.equal(version.code, 0, version.stderr);
      assert.equal(JSON.parse(version.stdout).name, 'nebula-ipam');
      // The packaged program is the bundle, whole.
      assert.deepEqual(fs.readFileSync(fs.realpathSync(program)), fs.readFileSync(BUNDLE));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('the default install travels with onehost sync (issue 11 item 10)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
  });
  after(() => s.cleanup());

  it('is one file in the driver directory with relative links; a copy of remotes elsewhere runs every action', () => {
    const remotes = path.join(s.dir, 'front-end-1', 'remotes');
    const dir = path.join(remotes, 'ipam', 'nebula');
    expectOk(s.cli(['install', dir]));
    assert.deepEqual(fs.readdirSync(dir).sort(), [...ACTIONS, 'nebula-ipam.cjs'].sort());
    for (const action of ACTIONS) assert.equal(fs.readlinkSync(path.join(dir, action)), 'nebula-ipam.cjs');
    // What onehost sync / onezone serversync (rsync -a) do: copy the tree, links as links.
    const copied = path.join(s.dir, 'front-end-2', 'remotes');
    fs.mkdirSync(path.dirname(copied), { recursive: true });
    const cp = spawnSync('cp', ['-a', remotes, copied], { encoding: 'utf8' });
    assert.equal(cp.status, 0, cp.stderr);
    fs.rmSync(path.join(s.dir, 'front-end-1'), { recursive: true });
    const there = path.join(copied, 'ipam', 'nebula');
    const env = { NEBULA_IPAM_STORE: path.join(s.dir, 'shared', 'leases.json'), NEBULA_IPAM_CONFIG: s.configPath! };
    expectOk(s.cli(['init'], { env }));
    const ar = new OnedAr(
      expectReply(onedRuns(there, 'register_address_range', registerXml({ IPAM_MAD: 'nebula', SIZE: '4' }), env), 'AR'),
    );
    const got = expectReply(onedRuns(there, 'get_address', ar.getXml(1), env), 'ADDRESS');
    assert.equal(got.get('IP'), ar.attrs.IP);
    const ran = [
      ['allocate_address', ar.allocateXml(2n)],
      ['free_address', ar.freeXml(2n)],
      ['free_address', ar.freeXml(0n)],
      ['unregister_address_range', ar.unregisterXml('rmar')],
    ] as const;
    for (const [action, xml] of ran) {
      const result = onedRuns(there, action, xml, env);
      assert.equal(result.code, 0, `${action}: ${result.stderr}`);
    }
  });

  it('--link keeps the absolute layout, which dangles in such a copy', () => {
    const remotes = path.join(s.dir, 'linked', 'remotes');
    const dir = path.join(remotes, 'ipam', 'nebula');
    expectOk(s.cli(['install', dir, '--link']));
    for (const action of ACTIONS) assert.ok(path.isAbsolute(fs.readlinkSync(path.join(dir, action))));
    assert.deepEqual(fs.readdirSync(dir).sort(), [...ACTIONS].sort());
  });
});

describe('errors in the project voice (issue 11 item 4)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    s.register({ SIZE: '20' }, '1');
    expectOk(s.cli(['lease', '--pool', 'private', '--owner', 'bm-01']));
  });
  after(() => s.cleanup());

  it('a mistyped command, option, pool or owner: one "Cannot" line with the nearest name', () => {
    const bytes = s.bookBytes();
    assert.match(expectCliFailure(s.cli(['stauts']), 2, ['"stauts"']), /^Cannot .*did you mean "status"\?/);
    expectCliFailure(s.cli(['help', 'leasse']), 2, ['did you mean "lease"?']);
    expectCliFailure(s.cli(['leases', '--ownr', 'x']), 2, ['unknown option "--ownr"', 'did you mean --owner?']);
    expectCliFailure(s.cli(['--jsno', 'status']), 2, ['did you mean --json?']);
    expectCliFailure(s.cli(['lease', '--pool', 'privte', '--owner', 'x']), 5, ['"privte"', 'did you mean "private"?']);
    expectCliFailure(s.cli(['range', 'add', '--pool', 'public', '--size', '4']), 5, ['did you mean "public6"?']);
    expectCliFailure(s.cli(['release', '--owner', 'bm-1']), 5, ['"bm-1"', 'did you mean "bm-01"?']);
    assert.deepEqual(s.bookBytes(), bytes, 'nothing was changed');
  });

  it("node's option-parser words never leak out", () => {
    for (const args of [
      ['lease', '--pool'],
      ['status', '--bogus'],
      ['log', '--last'],
      ['leases', '--range'],
      ['range', 'remove', 'r1', '--force=yes'],
    ]) {
      const line = expectCliFailure(s.cli(args), 2, []);
      assert.match(line, /^Cannot run [a-z]+: /);
      assert.doesNotMatch(line, /ERR_PARSE_ARGS|Option '|To specify an option argument/);
    }
    expectCliFailure(s.cli(['lease', '--pool', '--owner', 'x']), 2, ['--pool needs a value']);
  });

  it('a missing file: the same exit code and wording for import, reconcile --from and --config', () => {
    const gone = path.join(s.dir, 'gone.file');
    const lines = [
      expectCliFailure(s.cli(['import', gone]), 5, [gone, 'there is no such file']),
      expectCliFailure(s.cli(['reconcile', '--from', gone]), 5, [gone, 'there is no such file']),
      expectCliFailure(s.cli(['--config', gone, 'status']), 5, [gone, 'there is no such file']),
    ];
    for (const line of lines)
      assert.match(
        line,
        new RegExp(
          `^Cannot read .*${JSON.stringify(gone).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: there is no such file; nothing was changed$`,
        ),
      );
  });
});

describe('each --help lists every exit code the command returns (issue 11 item 4)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: { ...CONFIG, lockTimeoutMs: 300 } });
  });
  after(() => s.cleanup());

  it('the codes produced by a tour of right and wrong uses are all listed', () => {
    const gone = path.join(s.dir, 'gone.json');
    const bad = path.join(s.dir, 'bad.json');
    fs.writeFileSync(bad, '{"schema":1}');
    const badConfig = path.join(s.dir, 'bad-config.json');
    fs.writeFileSync(badConfig, JSON.stringify({ pools: [{ name: 'x', network: '10.0.0.1/8' }] }));
    const tour: string[][] = [
      // No book yet.
      ['status'],
      ['show', 'r1'],
      ['leases'],
      ['export'],
      ['verify'],
      ['log'],
      ['restore'],
      ['reconcile', '--from', gone],
    ];
    const produced = new Map<string, Set<number>>();
    const note = (args: readonly string[]) => {
      const result = s.cli(args);
      const command = args.find((a) => !a.startsWith('-') && a !== badConfig)!;
      if (!produced.has(command)) produced.set(command, new Set());
      produced.get(command)!.add(result.code);
    };
    for (const args of tour) note(args);
    s.register({ SIZE: '4' }, '1');
    const full: string[][] = [
      ['status'],
      ['status', '--bogus'],
      ['status', '--config', badConfig],
      ['status', '--config', gone],
      ['show', 'r1'],
      ['show', 'r9'],
      ['show', 'nonsense'],
      ['show', '192.0.2.1'],
      ['leases'],
      ['leases', '--range', 'r9'],
      ['leases', '--holder', 'vm'],
      ['lease', '--pool', 'private', '--owner', 'a'],
      ['lease', '--pool', 'nope', '--owner', 'a'],
      ['lease', '--pool', 'private'],
      ['lease', '--pool', 'private', '--owner', 'a', '--ip', '10.20.0.3'],
      ['lease', '--pool', 'private', '--owner', 'a', '--config', badConfig],
      ['release', '--owner', 'a'],
      ['release', '--owner', 'a'],
      ['release', '--ip', '10.20.0.2'],
      ['release'],
      ['range', 'add', '--pool', 'private', '--size', '4'],
      ['range', 'add', '--pool', 'private', '--size', '999999'],
      ['range', 'remove', 'r1'],
      ['range', 'remove', 'r9'],
      ['range'],
      ['verify'],
      ['verify', '--x'],
      ['export'],
      ['export', '--format', 'xml'],
      ['import', gone],
      ['import', bad],
      ['import'],
      ['restore'],
      ['restore', '--bogus'],
      ['log'],
      ['log', '--since', 'yesterday'],
      ['reconcile', '--from', gone],
      ['reconcile', '--from', bad],
      ['install', path.join(s.dir, 'r', 'internal')],
      ['install', path.join(s.dir, 'r', 'x')],
      ['install'],
      ['uninstall', path.join(s.dir, 'r', 'x')],
      ['uninstall', path.join(s.dir, 'r', 'x')],
      ['uninstall'],
    ];
    for (const args of full) note(args);
    // A held lock, for the commands that write.
    const holder = spawn('sleep', ['20'], { stdio: 'ignore' });
    try {
      fs.mkdirSync(`${s.bookPath}.lock`);
      fs.writeFileSync(
        path.join(`${s.bookPath}.lock`, 'owner'),
        JSON.stringify({ token: 'aaaabbbbccccddddeeeeffff', pid: holder.pid, host: os.hostname() }),
      );
      for (const args of [
        ['lease', '--pool', 'private', '--owner', 'b'],
        ['release', '--owner', 'b'],
        ['range', 'add', '--pool', 'private', '--size', '2'],
        ['import', path.join(s.dir, 'gone.json')],
      ])
        note(args);
    } finally {
      holder.kill();
      fs.rmSync(`${s.bookPath}.lock`, { recursive: true, force: true });
    }
    // A corrupt book.
    fs.writeFileSync(s.bookPath, '{ not json');
    for (const args of [
      ['status'],
      ['show', 'r1'],
      ['leases'],
      ['export'],
      ['verify'],
      ['lease', '--pool', 'private', '--owner', 'c'],
    ])
      note(args);

    const missing: string[] = [];
    for (const [command, codes] of produced) {
      const help = expectOk(s.cli([command, '--help']));
      const listed = new Set(
        [...help.slice(help.indexOf('Exit codes:')).matchAll(/^ {2}(\d+) +/gm)].map((m) => Number(m[1])),
      );
      assert.ok(listed.size > 0, `${command} --help lists its exit codes`);
      for (const code of codes)
        if (!listed.has(code))
          missing.push(`${command} returned ${code}, not in its --help (${[...listed].join(', ')})`);
    }
    assert.deepEqual(missing, []);
    assert.ok(produced.size >= 14, `every command was run: ${[...produced.keys()].join(' ')}`);
  });
});

describe('restore says everything it brings back; import --dry-run (issue 11 item 6)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    s.register({ SIZE: '8' }, '1');
    expectOk(s.cli(['lease', '--pool', 'private', '--count', '2', '--owner', 'bm-01']));
  });
  after(() => s.cleanup());

  it('a range removed since the previous generation comes back with its leases, listed; the audit record says what changed', () => {
    expectOk(s.cli(['range', 'remove', 'r2', '--force']));
    const preview = expectOk(s.cli(['restore']));
    assert.match(preview, /^Restoring it would change \(1 range added, 1 lease added\):$/m);
    assert.match(preview, /^range-added +r2 /m);
    assert.match(preview, /^lease-added +r2 +10\.20\.1\.2-10\.20\.1\.3 /m);
    expectOk(s.cli(['restore', '--yes']));
    const record = s.json<{ records: { action: string; detail?: string }[] }>(['log', '--limit', '1']).records[0]!;
    assert.equal(record.action, 'restore');
    assert.match(record.detail ?? '', /^generation \d+ brought back: 1 range added, 1 lease added$/);
  });

  it('import --dry-run says what it would import and changes nothing; a refusal is the same as without it', () => {
    const exported = path.join(s.dir, 'export.json');
    fs.writeFileSync(exported, expectOk(s.cli(['export'])));
    const other = createCliSandbox({ config: CONFIG });
    try {
      const empty = other.bookBytes();
      const dry = expectOk(other.cli(['import', exported, '--dry-run']));
      assert.match(dry, /^Would import 2 ranges with 1 lease from .*export\.json\nDry run: nothing was changed\.\n$/);
      assert.deepEqual(other.bookBytes(), empty, 'the book was not written');
      assert.equal(other.json<{ dryRun: boolean; ranges: number }>(['import', exported, '--dry-run']).ranges, 2);
      expectOk(other.cli(['import', exported]));
      const again = other.bookBytes();
      expectCliFailure(other.cli(['import', exported, '--dry-run']), 5, ['nothing was imported']);
      assert.deepEqual(other.bookBytes(), again);
    } finally {
      other.cleanup();
    }
  });
});

describe('metrics for Prometheus, the same numbers as status --json (issue 11 item 8)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    const ar = s.register({ SIZE: '20' }, '1');
    expectReply(s.run('get_address', ar.getXml(3), { requestId: '2' }), 'ADDRESS');
    s.register({ TYPE: 'IP4_6', IPAM_POOL: 'private', IPAM_POOL6: 'public6', SIZE: '8' }, '3');
    expectOk(s.cli(['lease', '--pool', 'private', '--count', '2', '--owner', 'bm-01']));
  });
  after(() => s.cleanup());

  /** `name{labels} value` lines as { name, labels, value }; every other line is a # HELP or # TYPE. */
  function parseExposition(text: string) {
    const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
      assert.ok(m, `a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...m[2]!.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
      );
      samples.push({ name: m[1]!, labels, value: Number(m[3]) });
    }
    return samples;
  }

  it('prints pool and range utilisation, per holder, and the generation, matching status --json', () => {
    const samples = parseExposition(expectOk(s.cli(['metrics'])));
    const status = s.json<{
      generation: number;
      pools: { name: string; size: number | string; carved: number | string; free: number | string }[];
      families: Record<
        string,
        {
          ranges: { id: string; size: number; used: number; byOpenNebula: number; byOperators: number; free: number }[];
        }
      >;
    }>(['status']);
    const one = (name: string, labels: Record<string, string>) => {
      const found = samples.filter(
        (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
      );
      assert.equal(found.length, 1, `${name} ${JSON.stringify(labels)}`);
      return found[0]!.value;
    };
    assert.equal(one('nebula_ipam_book_generation', {}), status.generation);
    for (const pool of status.pools) {
      assert.equal(one('nebula_ipam_pool_size_addresses', { pool: pool.name }), Number(pool.size));
      assert.equal(one('nebula_ipam_pool_carved_addresses', { pool: pool.name }), Number(pool.carved));
      assert.equal(one('nebula_ipam_pool_free_addresses', { pool: pool.name }), Number(pool.free));
    }
    for (const family of ['ipv4', 'ipv6']) {
      for (const range of status.families[family]!.ranges) {
        const labels = { range: range.id, family };
        assert.equal(one('nebula_ipam_range_size_addresses', labels), range.size);
        assert.equal(one('nebula_ipam_range_free_addresses', labels), range.free);
        assert.equal(one('nebula_ipam_range_used_addresses', { ...labels, holder: 'opennebula' }), range.byOpenNebula);
        assert.equal(one('nebula_ipam_range_used_addresses', { ...labels, holder: 'operator' }), range.byOperators);
      }
    }
    assert.equal(one('nebula_ipam_range_used_addresses', { range: 'r1', holder: 'opennebula' }), 3);
    assert.equal(one('nebula_ipam_range_used_addresses', { range: 'r3', holder: 'operator' }), 2);
    assert.equal(one('nebula_ipam_range_size_addresses', { range: 'r2', family: 'ipv6', pool: 'public6' }), 8);
    assert.equal(one('nebula_ipam_pool_size_addresses', { pool: 'public6' }), 2 ** 80);
    assert.equal(one('nebula_ipam_range_utilisation_ratio', { range: 'r1' }), 0.15);
  });

  it('--output writes the file whole for the textfile collector; an unwritable place is one line, exit 8', () => {
    const dir = path.join(s.dir, 'textfile');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'nebula-ipam.prom');
    assert.equal(expectOk(s.cli(['metrics', '--output', file])), '');
    // The same text but for the time of the run (nebula_ipam_last_success_timestamp_seconds).
    const timeless = (text: string) =>
      text.replace(/^(nebula_ipam_last_success_timestamp_seconds\{[^}]*\}) \d+$/m, '$1 T');
    assert.equal(timeless(fs.readFileSync(file, 'utf8')), timeless(expectOk(s.cli(['metrics']))));
    assert.deepEqual(fs.readdirSync(dir), ['nebula-ipam.prom'], 'no temporary file left');
    expectCliFailure(s.cli(['metrics', '--output', path.join(s.dir, 'no', 'such', 'dir', 'x.prom')]), 8, ['x.prom']);
  });
});

describe('shell completion (issue 11 item 9)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
  });
  after(() => s.cleanup());

  /** What bash offers for the words typed so far (the last one being completed). */
  function complete(words: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): string[] {
    const script = expectOk(s.cli(['completion', 'bash']));
    const file = path.join(s.dir, 'completion.bash');
    fs.writeFileSync(file, script);
    const line = ['nebula-ipam', ...words].map((w) => `'${w}'`).join(' ');
    const probe = `source '${file}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _nebula_ipam; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const child = spawnSync('bash', ['-c', probe], {
      encoding: 'utf8',
      cwd: s.dir,
      env: childEnv('default', {
        PATH: `${s.driverDir}:${process.env.PATH}`,
        NEBULA_IPAM_CONFIG: s.configPath!,
        NEBULA_IPAM_STORE: s.bookPath,
        ...env,
      }),
    });
    assert.equal(child.status, 0, child.stderr);
    return child.stdout.split('\n').filter(Boolean).sort();
  }

  it("completes commands, each command's options, and pool names from the config", () => {
    assert.deepEqual(complete(['st']), ['status']);
    assert.ok(complete(['']).includes('metrics'));
    assert.deepEqual(complete(['lease', '--o']), ['--owner']);
    assert.deepEqual(complete(['log', '--l']), ['--last', '--limit']);
    assert.deepEqual(complete(['lease', '--pool', '']), ['private', 'public6']);
    assert.deepEqual(complete(['--driver', 'x', 'range', '--pool', 'pu']), ['public6']);
    assert.deepEqual(
      complete(['range', '']).filter((w) => !w.startsWith('-')),
      ['add', 'list', 'remove'],
    );
  });

  it("completes range ids after show and --range, holders after --holder, with the line's --config (issue 19 Why 2)", () => {
    s.register({ SIZE: '4' }, '1');
    assert.deepEqual(
      complete(['show', '']).filter((w) => /^r\d/.test(w)),
      ['r1'],
    );
    assert.deepEqual(complete(['leases', '--range', '']), ['r1']);
    assert.deepEqual(complete(['leases', '--holder', '']), ['opennebula', 'operator']);
    // The config named on the line is the one asked, not the environment's.
    const other = path.join(s.dir, 'other.json');
    fs.writeFileSync(
      other,
      JSON.stringify({ pools: [{ name: 'elsewhere', network: '10.99.0.0/16', subnetPrefix: 24 }] }),
    );
    assert.deepEqual(complete(['--config', other, 'lease', '--pool', '']), ['elsewhere']);
  });

  it('on a front-end (one driver installed, nothing in the environment) completes its pools, the installed drivers after --driver, and --format values (issue 19 item 2)', () => {
    const one = path.join(s.dir, 'front-end');
    const remotes = path.join(one, 'var', 'remotes', 'ipam');
    expectOk(s.cli(['install', path.join(remotes, 'nebula')]));
    fs.mkdirSync(path.join(one, 'etc', 'nebula-ipam'), { recursive: true });
    const pools = [{ name: 'frontend-pool', network: '10.77.0.0/16', subnetPrefix: 24 }];
    fs.writeFileSync(path.join(one, 'etc', 'nebula-ipam', 'nebula.json'), JSON.stringify({ pools }));
    const frontEnd = { ONE_LOCATION: one, NEBULA_IPAM_CONFIG: undefined, NEBULA_IPAM_STORE: undefined };
    // Without ONE_LOCATION's driver picked, `completion pools` read nebula-ipam.json: nothing.
    assert.deepEqual(complete(['lease', '--pool', ''], frontEnd), ['frontend-pool']);
    assert.deepEqual(complete(['--driver', ''], frontEnd), ['nebula']);
    expectOk(s.cli(['install', path.join(remotes, 'lab')]));
    assert.deepEqual(complete(['status', '--driver', ''], frontEnd), ['lab', 'nebula']);
    // The values export's Usage line lists, whichever they are.
    const formats = /--format ([a-z|]+)/.exec(expectOk(s.cli(['export', '--help'])))![1]!.split('|');
    assert.ok(formats.includes('csv') && formats.includes('json'), formats.join());
    assert.deepEqual(complete(['export', '--format', ''], frontEnd), formats.sort());
    assert.deepEqual(complete(['export', '--format', 'c'], frontEnd), ['csv']);
    assert.deepEqual(
      complete(['completion', ''], frontEnd).filter((w) => !w.startsWith('-')),
      ['bash', 'drivers', 'pools', 'ranges'],
    );
  });

  it('refuses a shell it does not know', () => {
    expectCliFailure(s.cli(['completion', 'zsh']), 2, ['"zsh"', 'bash']);
  });
});

describe('what a host needs (issue 11 item 7)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({
      config: {
        pools: [
          {
            name: 'lab',
            network: '10.40.0.0/16',
            subnetPrefix: 24,
            dns: ['10.40.0.53'],
            mtu: 9000,
            searchDomain: 'lab.example.org',
          },
        ],
      },
    });
  });
  after(() => s.cleanup());

  it('lease and range add print the MTU and search domain of the pool, in text and JSON', () => {
    const out = expectOk(s.cli(['lease', '--pool', 'lab', '--owner', 'host-1']));
    assert.match(out, /^ {2}mtu +9000$/m);
    assert.match(out, /^ {2}search +lab\.example\.org$/m);
    const json = s.json<{ mtu: number; searchDomain: string }>(['lease', '--pool', 'lab', '--owner', 'host-2']);
    assert.deepEqual([json.mtu, json.searchDomain], [9000, 'lab.example.org']);
    assert.match(expectOk(s.cli(['range', 'add', '--pool', 'lab', '--size', '4'])), /^ {2}mtu +9000$/m);
  });

  it("range list lists the ranges, and only one pool's with --pool", () => {
    const out = expectOk(s.cli(['range', 'list']));
    assert.match(out, /^RANGE +BY +POOL +TYPE +ADDRESSES +SIZE +USED +FREE$/m);
    assert.equal(out.trimEnd().split('\n').length, 3, 'a header and two ranges');
    assert.equal(s.json<{ ranges: unknown[] }>(['range', 'list', '--pool', 'lab']).ranges.length, 2);
    expectCliFailure(s.cli(['range', 'list', '--pool', 'lb']), 5, ['did you mean "lab"?']);
  });
});
