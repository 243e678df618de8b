import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locateAddress, parseAddress } from '../../../../src/core/operator/locate-address.ts';
import { leaseAddresses } from '../../../../src/core/operator/lease-addresses.ts';
import { emptyBook, NOW, onedLeases, registered, testConfig } from '../../../support/operator-fixtures.ts';

const config = testConfig();

function where(book: Parameters<typeof locateAddress>[0], text: string) {
  const found = locateAddress(book, config, parseAddress(text));
  return found.kind === 'reserved'
    ? `reserved ${found.role}`
    : found.kind === 'free' && found.excluded
      ? 'free excluded'
      : found.kind;
}

describe('locateAddress', () => {
  it('tells every kind of place an address can be in', () => {
    let { book } = registered(emptyBook(), config, { SIZE: '10' });
    book = onedLeases(book, config, 'r1').book;
    assert.equal(where(book, '10.20.0.3'), 'leased');
    assert.equal(where(book, '10.20.0.4'), 'free');
    assert.equal(where(book, '10.20.0.0'), 'reserved network address');
    assert.equal(where(book, '10.20.0.1'), 'reserved gateway');
    assert.equal(where(book, '10.20.0.2'), 'reserved DNS server');
    assert.equal(where(book, '10.20.0.255'), 'reserved broadcast address');
    assert.equal(where(book, '10.20.0.50'), 'carved');
    assert.equal(where(book, '10.20.255.1'), 'excluded');
    assert.equal(where(book, '10.20.8.8'), 'pool-free');
    assert.equal(where(book, '10.20.8.1'), 'reserved gateway');
    assert.equal(where(book, '172.16.0.1'), 'nowhere');
    // The MAC oned derived for index 0 (02:00 + the IPv4 octets) finds the same lease.
    assert.equal(where(book, '02:00:0a:14:00:03'), 'leased');
  });

  it('finds a SLAAC address of an IP4_6 range by the MAC inside it', () => {
    let { book, range } = registered(emptyBook(), config, {
      TYPE: 'IP4_6',
      SIZE: '10',
      GLOBAL_PREFIX: '2001:db8:100:5::',
    });
    book = onedLeases(book, config, range.id).book;
    // index 0: MAC 02:00:0a:14:00:03 -> interface id 0000:0aff:fe14:0003 (U/L bit flipped).
    assert.equal(where(book, '2001:db8:100:5:0:aff:fe14:3'), 'leased');
    assert.equal(where(book, '2001:db8:100:5:0:aff:fe14:4'), 'free');
    assert.equal(where(book, '2001:db8:100:5::99'), 'carved');
  });

  it('reads only strict address forms', () => {
    for (const text of ['10.20.0.010', '0x0a.0.0.1', '10.20.0', '::ffff:10.0.0.1', '02-00-0a-14-00-03', '']) {
      assert.throws(() => parseAddress(text), /Cannot read the address/);
    }
    assert.equal(parseAddress(' 2001:DB8::1 ').text, '2001:db8::1');
  });

  it('an operator lease shows as leased to its owner', () => {
    const { book } = leaseAddresses(emptyBook(), config, { pool: 'private', ip: '10.20.4.4', owner: 'bm' }, NOW);
    const found = locateAddress(book!, config, parseAddress('10.20.4.4'));
    assert.equal(found.kind === 'leased' && found.lease.owner, 'bm');
  });
});
