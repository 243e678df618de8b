/**
 * A short life-cycle as oned drives it, under a chosen Node: register a dual-stack range from a
 * pool, get single addresses and a block, allocate, refuse a taken address, free everything and
 * unregister. test/e2e runs it under the Node running the tests; `npm run test:runtimes` under
 * each Node of test/runtimes (front-ends keep their distribution's Node).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { expectFailure, expectQuietSuccess, expectReply } from './driver-assert.ts';
import {
  OnedAr,
  childEnv,
  createSandbox,
  ipv4ToNumber,
  numberToIpv4,
  registerXml,
  type DriverSandbox,
  type NodeVersion,
} from './driver-harness.ts';

const CONFIG = {
  pools: [
    { name: 'lab', network: '10.30.0.0/24', subnetPrefix: 28, gateway: 'first', dns: ['10.30.0.250'], default: true },
    { name: 'lab6', network: '2001:db8:30::/48', subnetPrefix: 64, default: true },
  ],
};

function getAddress(sandbox: DriverSandbox, ar: OnedAr, size: number): string {
  const reply = expectReply(sandbox.run('get_address', ar.getXml(size)), 'ADDRESS');
  assert.equal(reply.get('SIZE'), String(size));
  const ip = reply.get('IP')!;
  ar.noteLeased(ar.indexOf(ip), size);
  return ip;
}

export function shortLifeCycle(node: NodeVersion): void {
  const picked = spawnSync('/usr/bin/env', ['node', '--version'], { env: childEnv(node), encoding: 'utf8' });
  assert.equal(
    picked.stdout.trim().split('.')[0],
    node === 'default' ? process.version.split('.')[0] : `v${node}`,
    'the shebang picks the chosen node',
  );

  const sandbox = createSandbox({ config: CONFIG, node });
  try {
    const reply = expectReply(
      sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', SIZE: '8', TYPE: 'IP4_6' })),
      'AR',
    );
    assert.equal(reply.get('GLOBAL_PREFIX'), '2001:db8:30::');
    const ar = new OnedAr(reply);
    const first = getAddress(sandbox, ar, 1);
    assert.equal(first, reply.get('IP'));
    const block = getAddress(sandbox, ar, 4);
    assert.equal(ipv4ToNumber(block), ipv4ToNumber(first) + 1);
    expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(6n)));
    ar.noteLeased(6n);
    expectFailure(sandbox.run('allocate_address', ar.allocateXml(2n)), 5, [numberToIpv4(ipv4ToNumber(first) + 2)]);
    for (const index of [...ar.leased]) {
      expectQuietSuccess(sandbox.run('free_address', ar.freeXml(index)));
      ar.noteFreed(index);
    }
    expectQuietSuccess(sandbox.run('unregister_address_range', ar.unregisterXml('rmar')));
    assert.deepEqual(sandbox.book()?.ranges, []);
  } finally {
    sandbox.cleanup();
  }
}
