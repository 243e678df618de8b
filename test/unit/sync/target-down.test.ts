/**
 * A target that did not answer its last pass (item 4): its records are unverified, not pending
 * (pending reads as "known to be missing"), status says it is down since the first of the
 * failed passes in a row, and the metrics count the same states. In-process: the pure plan,
 * the state a pass leaves, the status line and the exposition.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredState } from '../../../src/core/sync/desired-state.ts';
import { plan } from '../../../src/core/sync/plan.ts';
import { targetHealth, targetHealthLine } from '../../../src/core/sync/target-health.ts';
import { bookView } from '../../../src/core/view/book-view.ts';
import { metricsText } from '../../../src/metrics/exposition.ts';
import type { PassReport } from '../../../src/sync/sync-pass.ts';
import { nextSyncState } from '../../../src/sync/sync-state.ts';
import { syncBook, syncConfig } from '../../support/sync-fixtures.ts';

const T0 = Date.parse('2026-12-07T16:00:00.000Z');
const config = syncConfig();
const FAILURE = 'Cannot read zone cloud.example.com on 127.0.0.1:5353: the connection was refused';

function pass(at: number, bindAnswers: boolean): PassReport {
  const desired = desiredState(syncBook(), config);
  const zones = bindAnswers ? desired.zones.map((z) => ({ target: z.target, zone: z.zone, records: z.records })) : [];
  const dhcp = [{ target: 'kea', entries: [] }];
  return {
    generation: 1,
    plan: plan(desired, { zones, dhcp }, at),
    dryRun: false,
    dhcpModes: { kea: 'leases' },
    outcomes: { dns: {}, dhcp: {} },
    failures: bindAnswers ? [] : [{ target: 'bind', kind: 'store-io', message: FAILURE }],
    held: 0,
    startedAt: at,
    finishedAt: at,
  };
}

test('a DNS target down: records unverified, not pending; down since the first failed pass; metrics alike', () => {
  const up = nextSyncState(undefined, pass(T0, true));
  const bindUp = up.targets.find((t) => t.target === 'bind')!;
  assert.deepEqual([bindUp.answered, bindUp.inPlace, bindUp.pending, bindUp.unverified], [true, 12, 0, 0]);
  assert.equal(bindUp.downSince, undefined);

  const down1 = nextSyncState(up, pass(T0 + 60_000, false));
  const down2 = nextSyncState(down1, pass(T0 + 120_000, false));
  const bind = down2.targets.find((t) => t.target === 'bind')!;
  assert.deepEqual(
    [bind.answered, bind.desired, bind.inPlace, bind.pending, bind.conflicting, bind.unverified],
    [false, 12, 0, 0, 0, 12],
  );
  assert.equal(bind.downSince, '2026-12-07T16:01:00.000Z', 'the first of the failed passes in a row');
  assert.equal(bind.lastSuccess, '2026-12-07T16:00:00.000Z');

  const health = targetHealth(config.targets, down2, T0 + 125_000, 300);
  assert.equal(
    targetHealthLine(health[0]!),
    `bind (dns): 12 desired, 0 in place, 0 pending, 0 conflicting, 12 unverified; last success 2026-12-07T16:00:00.000Z (2 min ago); down since 2026-12-07T16:01:00.000Z: ${FAILURE}`,
  );
  // The answering target's line is as before.
  assert.match(
    targetHealthLine(health[1]!),
    /^kea \(dhcp, Kea leases \(lease_cmds\)\): 6 desired, 0 in place, 6 pending, 0 conflicting; .*; answering$/,
  );

  const metrics = metricsText([
    { driver: 'd', generation: 1, view: bookView(syncBook(), config), now: (T0 + 125_000) / 1000, targets: health },
  ]);
  const sample = (state: string) =>
    Number(
      new RegExp(`^nebula_ipam_sync_records\\{[^}]*target="bind"[^}]*state="${state}"\\} (\\d+)$`, 'm').exec(
        metrics,
      )?.[1],
    );
  assert.deepEqual(
    ['desired', 'in_place', 'pending', 'conflicting', 'unverified'].map(sample),
    [12, 0, 0, 0, 12],
    'desired is the sum of the other states',
  );
  assert.match(
    metrics,
    /^nebula_ipam_sync_target_down_since_timestamp_seconds\{[^}]*target="bind",kind="dns"\} 1796659260$/m,
  );

  const back = nextSyncState(down2, pass(T0 + 180_000, true)).targets.find((t) => t.target === 'bind')!;
  assert.deepEqual([back.answered, back.unverified, back.downSince], [true, 0, undefined]);
});
