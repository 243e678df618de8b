/**
 * The exact requests of docs/oned-contract.md 2.3 (test/fixtures/oned), sent to the built bundle through
 * its symlinks as oned sends them, and the OpenNebula 5.2-5.8 calling form.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import {
  OnedAr,
  REPO_ROOT,
  createSandbox,
  encodeRequest,
  ipv4ToNumber,
  numberToIpv4,
  type SandboxOptions,
} from '../../support/driver-harness.ts';

const fixture = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'oned', name), 'utf8');
/** A sample as oned sends it later on: the same bytes with USED_LEASES, oned's count of the AR's leases, as it then is. */
const sampled = (name: string, used: number) =>
  fixture(name).replace(/<USED_LEASES>[0-9]+<\/USED_LEASES>/, `<USED_LEASES>${used}</USED_LEASES>`);

function withSandbox(options: SandboxOptions, body: (sandbox: ReturnType<typeof createSandbox>) => void): void {
  const sandbox = createSandbox(options);
  try {
    body(sandbox);
  } finally {
    sandbox.cleanup();
  }
}

const POOL_CONFIG = {
  pools: [
    {
      name: 'private',
      network: '10.20.0.0/16',
      gateway: 'first',
      dns: ['10.20.0.2'],
      mtu: 1500,
      searchDomain: 'cloud.example.com',
      default: true,
    },
  ],
};

test('register AR=[TYPE=IP4, IP=10.0.0.10, SIZE=10, GATEWAY=10.0.0.1]: the reply keeps every attribute and adds the range id', () => {
  withSandbox({}, (sandbox) => {
    const reply = expectReply(sandbox.run('register_address_range', fixture('register-ip4-gateway.xml')), 'AR');
    for (const [key, value] of Object.entries({
      TYPE: 'IP4',
      IP: '10.0.0.10',
      SIZE: '10',
      IPAM_MAD: 'mydrv',
      GATEWAY: '10.0.0.1',
    })) {
      assert.equal(reply.get(key), value, key);
    }
    assert.match(reply.get('NEBULA_IPAM_RANGE') ?? '', /^\S+$/, 'the range id oned will send back');
  });
});

test('get_address, allocate 10.0.0.15 and free 10.0.0.12 exactly as sampled', () => {
  withSandbox({}, (sandbox) => {
    expectReply(sandbox.run('register_address_range', fixture('register-ip4-gateway.xml')), 'AR');
    let used = 0;
    const get = () =>
      expectReply(sandbox.run('get_address', sampled('get-address-ip4.xml', used++), { requestId: '7' }), 'ADDRESS');

    assert.deepEqual(
      [...get()],
      [
        ['IP', '10.0.0.10'],
        ['SIZE', '1'],
      ],
    );
    expectQuietSuccess(sandbox.run('allocate_address', fixture('allocate-ip4.xml')));
    used++;
    expectFailure(sandbox.run('allocate_address', sampled('allocate-ip4.xml', used)), 5, ['10.0.0.15']);

    const handed = ['10.0.0.10'];
    for (let i = 0; i < 8; i++) handed.push(get().get('IP')!);
    assert.deepEqual(handed, [
      '10.0.0.10',
      '10.0.0.11',
      '10.0.0.12',
      '10.0.0.13',
      '10.0.0.14',
      '10.0.0.16',
      '10.0.0.17',
      '10.0.0.18',
      '10.0.0.19',
    ]);
    expectFailure(sandbox.run('get_address', sampled('get-address-ip4.xml', used)), 255, ['10.0.0.10']);

    expectQuietSuccess(sandbox.run('free_address', sampled('free-ip4.xml', used)));
    used--;
    assert.equal(get().get('IP'), '10.0.0.12', 'the freed address is the only one left');
  });
});

test('register AR=[SIZE=21] with only IPAM_MAD: carved from the default pool with its network settings', () => {
  withSandbox({ config: POOL_CONFIG }, (sandbox) => {
    const reply = expectReply(sandbox.run('register_address_range', fixture('register-minimal.xml')), 'AR');
    assert.equal(reply.get('IPAM_MAD'), 'mydrv');
    assert.equal(reply.get('TYPE'), 'IP4');
    assert.equal(reply.get('SIZE'), '21');
    assert.equal(reply.get('DNS'), '10.20.0.2');
    assert.equal(reply.get('GUEST_MTU'), '1500');
    assert.equal(reply.get('SEARCH_DOMAIN'), 'cloud.example.com');

    const network = ipv4ToNumber(reply.get('NETWORK_ADDRESS')!);
    const mask = ipv4ToNumber(reply.get('NETWORK_MASK')!);
    const hosts = 2 ** 32 - mask;
    const first = ipv4ToNumber(reply.get('IP')!);
    const gateway = ipv4ToNumber(reply.get('GATEWAY')!);
    assert.ok(
      network >= ipv4ToNumber('10.20.0.0') && network + hosts <= ipv4ToNumber('10.21.0.0'),
      'the subnet is inside the pool',
    );
    assert.ok(first > network && first + 21 <= network + hosts - 1, 'the range avoids network and broadcast addresses');
    assert.ok(gateway > network && gateway < network + hosts - 1, 'the gateway is a host of the subnet');
    for (const reserved of [gateway, ipv4ToNumber('10.20.0.2')]) {
      assert.ok(reserved < first || reserved >= first + 21, `${numberToIpv4(reserved)} is not leasable`);
    }

    const ar = new OnedAr(reply);
    assert.equal(expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP'), reply.get('IP'));
  });
});

test('IP4_6 with GLOBAL_PREFIX: registered, leased by IPv4, freed with the IPv6 address alongside', () => {
  withSandbox({}, (sandbox) => {
    const reply = expectReply(sandbox.run('register_address_range', fixture('register-ip4_6-global.xml')), 'AR');
    assert.equal(reply.get('TYPE'), 'IP4_6');
    assert.equal(reply.get('GLOBAL_PREFIX'), '2001:db8::');
    assert.equal(reply.get('IPAM_MAD'), 'mydrv');

    let used = 0;
    const get = () =>
      expectReply(sandbox.run('get_address', sampled('get-address-ip4_6.xml', used++)), 'ADDRESS').get('IP');
    assert.deepEqual([get(), get(), get()], ['10.0.0.10', '10.0.0.11', '10.0.0.12']);
    expectQuietSuccess(sandbox.run('free_address', fixture('free-ip4_6.xml')));
    used--;
    assert.equal(get(), '10.0.0.13', 'round-robin: the freed address waits for the cursor to come round');
  });
});

test('OpenNebula 5.2-5.8 form: the base64 payload as the only argument, empty stdin', () => {
  withSandbox({}, (sandbox) => {
    const reply = expectReply(
      sandbox.runRaw('register_address_range', { args: [encodeRequest(fixture('register-ip4-gateway.xml'))] }),
      'AR',
    );
    assert.equal(reply.get('IP'), '10.0.0.10');
    const ar = new OnedAr(reply, { modern: false });
    const address = expectReply(sandbox.runRaw('get_address', { args: [encodeRequest(ar.getXml(1))] }), 'ADDRESS');
    assert.equal(address.get('IP'), '10.0.0.10');
    expectQuietSuccess(sandbox.runRaw('free_address', { args: [encodeRequest(ar.freeXml(0n))] }));
    expectQuietSuccess(sandbox.runRaw('unregister_address_range', { args: [encodeRequest(ar.unregisterXml('rmar'))] }));
    assert.deepEqual(sandbox.book()?.ranges, []);
  });
});
