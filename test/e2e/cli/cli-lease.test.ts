/**
 * The operator's side of the books, black-box: oned registers and leases through the action
 * links, an operator leases for bare-metal hosts with `nebula-ipam`, and each sees the other.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';
import { SAMPLE_CONFIG } from '../../support/sample-config.ts';

interface LeaseJson {
  range: string;
  addresses: string;
  newRange: boolean;
  gateway?: string;
  netmask?: string;
  dns: string[];
}

describe('nebula-ipam lease and release, beside oned', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: SAMPLE_CONFIG });
  });
  after(() => s.cleanup());

  it('leases for a bare-metal host from the pool oned carves from, and oned steps around it', () => {
    const ar = s.register({ SIZE: '10' }, '7');
    assert.equal(ar.attrs.IP, '10.20.0.3');
    // The operator takes an address inside OpenNebula's range...
    const mine = s.json<LeaseJson>([
      'lease',
      '--pool',
      'private',
      '--ip',
      '10.20.0.3',
      '--owner',
      'bm-01',
      '--note',
      'rack 4',
    ]);
    assert.equal(mine.range, 'r1');
    assert.equal(mine.gateway, '10.20.0.1');
    // ...so oned's next get_address skips it,
    const got = expectReply(s.run('get_address', ar.getXml(1), { requestId: '8' }), 'ADDRESS');
    assert.equal(got.get('IP'), '10.20.0.4');
    ar.noteLeased(1n);
    // allocating it explicitly is refused, naming the owner,
    const refused = expectFailure(s.run('allocate_address', ar.allocateXml(0n)), 5);
    assert.match(refused, /10\.20\.0\.3/);
    // and oned freeing it (onevnet release) leaves the operator's lease alone.
    expectQuietSuccess(s.run('free_address', ar.freeXml(0n)));
    assert.match(expectOk(s.cli(['show', '10.20.0.3'])), /^10\.20\.0\.3 is leased to "bm-01" \(operator lease\)/);
  });

  it('with --count, takes a block from a new operator range and prints what the host needs', () => {
    const out = expectOk(s.cli(['lease', '--pool', 'private', '--count', '3', '--owner', 'bm-02']));
    assert.match(out, /^Leased 10\.20\.1\.2-10\.20\.1\.4 to "bm-02" \(range r2, new, pool private\)\n/);
    assert.match(out, /network {2}10\.20\.1\.0\/24 \(netmask 255\.255\.255\.0\)/);
    assert.match(out, /gateway {2}10\.20\.1\.1/);
    // The next register carves past the operator's subnet.
    assert.equal(s.register({ SIZE: '10' }, '9').attrs.IP, '10.20.2.2');
    // And the next operator lease fills the same operator range.
    assert.equal(s.json<LeaseJson>(['lease', '--pool', 'private', '--owner', 'bm-03']).addresses, '10.20.1.5');
  });

  it('refuses an unknown pool, an address outside every pool, a taken or reserved address, leaving the book byte-identical', () => {
    const bytes = s.bookBytes();
    expectCliFailure(s.cli(['lease', '--pool', 'nope', '--owner', 'x']), 5, ['"nope"', 'private, public6']);
    expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '172.16.0.9', '--owner', 'x']), 5, [
      '172.16.0.9',
      '10.20.0.0/16',
    ]);
    expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '10.20.0.4', '--owner', 'x']), 5, [
      '10.20.0.4',
      'OpenNebula (request 8)',
    ]);
    expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '10.20.1.3', '--owner', 'x']), 5, [
      '10.20.1.3',
      '"bm-02"',
    ]);
    expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '10.20.1.1', '--owner', 'x']), 5, [
      '10.20.1.1',
      'gateway',
    ]);
    expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '10.20.255.9', '--owner', 'x']), 5, [
      '10.20.255.0/24',
    ]);
    expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '10.20.0.300', '--owner', 'x']), 2, ['10.20.0.300']);
    expectCliFailure(s.cli(['lease', '--pool', 'private', '--count', '2', '--ip', '10.20.9.9', '--owner', 'x']), 2, [
      '--count or --ip',
    ]);
    expectCliFailure(s.cli(['lease', '--pool', 'private']), 2, ['--owner']);
    expectCliFailure(s.cli(['release', '--ip', '10.20.0.4']), 5, ['10.20.0.4', 'OpenNebula', '--force']);
    expectCliFailure(s.cli(['release', '--ip', '10.20.0.9']), 5, ['10.20.0.9', 'not leased']);
    expectCliFailure(s.cli(['release', '--owner', 'nobody']), 5, ['"nobody"']);
    assert.deepEqual(s.bookBytes(), bytes);
  });

  it('releases by address and by owner, and never frees what oned holds', () => {
    expectOk(s.cli(['lease', '--pool', 'private', '--ip', '10.20.1.10', '--owner', 'bm-02']));
    const released = s.json<{ released: { range: string; addresses: string }[] }>(['release', '--owner', 'bm-02']);
    assert.deepEqual(
      released.released.map((r) => r.addresses),
      ['10.20.1.2-10.20.1.4', '10.20.1.10'],
    );
    expectOk(s.cli(['release', '--ip', '10.20.0.3']));
    const leases = s.json<{ leases: { addresses: string; holder: string; owner?: string }[] }>(['leases']);
    assert.deepEqual(
      leases.leases.map((l) => `${l.addresses} ${l.holder} ${l.owner ?? ''}`.trim()),
      ['10.20.0.4 opennebula', '10.20.1.5 operator bm-03'],
    );
  });

  it('releases an OpenNebula lease with --force, and then oned can hand it out again', () => {
    expectOk(s.cli(['release', '--ip', '10.20.0.4', '--force']));
    const ar = s.register({ SIZE: '2', IP: '10.20.3.10', TYPE: 'IP4' });
    assert.equal(ar.attrs.NEBULA_IPAM_RANGE, 'r4');
    assert.equal(s.json<{ leases: unknown[] }>(['leases', '--range', 'r1']).leases.length, 0);
  });

  it('adds and removes an operator range, refusing OpenNebula ranges and ranges with leases', () => {
    const added = s.json<{ range: string; addresses: string }>([
      'range',
      'add',
      '--pool',
      'private',
      '--size',
      '8',
      '--owner',
      'rack7',
    ]);
    assert.equal(added.addresses, '10.20.4.2-10.20.4.9');
    expectOk(s.cli(['lease', '--pool', 'private', '--owner', 'rack7']));
    const bytes = s.bookBytes();
    expectCliFailure(s.cli(['range', 'remove', added.range]), 5, [added.range, '1 lease', '--force']);
    expectCliFailure(s.cli(['range', 'remove', 'r1']), 5, ['r1', 'onevnet rmar']);
    expectCliFailure(s.cli(['range', 'remove', 'r99']), 5, ['"r99"']);
    expectCliFailure(s.cli(['range', 'add', '--pool', 'private', '--size', '4', '--ip', '10.20.0.8']), 5, [
      'overlaps range r1',
    ]);
    expectCliFailure(s.cli(['range', 'add', '--pool', 'private']), 2, ['--size']);
    assert.deepEqual(s.bookBytes(), bytes);
    assert.match(expectOk(s.cli(['range', 'remove', added.range, '--force'])), /Removed range r5 .* with 1 lease/);
  });

  it('leases IPv6 addresses from an IPv6 pool', () => {
    const v6 = s.json<LeaseJson>(['lease', '--pool', 'public6', '--ip', '2001:db8:100:7::20', '--owner', 'v6host']);
    assert.equal(v6.addresses, '2001:db8:100:7::20');
    assert.match(expectOk(s.cli(['show', '2001:db8:100:7::20'])), /leased to "v6host"/);
    expectCliFailure(s.cli(['lease', '--pool', 'public6', '--ip', '2001:db8:100:7::', '--owner', 'x']), 5, [
      'network address',
    ]);
  });

  it('records every change in the audit log with the operator as actor', () => {
    const lines = fs
      .readFileSync(`${s.bookPath}.audit.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    const leases = lines.filter((l) => l.action === 'lease' && l.result === 'ok');
    assert.ok(leases.length >= 5);
    for (const line of leases) assert.match(line.actor!, /^cli:./);
    assert.ok(lines.some((l) => l.actor === 'oned:8' && l.action === 'get_address' && l.addresses === '10.20.0.4'));
    const failed = lines.find((l) => l.action === 'lease' && l.result === 'error');
    assert.match(failed?.error ?? '', /^Cannot lease/);
  });
});

describe('lease --ip in free pool space grows the operator range next to it (issue 19 Why 11, build item 4)', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: SAMPLE_CONFIG });
  });
  after(() => s.cleanup());

  it('consecutive hosts share one range, grown at either end; another subnet or owner gets its own', () => {
    const first = s.json<LeaseJson>(['lease', '--pool', 'private', '--ip', '10.20.7.10', '--owner', 'bm-01']);
    assert.deepEqual([first.range, first.newRange], ['r1', true]);
    const next = s.json<LeaseJson>(['lease', '--pool', 'private', '--ip', '10.20.7.11', '--owner', 'bm-02']);
    assert.deepEqual([next.range, next.newRange, next.addresses], ['r1', false, '10.20.7.11']);
    const below = s.json<LeaseJson>(['lease', '--pool', 'private', '--ip', '10.20.7.9', '--owner', 'bm-03']);
    assert.deepEqual([below.range, below.newRange, below.addresses], ['r1', false, '10.20.7.9']);
    // Each host still holds its own address after the range grew below them.
    const leases = expectOk(s.cli(['leases', '--range', 'r1']));
    assert.match(leases, /^r1 +10\.20\.7\.9 +1 +operator +bm-03 /m);
    assert.match(leases, /^r1 +10\.20\.7\.10 +1 +operator +bm-01 /m);
    assert.match(leases, /^r1 +10\.20\.7\.11 +1 +operator +bm-02 /m);
    assert.match(expectOk(s.cli(['show', 'r1'])), /^ {2}addresses +10\.20\.7\.9 - 10\.20\.7\.11 \(3\)$/m);
    // Not adjacent, or across a subnet boundary: a range of its own.
    assert.equal(
      s.json<LeaseJson>(['lease', '--pool', 'private', '--ip', '10.20.7.20', '--owner', 'bm-04']).range,
      'r2',
    );
    assert.equal(
      s.json<LeaseJson>(['lease', '--pool', 'private', '--ip', '10.20.8.2', '--owner', 'bm-05']).range,
      'r3',
    );
    // A range given to another owner (range add --owner) is theirs: not grown for someone else.
    expectOk(s.cli(['range', 'add', '--pool', 'private', '--ip', '10.20.9.10', '--size', '2', '--owner', 'rack7']));
    assert.equal(
      s.json<LeaseJson>(['lease', '--pool', 'private', '--ip', '10.20.9.12', '--owner', 'bm-06']).range,
      'r5',
    );
    assert.equal(
      s.json<LeaseJson>(['lease', '--pool', 'private', '--ip', '10.20.9.13', '--owner', 'rack7']).range,
      'r5',
    );
  });
});
