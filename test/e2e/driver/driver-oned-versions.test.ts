/**
 * What differs between OpenNebula releases, through the built bundle with the bytes oned sends
 * (docs/oned-contract.md 1, 3.2, 4): the failure message each release shows, and the SIZE oned
 * derives for a static IPv6 AR that has none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectReply } from '../../support/driver-assert.ts';
import {
  createSandbox,
  encodeRequest,
  onedShownMessage,
  registerXml,
  type DriverSandbox,
} from '../../support/driver-harness.ts';

const MAD = { IPAM_MAD: 'mydrv' };
/** A request the driver refuses whatever the release: a SIZE of 0. */
const FAILING = registerXml({ ...MAD, TYPE: 'IP4', IP: '10.0.0.10', SIZE: '0' });

function withSandbox(config: object, body: (sandbox: DriverSandbox) => void): void {
  const sandbox = createSandbox({ config });
  try {
    body(sandbox);
  } finally {
    sandbox.cleanup();
  }
}

test('OpenNebula 5 (request in argv) gets the failure line between the markers, and shows exactly that line', () => {
  withSandbox({}, (sandbox) => {
    const result = sandbox.runRaw('register_address_range', { args: [encodeRequest(FAILING)] });
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    const shown = onedShownMessage(result.stderr, '5.x');
    assert.match(shown, /^Cannot read AR SIZE: "0"/);
    assert.ok(!shown.includes('\n') && !shown.includes('ERROR MESSAGE'), shown);
    assert.equal(result.stderr, `ERROR MESSAGE --8<------\n${shown}\nERROR MESSAGE ------>8--\n`);
  });
});

test('onedVersion 5.x in the config writes the markers too, whatever the calling form', () => {
  withSandbox({ onedVersion: '5.8' }, (sandbox) => {
    const result = sandbox.run('register_address_range', FAILING);
    assert.equal(result.code, 3);
    assert.match(onedShownMessage(result.stderr, '5.x'), /^Cannot read AR SIZE: "0"/);
  });
});

test('6.6 and later (request on stdin) get the one line alone, and 6.6-6.10 and 7.0+ both show exactly it', () => {
  for (const config of [{}, { onedVersion: '6.6' }, { onedVersion: '7.4' }]) {
    withSandbox(config, (sandbox) => {
      const result = sandbox.run('register_address_range', FAILING);
      assert.equal(result.code, 3);
      const line = result.stderr.replace(/\n$/, '');
      assert.ok(!line.includes('\n') && !line.includes('ERROR MESSAGE'), JSON.stringify(result.stderr));
      assert.equal(onedShownMessage(result.stderr, '6.6-6.10'), line);
      assert.equal(onedShownMessage(result.stderr, '7.0+'), line);
    });
  }
});

test('IP6_STATIC without SIZE: the SIZE oned derives (the rest of the PREFIX_LENGTH subnet) is replied and recorded', () => {
  withSandbox({}, (sandbox) => {
    // /120 from ::10: 256 - 16 addresses, as AddressRange::init_ipv6_static computes.
    const reply = expectReply(
      sandbox.run(
        'register_address_range',
        registerXml({ ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8::10', PREFIX_LENGTH: '120' }),
      ),
      'AR',
    );
    assert.equal(reply.get('SIZE'), '240');
    assert.equal(sandbox.book()!.ranges[0]!.size, 240);
    // /96 from ::: the whole low 32 bits.
    const whole = expectReply(
      sandbox.run(
        'register_address_range',
        registerXml({ ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8:1::', PREFIX_LENGTH: '96' }),
      ),
      'AR',
    );
    assert.equal(whole.get('SIZE'), '4294967296');
  });
});

test('IP6_STATIC without SIZE on a /64: oned would derive more than an AR can index; refused in one line, nothing recorded', () => {
  withSandbox({}, (sandbox) => {
    const result = sandbox.run(
      'register_address_range',
      registerXml({ ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8::10', PREFIX_LENGTH: '64' }),
    );
    assert.equal(result.code, 3);
    assert.match(
      result.stderr,
      /SIZE is missing for IP6 2001:db8::10: oned would make it 18446744073709551599 \(the rest of the \/64\).*give SIZE\n$/,
    );
    assert.equal(sandbox.book()?.ranges.length ?? 0, 0);
  });
});
