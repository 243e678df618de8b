/**
 * The short version of `npm run torture`'s crash part (issue 4 item 3): writers SIGKILLed at
 * every step of the book write and at random moments. The book always loads and is the state
 * before or after the interrupted action, acknowledged actions are in it, no temp file piles up,
 * and the next action gets past a dead holder without waiting for the lock to age.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STALE_MS } from '../../../src/store/file/lock.ts';
import { tortureCrashes } from '../../torture/crashes.ts';
import { SEED } from '../../support/seed.ts';

test('3 books, 8 kills each: never torn, never lost, dead holders recovered from at once', async () => {
  const report = await tortureCrashes({ lanes: 3, killsPerLane: 8, seed: SEED });
  const context = `seed ${SEED}: ${JSON.stringify(report, null, 1)}`;
  assert.deepEqual(report.problems, [], context);
  assert.ok(report.kills >= 20, context);
  assert.ok(report.hookKills > 0 && report.timerKills > 0, context);
  assert.equal(report.unloadable + report.torn + report.lost, 0, context);
  assert.equal(report.leftoverTempFiles, 0, context);
  assert.ok(report.deadHolders > 0, context);
  assert.ok(report.recoveryMedianMs < STALE_MS, `a dead holder is recognised, not waited out: ${context}`);
});
