import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findRange } from '../../../../src/core/book/book.ts';
import { IpamError } from '../../../../src/core/errors.ts';
import { addRange } from '../../../../src/core/operator/add-range.ts';
import { leaseAddresses } from '../../../../src/core/operator/lease-addresses.ts';
import { removeRange } from '../../../../src/core/operator/remove-range.ts';
import { emptyBook, NOW, registered, testConfig } from '../../../support/operator-fixtures.ts';

const config = testConfig();

function fails(run: () => unknown, kind: IpamError['kind'], text: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof IpamError && error.kind === kind && text.test(error.message));
}

describe('range add', () => {
  it('carves like register does: the first free subnet, first usable address', () => {
    const { book } = registered(emptyBook(), config, { SIZE: '10' });
    const { book: after, result } = addRange(book, config, { pool: 'private', size: 16n, owner: 'rack7' }, NOW);
    assert.equal(result.addresses, '10.20.1.2-10.20.1.17');
    assert.equal(result.network, '10.20.1.0/24');
    const range = findRange(after!, result.range)!;
    assert.equal(range.unmanaged, true);
    assert.equal(range.owner, 'rack7');
    assert.deepEqual(range.block, { first: 0x0a140100n, last: 0x0a1401ffn });
    // And register steps around it.
    assert.equal(registered(after!, config, { SIZE: '10' }).range.ip, 0x0a140202n);
  });

  it('places an explicit range, refusing overlaps, reserved addresses and the pool edge', () => {
    const { book } = registered(emptyBook(), config, { SIZE: '10' });
    const { result } = addRange(book, config, { pool: 'private', size: 10n, ip: '10.20.3.10' }, NOW);
    assert.equal(result.addresses, '10.20.3.10-10.20.3.19');
    fails(
      () => addRange(book, config, { pool: 'private', size: 10n, ip: '10.20.0.200' }, NOW),
      'conflict',
      /overlaps range r1 .*OpenNebula/,
    );
    fails(
      () => addRange(book, config, { pool: 'private', size: 16n, ip: '10.20.3.240' }, NOW),
      'conflict',
      /10\.20\.3\.255, the broadcast address/,
    );
    fails(
      () => addRange(book, config, { pool: 'private', size: 3n, ip: '10.20.4.0' }, NOW),
      'conflict',
      /network address/,
    );
    fails(
      () => addRange(book, config, { pool: 'private', size: 3n, ip: '10.20.255.3' }, NOW),
      'conflict',
      /10\.20\.255\.0\/24/,
    );
    fails(
      () => addRange(book, config, { pool: 'private', size: 3n, ip: '10.21.0.3' }, NOW),
      'conflict',
      /outside pool "private"/,
    );
    fails(() => addRange(book, config, { pool: 'gone', size: 3n }, NOW), 'not-found', /pool "gone"/);
  });
});

describe('range remove', () => {
  it('removes an empty operator range and gives its space back', () => {
    const added = addRange(emptyBook(), config, { pool: 'private', size: 16n }, NOW);
    const { book } = removeRange(added.book!, { id: added.result.range });
    assert.equal(book!.ranges.length, 0);
    assert.equal(registered(book!, config, { SIZE: '10' }).range.ip, 0x0a140003n);
  });

  it('refuses a range with leases unless forced, and always refuses OpenNebula ranges', () => {
    let { book } = registered(emptyBook(), config, { SIZE: '10' });
    book = leaseAddresses(book, config, { pool: 'private', count: 2n, owner: 'x' }, NOW).book!;
    fails(() => removeRange(book, { id: 'r2' }), 'conflict', /r2: it still has 1 lease/);
    assert.equal(removeRange(book, { id: 'r2', force: true }).result.leases, 1);
    fails(
      () => removeRange(book, { id: 'r1', force: true }),
      'conflict',
      /OpenNebula's; remove its AR with onevnet rmar/,
    );
    fails(() => removeRange(book, { id: 'r9' }), 'not-found', /"r9"/);
  });
});
