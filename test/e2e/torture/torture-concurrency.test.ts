/**
 * The short version of `npm run torture`'s concurrency part (issue 4 item 2): several processes
 * (oned's actions and operator commands) on one book, calm and then with random SIGKILLs. No
 * address may be given out twice, no acknowledged lease lost, no failure unexplained.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tortureConcurrency, type ConcurrencyReport } from '../../torture/concurrency.ts';
import { SEED } from '../../support/seed.ts';

function assertGuarantees(report: ConcurrencyReport): void {
  const context = `seed ${SEED}: ${JSON.stringify(report, null, 1)}`;
  assert.deepEqual(report.problems, [], context);
  assert.equal(report.duplicates, 0, context);
  assert.equal(report.lost, 0, context);
  assert.equal(report.phantom, 0, context);
  assert.ok(report.acknowledged > report.operations / 2, `most operations succeed: ${context}`);
}

test('6 processes, 120 mixed operations on one book: nothing given twice, nothing lost', async () => {
  const report = await tortureConcurrency({ processes: 6, operations: 120, killChance: 0, seed: SEED });
  assertGuarantees(report);
  assert.equal(report.kills, 0);
});

test('the same with a fifth of the processes SIGKILLed at random moments', async () => {
  const report = await tortureConcurrency({ processes: 6, operations: 80, killChance: 0.2, seed: SEED + 1 });
  assertGuarantees(report);
  assert.ok(report.kills > 0, 'some processes were killed');
});
