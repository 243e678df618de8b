/** The etcd layout's key grammar, pure: which keys are a book's, for which generation; lease windows; the range-id floor. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chunkKey,
  headKey,
  kindOf,
  layoutOf,
  rangeIdFloorOf,
  rangeKey,
  snapshotOf,
  versionOf,
  windowFor,
} from '../../../../src/store/etcd/etcd-layout.ts';

const layout = layoutOf('/nebula');

test('versioned keys carry the generation they were written for; ids are URI-encoded, so no key of ours holds a further slash', () => {
  const v = versionOf(36, 'ab12cd34');
  assert.equal(v, '10.ab12cd34');
  assert.deepEqual(kindOf(layout, headKey(layout, v)), { kind: 'versioned', generation: 36 });
  assert.deepEqual(kindOf(layout, rangeKey(layout, 'r7', v)), { kind: 'versioned', generation: 36 });
  assert.deepEqual(kindOf(layout, chunkKey(layout, 'r7', 12, v)), { kind: 'versioned', generation: 36 });
  assert.equal(rangeKey(layout, 'lab/1#2@x', v), '/nebula/range/lab%2F1%232%40x@10.ab12cd34');
  assert.deepEqual(kindOf(layout, rangeKey(layout, 'lab/1#2@x', v)), { kind: 'versioned', generation: 36 });
  assert.deepEqual(kindOf(layout, '/nebula/range/r7'), { kind: 'legacy' });
});

test("another book's keys under the prefix are foreign: a nested book's pointer is only legacy-shaped, listed by nobody", () => {
  for (const key of [
    '/nebula/range/range/r1@1.ab',
    '/nebula/range/audit/x',
    '/nebula/range/r1/meta',
    '/nebula/meta@not-a-version',
    '/nebula/notes',
  ])
    assert.deepEqual(kindOf(layout, key), { kind: 'foreign' }, key);
  assert.deepEqual(
    kindOf(layout, '/nebula/range/meta'),
    { kind: 'legacy' },
    'refused unless a head lists it (refuseForeignKeys)',
  );
});

test('lease windows: 4096 addresses, wider for ranges over 2^20 addresses, never more than 256 of them', () => {
  assert.equal(windowFor(1n), 4096);
  assert.equal(windowFor(1n << 20n), 4096);
  assert.equal(windowFor((1n << 20n) + 1n), 8192);
  assert.equal(windowFor(1n << 32n), 1 << 24);
});

test('the range-id floor counts every id a key or a head names, decodable or not', () => {
  const kv = (key: string, value: string) => ({
    key,
    value: Buffer.from(value),
    modRevision: '1',
    createRevision: '1',
    version: '1',
  });
  const snapshot = snapshotOf(layout, '9', [
    kv('/nebula/meta', 'not json, "nextRangeId":4'),
    kv('/nebula/meta@3.aa', '{"nextRangeId":5,"ranges":[["r2","3.aa"],["r9","3.aa"]]}'),
    kv('/nebula/range/r12#0@3.aa', 'x'),
  ]);
  assert.equal(rangeIdFloorOf(layout, snapshot), 13);
});
