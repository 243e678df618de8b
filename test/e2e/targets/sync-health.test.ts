/**
 * How far behind each target is (issue 18 item 7): after a sync pass, `status` and `metrics`
 * say per target what is desired, in place, pending and conflicting, when it last succeeded
 * and whether it answers; `verify --targets` fails once a target has been behind too long.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startBind } from '../../support/bind-server.ts';
import { createSyncSandbox } from '../../support/sync-sandbox.ts';

describe('sync target health in status, metrics and verify --targets', () => {
  let bind: Awaited<ReturnType<typeof startBind>>;
  let s: ReturnType<typeof createSyncSandbox>;
  before(async () => {
    bind = await startBind();
    s = createSyncSandbox(bind, { timeoutMs: 1000 });
  });
  after(async () => {
    s?.cleanup();
    await bind?.stop();
  });

  it('before any pass: status says so and verify --targets fails, naming the target', () => {
    const status = s.cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /dns: no sync pass has reached it yet \(run nebula-ipam sync\)/);
    const verify = s.cli(['verify', '--targets']);
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /target behind/);
  });

  it('after a pass: in step everywhere; then the server down: unverified, down since, and drift past --max-age', async () => {
    s.lease();
    s.lease();
    const sync = s.cli(['sync']);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    const status = s.cli(['status']);
    assert.match(
      status.stdout,
      /dns \(dns\): 4 desired, 4 in place, 0 pending, 0 conflicting; last success \S+ \(\d+ s ago\); answering/,
    );
    const json = JSON.parse(s.cli(['status', '--json']).stdout);
    assert.deepEqual(
      json.targets.map((t: { target: string; state: { inPlace: number } }) => [t.target, t.state.inPlace]),
      [['dns', 4]],
    );
    const metrics = s.cli(['metrics']).stdout;
    assert.match(metrics, /nebula_ipam_sync_records\{driver="[^"]+",target="dns",kind="dns",state="in_place"\} 4/);
    assert.match(metrics, /nebula_ipam_sync_target_up\{driver="[^"]+",target="dns",kind="dns"\} 1/);
    assert.match(
      metrics,
      /nebula_ipam_sync_last_success_timestamp_seconds\{driver="[^"]+",target="dns",kind="dns"\} \d+/,
    );
    assert.equal(s.cli(['verify', '--targets']).code, 0);

    await bind.process.stop();
    s.lease();
    assert.equal(s.cli(['sync']).code, 8);
    const down = s.cli(['status']).stdout;
    assert.match(
      down,
      /dns \(dns\): 6 desired, 0 in place, 0 pending, 0 conflicting, 6 unverified; last success \S+ \(\d+ s ago\); down since \S+: /,
    );
    const downMetrics = s.cli(['metrics']).stdout;
    assert.match(downMetrics, /nebula_ipam_sync_target_up\{driver="[^"]+",target="dns",kind="dns"\} 0/);
    assert.match(downMetrics, /nebula_ipam_sync_records\{[^}]*target="dns",kind="dns",state="pending"\} 0/);
    assert.match(downMetrics, /nebula_ipam_sync_records\{[^}]*target="dns",kind="dns",state="unverified"\} 6/);
    assert.match(
      downMetrics,
      /nebula_ipam_sync_target_down_since_timestamp_seconds\{[^}]*target="dns",kind="dns"\} \d+/,
    );
    // Within the default 300 s it is not drift yet; past a 1 s bound it is.
    assert.equal(s.cli(['verify', '--targets']).code, 0);
    await sleep(2_100);
    const late = s.cli(['verify', '--targets', '--max-age', '1']);
    assert.equal(late.code, 1, late.stdout + late.stderr);
    assert.match(late.stdout, /target behind/);
  });
});
