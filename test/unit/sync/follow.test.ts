/**
 * sync --follow's loop (src/sync/follow.ts): which pass it runs when. The first one and the
 * periodic ones are full passes (every target read again: level-triggered); one after a book
 * change is a change pass, which leaves the periodic pass where it was; a pass with a failure
 * brings the next full pass to the retry delay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { follow, type PassKind } from '../../../src/sync/follow.ts';
import type { PassReport } from '../../../src/sync/sync-pass.ts';
import type { LeaseStore } from '../../../src/store/store.ts';

test('full first, a change pass on each book change, full again when the interval is up, or soon after a failure or a refused change', async () => {
  let generation = 1;
  let now = 1_000_000;
  const store = { read: async () => ({ generation }) } as unknown as LeaseStore;
  const kinds: PassKind[] = [];
  const stop = new AbortController();
  // Each pass plans from the book as it is, then says what happens next: the book changes, or time goes by.
  const script: { failures?: PassReport['failures']; refused?: true; after: () => void }[] = [
    {
      after: () => {
        generation = 2;
      },
    },
    {
      after: () => {
        now += 59_000;
        generation = 3;
      },
    },
    // Still before the interval: the change pass did not push the full pass back.
    {
      after: () => {
        now += 2_000;
      },
    },
    {
      failures: [{ target: 'kea', kind: 'store-io', message: 'Cannot run lease4-add: ECONNREFUSED' }],
      after: () => {
        generation = 4;
      },
    },
    {
      after: () => {
        now += 5_000;
      },
    },
    {
      after: () => {
        generation = 5;
      },
    },
    // A change the server refused (the name was taken since the last full pass): a full pass soon.
    {
      refused: true,
      // Time goes by between passes this once (the clock moves while the loop polls).
      after: () => {
        setTimeout(() => {
          now += 5_000;
        }, 20);
      },
    },
    { after: () => stop.abort() },
  ];
  const bound = setTimeout(() => stop.abort(), 10_000);
  try {
    await follow(
      store,
      async (kind) => {
        kinds.push(kind);
        const step = script[kinds.length - 1]!;
        const outcomes = {
          dns: { bind: [step.refused ? { applied: false, rcode: 'YXDOMAIN' } : { applied: true }] },
          dhcp: {},
        };
        const planned = { generation, held: 0, failures: step.failures ?? [], outcomes } as unknown as PassReport;
        step.after();
        return planned;
      },
      {
        intervalMs: 60_000,
        pollMs: 1,
        retryMs: 5_000,
        signal: stop.signal,
        now: () => now,
        onError: (error) => assert.fail(String(error)),
      },
    );
  } finally {
    clearTimeout(bound);
  }
  assert.deepEqual(kinds, ['full', 'change', 'change', 'full', 'change', 'full', 'change', 'full']);
});
