/**
 * The DNS update batcher relies on one update per name (item 6): a batch's prerequisites are
 * all checked before any of its changes, and a split batch's halves go out after the next
 * batches, so two updates about one name would not apply as they would alone. batchUpdates
 * refuses such a list with an internal error, before anything is sent; the plan's updates pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpamError } from '../../../../src/core/errors.ts';
import { desiredState } from '../../../../src/core/sync/desired-state.ts';
import { plan } from '../../../../src/core/sync/plan.ts';
import type { DnsUpdate } from '../../../../src/core/sync/target-records.ts';
import { applyUpdates } from '../../../../src/targets/dns/apply-updates.ts';
import { batchUpdates } from '../../../../src/targets/dns/update-batches.ts';
import { syncBook, syncConfig } from '../../../support/sync-fixtures.ts';

const ZONE = 'cloud.example.com';
const add = (name: string, data = '192.0.2.1'): DnsUpdate => ({
  zone: ZONE,
  prerequisites: [{ kind: 'name-not-in-use', name: `${name}.${ZONE}` }],
  remove: [],
  add: [{ name: `${name}.${ZONE}`, type: 'A', ttl: 300, data }],
});
const sizes = (updates: readonly DnsUpdate[]) => updates.map(() => 100);

function refusal(run: () => unknown): IpamError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof IpamError, String(error));
    return error;
  }
  assert.fail('not refused');
}

test("the plan's updates are batched by zone, in order, every update once", () => {
  const first = plan(
    desiredState(syncBook(), syncConfig()),
    {
      zones: ['cloud.example.com', '0.77.10.in-addr.arpa', '0.0.0.0.7.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa'].map((zone) => ({
        target: 'bind',
        zone,
        records: [],
      })),
      dhcp: [],
    },
    0,
  ).dns.flatMap((t) => t.updates);
  const batches = batchUpdates(first, sizes(first), 1_000, 4);
  assert.deepEqual(
    batches.flat().sort((a, b) => a - b),
    first.map((_, i) => i),
  );
  for (const batch of batches) {
    assert.ok(batch.length <= 4);
    assert.equal(new Set(batch.map((i) => first[i]!.zone)).size, 1, 'one zone per batch');
    assert.deepEqual(
      [...batch],
      [...batch].sort((a, b) => a - b),
      'in order',
    );
  }
});

test('two updates about one name are refused with an internal error naming it, also in other case or as a prerequisite', () => {
  const twice = refusal(() => batchUpdates([add('a'), add('b'), add('a', '192.0.2.2')], [100, 100, 100], 1_000, 256));
  assert.equal(twice.kind, 'internal');
  assert.equal(
    twice.message,
    `Cannot send DNS updates: updates 0 and 2 are both about a.${ZONE} (one update per name)`,
  );
  assert.match(refusal(() => batchUpdates([add('vm-1'), add('VM-1')], [100, 100], 1_000, 256)).message, /vm-1\.cloud/);
  const check: DnsUpdate = {
    zone: ZONE,
    prerequisites: [{ kind: 'rrset-equals', records: [{ name: `a.${ZONE}`, type: 'A', ttl: 300, data: '192.0.2.1' }] }],
    remove: [],
    add: [{ name: `b2.${ZONE}`, type: 'A', ttl: 300, data: '192.0.2.3' }],
  };
  assert.equal(refusal(() => batchUpdates([add('a'), check], [100, 100], 1_000, 256)).kind, 'internal');
  // Each update's own names (its record and its mark) are one update's.
  const withMark: DnsUpdate = {
    ...add('c'),
    add: [...add('c').add, { name: `_nebula-ipam.c.${ZONE}`, type: 'TXT', ttl: 300, data: 'owner=x' }],
  };
  assert.equal(batchUpdates([withMark, add('d')], [100, 100], 1_000, 256).length, 1);
});

test('applyUpdates refuses such a list before it sends anything', async () => {
  // Port 9 on 127.0.0.1: were anything sent, the failure would be store-io (refused), not internal.
  const error = await applyUpdates({ host: '127.0.0.1', port: 9, timeoutMs: 500 }, [
    add('a'),
    add('a', '192.0.2.9'),
  ]).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof IpamError, String(error));
  assert.equal(error.kind, 'internal');
});
