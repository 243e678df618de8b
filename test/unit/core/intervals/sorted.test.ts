import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Interval } from '../../../../src/core/intervals/interval.ts';
import {
  cutOut,
  firstEndingAtOrAfter,
  insertDisjoint,
  overlapping,
  union,
} from '../../../../src/core/intervals/sorted.ts';
import '../../../support/seed.ts';

const iv = (first: number, last: number): Interval => ({ first: BigInt(first), last: BigInt(last) });

/** The points of a list, for comparing with a naive set. */
function points(list: readonly Interval[]): number[] {
  const found: number[] = [];
  for (const { first, last } of list) for (let p = first; p <= last; p++) found.push(Number(p));
  return found.sort((a, b) => a - b);
}

function assertSortedDisjoint(list: readonly Interval[]): void {
  for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.last < list[i]!.first, `sorted and disjoint at ${i}`);
}

/** Random intervals over a small universe 0..63. */
const smallIntervals = fc.array(
  fc
    .tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 8 }))
    .map(([first, len]) => iv(first, Math.min(63, first + len))),
  { maxLength: 12 },
);

test('overlapping finds exactly the members that share a point with the span', () => {
  const list = [iv(0, 3), iv(10, 12), iv(20, 20), iv(30, 40)];
  assert.deepEqual(overlapping(list, iv(4, 9)), []);
  assert.deepEqual(overlapping(list, iv(3, 10)), [iv(0, 3), iv(10, 12)]);
  assert.deepEqual(overlapping(list, iv(20, 20)), [iv(20, 20)]);
  assert.deepEqual(overlapping(list, iv(41, 100)), []);
  assert.equal(firstEndingAtOrAfter(list, 13n), 2);
  assert.equal(firstEndingAtOrAfter(list, 41n), 4);
});

test('insertDisjoint keeps the list sorted and does not touch the original', () => {
  const list = [iv(0, 3), iv(10, 12)];
  assert.deepEqual(insertDisjoint(list, iv(5, 6)), [iv(0, 3), iv(5, 6), iv(10, 12)]);
  assert.deepEqual(insertDisjoint(list, iv(20, 21)), [iv(0, 3), iv(10, 12), iv(20, 21)]);
  assert.deepEqual(insertDisjoint([], iv(5, 6)), [iv(5, 6)]);
  assert.equal(list.length, 2);
});

test('union merges overlapping and touching intervals', () => {
  assert.deepEqual(union([iv(5, 6), iv(0, 3), iv(4, 4), iv(10, 12), iv(11, 20)]), [iv(0, 6), iv(10, 20)]);
  fc.assert(
    fc.property(smallIntervals, (list) => {
      const merged = union(list);
      assertSortedDisjoint(merged);
      for (let i = 1; i < merged.length; i++)
        assert.ok(merged[i - 1]!.last + 1n < merged[i]!.first, 'touching members are merged');
      assert.deepEqual(
        points(merged),
        [...new Set(points(list))].sort((a, b) => a - b),
      );
    }),
    { numRuns: 300 },
  );
});

test('cutOut frees the middle of a lease as two pieces that keep its fields', () => {
  const leases = [{ ...iv(0, 9), holder: 'opennebula' as const, at: 't0' }];
  const cut = cutOut(leases, iv(4, 4));
  assert.deepEqual(cut, [
    { first: 0n, last: 3n, holder: 'opennebula', at: 't0' },
    { first: 5n, last: 9n, holder: 'opennebula', at: 't0' },
  ]);
  assert.equal(cutOut(leases, iv(10, 20)), leases, 'nothing cut: the same list back');
});

test('cutOut leaves alone the members the filter spares', () => {
  const leases = [
    { ...iv(0, 1), holder: 'operator' as const },
    { ...iv(2, 3), holder: 'opennebula' as const },
  ];
  const cut = cutOut(leases, iv(0, 3), (l) => l.holder === 'opennebula');
  assert.deepEqual(cut, [leases[0]]);
  assert.equal(
    cutOut(leases, iv(0, 1), (l) => l.holder === 'opennebula'),
    leases,
  );
});

test('cutOut removes exactly the span from a sorted disjoint list', () => {
  fc.assert(
    fc.property(
      smallIntervals,
      fc.integer({ min: 0, max: 63 }),
      fc.integer({ min: 0, max: 10 }),
      (list, first, len) => {
        const before = union(list);
        const span = iv(first, first + len);
        const after = cutOut(before, span);
        assertSortedDisjoint(after);
        const expected = points(before).filter((p) => p < first || p > first + len);
        assert.deepEqual(points(after), expected);
      },
    ),
    { numRuns: 300 },
  );
});
