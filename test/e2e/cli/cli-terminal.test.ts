/**
 * The CLI on a terminal (issue 11 items 3 and 5), run on a pseudo-terminal through `script`:
 * it says what it waits for (also through a symlinked book, naming the holder's command and user:
 * issue 17 item 3, issue 19 item 7), and its tables fit the terminal's width.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';
import { childEnv, TEST_BUNDLE } from '../../support/driver-harness.ts';
import { runInPty, startInPty, type PtySession } from '../../support/pty.ts';

const CONFIG = {
  lockTimeoutMs: 2500,
  pools: [
    { name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true },
    { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 },
  ],
};

describe('a command waiting for the lock says so on a terminal (issue 11 item 3)', () => {
  let s: CliSandbox;
  let holder: ChildProcess;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    s.register({ SIZE: '8' }, '1');
    // Another live process of this machine holds the lock (as a slow oned action would).
    holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  /** A fresh lock of that process (a lock unrefreshed for 5 s is taken over as stale). */
  const holdLock = () => {
    const dir = `${s.bookPath}.lock`;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'owner'),
      JSON.stringify({ token: 'feedface0000feedface0000', pid: holder.pid, host: os.hostname() }),
    );
  };
  after(() => {
    holder.kill();
    s.cleanup();
  });

  const env = () => ({ NEBULA_IPAM_STORE: s.bookPath, NEBULA_IPAM_CONFIG: s.configPath! });

  it('after about a second, names the holder and since when, then fails with exit 6', () => {
    holdLock();
    const started = Date.now();
    const run = runInPty(s.program, ['lease', '--pool', 'private', '--owner', 'bm-01'], { env: env() });
    assert.equal(run.code, 6, run.output);
    const lines = run.output.trimEnd().split('\n');
    assert.equal(lines.length, 2, run.output);
    assert.match(
      lines[0]!,
      new RegExp(
        `^Waiting for the lease book's lock, held by process ${holder.pid} on ${os.hostname()} since \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    assert.match(lines[1]!, /^Cannot use the lease book .* stayed locked/);
    assert.ok(Date.now() - started >= 2500);
  });

  it('says nothing extra when stderr is not a terminal (scripts, cron)', () => {
    holdLock();
    const result = s.cli(['lease', '--pool', 'private', '--owner', 'bm-01']);
    expectCliFailure(result, 6, ['stayed locked']);
    assert.doesNotMatch(result.stderr, /Waiting/);
  });

  it('says nothing when the lock is free at once', () => {
    fs.rmSync(`${s.bookPath}.lock`, { recursive: true, force: true });
    const run = runInPty(s.program, ['lease', '--pool', 'private', '--owner', 'bm-01'], { env: env() });
    assert.equal(run.code, 0, run.output);
    assert.doesNotMatch(run.output, /Waiting/);
    expectOk(s.cli(['release', '--owner', 'bm-01']));
  });
});

describe('through a symlinked book, a waiting command names the holder, its command and its user (issue 17 item 3)', () => {
  let s: CliSandbox;
  let link: string;
  before(() => {
    s = createCliSandbox({ config: { ...CONFIG, lockTimeoutMs: 10_000 } });
    s.register({ SIZE: '8' }, '1');
    // The README's shared book: the store path is a symlink to the real file elsewhere.
    link = path.join(s.dir, 'front-end', 'leases.json');
    fs.mkdirSync(path.dirname(link), { mode: 0o700 });
    fs.symlinkSync(s.bookPath, link);
  });
  after(() => s.cleanup());

  it('a second lease waiting for the first one says who holds the lock, then takes it', async () => {
    const holds = fs.mkdtempSync(path.join(s.dir, 'holds-'));
    const env = { NEBULA_IPAM_STORE: link, NEBULA_IPAM_CONFIG: s.configPath! };
    // The holder: an operator's lease, held by the test bundle's hook once its change has run (lock taken).
    const bin = fs.mkdtempSync(path.join(s.dir, 'bin-'));
    fs.symlinkSync(TEST_BUNDLE, path.join(bin, 'nebula-ipam'));
    const holder = spawn(path.join(bin, 'nebula-ipam'), ['lease', '--pool', 'private', '--owner', 'bm-01'], {
      env: childEnv('default', { ...env, NEBULA_IPAM_TEST_HOLD_AT: 'changed', NEBULA_IPAM_TEST_HOLD_DIR: holds }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let holderErr = '';
    holder.stderr?.on('data', (chunk: Buffer) => {
      holderErr += chunk.toString('utf8');
    });
    const holderDone = new Promise<number | null>((resolve) => holder.on('close', resolve));
    let waiter: PtySession | undefined;
    try {
      for (let i = 0; i < 1000 && !fs.existsSync(path.join(holds, 'changed.held')); i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(fs.existsSync(path.join(holds, 'changed.held')), 'the first lease holds the lock');
      waiter = startInPty(s.program, ['lease', '--pool', 'private', '--owner', 'bm-02'], { env, timeoutMs: 30_000 });
      await waiter.shown("Waiting for the lease book's lock", 8_000);
      const notice = waiter.output().split('\n')[0]!;
      assert.match(
        notice,
        new RegExp(
          `^Waiting for the lease book's lock, held by process ${holder.pid} on ${os.hostname()} \\(nebula-ipam lease --pool private --owner bm-01, user ${os.userInfo().username}\\) since \\d{4}-`,
        ),
      );
      // The lock named is the real book's, not one beside the symlink.
      assert.ok(notice.includes(`(${fs.realpathSync(s.bookPath)}.lock)`), notice);
    } finally {
      fs.writeFileSync(path.join(holds, 'changed.go'), '');
    }
    assert.equal(await holderDone, 0, holderErr);
    const run = await waiter.done;
    assert.equal(run.code, 0, run.output);
    assert.equal(
      s.json<{ leases: unknown[] }>(['leases', '--owner', 'bm-02'], { env: { NEBULA_IPAM_STORE: link } }).leases.length,
      1,
    );
  });
});

describe('output fits the terminal (issue 11 item 5)', () => {
  let s: CliSandbox;
  const longNote = 'rack 12, shelf 3, the blue cable, ask Dana before moving it anywhere at all';
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    s.register({ SIZE: '20' }, '1');
    s.register({ TYPE: 'IP4_6', IPAM_POOL: 'private', IPAM_POOL6: 'public6', SIZE: '8' }, '2');
    for (let i = 0; i < 3; i++)
      expectOk(s.cli(['lease', '--pool', 'private', '--owner', `host-${i}`, '--note', longNote]));
  });
  after(() => s.cleanup());

  const env = () => ({ NEBULA_IPAM_STORE: s.bookPath, NEBULA_IPAM_CONFIG: s.configPath! });
  const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

  it('on an 80-column terminal every line of status and leases fits, long notes cut with an ellipsis', () => {
    for (const args of [['status'], ['leases'], ['show', 'r3'], ['log']]) {
      const run = runInPty(s.program, args, { env: env(), columns: 80 });
      assert.equal(run.code, 0, run.output);
      // Colour codes take no room on the screen.
      assert.ok(widest(run.output.replace(/\u001b\[[0-9;]*m/g, '')) <= 80, `${args.join(' ')}:\n${run.output}`);
    }
    const leases = runInPty(s.program, ['leases'], { env: env(), columns: 80 }).output;
    assert.match(leases, /rack 12[^\n]*\u2026$/m);
    assert.doesNotMatch(leases, /ask Dana before moving it anywhere at all/);
  });

  it('--wide, and output to a pipe, show every cell whole', () => {
    const wide = runInPty(s.program, ['--wide', 'leases'], { env: env(), columns: 80 });
    assert.ok(wide.output.includes(longNote));
    assert.ok(widest(wide.output) > 80);
    assert.ok(expectOk(s.cli(['leases'], { env: { COLUMNS: '40' } })).includes(longNote));
  });

  it('status lists an IP4_6 range under IPv4 and under IPv6, with totals apart; show gives its /64 and GATEWAY6', () => {
    const out = expectOk(s.cli(['status']));
    const ipv4 = out.slice(out.indexOf('IPv4 ranges'), out.indexOf('IPv6 ranges'));
    const ipv6 = out.slice(out.indexOf('IPv6 ranges'));
    assert.match(ipv4, /^r2 +OpenNebula +private +10\.20\.1\.0\/24 +IP4_6 /m);
    assert.match(ipv6, /^r2 +OpenNebula +public6 +2001:db8:100:[0-9a-f:]*\/64 +IP4_6 +SLAAC +8 /m);
    assert.match(ipv6, /^total +8 +0 +8 /m);
    const json = s.json<{
      families: { ipv4: { totals: { size: number } }; ipv6: { totals: { size: number; ranges: number } } };
    }>(['status']);
    assert.equal(json.families.ipv6.totals.ranges, 1);
    assert.equal(json.families.ipv6.totals.size, 8);
    // r1 (20), r2 (8, IP4_6) and the operator range carved for the leases (a /24's 253).
    assert.equal(json.families.ipv4.totals.size, 20 + 8 + 253);
    const shown = expectOk(s.cli(['show', 'r2']));
    assert.match(shown, /^ {2}pool6 +public6$/m);
    assert.match(shown, /^ {2}network6 +2001:db8:100:[0-9a-f:]*\/64 \(SLAAC/m);
    assert.match(shown, /^ {2}gateway6 +2001:db8:100:[0-9a-f:]*$/m);
  });

  it('log shows the last 50 records by default; --all and --limit', () => {
    for (let i = 0; i < 25; i++) {
      expectOk(s.cli(['lease', '--pool', 'private', '--owner', `bulk-${i}`]));
      expectOk(s.cli(['release', '--owner', `bulk-${i}`]));
    }
    const all = s.json<{ records: unknown[]; matched: number }>(['log', '--all']);
    assert.ok(all.records.length > 50);
    assert.equal(all.matched, all.records.length);
    const recent = s.cli(['log']);
    assert.equal(recent.code, 0);
    assert.equal(recent.stdout.trimEnd().split('\n').length, 51, 'a header and 50 records');
    assert.match(recent.stderr, new RegExp(`^Showing the last 50 of ${all.records.length} records`));
    assert.equal(s.json<{ records: unknown[] }>(['log', '--limit', '7']).records.length, 7);
    expectCliFailure(s.cli(['log', '--limit', '7', '--all']), 2, ['--all']);
  });
});

describe('a long read says what it reads, on a terminal only (issue 11 item 3)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
  });
  after(() => s.cleanup());

  it('import of a large file names it and its size first; a pipe gets only the failure', () => {
    const big = path.join(s.dir, 'big.json');
    fs.writeFileSync(big, `{"schema":1,"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    const run = runInPty(s.program, ['import', big], {
      env: { NEBULA_IPAM_STORE: s.bookPath, NEBULA_IPAM_CONFIG: s.configPath! },
    });
    assert.equal(run.code, 3, run.output);
    const lines = run.output.trimEnd().split('\n');
    assert.equal(lines.length, 2, run.output);
    assert.equal(lines[0], `Reading the file to import ${big} (5.0 MiB)...`);
    assert.match(lines[1]!, /^Cannot import /);
    expectCliFailure(s.cli(['import', big]), 3, [big]);
  });
});
