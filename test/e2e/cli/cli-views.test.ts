/**
 * Complete views (issue 19, Why 1, 4, 11): every range type is in `status`, `status --json` and
 * `metrics`; `show` of an IPv6 address names its IPv6 pool and its IPv4 partner (and the other
 * way); IPv6 columns print plain integers; ranges whose addresses are not known yet say so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectFailure, expectReply } from '../../support/driver-assert.ts';
import { registerXml } from '../../support/driver-harness.ts';
import { createCliSandbox, expectOk, type CliSandbox } from '../../support/cli-harness.ts';

const CONFIG = {
  pools: [
    { name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true },
    { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 },
  ],
};

describe('status, show and metrics see every range', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    s.register({ TYPE: 'ETHER', SIZE: '8' }, '1'); // r1: no IP at all, no MAC yet
    s.register({ TYPE: 'IP6', SIZE: '16', MAC: '02:00:0a:00:00:10', IPAM_POOL6: 'public6' }, '2'); // r2: SLAAC under a /64 of public6
    // r3: IP4_6 with its /64 from public6 and a known MAC, so its IPv6 addresses are known.
    const dual = s.register({ TYPE: 'IP4_6', SIZE: '20', MAC: '02:00:0a:14:00:02', IPAM_POOL6: 'public6' }, '3');
    expectReply(s.run('get_address', dual.getXml(1), { requestId: '4' }), 'ADDRESS');
    // r4: a static IPv6 range bigger than a billion, beside SIZE 20 ones in the same table.
    s.register({ TYPE: 'IP6_STATIC', SIZE: '2000000000', IP6: '2001:db8:100:7::10', PREFIX_LENGTH: '64' }, '5');
  });
  after(() => s.cleanup());

  it('status lists ETHER and IP6 ranges (Why 1)', () => {
    const out = expectOk(s.cli(['status']));
    assert.match(out, /^ETHER \(MAC only\) ranges\n/m);
    assert.match(out, /^r1 +OpenNebula +- +- +ETHER +MAC from oned +8 +0 +8 /m);
    assert.match(out, /^r2 +OpenNebula +public6 +2001:db8:100::\/64 +IP6 +SLAAC +16 +0 +16 /m);
    const json = s.json<{ ranges: { id: string }[]; families: Record<string, { ranges: { id: string }[] }> }>([
      'status',
    ]);
    assert.deepEqual(
      json.ranges.map((r) => r.id),
      ['r1', 'r2', 'r3', 'r4'],
    );
    assert.deepEqual(
      json.families.ipv6!.ranges.map((r) => r.id),
      ['r2', 'r3', 'r4'],
    );
    assert.deepEqual(
      json.families.ether!.ranges.map((r) => r.id),
      ['r1'],
    );
  });

  it('metrics carries a series for every range (Why 1)', () => {
    const out = expectOk(s.cli(['metrics']));
    for (const id of ['r1', 'r2', 'r3', 'r4'])
      assert.match(out, new RegExp(`^nebula_ipam_range_size_addresses\\{[^}]*range="${id}"`, 'm'), id);
    assert.match(out, /^nebula_ipam_range_size_addresses\{[^}]*range="r1",family="ether"[^}]*\} 8$/m);
  });

  it('an IP6 AR with no prefix beside IPv6 pools is refused in one line, and nothing is recorded (Why 11)', () => {
    const before = s.bookBytes();
    const refused = s.run('register_address_range', registerXml({ IPAM_MAD: s.driver, TYPE: 'IP6', SIZE: '16' }), {
      requestId: '9',
    });
    expectFailure(refused, 3, ['GLOBAL_PREFIX', 'IPAM_POOL6', 'public6']);
    assert.deepEqual(s.bookBytes(), before);
  });

  it('IPv6 columns print plain integers up to 2^53 (Why 11)', () => {
    const out = expectOk(s.cli(['status']));
    assert.match(out, /^r3 +OpenNebula +public6 +2001:db8:100:1::\/64 +IP4_6 +SLAAC +20 +1 +19 /m);
    assert.match(
      out,
      /^r4 +OpenNebula +public6 +2001:db8:100:7::\/64 +IP6_STATIC +2001:db8:100:7::10 +2000000000 +0 +2000000000 /m,
    );
    assert.ok(!/2\.00e1/.test(out), out);
  });

  it('show of a range whose MACs oned picks says so, not "index 0 - index 7" (Why 11)', () => {
    const out = expectOk(s.cli(['show', 'r1']));
    assert.match(out, /^ {2}addresses +8 MACs that oned picks \(indices 0-7\)$/m);
    assert.ok(!out.includes('index 0 - index 7'), out);
  });

  it('show of an IPv6 address names its IPv6 pool and its IPv4 partner, and the other way (Why 4)', () => {
    // Index 0 of r3 (oned's lease): 10.20.0.2 and the EUI-64 address of MAC 02:00:0a:14:00:02 under its /64.
    const six = expectOk(s.cli(['show', '2001:db8:100:1::aff:fe14:2']));
    assert.match(
      six,
      /^2001:db8:100:1:0:aff:fe14:2 is leased to OpenNebula \(request 4\) since \S+ \(range r3, pool public6; IPv4 partner 10\.20\.0\.2; MAC 02:00:0a:14:00:02\)$/m,
    );
    const four = expectOk(s.cli(['show', '10.20.0.2']));
    assert.match(
      four,
      /^10\.20\.0\.2 is leased to OpenNebula \(request 4\) since \S+ \(range r3, pool private; IPv6 partner 2001:db8:100:1:0:aff:fe14:2; MAC 02:00:0a:14:00:02\)$/m,
    );
    const free6 = expectOk(s.cli(['show', '2001:db8:100:1::aff:fe14:3']));
    assert.match(free6, /^2001:db8:100:1:0:aff:fe14:3 is free \(range r3, pool public6; IPv4 partner 10\.20\.0\.3\)$/m);
  });
});

describe('an IP6 range with no prefix and no IPv6 pool (link-local only, as oned allows)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({
      config: { pools: [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true }] },
    });
    s.register({ TYPE: 'IP6', SIZE: '16', MAC: '02:00:0a:00:00:10' }, '1');
  });
  after(() => s.cleanup());

  it('is registered and status says it is link-local only, metrics sees it (Why 1, 11)', () => {
    assert.match(expectOk(s.cli(['status'])), /^r1 +OpenNebula +- +link-local only +IP6 +SLAAC +16 +0 +16 /m);
    assert.match(
      expectOk(s.cli(['metrics'])),
      /^nebula_ipam_range_size_addresses\{[^}]*range="r1",family="ipv6"[^}]*\} 16$/m,
    );
  });
});
