import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpamError } from '../../../../src/core/errors.ts';
import { diffBooks } from '../../../../src/core/operator/book-diff.ts';
import { importBook } from '../../../../src/core/operator/import-book.ts';
import { leaseAddresses } from '../../../../src/core/operator/lease-addresses.ts';
import { addRange } from '../../../../src/core/operator/add-range.ts';
import { emptyBook, NOW, onedLeases, registered, testConfig } from '../../../support/operator-fixtures.ts';

const config = testConfig();

describe('import', () => {
  it('into an empty book brings every range and lease, and the id counter', () => {
    let { book } = registered(emptyBook(), config, { SIZE: '10' });
    book = onedLeases(book, config, 'r1').book;
    book = leaseAddresses(book, config, { pool: 'private', count: 2n, owner: 'x' }, NOW).book!;
    const { book: imported, result } = importBook(emptyBook(), book, 'backup.json');
    assert.deepEqual(result, { ranges: 2, leases: 2, renumbered: [] });
    assert.deepEqual(imported!.ranges, book.ranges);
    assert.equal(imported!.nextRangeId, book.nextRangeId);
    assert.deepEqual(diffBooks(book, imported!), []);
  });

  it('renumbers colliding operator ranges and refuses a colliding OpenNebula range', () => {
    const here = addRange(emptyBook(), config, { pool: 'private', size: 4n }, NOW).book!;
    const there = addRange(emptyBook(), config, { pool: 'private', size: 4n, ip: '10.20.40.10' }, NOW).book!;
    const { book, result } = importBook(here, there, 'f.json');
    assert.deepEqual(result.renumbered, [['r1', 'r2']]);
    assert.deepEqual(
      book!.ranges.map((r) => r.id),
      ['r1', 'r2'],
    );
    assert.equal(book!.nextRangeId, 3);
    const oned = registered(emptyBook(), config, { SIZE: '4', IP: '10.20.50.10', TYPE: 'IP4' }).book;
    assert.throws(
      () => importBook(here, oned, 'f.json'),
      (e: unknown) =>
        e instanceof IpamError &&
        e.kind === 'conflict' &&
        /range r1 IP4 10\.20\.50\.10\+4 is OpenNebula's/.test(e.message),
    );
  });

  it('refuses overlapping space, importing nothing', () => {
    const here = registered(emptyBook(), config, { SIZE: '10' }).book;
    const there = addRange(
      { ...emptyBook(), nextRangeId: 50 },
      config,
      { pool: 'private', size: 4n, ip: '10.20.0.100' },
      NOW,
    ).book!;
    assert.throws(
      () => importBook(here, there, 'f.json'),
      (e: unknown) =>
        e instanceof IpamError &&
        e.kind === 'conflict' &&
        /r50 IP4 10\.20\.0\.100\+4 overlaps range r1/.test(e.message),
    );
  });
});

describe('diffBooks', () => {
  it('lists ranges and leases added and removed', () => {
    const before = registered(emptyBook(), config, { SIZE: '10' }).book;
    const after = leaseAddresses(
      onedLeases(before, config, 'r1').book,
      config,
      { pool: 'private', count: 1n, owner: 'x' },
      NOW,
    ).book!;
    assert.deepEqual(
      diffBooks(before, after).map((d) => `${d.change} ${d.range} ${d.what}`),
      ['lease-added r1 10.20.0.3 OpenNebula (request 2)', 'range-added r2 r2 IP4 10.20.1.2+253'],
    );
    assert.deepEqual(
      diffBooks(after, before).map((d) => d.change),
      ['range-removed', 'lease-removed'],
    );
  });
});
