import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { firstFreeBlock, nextFreeBlock } from '../../../../src/core/intervals/free-block.ts';
import type { Interval } from '../../../../src/core/intervals/interval.ts';
import { union } from '../../../../src/core/intervals/sorted.ts';
import '../../../support/seed.ts';

const iv = (first: bigint | number, last: bigint | number): Interval => ({ first: BigInt(first), last: BigInt(last) });
const IPV4_END = (1n << 32n) - 1n;
const IPV6_END = (1n << 128n) - 1n;

test('the lowest start where the block fits between taken intervals', () => {
  const taken = [iv(0, 2), iv(5, 5), iv(9, 12)];
  assert.equal(firstFreeBlock(taken, iv(0, 20), 1n), 3n);
  assert.equal(firstFreeBlock(taken, iv(0, 20), 2n), 3n, 'a gap of exactly the size');
  assert.equal(firstFreeBlock(taken, iv(0, 20), 3n), 6n);
  assert.equal(firstFreeBlock(taken, iv(0, 20), 4n), 13n, 'contiguous: holes of 2 and 3 are skipped');
  assert.equal(firstFreeBlock(taken, iv(0, 20), 9n), undefined, 'past the end of within');
  assert.equal(firstFreeBlock(taken, iv(13, 20), 8n), 13n, 'exactly the rest');
  assert.equal(firstFreeBlock([], iv(7, 7), 1n), 7n);
  assert.equal(firstFreeBlock([], iv(7, 7), 0n), undefined, 'size 0 is never a block');
});

test('alignment counts from zero, not from within.first', () => {
  assert.equal(firstFreeBlock([], iv(5, 100), 8n, 8n), 8n);
  assert.equal(firstFreeBlock([iv(8, 8)], iv(5, 100), 8n, 8n), 16n);
  assert.equal(firstFreeBlock([], iv(5, 12), 8n, 8n), undefined, 'the aligned block would stick out');
});

test('blocks at the very end of the IPv4 and IPv6 spaces', () => {
  assert.equal(firstFreeBlock([iv(0, IPV4_END - 1n)], iv(0, IPV4_END), 1n), IPV4_END);
  assert.equal(firstFreeBlock([iv(0, IPV4_END - 1n)], iv(0, IPV4_END), 2n), undefined);
  assert.equal(firstFreeBlock([], iv(0, IPV4_END), 1n << 32n), 0n, 'the whole space');
  assert.equal(firstFreeBlock([iv(0, IPV6_END - 1n)], iv(0, IPV6_END), 1n), IPV6_END);
  assert.equal(firstFreeBlock([iv(0, 0)], iv(0, IPV6_END), 1n << 64n, 1n << 64n), 1n << 64n);
});

test('the cost follows the taken intervals, not the size of the space', () => {
  // 2^127 addresses and a few taken intervals: an address-by-address scan would never finish.
  const taken = [iv(0, (1n << 100n) - 1n), iv(1n << 101n, (1n << 126n) + 5n)];
  assert.equal(firstFreeBlock(taken, iv(0, IPV6_END), 1n << 100n), 1n << 100n);
  assert.equal(firstFreeBlock(taken, iv(0, IPV6_END), 1n << 101n, 1n << 101n), (1n << 126n) + (1n << 101n));
});

test('agrees with a naive scan on a small universe', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 6 })), { maxLength: 10 }),
      fc.integer({ min: 0, max: 63 }),
      fc.integer({ min: 0, max: 63 }),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom(1, 2, 4, 8),
      (raw, a, b, size, align) => {
        const taken = union(raw.map(([first, len]) => iv(first, Math.min(63, first + len))));
        const within = iv(Math.min(a, b), Math.max(a, b));
        const isTaken = (p: number) => taken.some((t) => BigInt(p) >= t.first && BigInt(p) <= t.last);
        let expected: bigint | undefined;
        for (let s = Math.min(a, b); s + size - 1 <= Math.max(a, b); s++) {
          if (s % align !== 0) continue;
          let free = true;
          for (let p = s; p < s + size; p++) if (isTaken(p)) free = false;
          if (free) {
            expected = BigInt(s);
            break;
          }
        }
        assert.equal(firstFreeBlock(taken, within, BigInt(size), BigInt(align)), expected);
      },
    ),
    { numRuns: 500 },
  );
});

test('round-robin: the first block at or after the cursor, else wrapping to the first block of within', () => {
  const taken = [iv(0, 2), iv(5, 5), iv(9, 12)];
  assert.equal(nextFreeBlock(taken, iv(0, 20), 1n, 0n), 3n, 'cursor 0 is the first free block');
  assert.equal(nextFreeBlock(taken, iv(0, 20), 1n, 4n), 4n);
  assert.equal(nextFreeBlock(taken, iv(0, 20), 1n, 5n), 6n, 'a taken cursor moves on');
  assert.equal(nextFreeBlock(taken, iv(0, 20), 3n, 7n), 13n, 'a block straddling a taken one is skipped');
  assert.equal(nextFreeBlock(taken, iv(0, 20), 9n, 14n), undefined, 'no 9 free anywhere');
  assert.equal(nextFreeBlock(taken, iv(0, 20), 3n, 19n), 6n, 'does not fit after the cursor: wraps');
  assert.equal(nextFreeBlock(taken, iv(0, 20), 1n, 21n), 3n, 'a cursor past within wraps');
  assert.equal(nextFreeBlock([iv(3, 20)], iv(0, 20), 2n, 4n), 0n, 'wraps to what lies before the cursor');
  assert.equal(nextFreeBlock([], iv(0, 3), 4n, 2n), 0n, 'a block as big as within, cursor anywhere');
});

test('round-robin agrees with a brute force over small random cases', () => {
  fc.assert(
    fc.property(
      fc.array(fc.boolean(), { minLength: 1, maxLength: 24 }),
      fc.nat({ max: 30 }),
      fc.integer({ min: 1, max: 5 }),
      (busy, cursor, size) => {
        const taken = union(busy.flatMap((b, i) => (b ? [iv(i, i)] : [])));
        const limit = busy.length;
        const fits = (s: number) => s + size <= limit && busy.slice(s, s + size).every((b) => !b);
        const start = cursor < limit ? cursor : 0;
        const starts = [...Array(limit).keys()];
        const found = starts.find((s) => s >= start && fits(s)) ?? starts.find(fits);
        const expected = found === undefined ? undefined : BigInt(found);
        assert.equal(nextFreeBlock(taken, iv(0, limit - 1), BigInt(size), BigInt(cursor)), expected);
      },
    ),
  );
});
