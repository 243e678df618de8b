import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseIPv6 } from '../../../../src/core/address/ipv6.ts';
import { EMPTY_BOOK } from '../../../../src/core/book/book.ts';
import { OnedAr, REPO_ROOT } from '../../../support/driver-harness.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';
import { InProcessOned } from '../../../support/in-process-oned.ts';
import { ISSUE2_CONFIG } from '../../../support/sample-config.ts';

const MAD = { IPAM_MAD: 'mydrv' };

test('both AR shapes (rmar with computed elements, delete with ALLOCATED) drop the range and its leases', () => {
  for (const shape of ['rmar', 'delete'] as const) {
    const oned = new InProcessOned();
    const { ar } = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' });
    oned.get(ar, 3);
    const decision = oned.unregister(ar, shape);
    assert.equal(decision.result, undefined);
    assert.deepEqual(oned.book.ranges, [], shape);
  }
});

/** Adds an operator lease (as `nebula-ipam lease --ip` would) to the only range of the book. */
function withOperatorLease(oned: InProcessOned, first: bigint, last: bigint, owner: string): void {
  oned.book = {
    ...oned.book,
    ranges: oned.book.ranges.map((r) => ({
      ...r,
      leases: [...r.leases, { first, last, holder: 'operator' as const, owner, at: 't' }].sort((a, b) =>
        a.first < b.first ? -1 : 1,
      ),
    })),
  };
}

test('operator leases survive rmar and delete: each becomes an unmanaged range of exactly its addresses, audited', () => {
  for (const shape of ['rmar', 'delete'] as const) {
    const oned = new InProcessOned(ISSUE2_CONFIG);
    const { ar } = oned.register({ ...MAD, SIZE: '10' }); // 10.20.0.3-12 in 10.20.0.0/24
    oned.get(ar, 3);
    withOperatorLease(oned, 5n, 5n, 'bm-01');
    withOperatorLease(oned, 7n, 8n, 'bm-02');
    const decision = oned.unregister(ar, shape);
    assert.deepEqual(
      oned.book.ranges.map((r) => [
        r.id,
        r.type,
        r.ip,
        r.size,
        r.pool,
        r.block,
        r.unmanaged,
        r.owner,
        r.leases.map((l) => [l.first, l.last, l.holder, l.owner]),
      ]),
      [
        [
          'r2',
          'IP4',
          0x0a140008n,
          1n,
          'private',
          { first: 0x0a140008n, last: 0x0a140008n },
          true,
          'bm-01',
          [[0n, 0n, 'operator', 'bm-01']],
        ],
        [
          'r3',
          'IP4',
          0x0a14000an,
          2n,
          'private',
          { first: 0x0a14000an, last: 0x0a14000bn },
          true,
          'bm-02',
          [[0n, 1n, 'operator', 'bm-02']],
        ],
      ],
      shape,
    );
    assert.equal(oned.book.nextRangeId, 4, 'the kept ranges take ids from the counter');
    assert.deepEqual(
      decision.audit?.slice(1).map((a) => [a.range, a.addresses, a.owner, a.detail]),
      [
        ['r2', '10.20.0.8', 'bm-01', 'operator lease kept as unmanaged range r2 when range r1 was unregistered'],
        [
          'r3',
          '10.20.0.10-10.20.0.11',
          'bm-02',
          'operator lease kept as unmanaged range r3 when range r1 was unregistered',
        ],
      ],
    );
    // No later carve takes them: the /24 they sit in is not carved again, an explicit range over them is refused.
    const next = oned.register({ ...MAD, SIZE: '10' });
    assert.equal(next.reply.attrs.get('NETWORK_ADDRESS'), '10.20.1.0');
    expectIpamError(() => oned.register({ ...MAD, TYPE: 'IP4', IP: '10.20.0.9', SIZE: '3' }), 'conflict', [
      '10.20.0.9',
      'r3',
    ]);
  }
});

test('an IP4_6_STATIC range keeps both sides of an operator lease', () => {
  const oned = new InProcessOned();
  const { ar } = oned.register({
    ...MAD,
    TYPE: 'IP4_6_STATIC',
    IP: '10.0.0.10',
    IP6: '2001:db8::10',
    PREFIX_LENGTH: '64',
    SIZE: '10',
  });
  withOperatorLease(oned, 4n, 4n, 'bm');
  oned.unregister(ar);
  const [kept] = oned.book.ranges;
  assert.deepEqual(
    [kept?.type, kept?.ip, kept?.ip6, kept?.prefixLength, kept?.size],
    ['IP4_6_STATIC', 0x0a00000en, parseIPv6('2001:db8::14'), 64, 1n],
  );
});

test('unregister is idempotent, and an unknown range is a quiet success', () => {
  const oned = new InProcessOned();
  const { ar } = oned.register({ ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' });
  oned.unregister(ar);
  assert.deepEqual(oned.unregister(ar), { result: undefined });
  assert.deepEqual(oned.unregister(ar, 'delete'), { result: undefined });
  assert.deepEqual(new InProcessOned().unregister(new OnedAr({ ...ar.attrs, NEBULA_IPAM_RANGE: 'r77' })), {
    result: undefined,
  });
});

test('the verbatim rmar and delete samples find a range registered by IP', () => {
  for (const name of ['unregister-rmar-ip4', 'unregister-delete-ip4']) {
    const oned = new InProcessOned();
    oned.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv', GATEWAY: '10.0.0.1' });
    oned.run(
      'unregister_address_range',
      fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'oned', `${name}.xml`), 'utf8'),
    );
    assert.deepEqual(oned.book.ranges, [], name);
  }
});

test('the carved space goes back to the pool: carve, unregister, the same subnet and IP again', () => {
  const oned = new InProcessOned(ISSUE2_CONFIG);
  const first = oned.register({ ...MAD, SIZE: '21' });
  oned.get(first.ar, 5);
  oned.unregister(first.ar);
  assert.deepEqual(
    { ...oned.book, generation: 0, nextRangeId: 1 },
    EMPTY_BOOK,
    'the book is as it started, but for the counters',
  );
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
  assert.equal(decision.audit?.[0]?.range, 'r1');
  assert.match(decision.audit?.[0]?.detail ?? '', /kept the range.*IP is 10\.9\.9\.9, the range's is 10\.0\.0\.10/);
});
