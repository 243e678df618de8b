import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findRange } from '../../../../src/core/book/book.ts';
import { IpamError } from '../../../../src/core/errors.ts';
import { leaseAddresses } from '../../../../src/core/operator/lease-addresses.ts';
import { releaseLeases } from '../../../../src/core/operator/release-leases.ts';
import { emptyBook, NOW, onedLeases, registered, testConfig } from '../../../support/operator-fixtures.ts';

const config = testConfig();

function fails(run: () => unknown, kind: IpamError['kind'], text: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof IpamError && error.kind === kind && text.test(error.message));
}

function withLeases() {
  let { book } = registered(emptyBook(), config, { SIZE: '10' });
  const got = onedLeases(book, config, 'r1');
  book = got.book;
  book = leaseAddresses(book, config, { pool: 'private', count: 4n, owner: 'web' }, NOW).book!;
  book = leaseAddresses(book, config, { pool: 'private', ip: '10.20.0.8', owner: 'web' }, NOW).book!;
  book = leaseAddresses(book, config, { pool: 'private', count: 1n, owner: 'db' }, NOW).book!;
  return { book, onedIp: got.ip };
}

describe('release', () => {
  it('by owner frees every operator lease of that owner, in every range, and nothing else', () => {
    const { book } = withLeases();
    const { book: after, result, audit } = releaseLeases(book, config, { owner: 'web' });
    assert.deepEqual(
      result.released.map((r) => [r.range, r.addresses]),
      [
        ['r1', '10.20.0.8'],
        ['r2', '10.20.1.2-10.20.1.5'],
      ],
    );
    assert.equal(audit!.length, 2);
    const leases = after!.ranges.flatMap((r) => r.leases.map((l) => l.owner ?? l.holder));
    assert.deepEqual(leases, ['opennebula', 'db']);
  });

  it('by address frees just that address of a block', () => {
    const { book } = withLeases();
    const { book: after } = releaseLeases(book, config, { ip: '10.20.1.3' });
    assert.deepEqual(
      findRange(after!, 'r2')!.leases.map((l) => [l.first, l.last, l.owner]),
      [
        [0n, 0n, 'web'],
        [2n, 3n, 'web'],
        [4n, 4n, 'db'],
      ],
    );
  });

  it("refuses OpenNebula's lease unless forced", () => {
    const { book, onedIp } = withLeases();
    fails(() => releaseLeases(book, config, { ip: onedIp }), 'conflict', /leased to OpenNebula \(request 2\).*--force/);
    const { book: after, result } = releaseLeases(book, config, { ip: onedIp, force: true });
    assert.equal(result.released[0]!.holder, 'opennebula');
    assert.equal(
      findRange(after!, 'r1')!.leases.some((l) => l.holder === 'opennebula'),
      false,
    );
  });

  it('says when there is nothing to release', () => {
    const { book } = withLeases();
    fails(
      () => releaseLeases(book, config, { ip: '10.20.0.9' }),
      'not-found',
      /10\.20\.0\.9: it is not leased \(free in range r1\)/,
    );
    fails(() => releaseLeases(book, config, { ip: '10.99.0.1' }), 'not-found', /10\.99\.0\.1: it is in no range/);
    fails(() => releaseLeases(book, config, { owner: 'Web' }), 'not-found', /owner "Web"/);
  });
});
