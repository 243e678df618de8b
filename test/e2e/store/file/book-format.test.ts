/**
 * Upgrades and the book, through the built bundle as oned runs it (issue 15 item 4): a book a
 * newer release wrote is refused for writing in one line, exit 7, byte for byte untouched, while
 * reads still work; fields a newer release added to a range survive this release's actions on
 * that very range.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { BOOK_FORMAT } from '../../../../src/store/encoding/book-format.ts';
import { expectFailure, expectQuietSuccess, expectReply } from '../../../support/driver-assert.ts';
import { createCliSandbox, expectOk } from '../../../support/cli-harness.ts';
import { OnedAr, registerXml } from '../../../support/driver-harness.ts';

const AR = { TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' };

/** The book file as a newer release would leave it: another format, and a field on the range and on the book. */
function rewriteAsNewer(file: string, format: number): void {
  const text = fs.readFileSync(file, 'utf8');
  const newer = text
    .replace(`"format":${BOOK_FORMAT},`, `"format":${format},`)
    .replace(/,"nextRangeId":(\d+),/, ',"nextRangeId":$1,"site":"east",')
    .replace(/,"leases":/, ',"vlan":{"id":42},"leases":');
  assert.notEqual(newer, text);
  fs.writeFileSync(file, newer);
}

test('a book a newer release wrote: every write refused in one line (exit 7) and the file untouched; reads work', () => {
  const s = createCliSandbox();
  try {
    const ar = new OnedAr(expectReply(s.run('register_address_range', registerXml(AR)), 'AR'));
    rewriteAsNewer(s.bookPath, BOOK_FORMAT + 1);
    const before = fs.readFileSync(s.bookPath);
    for (const result of [s.run('allocate_address', ar.allocateXml(3n)), s.run('get_address', ar.getXml(1))]) {
      expectFailure(result, 7, [s.bookPath, `format ${BOOK_FORMAT + 1}`, 'newer nebula-ipam', 'untouched']);
    }
    assert.deepEqual(fs.readFileSync(s.bookPath), before, 'not a byte changed');
    assert.match(expectOk(s.cli(['show', '10.0.0.12'])), /10\.0\.0\.12/);
  } finally {
    s.cleanup();
  }
});

test("a newer release's fields on a range and on the book survive allocate and free on that range", () => {
  const s = createCliSandbox();
  try {
    const ar = new OnedAr(expectReply(s.run('register_address_range', registerXml(AR)), 'AR'));
    rewriteAsNewer(s.bookPath, BOOK_FORMAT);
    expectQuietSuccess(s.run('allocate_address', ar.allocateXml(3n)));
    expectQuietSuccess(s.run('free_address', ar.freeXml(3n)));
    expectQuietSuccess(s.run('allocate_address', ar.allocateXml(4n)));
    const book = JSON.parse(fs.readFileSync(s.bookPath, 'utf8'));
    assert.equal(book.format, BOOK_FORMAT);
    assert.equal(book.site, 'east');
    assert.deepEqual(book.ranges[0].vlan, { id: 42 });
    assert.notEqual(book.ranges[0].leases, '', 'the lease was written');
  } finally {
    s.cleanup();
  }
});
