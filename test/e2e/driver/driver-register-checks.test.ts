/**
 * register_address_range refuses, before recording anything, every AR that oned would refuse
 * after the reply (AddressRange::from_attr; docs/oned-contract.md 3.2): oned never calls unregister for
 * those, so a recorded range would leak for ever. Built bundle, symlinks, exact oned bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectFailure, expectReply } from '../../support/driver-assert.ts';
import { createSandbox, registerXml, type Attrs, type DriverSandbox } from '../../support/driver-harness.ts';

const MAD = { IPAM_MAD: 'mydrv' };
const CONFIG = {
  pools: [
    { name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true },
    { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 },
  ],
};

function withSandbox(body: (sandbox: DriverSandbox) => void): void {
  const sandbox = createSandbox({ config: CONFIG });
  try {
    body(sandbox);
  } finally {
    sandbox.cleanup();
  }
}

/** Register must fail with exit 3 and one line naming `mentions`, the book byte for byte as before. */
function refusedAtRegister(sandbox: DriverSandbox, ar: Attrs, mentions: string[]): void {
  const before = sandbox.bookBytes();
  expectFailure(sandbox.run('register_address_range', registerXml(ar)), 3, mentions);
  assert.deepEqual(sandbox.bookBytes(), before, `nothing recorded for ${JSON.stringify(ar)}`);
}

test('SHARED=YES (refused by oned 7.2+ after the reply) is refused first, explicit or carved, and nothing is recorded', () => {
  withSandbox((sandbox) => {
    expectReply(sandbox.run('register_address_range', registerXml({ ...MAD, SIZE: '5' })), 'AR');
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', SHARED: 'YES' }, [
      'SHARED',
      '"YES"',
    ]);
    refusedAtRegister(sandbox, { ...MAD, SIZE: '10', SHARED: 'yes' }, ['SHARED', '"yes"']);
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'IP6', IPAM_POOL6: 'public6', SIZE: '10', SHARED: 'YES' }, ['SHARED']);
    assert.equal(sandbox.book()!.ranges.length, 1);
    // The next range gets the next subnet: the refused ones took nothing.
    assert.equal(
      expectReply(sandbox.run('register_address_range', registerXml({ ...MAD, SIZE: '5', SHARED: 'NO' })), 'AR').get(
        'NETWORK_ADDRESS',
      ),
      '10.20.1.0',
    );
  });
});

test('SHARED=YES is accepted and echoed where oned keeps it as a plain attribute (onedVersion 6.6 to 7.0); 7.2+ still refuses it', () => {
  for (const onedVersion of ['6.6', '7.0']) {
    const sandbox = createSandbox({ config: { ...CONFIG, onedVersion } });
    try {
      const reply = expectReply(
        sandbox.run(
          'register_address_range',
          registerXml({ ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', SHARED: 'YES' }),
        ),
        'AR',
      );
      assert.equal(reply.get('SHARED'), 'YES', onedVersion);
      assert.equal(sandbox.book()!.ranges.length, 1);
    } finally {
      sandbox.cleanup();
    }
  }
  const sandbox = createSandbox({ config: { ...CONFIG, onedVersion: '7.2' } });
  try {
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', SHARED: 'YES' }, [
      'SHARED',
      'onedVersion is 7.2',
    ]);
  } finally {
    sandbox.cleanup();
  }
});

test('onedVersion must be a release such as "7.0": anything else fails every action with one line naming it (exit 4)', () => {
  for (const onedVersion of ['7', 'seven', '4.14', 7.0]) {
    const sandbox = createSandbox({ config: { ...CONFIG, onedVersion }, book: 'none' });
    try {
      expectFailure(sandbox.run('register_address_range', registerXml({ ...MAD, SIZE: '5' })), 4, [
        'onedVersion',
        JSON.stringify(onedVersion),
      ]);
    } finally {
      sandbox.cleanup();
    }
  }
});

test('MACs and static IPv6 addresses that oned would count past their last 32 bits are refused first', () => {
  withSandbox((sandbox) => {
    expectReply(sandbox.run('register_address_range', registerXml({ ...MAD, SIZE: '5' })), 'AR');
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'ETHER', MAC: '02:00:ff:ff:ff:f0', SIZE: '17' }, [
      '02:00:ff:ff:ff:f0',
      '17',
    ]);
    refusedAtRegister(
      sandbox,
      { ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8::ffff:fff0', PREFIX_LENGTH: '64', SIZE: '17' },
      ['2001:db8::ffff:fff0', '17'],
    );
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'IP6_STATIC', IPAM_POOL6: 'public6', SIZE: '4294967296' }, [
      '4294967296',
      'last 32 bits',
    ]);
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'IP6', SIZE: '4', ULA_PREFIX: 'fd00::1' }, ['ULA_PREFIX', 'fd00::1']);
  });
});

test('refuseOutsidePools: an explicit range or prefix in no pool is refused in one line; inside a pool it is placed as before', () => {
  const sandbox = createSandbox({ config: { ...CONFIG, refuseOutsidePools: true } });
  try {
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'IP4', IP: '192.168.7.10', SIZE: '10' }, [
      'IP 192.168.7.10',
      'no ipv4 pool',
      'refuseOutsidePools',
      'private 10.20.0.0/16',
    ]);
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8:9::10', PREFIX_LENGTH: '64', SIZE: '4' }, [
      'IP6 2001:db8:9::10',
      'public6',
    ]);
    refusedAtRegister(sandbox, { ...MAD, TYPE: 'IP6', GLOBAL_PREFIX: '2001:db8:9::', SIZE: '4' }, [
      'GLOBAL_PREFIX 2001:db8:9::',
    ]);
    const inside = expectReply(
      sandbox.run('register_address_range', registerXml({ ...MAD, TYPE: 'IP4', IP: '10.20.3.10', SIZE: '10' })),
      'AR',
    );
    assert.equal(inside.get('IPAM_POOL'), 'private');
  } finally {
    sandbox.cleanup();
  }
  // Without the option, a range outside the pools is recorded as given (as before).
  withSandbox((sandbox) => {
    const outside = expectReply(
      sandbox.run('register_address_range', registerXml({ ...MAD, TYPE: 'IP4', IP: '192.168.7.10', SIZE: '10' })),
      'AR',
    );
    assert.equal(outside.get('IP'), '192.168.7.10');
  });
});
