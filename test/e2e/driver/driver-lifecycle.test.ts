/**
 * Whole life-cycles as oned drives them: under the default Node (`npm run test:runtimes` runs the
 * short one under Node 18, 22 and 24, which front-ends keep), and issue 2's "new user" scenario: a range carved from a pool,
 * leased to exhaustion, freed address by address and unregistered leaves the book as it started,
 * and no address is ever given out twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortLifeCycle } from '../../support/short-life-cycle.ts';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import {
  OnedAr,
  createSandbox,
  ipv4ToNumber,
  numberToIpv4,
  registerXml,
  type DriverSandbox,
  type NodeVersion,
} from '../../support/driver-harness.ts';

const CONFIG = {
  pools: [
    { name: 'lab', network: '10.30.0.0/24', subnetPrefix: 28, gateway: 'first', dns: ['10.30.0.250'], default: true },
    { name: 'lab6', network: '2001:db8:30::/48', subnetPrefix: 64, default: true },
  ],
};

function getAddress(sandbox: DriverSandbox, ar: OnedAr, size: number, node?: NodeVersion): string {
  const reply = expectReply(sandbox.run('get_address', ar.getXml(size), node ? { node } : {}), 'ADDRESS');
  assert.equal(reply.get('SIZE'), String(size));
  const ip = reply.get('IP')!;
  ar.noteLeased(ar.indexOf(ip), size);
  return ip;
}

// The same life-cycle under Node 18, 22 and 24: `npm run test:runtimes` (test/runtimes/).
test(`a short life-cycle under Node ${process.versions.node}`, () => shortLifeCycle('default'));

test('new user: carve, lease to exhaustion, free one by one, unregister: the book is as it started, nothing given twice', () => {
  const sandbox = createSandbox({ config: CONFIG });
  try {
    assert.deepEqual(sandbox.book()?.ranges, [], 'a fresh install has the empty book init made');

    // Only IPAM_MAD: the pool decides everything, SIZE included (its /28 minus network, broadcast, gateway).
    const reply = expectReply(sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv' })), 'AR');
    const ar = new OnedAr(reply);
    const size = Number(ar.size);
    assert.equal(size, 13);
    const start = ipv4ToNumber(reply.get('IP')!);

    const handedOut: string[] = [];
    const take = (count: number) => {
      const ip = getAddress(sandbox, ar, count, undefined);
      for (let i = 0; i < count; i++) handedOut.push(numberToIpv4(ipv4ToNumber(ip) + i));
    };
    take(3); // a reservation (onevnet reserve -s 3)
    for (let attempt = 0; attempt <= size; attempt++) {
      const result = sandbox.run('get_address', ar.getXml(1), { requestId: String(100 + attempt) });
      if (result.code === 255) {
        expectFailure(result, 255);
        break;
      }
      const ip = expectReply(result, 'ADDRESS').get('IP')!;
      ar.noteLeased(ar.indexOf(ip));
      handedOut.push(ip);
    }
    assert.equal(new Set(handedOut).size, handedOut.length, `an address was given out twice: ${handedOut.join(' ')}`);
    assert.equal(handedOut.length, size, 'every address of the range was leased once');
    for (const ip of handedOut) {
      const n = ipv4ToNumber(ip);
      assert.ok(n >= start && n < start + size, `${ip} is inside the range`);
    }
    for (const ip of handedOut) expectFailure(sandbox.run('allocate_address', ar.allocateXml(ar.indexOf(ip))), 5, [ip]);

    // oned frees one address per call, the reservation too; every other address first.
    const order = [...handedOut.filter((_, i) => i % 2 === 1), ...handedOut.filter((_, i) => i % 2 === 0)];
    for (const ip of order) {
      expectQuietSuccess(sandbox.run('free_address', ar.freeXml(ar.indexOf(ip))));
      ar.noteFreed(ar.indexOf(ip));
    }
    expectQuietSuccess(sandbox.run('unregister_address_range', ar.unregisterXml('rmar')));

    const book = sandbox.book()!;
    assert.deepEqual(book.ranges, [], 'no range, no lease left behind');
    assert.equal(book.schema, 1);

    const again = expectReply(sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv' })), 'AR');
    assert.equal(again.get('IP'), reply.get('IP'), 'the subnet went back to the pool');
    assert.equal(again.get('NETWORK_ADDRESS'), reply.get('NETWORK_ADDRESS'));
  } finally {
    sandbox.cleanup();
  }
});
