/**
 * The register reply judged as oned's AddressRange::from_attr judges it (src/core/oned/ar-checks.ts):
 * every refusal names the value, and what oned accepts passes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOnedVersion } from '../../../../src/core/oned/oned-version.ts';
import { checkArReply, refuseSharedAr } from '../../../../src/core/oned/ar-checks.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';

const reply = (attrs: Record<string, string>) => new Map(Object.entries({ IPAM_MAD: 'mydrv', ...attrs }));
const ok = (attrs: Record<string, string>) =>
  assert.doesNotThrow(() => checkArReply(reply(attrs), undefined), JSON.stringify(attrs));
const refused = (attrs: Record<string, string>, mentions: string[]) =>
  expectIpamError(() => checkArReply(reply(attrs), undefined), 'bad-request', mentions);

test('what oned accepts passes, on every type', () => {
  ok({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' });
  ok({ TYPE: 'ip4', IP: '10.0.0.10', SIZE: '10', SHARED: 'NO' });
  ok({ TYPE: 'IP4_6', IP: '10.0.0.10', SIZE: '10', GLOBAL_PREFIX: '2001:db8::', ULA_PREFIX: 'fd00::' });
  ok({ TYPE: 'IP6', SIZE: '10' });
  ok({ TYPE: 'IP6_STATIC', IP6: '2001:db8::ffff:fff0', PREFIX_LENGTH: '64', SIZE: '16' });
  ok({ TYPE: 'IP4_6_STATIC', IP: '10.0.0.10', IP6: '2001:db8::', PREFIX_LENGTH: '64', SIZE: '10' });
  ok({ TYPE: 'ETHER', MAC: '02:00:ff:ff:ff:f0', SIZE: '16' });
  ok({ TYPE: 'IP4', IP: '0.0.0.0', SIZE: '4294967296' });
  ok({ TYPE: 'IP6_STATIC', IP6: '::', PREFIX_LENGTH: '64', SIZE: '4294967296' });
});

test('SHARED=YES is refused, in any case (7.2+: "Shared ARs cannot use an external IPAM")', () => {
  refused({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', SHARED: 'YES' }, ['SHARED', '"YES"']);
  expectIpamError(() => refuseSharedAr(new Map([['SHARED', 'yes']]), undefined), 'bad-request', [
    '"yes"',
    'Shared ARs cannot use an external IPAM',
    'onedVersion is not set',
  ]);
  expectIpamError(() => refuseSharedAr(new Map([['SHARED', 'YES']]), parseOnedVersion('7.2')), 'bad-request', [
    'onedVersion is 7.2',
  ]);
  assert.doesNotThrow(() => refuseSharedAr(new Map([['SHARED', 'NO']]), undefined));
});

test('SHARED=YES passes where oned keeps it as a plain attribute (onedVersion 5.x to 7.0)', () => {
  for (const version of ['5.8', '6.6', '6.10', '7.0']) {
    assert.doesNotThrow(
      () => checkArReply(reply({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', SHARED: 'YES' }), parseOnedVersion(version)),
      version,
    );
  }
});

test('TYPE, SIZE and IPAM_MAD are required; TYPE must be one oned knows', () => {
  refused({ IP: '10.0.0.10', SIZE: '10' }, ['TYPE']);
  refused({ TYPE: 'IP5', IP: '10.0.0.10', SIZE: '10' }, ['TYPE', '"IP5"']);
  refused({ TYPE: 'IP4', IP: '10.0.0.10' }, ['SIZE']);
  refused({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '0' }, ['SIZE', '"0"']);
  expectIpamError(
    () =>
      checkArReply(
        new Map([
          ['TYPE', 'IP4'],
          ['IP', '10.0.0.10'],
          ['SIZE', '1'],
        ]),
        undefined,
      ),
    'bad-request',
    ['IPAM_MAD'],
  );
});

test('IPv4 types need a dotted-quad IP inside the IPv4 space', () => {
  refused({ TYPE: 'IP4', SIZE: '10' }, ['IP4', 'IP']);
  refused({ TYPE: 'IP4_6', IP: '10.0.0.010', SIZE: '10' }, ['"10.0.0.010"']);
  refused({ TYPE: 'IP4', IP: '255.255.255.250', SIZE: '7' }, ['255.255.255.250', '7']);
});

test('SLAAC prefixes must be IPv6 /64 prefixes', () => {
  refused({ TYPE: 'IP6', SIZE: '10', GLOBAL_PREFIX: 'nope' }, ['GLOBAL_PREFIX', '"nope"']);
  refused({ TYPE: 'IP4_6', IP: '10.0.0.10', SIZE: '10', ULA_PREFIX: 'fd00::1' }, ['ULA_PREFIX', '"fd00::1"']);
  ok({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', GLOBAL_PREFIX: 'ignored' });
});

test("static IPv6 types need IP6 and PREFIX_LENGTH, and must not carry past IP6's last 32 bits", () => {
  refused({ TYPE: 'IP6_STATIC', PREFIX_LENGTH: '64', SIZE: '10' }, ['IP6']);
  refused({ TYPE: 'IP6_STATIC', IP6: '2001:db8::', SIZE: '10' }, ['PREFIX_LENGTH']);
  refused({ TYPE: 'IP6_STATIC', IP6: '2001:db8::', PREFIX_LENGTH: '129', SIZE: '10' }, ['PREFIX_LENGTH', '"129"']);
  refused({ TYPE: 'IP6_STATIC', IP6: 'zz::', PREFIX_LENGTH: '64', SIZE: '10' }, ['IP6', '"zz::"']);
  refused({ TYPE: 'IP4_6_STATIC', IP: '10.0.0.10', IP6: '2001:db8::ffff:fff0', PREFIX_LENGTH: '64', SIZE: '17' }, [
    '2001:db8::ffff:fff0',
    '17',
    'wrap to 2001:db8::',
  ]);
});

test('MAC must be six hex bytes and must not carry past its last four bytes', () => {
  refused({ TYPE: 'ETHER', MAC: '02:00:00:00:01', SIZE: '1' }, ['MAC', '"02:00:00:00:01"']);
  refused({ TYPE: 'ETHER', MAC: '02:00:ff:ff:ff:ff', SIZE: '2' }, [
    '02:00:ff:ff:ff:ff',
    'SIZE 2',
    'wrap to 02:00:00:00:00:00',
  ]);
});
