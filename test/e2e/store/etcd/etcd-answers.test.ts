/**
 * etcd answers taken for what they are (issue 16 item 8), black-box: the built bundle as separate
 * processes, talking to a real etcd member through a fake gateway (test/support/fake-gateway.ts)
 * that answers as a proxy might: interim 1xx heads before the answer, a 200 `{}` to a
 * transaction that did land, a 200 `{}` to a read. Last, authentication turned on in the real
 * member with no user in the config.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { createCliSandbox, type CliSandbox } from '../../../support/cli-harness.ts';
import { expectReply } from '../../../support/driver-assert.ts';
import { OnedAr, registerXml } from '../../../support/driver-harness.ts';
import { post, startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';
import { startFakeGateway, type FakeGateway } from '../../../support/fake-gateway.ts';
import { spawnAction, spawnCli, type ActionRun } from '../../../torture/spawn-action.ts';

let cluster: EtcdCluster;
let gateway: FakeGateway;
before(async () => {
  cluster = await startEtcdCluster(1);
  gateway = await startFakeGateway(cluster.endpoints[0]);
});
after(async () => {
  await gateway?.close();
  await cluster?.stop();
});

const POOLS = [{ name: 'lab', network: '10.41.0.0/16', subnetPrefix: 24, gateway: 'first', default: true }];
let drivers = 0;

/** A CLI sandbox on a book made by init, run as a child this process does not block on (the gateway answers from here). */
async function sandbox(endpoints: readonly string[], extra: object = {}): Promise<CliSandbox> {
  const driver = `ans${++drivers}`;
  const s = createCliSandbox({
    driver,
    config: {
      backend: { type: 'etcd', endpoints, prefix: `/nebula-ipam/answers-${driver}`, timeoutMs: 1_000, ...extra },
      lockTimeoutMs: 5_000,
      pools: POOLS,
    },
    book: 'none',
  });
  ok(await spawnCli(s, ['init']));
  return s;
}

function ok(run: ActionRun): string {
  assert.equal(run.code, 0, `${run.action} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

async function register(s: CliSandbox, size: string): Promise<OnedAr> {
  const run = await spawnAction(s, 'register_address_range', registerXml({ IPAM_MAD: s.driver, SIZE: size }), {
    requestId: '1',
  });
  return new OnedAr(expectReply({ code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr }, 'AR'));
}

/** The leases of the book as `export --format csv` lists them (the gateway passing answers on). */
async function leaseRows(s: CliSandbox): Promise<string[]> {
  return ok(await spawnCli(s, ['export', '--format', 'csv']))
    .trim()
    .split('\r\n')
    .slice(1);
}

test('interim 1xx answers (102, 100 Continue) before each answer are skipped: actions and commands work', async () => {
  const s = await sandbox([gateway.url]);
  gateway.mode = 'interim';
  try {
    const ar = await register(s, '16');
    const got = ok(await spawnAction(s, 'get_address', ar.getXml(1), { requestId: '2' }));
    assert.match(got, /IP\s*=\s*"10\.41\./);
    const status = JSON.parse(ok(await spawnCli(s, ['--json', 'status']))) as { ranges: { used: number }[] };
    assert.deepEqual(
      status.ranges.map((r) => r.used),
      [1],
    );
  } finally {
    gateway.mode = 'pass';
    s.cleanup();
  }
});

test("a 200 without a txn answer's fields is an unknown outcome, settled by the receipt: one get_address takes one address", async () => {
  const s = await sandbox([gateway.url]);
  try {
    const ar = await register(s, '50');
    gateway.mode = 'empty-txn';
    const got = await spawnAction(s, 'get_address', ar.getXml(1), { requestId: '3' });
    gateway.mode = 'pass';
    assert.equal(got.code, 0, `get_address succeeded: ${got.stderr}`);
    const rows = await leaseRows(s);
    assert.equal(rows.length, 1, `exactly one lease in the book, not a re-run per "conflict": ${rows.join(' | ')}`);
    const ip = /IP\s*=\s*"([^"]+)"/.exec(got.stdout)![1]!;
    assert.ok(rows[0]!.includes(ip), `the book holds the address get_address answered (${ip})`);
  } finally {
    gateway.mode = 'pass';
    s.cleanup();
  }
});

test("a 200 `{}` to a read is not etcd's answer: the next endpoint is asked, not an empty book shown", async () => {
  const direct = await sandbox(cluster.endpoints);
  const empty = await startFakeGateway(cluster.endpoints[0], 'empty-range');
  try {
    await register(direct, '16');
    const config = JSON.parse(fs.readFileSync(direct.configPath!, 'utf8')) as { backend: { endpoints: string[] } };
    config.backend.endpoints = [empty.url, cluster.endpoints[0]!];
    fs.writeFileSync(direct.configPath!, JSON.stringify(config));
    const status = JSON.parse(ok(await spawnCli(direct, ['--json', 'status']))) as { ranges: unknown[] };
    assert.equal(status.ranges.length, 1, 'the range etcd holds, read from the second endpoint');
    assert.ok(
      empty.received.some((r) => r.path === '/v3/kv/range'),
      'the fake was asked first',
    );
    // Only the fake: one line saying what came back, exit 8, not "no lease book".
    config.backend.endpoints = [empty.url];
    fs.writeFileSync(direct.configPath!, JSON.stringify(config));
    const alone = await spawnCli(direct, ['status']);
    assert.equal(alone.code, 8, alone.stderr);
    assert.match(alone.stderr, /^Cannot reach etcd[^\n]*not an etcd answer[^\n]*\n$/);
  } finally {
    await empty.close();
    direct.cleanup();
  }
});

test('authentication on in etcd and no user in the config: the config exit code (4) with one line saying so', async () => {
  const s = await sandbox(cluster.endpoints);
  try {
    const ar = await register(s, '16');
    const endpoint = cluster.endpoints[0]!;
    await post(endpoint, '/v3/auth/user/add', { name: 'root', password: 'pw-answers' });
    await post(endpoint, '/v3/auth/user/grant', { user: 'root', role: 'root' });
    await post(endpoint, '/v3/auth/enable', {});
    for (const run of [
      await spawnAction(s, 'get_address', ar.getXml(1), { requestId: '4' }),
      await spawnCli(s, ['status']),
    ]) {
      assert.equal(run.code, 4, `${run.action}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^Cannot use etcd at [^\n]*user name is empty[^\n]*backend\.user[^\n]*\n$/);
    }
    // The same book with the user named: it was the config, nothing else.
    const config = JSON.parse(fs.readFileSync(s.configPath!, 'utf8')) as { backend: Record<string, unknown> };
    Object.assign(config.backend, { user: 'root', password: 'pw-answers' });
    fs.writeFileSync(s.configPath!, JSON.stringify(config));
    fs.chmodSync(s.configPath!, 0o600);
    const status = await spawnCli(s, ['status']);
    assert.equal(status.code, 0, status.stderr);
  } finally {
    s.cleanup();
  }
});
