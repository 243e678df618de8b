/**
 * nebula-ipam on etcd, black-box: the built bundle run through its action symlinks with oned's
 * exact bytes and as the operator CLI, against a real 3-member etcd cluster. The driver life-
 * cycle and the operator commands; a move from the file book to etcd and back; 16 drivers and
 * operator commands on one range at once; the etcd leader SIGKILLed mid-run; a driver SIGKILLed
 * between sending its transaction and reading the answer; quorum lost. Figures are printed as
 * `# etcd:` lines (README, guarantees table).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../../support/cli-harness.ts';
import { expectFailure, expectQuietSuccess, expectReply } from '../../../support/driver-assert.ts';
import { OnedAr, TEST_BUNDLE, ipv4ToNumber, numberToIpv4, registerXml } from '../../../support/driver-harness.ts';
import { startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';
import { EtcdClient } from '../../../../src/store/etcd/etcd-client.ts';
import { spawnAction, spawnCli, type ActionRun } from '../../../torture/spawn-action.ts';

let cluster: EtcdCluster;
before(async () => {
  cluster = await startEtcdCluster();
});
after(async () => {
  await cluster?.stop();
});

const POOLS = [{ name: 'lab', network: '10.40.0.0/16', subnetPrefix: 24, gateway: 'first', default: true }];
let drivers = 0;

/**
 * A sandbox whose config puts the book in etcd under a prefix of its own (the default prefix
 * follows the driver name, which the CLI only knows from --driver); the file book path stays unused.
 */
function etcdSandbox(extra: object = {}, book: 'init' | 'none' = 'init'): CliSandbox {
  const driver = `drv${++drivers}`;
  // The test bundle: one test kills a writer through a test hook (NEBULA_IPAM_TEST_ETCD_*).
  return createCliSandbox({
    driver,
    bundle: TEST_BUNDLE,
    book,
    config: {
      backend: { type: 'etcd', endpoints: cluster.endpoints, prefix: `/nebula-ipam/e2e-${driver}`, timeoutMs: 1_000 },
      lockTimeoutMs: 20_000,
      pools: POOLS,
      ...extra,
    },
  });
}

interface StatusJson {
  generation: number;
  ranges: { id: string; used: number }[];
}
interface ExportJson {
  generation: number;
  nextRangeId: number;
  ranges: { id: string; leases: string }[];
}

test('the driver life-cycle on etcd: register, get, allocate, free, unregister; no file book is made', () => {
  const s = etcdSandbox();
  try {
    const ar = new OnedAr(
      expectReply(s.run('register_address_range', registerXml({ IPAM_MAD: s.driver, SIZE: '16' })), 'AR'),
    );
    const first = expectReply(s.run('get_address', ar.getXml(1), { requestId: '11' }), 'ADDRESS').get('IP')!;
    ar.noteLeased(ar.indexOf(first));
    const block = expectReply(s.run('get_address', ar.getXml(4), { requestId: '12' }), 'ADDRESS').get('IP')!;
    assert.equal(ipv4ToNumber(block), ipv4ToNumber(first) + 1);
    ar.noteLeased(ar.indexOf(block), 4);
    expectQuietSuccess(s.run('allocate_address', ar.allocateXml(9n), { requestId: '13' }));
    ar.noteLeased(9n);
    expectFailure(s.run('allocate_address', ar.allocateXml(3n), { requestId: '14' }), 5, [
      numberToIpv4(ipv4ToNumber(first) + 3),
    ]);
    assert.deepEqual(
      s.json<StatusJson>(['status']).ranges.map((r) => [r.id, r.used]),
      [['r1', 6]],
    );
    for (const index of [...ar.leased]) {
      expectQuietSuccess(s.run('free_address', ar.freeXml(index)));
      ar.noteFreed(index);
    }
    expectQuietSuccess(s.run('unregister_address_range', ar.unregisterXml('rmar')));
    const status = s.json<StatusJson>(['status']);
    assert.deepEqual(status.ranges, []);
    assert.equal(
      status.generation,
      11,
      'one generation per write: register, 3 leases, 6 frees (one per address), unregister',
    );
    assert.equal(s.bookBytes(), undefined, 'the book is in etcd, not in a file');
  } finally {
    s.cleanup();
  }
});

test('a prefix with no book is refused by every action and command, naming it; init makes the book there (issue 15 item 1)', () => {
  const s = etcdSandbox({}, 'none');
  try {
    const prefix = `/nebula-ipam/e2e-${s.driver}`;
    const line = expectFailure(s.run('register_address_range', registerXml({ IPAM_MAD: s.driver, SIZE: '16' })), 5, [
      prefix,
      'there is no lease book there',
      `backend.prefix in ${s.configPath}`,
      'nebula-ipam init',
    ]);
    assert.ok(line.includes(cluster.endpoints[0]!), line);
    expectCliFailure(s.cli(['lease', '--pool', 'lab', '--owner', 'bm-01']), 5, [
      prefix,
      'there is no lease book there',
    ]);
    expectCliFailure(s.cli(['status']), 5, [prefix]);
    expectCliFailure(s.cli(['verify']), 5, [prefix]);
    assert.equal(s.json<{ created: boolean }>(['init']).created, true);
    assert.equal(s.json<{ created: boolean }>(['init']).created, false, 'a second init keeps it');
    assert.equal(s.json<StatusJson>(['status']).generation, 0);
    expectReply(s.run('register_address_range', registerXml({ IPAM_MAD: s.driver, SIZE: '16' })), 'AR');
    assert.equal(s.bookBytes(), undefined, 'no file book was made');
  } finally {
    s.cleanup();
  }
});

test('a damaged etcd range value: actions and commands advise `nebula-ipam restore`, never a .prev copy (issue 17 item 2)', async () => {
  const client = new EtcdClient({ endpoints: cluster.endpoints, timeoutMs: 2_000 });
  const valueOf = async (key: string) => JSON.parse((await client.range({ key })).kvs[0]!.value.toString('utf8'));
  // Not JSON at all; and JSON whose range the book's decoder refuses.
  const damages = [
    () => 'not json',
    (value: { range: object }) => ({ ...value, range: { ...value.range, size: 'x' } }),
  ];
  try {
    for (const damage of damages) {
      const s = etcdSandbox();
      try {
        const prefix = `/nebula-ipam/e2e-${s.driver}`;
        const ar = new OnedAr(
          expectReply(s.run('register_address_range', registerXml({ IPAM_MAD: s.driver, SIZE: '16' })), 'AR'),
        );
        expectReply(s.run('get_address', ar.getXml(1), { requestId: '11' }), 'ADDRESS');
        // The current generation's value of r1: meta names the head, the head names r1's version.
        const head = await valueOf(`${prefix}/meta@${(await valueOf(`${prefix}/meta`)).book}`);
        const key = `${prefix}/range/r1@${(head.ranges as [string, string][]).find(([id]) => id === 'r1')![1]}`;
        const damaged = damage(await valueOf(key));
        await client.txn([], [{ put: key, value: typeof damaged === 'string' ? damaged : JSON.stringify(damaged) }]);
        const lines = [
          expectFailure(s.run('get_address', ar.getXml(1), { requestId: '12' }), 7),
          expectCliFailure(s.cli(['status']), 7, [prefix]),
          expectCliFailure(s.cli(['leases']), 7, [prefix]),
        ];
        for (const line of lines) {
          assert.ok(line.includes(key) && line.includes('`nebula-ipam restore`'), line);
          assert.doesNotMatch(line, /\.prev|copy/, line);
        }
        // The advice holds: restore brings the generation before back.
        expectOk(s.cli(['restore', '--yes']));
        assert.equal(s.json<StatusJson>(['status']).ranges[0]?.id, 'r1');
      } finally {
        s.cleanup();
      }
    }
  } finally {
    client.close();
  }
});

test('operator commands on etcd: lease, release, restore, show, leases, verify, log; export to a file book and back is exact', () => {
  const s = etcdSandbox();
  try {
    const ar = s.register({ SIZE: '32' }, '20');
    expectReply(s.run('get_address', ar.getXml(2), { requestId: '21' }), 'ADDRESS');
    const leased = s.json<{ addresses: string }>(['lease', '--pool', 'lab', '--count', '2', '--owner', 'bm-01']);
    assert.match(expectOk(s.cli(['show', leased.addresses.split('-')[0]!])), /is leased to "bm-01"/);
    assert.match(expectOk(s.cli(['leases'])), /bm-01/);
    assert.match(expectOk(s.cli(['verify'])), /./);
    expectOk(s.cli(['release', '--ip', leased.addresses.split('-')[0]!]));
    assert.match(expectOk(s.cli(['show', leased.addresses.split('-')[0]!])), /is free/);
    // restore: the generation before the release, from its own keys (meta's previous), written as a new one.
    assert.match(expectOk(s.cli(['restore', '--yes'])), /Restored: the book is now generation 5/);
    assert.match(expectOk(s.cli(['show', leased.addresses.split('-')[0]!])), /is leased to "bm-01"/);
    const log = expectOk(s.cli(['log']));
    assert.match(log, /register_address_range/);
    assert.match(log, /get_address/);

    // etcd -> file book -> etcd: the same book, byte for byte in export.
    const exported = expectOk(s.cli(['export']));
    const file = path.join(s.dir, 'exported.json');
    fs.writeFileSync(file, exported);
    const fileBook = path.join(s.dir, 'file', 'leases.json');
    expectOk(s.cli(['--store', fileBook, 'init']));
    expectOk(s.cli(['--store', fileBook, 'import', file]));
    const fromFile = expectOk(s.cli(['--store', fileBook, 'export']));
    const back = etcdSandbox();
    try {
      const fileCopy = path.join(back.dir, 'from-file.json');
      fs.writeFileSync(fileCopy, fromFile);
      expectOk(back.cli(['import', fileCopy]));
      const again = JSON.parse(expectOk(back.cli(['export']))) as ExportJson;
      const original = JSON.parse(exported) as ExportJson;
      assert.deepEqual(
        [again.ranges, again.nextRangeId],
        [original.ranges, original.nextRangeId],
        'the ranges and leases moved exactly',
      );
    } finally {
      back.cleanup();
    }
  } finally {
    s.cleanup();
  }
});

/** Driver processes taking addresses one after the other; every answer kept. */
async function driverLoop(
  s: CliSandbox,
  ar: OnedAr,
  worker: number,
  count: number,
  log: ActionRun[],
  env: Record<string, string> = {},
): Promise<void> {
  for (let i = 0; i < count; i++)
    log.push(await spawnAction(s, 'get_address', ar.getXml(1), { requestId: String(1000 * (worker + 1) + i), env }));
}

function leasedIps(runs: readonly ActionRun[]): string[] {
  return runs
    .filter((r) => r.action === 'get_address' && r.code === 0)
    .map((r) => /IP\s*=\s*"([^"]+)"/.exec(r.stdout)![1]!);
}

/** Every leased IPv4 address of the book (all ranges), read through the CLI's CSV export. */
function bookIps(s: CliSandbox): Set<string> {
  const ips = new Set<string>();
  for (const line of expectOk(s.cli(['export', '--format', 'csv']))
    .split('\n')
    .slice(1)) {
    const fields = line.split(',');
    if (!fields[6]) continue;
    const [from, to = from] = fields[6].split('-');
    for (let n = ipv4ToNumber(from!); n <= ipv4ToNumber(to!); n++) ips.add(numberToIpv4(n));
  }
  return ips;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

test('16 drivers and operator commands on one range at once: every lease acknowledged, none given twice, none lost', async () => {
  const s = etcdSandbox();
  try {
    // Many callers on one AR at once, as oned never runs them: no count could be oned's, so none is sent.
    const ar = new OnedAr(s.register({ SIZE: '250' }).attrs, { modern: false, sendsCount: false });
    const runs: ActionRun[] = [];
    const started = performance.now();
    const operator = (async () => {
      for (let i = 0; i < 4; i++) {
        runs.push(await spawnCli(s, ['lease', '--pool', 'lab', '--count', '1', '--owner', `op-${i}`]));
        runs.push(await spawnCli(s, ['status']));
      }
    })();
    await Promise.all([...Array.from({ length: 16 }, (_, w) => driverLoop(s, ar, w, 4, runs)), operator]);
    const elapsed = performance.now() - started;
    const failed = runs.filter((r) => r.code !== 0);
    assert.deepEqual(
      failed.map((r) => r.stderr),
      [],
      'every action and command succeeded',
    );
    const ips = leasedIps(runs);
    assert.equal(ips.length, 64);
    assert.equal(new Set(ips).size, ips.length, 'no address given out twice');
    const book = bookIps(s);
    for (const ip of ips) assert.ok(book.has(ip), `acknowledged ${ip} is in the book`);
    assert.equal(book.size, 64 + 4, "the book holds exactly the drivers' and the operator's leases");
    const latencies = runs.filter((r) => r.action === 'get_address').map((r) => r.end - r.start);
    console.log(
      `# etcd: 16-way contention, 64 get_address + 8 commands in ${(elapsed / 1000).toFixed(1)} s; get_address p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`,
    );
  } finally {
    s.cleanup();
  }
});

test('concurrent writers on etcd: `log` lists their records in commit order, with times that never go back (issue 19 item 6)', async () => {
  const s = etcdSandbox();
  try {
    // Each takes its time before it writes; the ones that meet a conflict commit later than writers that started after them.
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => spawnCli(s, ['lease', '--pool', 'lab', '--owner', `w-${i}`])),
    );
    assert.deepEqual(
      runs.filter((r) => r.code !== 0).map((r) => r.stderr),
      [],
    );
    const { records } = s.json<{ records: { time: string; addresses: string; owner: string }[] }>([
      'log',
      '--all',
      '--action',
      'lease',
    ]);
    assert.equal(records.length, 12);
    // Each lease took the lowest free address, so the addresses rise in the order the writes committed.
    const addresses = records.map((r) => ipv4ToNumber(r.addresses.split('-')[0]!));
    assert.deepEqual(
      addresses,
      [...addresses].sort((a, b) => a - b),
      'listed in commit order',
    );
    const times = records.map((r) => Date.parse(r.time));
    for (let i = 1; i < times.length; i++)
      assert.ok(
        times[i]! >= times[i - 1]!,
        `record ${i} (${records[i]!.time}) is older than the one committed before it (${records[i - 1]!.time})`,
      );
  } finally {
    s.cleanup();
  }
});

test('the etcd leader SIGKILLed mid-run: no duplicates, no acknowledged lease lost, writes resume', async () => {
  const s = etcdSandbox();
  let killed: number | undefined;
  try {
    // Many callers on one AR at once, as oned never runs them: no count could be oned's, so none is sent.
    const ar = new OnedAr(s.register({ SIZE: '250' }).attrs, { modern: false, sendsCount: false });
    const runs: ActionRun[] = [];
    let killedAt = 0;
    const killer = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      killed = await cluster.leader();
      killedAt = performance.now();
      await cluster.kill(killed, 'SIGKILL');
    })();
    await Promise.all([...Array.from({ length: 8 }, (_, w) => driverLoop(s, ar, w, 6, runs)), killer]);
    const failures = runs.filter((r) => r.code !== 0);
    for (const f of failures) assert.match(f.stderr, /^Cannot [^\n]*etcd[^\n]*\n$/, 'a failure is one line about etcd');
    const ips = leasedIps(runs);
    assert.equal(new Set(ips).size, ips.length, 'no address given out twice');
    const book = bookIps(s);
    for (const ip of ips) assert.ok(book.has(ip), `acknowledged ${ip} is still in the book`);
    const after = runs.filter((r) => r.code === 0 && r.start > killedAt);
    assert.ok(after.length > 0, 'writes resumed after the leader died');
    const resumed = Math.min(...after.map((r) => r.end)) - killedAt;
    console.log(
      `# etcd: leader ${killed} SIGKILLed: ${ips.length} acknowledged, ${failures.length} failed, 0 duplicates, 0 lost; first write acknowledged ${resumed.toFixed(0)} ms after the kill`,
    );
  } finally {
    if (killed !== undefined) await cluster.restart(killed);
    s.cleanup();
  }
});

test('a driver SIGKILLed between sending its transaction and reading the answer: nothing doubled, the book intact', () => {
  const s = etcdSandbox();
  try {
    const ar = s.register({ SIZE: '16' });
    const before = bookIps(s).size;
    const crashed = s.run('get_address', ar.getXml(1), {
      requestId: '77',
      env: { NEBULA_IPAM_TEST_ETCD_KILL_AFTER_SEND: '1' },
    });
    assert.equal(crashed.code, 128 + 9, `killed by the hook: ${crashed.stderr}`);
    const landed = bookIps(s).size - before;
    assert.ok(landed === 0 || landed === 1, `the lease landed whole or not at all (${landed})`);
    expectOk(s.cli(['verify']));
    const next = expectReply(s.run('get_address', ar.getXml(1), { requestId: '78' }), 'ADDRESS').get('IP')!;
    const book = bookIps(s);
    // oned never got the killed action's answer: its USED_LEASES did not grow, so a landed lease is dropped (core/engine/oned-count.ts).
    assert.equal(
      book.size,
      before + 1,
      'the next lease is the only new one: never a second copy, and no orphan of the killed get left',
    );
    assert.ok(book.has(next));
    console.log(
      `# etcd: driver killed after sending: the lease ${landed ? 'landed (held under request 77, for reconcile)' : 'did not land'}; the next get_address got ${next}`,
    );
  } finally {
    s.cleanup();
  }
});

test('quorum lost: actions and commands fail within their bound with one line; the book is intact after', async () => {
  const s = etcdSandbox({ lockTimeoutMs: 3_000 });
  const stopped: number[] = [];
  try {
    const ar = s.register({ SIZE: '16' });
    expectReply(s.run('get_address', ar.getXml(1), { requestId: '90' }), 'ADDRESS');
    const exported = expectOk(s.cli(['export']));
    for (const i of [1, 2]) {
      await cluster.kill(i, 'SIGKILL');
      stopped.push(i);
    }
    const runs = await Promise.all([
      spawnAction(s, 'get_address', ar.getXml(1), { requestId: '91' }),
      spawnAction(s, 'allocate_address', ar.allocateXml(5n), { requestId: '92' }),
      spawnCli(s, ['status']),
    ]);
    for (const run of runs) {
      assert.notEqual(run.code, 0, `${run.action} failed`);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        /^Cannot reach etcd[^\n]*127\.0\.0\.1[^\n]*\n$/,
        `one line saying etcd is unreachable, and where: ${run.stderr}`,
      );
      assert.ok(
        run.end - run.start < 10_000,
        `${run.action} gave up within its bound (${(run.end - run.start).toFixed(0)} ms)`,
      );
    }
    console.log(
      `# etcd: quorum lost: ${runs.map((r) => `${r.action} failed in ${(r.end - r.start).toFixed(0)} ms`).join(', ')}`,
    );
    for (const i of stopped.splice(0)) await cluster.restart(i);
    await cluster.healthy();
    assert.equal(expectOk(s.cli(['export'])), exported, 'the book is as it was');
  } finally {
    for (const i of stopped) await cluster.restart(i);
    s.cleanup();
  }
});
