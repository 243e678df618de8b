/**
 * The torture suite's referee (test/torture/claims.ts): if it could not see a duplicate or a lost
 * lease, every torture run would pass whatever the driver did. Planted faults, seen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClaimLedger } from '../../torture/claims.ts';

const at = (start: number, end: number) => ({ start, end });

test('a planted duplicate: a second grant of an address its holder never started freeing is definite', () => {
  const ledger = new ClaimLedger();
  assert.deepEqual(ledger.grant('w0', [10, 11], at(0, 5)), []);
  const found = ledger.grant('w1', [11], at(6, 9));
  assert.deepEqual(found, [{ address: 11, holder: 'w0', claimant: 'w1' }]);
  assert.deepEqual(ledger.duplicates, found);
  assert.equal(ledger.certain().get(11), 2, 'two holders at the end as well');
  assert.equal(ledger.ambiguous, 0);
});

test('a second grant while the first holder was freeing it cannot be told from outside: ambiguous, not a duplicate', () => {
  const ledger = new ClaimLedger();
  ledger.grant('w0', [10], at(0, 5));
  ledger.releasing('w0', [10], 6);
  assert.deepEqual(ledger.grant('w1', [10], at(7, 9)), []);
  assert.equal(ledger.ambiguous, 1);
  ledger.released('w0', [10]);
  assert.deepEqual([...ledger.certain()], [[10, 1]]);
});

test('a grant after an acknowledged release is no duplicate', () => {
  const ledger = new ClaimLedger();
  ledger.grant('w0', [10], at(0, 5));
  ledger.releasing('w0', [10], 6);
  ledger.released('w0', [10]);
  assert.deepEqual(ledger.grant('w1', [10], at(8, 9)), []);
  assert.deepEqual(ledger.duplicates, []);
});

test('a planted lost lease: an acknowledged address missing from the final book is reported', () => {
  const ledger = new ClaimLedger();
  ledger.grant('w0', [10, 11, 12], at(0, 5));
  ledger.grant('w1', [20], at(6, 9));
  assert.deepEqual(ledger.lostFrom(new Set([10, 11, 12, 20])), [], 'nothing lost when the book holds every grant');
  assert.deepEqual(ledger.lostFrom(new Set([10, 12, 20])), [11]);
});

test("a release that failed cleanly keeps the lease owed; a killed release makes it the book's call", () => {
  const ledger = new ClaimLedger();
  ledger.grant('w0', [10, 11], at(0, 5));
  ledger.releasing('w0', [10, 11], 6);
  ledger.kept('w0', [10]);
  ledger.unsure('w0', [11]);
  assert.deepEqual(ledger.lostFrom(new Set()), [10], 'the kept one is lost if missing; the killed one may be gone');
  assert.equal(ledger.isUncertain(11), true);
  assert.deepEqual(ledger.heldBy('w0'), [10]);
});
