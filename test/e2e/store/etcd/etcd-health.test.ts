/**
 * etcd's health where the operator looks (issue 16 item 9), black-box through the built bundle
 * against a real 3-member cluster started here: `status` lists each endpoint's member, health,
 * leader, revision, raft index and db size; one member stopped shows as down and the rest works;
 * two stopped (quorum lost) is said as "no quorum", and `status --serializable` / `export
 * --serializable` read the remaining member's own copy and say how old it may be.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCliSandbox, expectOk, type CliSandbox } from '../../../support/cli-harness.ts';
import { startEtcdCluster, type EtcdCluster } from '../../../support/etcd-cluster.ts';
import { spawnAction, spawnCli } from '../../../torture/spawn-action.ts';

let cluster: EtcdCluster;
before(async () => {
  cluster = await startEtcdCluster(3);
});
after(async () => {
  await cluster?.stop();
});

const POOLS = [{ name: 'lab', network: '10.43.0.0/16', subnetPrefix: 24, gateway: 'first', default: true }];

let books = 0;

function sandbox(): CliSandbox {
  return createCliSandbox({
    driver: 'health',
    config: {
      backend: {
        type: 'etcd',
        endpoints: cluster.endpoints,
        prefix: `/nebula-ipam/health-${++books}`,
        timeoutMs: 1_000,
      },
      lockTimeoutMs: 3_000,
      pools: POOLS,
    },
  });
}

interface Member {
  endpoint: string;
  health: string;
  problem?: string;
  member?: string;
  leader?: string;
  isLeader?: boolean;
  revision?: string;
  raftIndex?: string;
  dbSize?: number;
}
interface StatusJson {
  ranges: { id: string; used: number }[];
  etcd: { members: Member[]; copy?: { endpoint: string; newestRevision: string; age: string } };
}

test('status shows every member: id, health, leader, revision, raft index, db size; a stopped member is down, the rest works', async () => {
  const s = sandbox();
  let stopped: number | undefined;
  try {
    s.register({ SIZE: '16' });
    const healthy = s.json<StatusJson>(['status']).etcd.members;
    assert.deepEqual(
      healthy.map((m) => [m.endpoint, m.health]),
      cluster.endpoints.map((e) => [e, 'ok']),
    );
    assert.equal(healthy.filter((m) => m.isLeader).length, 1, 'exactly one member is the leader');
    assert.equal(new Set(healthy.map((m) => m.leader)).size, 1, 'all follow the same leader');
    for (const m of healthy) {
      assert.match(m.member ?? '', /^[0-9a-f]+$/, 'member id in hex');
      assert.ok(Number(m.revision) > 1 && Number(m.raftIndex) > 0 && (m.dbSize ?? 0) > 0, JSON.stringify(m));
    }
    const text = expectOk(s.cli(['status']));
    assert.match(text, /etcd members\nENDPOINT +MEMBER +HEALTH +LEADER +REVISION +RAFT INDEX +DB SIZE +IN USE\n/);
    for (const e of cluster.endpoints) assert.match(text, new RegExp(`${e} +[0-9a-f]+ +ok +`));

    stopped = 2;
    await cluster.kill(stopped);
    const one = s.json<StatusJson>(['status']);
    assert.deepEqual(
      one.etcd.members.map((m) => m.health),
      ['ok', 'ok', 'down'],
    );
    assert.match(one.etcd.members[2]!.problem ?? '', /ECONNREFUSED/);
    assert.equal(one.ranges.length, 1, 'the book is read as usual');
  } finally {
    if (stopped !== undefined) await cluster.restart(stopped);
    await cluster.healthy();
    s.cleanup();
  }
});

test('quorum lost: "no quorum" said as such; status --serializable and export --serializable read one member and say how old it may be', async () => {
  const s = sandbox();
  const stopped: number[] = [];
  try {
    const ar = s.register({ SIZE: '16' }, '30');
    await spawnAction(s, 'get_address', ar.getXml(1), { requestId: '31' });
    const exported = expectOk(s.cli(['export']));
    for (const i of [1, 2]) {
      await cluster.kill(i);
      stopped.push(i);
    }
    // Linearizable reads and writes fail, and say why: the member is up, without a leader.
    for (const run of [
      await spawnCli(s, ['status']),
      await spawnAction(s, 'get_address', ar.getXml(1), { requestId: '32' }),
    ]) {
      assert.equal(run.code, 8, `${run.action}: ${run.stderr}`);
      assert.match(
        run.stderr,
        new RegExp(
          `^Cannot reach etcd: no quorum: ${cluster.endpoints[0]} is up but without a leader and 2 of 3 endpoints do not answer \\(tried: [^\\n]*--serializable[^\\n]*\\n$`,
        ),
      );
    }
    const copy = await spawnCli(s, ['status', '--serializable']);
    assert.equal(copy.code, 0, copy.stderr);
    assert.match(
      copy.stdout,
      new RegExp(
        `^Lease book [^\\n]*\\nOne member's copy: etcd member [0-9a-f]+ at ${cluster.endpoints[0]}, revision \\d+, raft index \\d+; no other of the 3 members answers: it has no leader, so writes acknowledged by a majority after it lost contact may be missing here\\n`,
      ),
    );
    assert.match(copy.stdout, /no quorum: etcdserver: no leader/);
    assert.match(copy.stdout, /r1 +OpenNebula/);
    const json = JSON.parse((await spawnCli(s, ['--json', 'status', '--serializable'])).stdout) as StatusJson;
    assert.equal(json.etcd.copy?.endpoint, cluster.endpoints[0]);
    assert.deepEqual(
      json.etcd.members.map((m) => m.health),
      ['no quorum', 'down', 'down'],
    );
    assert.deepEqual(
      json.ranges.map((r) => [r.id, r.used]),
      [['r1', 1]],
    );
    const disaster = await spawnCli(s, ['export', '--serializable']);
    assert.equal(disaster.code, 0, disaster.stderr);
    assert.equal(disaster.stdout, exported, 'the disaster copy is the book as it was');
    assert.match(
      disaster.stderr,
      /^One member's copy: etcd member [^\n]* may be missing here\nLease book etcd [^\n]+\n$/,
    );
    for (const i of stopped.splice(0)) await cluster.restart(i);
    await cluster.healthy();
    assert.equal(expectOk(s.cli(['export'])), exported);
  } finally {
    for (const i of stopped) await cluster.restart(i);
    s.cleanup();
  }
});

test('--serializable on the file backend is a usage error naming the book', () => {
  const s = createCliSandbox({ config: { pools: POOLS } });
  try {
    s.register({ SIZE: '8' });
    const run = s.cli(['status', '--serializable']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /--serializable reads one etcd member's copy, and the lease book [^\n]*leases\.json is a file/,
    );
  } finally {
    s.cleanup();
  }
});
