import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findRange } from '../../../../src/core/book/book.ts';
import { IpamError } from '../../../../src/core/errors.ts';
import { leaseAddresses } from '../../../../src/core/operator/lease-addresses.ts';
import { parseLeaseMac } from '../../../../src/core/operator/lease-mac.ts';
import { addRange } from '../../../../src/core/operator/add-range.ts';
import { emptyBook, NOW, onedFrees, onedLeases, registered, testConfig } from '../../../support/operator-fixtures.ts';

const config = testConfig();

function fails(run: () => unknown, kind: IpamError['kind'], text: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof IpamError && error.kind === kind && text.test(error.message));
}

describe('lease --count', () => {
  it('carves a new operator range the size of the subnet and leases its first addresses', () => {
    const { book, result } = leaseAddresses(emptyBook(), config, { pool: 'private', count: 3n, owner: 'bm-01' }, NOW);
    assert.equal(result.addresses, '10.20.0.3-10.20.0.5');
    assert.equal(result.newRange, true);
    assert.equal(result.gateway, '10.20.0.1');
    assert.equal(result.netmask, '255.255.255.0');
    assert.deepEqual(result.dns, ['10.20.0.2']);
    const range = findRange(book!, result.range)!;
    assert.equal(range.unmanaged, true);
    // 10.20.0.3 .. 10.20.0.254: after network, gateway and DNS, before broadcast.
    assert.equal(range.size, 252n);
    assert.deepEqual(
      range.leases.map((l) => [l.first, l.last, l.holder, l.owner]),
      [[0n, 2n, 'operator', 'bm-01']],
    );
  });

  it('fills an existing operator range before carving another', () => {
    const first = leaseAddresses(emptyBook(), config, { pool: 'private', count: 1n, owner: 'a' }, NOW);
    const second = leaseAddresses(first.book!, config, { pool: 'private', count: 2n, owner: 'b', note: 'rack 4' }, NOW);
    assert.equal(second.result.range, first.result.range);
    assert.equal(second.result.addresses, '10.20.0.4-10.20.0.5');
    assert.equal(second.book!.ranges.length, 1);
    assert.equal(findRange(second.book!, second.result.range)!.leases[1]!.note, 'rack 4');
  });

  it("never takes from OpenNebula's ranges nor from another owner's block", () => {
    let { book } = registered(emptyBook(), config, { SIZE: '10' });
    book = addRange(book, config, { pool: 'private', size: 50n, owner: 'rack7' }, NOW).book!;
    const { result, book: after } = leaseAddresses(book, config, { pool: 'private', count: 1n, owner: 'someone' }, NOW);
    assert.equal(result.newRange, true);
    assert.equal(after!.ranges.length, 3);
    const own = leaseAddresses(book, config, { pool: 'private', count: 1n, owner: 'rack7' }, NOW);
    assert.equal(own.result.range, 'r2');
  });

  it('keeps what oned gets and what operators get apart', () => {
    let { book, range } = registered(emptyBook(), config, { SIZE: '5', IP: '10.20.0.10', TYPE: 'IP4' });
    book = leaseAddresses(book, config, { pool: 'private', ip: '10.20.0.10', owner: 'bm' }, NOW).book!;
    const got = onedLeases(book, config, range.id);
    assert.equal(got.ip, '10.20.0.11', 'get_address skips the operator lease');
    // oned freeing the operator's address (onevnet release) must not free it.
    const freed = onedFrees(got.book, config, range.id, '10.20.0.10');
    assert.equal(findRange(freed, range.id)!.leases.find((l) => l.first === 0n)?.owner, 'bm');
  });

  it('refuses an unknown pool and says which pools there are', () => {
    fails(
      () => leaseAddresses(emptyBook(), config, { pool: 'nope', owner: 'x' }, NOW),
      'not-found',
      /pool "nope".*private, public6, small/,
    );
  });

  it('says when the pool is full (exit 255), with the pool named', () => {
    // A /29 holds one subnet of 5 usable addresses (network, gateway, broadcast taken).
    const { book } = leaseAddresses(emptyBook(), config, { pool: 'small', count: 5n, owner: 'x' }, NOW);
    fails(
      () => leaseAddresses(book!, config, { pool: 'small', count: 1n, owner: 'y' }, NOW),
      'exhausted',
      /pool "small"/,
    );
    fails(
      () => leaseAddresses(emptyBook(), config, { pool: 'small', count: 6n, owner: 'y' }, NOW),
      'bad-request',
      /at most 5/,
    );
  });

  it('leases IPv6 addresses from an IPv6 pool as a static range', () => {
    const { book, result } = leaseAddresses(emptyBook(), config, { pool: 'public6', count: 2n, owner: 'v6' }, NOW);
    assert.equal(result.addresses, '2001:db8:100::2-2001:db8:100::3');
    assert.equal(findRange(book!, result.range)!.type, 'IP6_STATIC');
    assert.equal(findRange(book!, result.range)!.prefixLength, 64);
  });
});

describe('lease --ip', () => {
  it("takes a free address of OpenNebula's range", () => {
    const { book, range } = registered(emptyBook(), config, { SIZE: '10' });
    const { result, book: after } = leaseAddresses(
      book,
      config,
      { pool: 'private', ip: '10.20.0.7', owner: 'bm' },
      NOW,
    );
    assert.equal(result.range, range.id);
    assert.equal(result.newRange, false);
    assert.deepEqual(
      findRange(after!, range.id)!.leases.map((l) => [l.first, l.holder]),
      [[4n, 'operator']],
    );
  });

  it('makes a one-address operator range in free pool space, inside the subnet it would be carved in', () => {
    const { book, result } = leaseAddresses(
      emptyBook(),
      config,
      { pool: 'private', ip: '10.20.9.9', owner: 'bm' },
      NOW,
    );
    assert.equal(result.newRange, true);
    assert.equal(result.network, '10.20.9.0/24');
    assert.equal(result.gateway, '10.20.9.1');
    const range = findRange(book!, result.range)!;
    assert.equal(range.size, 1n);
    // Register later carves around it: the /24 holding it is never handed to oned.
    let later = book!;
    const subnets: bigint[] = [];
    for (let i = 0; i < 11; i++) {
      const next = registered(later, config, { SIZE: '10' });
      later = next.book;
      subnets.push(next.range.block!.first >> 8n);
    }
    assert.equal(subnets.length, 11);
    assert.ok(!subnets.includes(0x0a1409n), 'no carved subnet is 10.20.9.0/24');
    assert.ok(subnets.includes(0x0a140an), 'carving went on past it');
  });

  it('refuses a taken address, naming who holds it', () => {
    const { book, range } = registered(emptyBook(), config, { SIZE: '10' });
    const got = onedLeases(book, config, range.id);
    fails(
      () => leaseAddresses(got.book, config, { pool: 'private', ip: got.ip, owner: 'bm' }, NOW),
      'conflict',
      /10\.20\.0\.3: it is leased to OpenNebula \(request 2\)/,
    );
    const mine = leaseAddresses(book, config, { pool: 'private', ip: '10.20.0.9', owner: 'first' }, NOW).book!;
    fails(
      () => leaseAddresses(mine, config, { pool: 'private', ip: '10.20.0.9', owner: 'second' }, NOW),
      'conflict',
      /"first" \(operator lease\)/,
    );
  });

  it('refuses network, gateway, broadcast, DNS and excluded addresses', () => {
    const { book } = registered(emptyBook(), config, { SIZE: '10' });
    for (const [ip, role] of [
      ['10.20.0.0', 'network address'],
      ['10.20.0.1', 'gateway'],
      ['10.20.0.255', 'broadcast address'],
      ['10.20.0.2', 'DNS server'],
      ['10.20.5.1', 'gateway'],
      ['10.20.5.255', 'broadcast address'],
    ] as const) {
      fails(
        () => leaseAddresses(book, config, { pool: 'private', ip, owner: 'x' }, NOW),
        'conflict',
        new RegExp(`${ip.replaceAll('.', '\\.')}: it is the ${role}`),
      );
    }
    fails(
      () => leaseAddresses(book, config, { pool: 'private', ip: '10.20.255.7', owner: 'x' }, NOW),
      'conflict',
      /excludes 10\.20\.255\.0\/24/,
    );
    fails(
      () => leaseAddresses(book, config, { pool: 'private', ip: '10.20.0.100', owner: 'x' }, NOW),
      'conflict',
      /carved for range r1/,
    );
  });

  it('refuses an address outside the pool, or of the other family', () => {
    fails(
      () => leaseAddresses(emptyBook(), config, { pool: 'private', ip: '10.99.0.1', owner: 'x' }, NOW),
      'not-found',
      /10\.99\.0\.1: it is not inside pool "private" \(10\.20\.0\.0\/16\)/,
    );
    fails(
      () => leaseAddresses(emptyBook(), config, { pool: 'private', ip: '2001:db8::1', owner: 'x' }, NOW),
      'usage',
      /not an ipv4 address/,
    );
    fails(
      () => leaseAddresses(emptyBook(), config, { pool: 'private', ip: '10.20.0.010', owner: 'x' }, NOW),
      'usage',
      /10\.20\.0\.010/,
    );
  });

  it('refuses an address an excluded prefix added later covers, inside a range', () => {
    const { book } = registered(emptyBook(), config, { SIZE: '10' });
    const stricter = testConfig([
      {
        name: 'private',
        network: '10.20.0.0/16',
        subnetPrefix: 24,
        dns: ['10.20.0.2'],
        exclude: ['10.20.0.8/30'],
        default: true,
      },
    ]);
    fails(
      () => leaseAddresses(book, stricter, { pool: 'private', ip: '10.20.0.9', owner: 'x' }, NOW),
      'conflict',
      /excludes it/,
    );
  });
});

describe('lease --mac', () => {
  const mac = (text: string) => parseLeaseMac(text);

  it('parses strictly: six colon-separated hex pairs of a unicast MAC, one usage line naming the value otherwise', () => {
    assert.equal(mac('52:54:00:AB:cd:01'), 0x525400abcd01n);
    for (const [text, why] of [
      ['52-54-00-ab-cd-01', /"52-54-00-ab-cd-01": it is not a MAC address like 52:54:00:12:34:56/],
      ['52:54:00:ab:cd', /not a MAC address/],
      ['52:54:00:ab:cd:0g', /not a MAC address/],
      ['', /not a MAC address/],
      ['00:00:00:00:00:00', /the all-zero MAC is no host's/],
      ['01:00:5e:00:00:01', /"01:00:5e:00:00:01": it is a multicast MAC/],
    ] as const)
      fails(() => mac(text), 'usage', why);
  });

  it('keeps the MAC on the lease and says it; one address only', () => {
    const { book, result } = leaseAddresses(
      emptyBook(),
      config,
      { pool: 'private', ip: '10.20.0.40', owner: 'bm', mac: mac('52:54:00:00:00:40') },
      NOW,
    );
    assert.equal(result.mac, '52:54:00:00:00:40');
    assert.equal(findRange(book!, result.range)!.leases[0]!.mac, 0x525400000040n);
    fails(
      () => leaseAddresses(emptyBook(), config, { pool: 'private', count: 2n, owner: 'bm', mac: 1n << 41n }, NOW),
      'usage',
      /^Cannot lease 2 addresses with --mac 02:00:00:00:00:00: a MAC is one host's one address/,
    );
  });

  it("refuses a MAC the same range leases already: an operator's, or oned's (the range MAC + index); another range may", () => {
    let { book, range } = registered(emptyBook(), config, { SIZE: '10' });
    book = onedLeases(book, config, range.id).book;
    const onedMac = findRange(book, range.id)!.mac!;
    const second = (range.ip! + 1n) & 0xffn;
    fails(
      () => leaseAddresses(book, config, { pool: 'private', ip: `10.20.0.${second}`, owner: 'bm', mac: onedMac }, NOW),
      'conflict',
      new RegExp(
        `^Cannot lease 10\\.20\\.0\\.${second} with MAC [0-9a-f:]+: range ${range.id} already leases it \\(to OpenNebula`,
      ),
    );
    const taken = leaseAddresses(
      book,
      config,
      { pool: 'private', ip: `10.20.0.${second}`, owner: 'a', mac: 0x525400000001n },
      NOW,
    );
    fails(
      () =>
        leaseAddresses(
          taken.book!,
          config,
          { pool: 'private', ip: `10.20.0.${second + 1n}`, owner: 'b', mac: 0x525400000001n },
          NOW,
        ),
      'conflict',
      /with MAC 52:54:00:00:00:01: range r\d+ already leases it \(to "a" \(operator lease\)/,
    );
    // Outside that range (free pool space: a new operator range), the MAC is another range's business.
    const elsewhere = leaseAddresses(
      taken.book!,
      config,
      { pool: 'private', ip: '10.20.5.9', owner: 'b', mac: 0x525400000001n },
      NOW,
    );
    assert.notEqual(elsewhere.result.range, range.id);
  });
});
