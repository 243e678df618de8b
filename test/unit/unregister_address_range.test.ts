import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { EMPTY_BOOK } from '../../src/book/book.ts';
import { OnedAr, REPO_ROOT } from '../support/driver-harness.ts';
import { InProcessOned } from '../support/in-process-oned.ts';
import { ISSUE2_CONFIG } from '../support/sample-config.ts';

const MAD = { IPAM_MAD: 'mydrv' };

test('both AR shapes (rmar with computed elements, delete with ALLOCATED) drop the range and its leases', () => {
  for (const shape of ['rmar', 'delete'] as const) {
    const oned = new InProcessOned();
    const { ar } = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' });
    oned.get(ar, 3);
    oned.book = { ...oned.book, ranges: oned.book.ranges.map((r) => ({ ...r, leases: [...r.leases, { first: 5n, last: 5n, holder: 'operator' as const, owner: 'x', at: 't' }] })) };
    const decision = oned.unregister(ar, shape);
    assert.equal(decision.reply, undefined);
    assert.deepEqual(oned.book.ranges, [], shape);
  }
});

test('unregister is idempotent, and an unknown range is a quiet success', () => {
  const oned = new InProcessOned();
  const { ar } = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' });
  oned.unregister(ar);
  assert.deepEqual(oned.unregister(ar), {});
  assert.deepEqual(oned.unregister(ar, 'delete'), {});
  assert.deepEqual(new InProcessOned().unregister(new OnedAr({ ...ar.attrs, NEBULA_IPAM_RANGE: 'r77' })), {});
});

test('the verbatim rmar and delete samples find a range registered by IP', () => {
  for (const name of ['unregister-rmar-ip4', 'unregister-delete-ip4']) {
    const oned = new InProcessOned();
    oned.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv', GATEWAY: '10.0.0.1' });
    oned.run('unregister_address_range', fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'oned', `${name}.xml`), 'utf8'));
    assert.deepEqual(oned.book.ranges, [], name);
  }
});

test('the carved space goes back to the pool: carve, unregister, the same subnet and IP again', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const first = oned.register({ ...MAD, SIZE: '21' });
  oned.get(first.ar, 5);
  oned.unregister(first.ar);
  assert.deepEqual({ ...oned.book, generation: 0, nextRangeId: 1 }, EMPTY_BOOK, 'the book is as it started, but for the counters');
  const again = oned.register({ ...MAD, SIZE: '21' });
  assert.deepEqual([again.reply.attrs.get('IP'), again.reply.attrs.get('NETWORK_ADDRESS')], ['10.20.0.3', '10.20.0.0']);
});

test('an AR whose addresses do not match the range its id names drops nothing, succeeds, and says why', () => {
  const oned = new InProcessOned();
  const { ar } = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' });
  const before = oned.book;
  const decision = oned.unregister(new OnedAr({ ...ar.attrs, IP: '10.9.9.9' }));
  assert.equal(decision.book, undefined, 'nothing is written');
  assert.equal(oned.book, before);
  assert.equal(decision.audit?.range, 'r1');
  assert.match(decision.audit?.detail ?? '', /kept the range.*IP is 10\.9\.9\.9, the range's is 10\.0\.0\.10/);
});
