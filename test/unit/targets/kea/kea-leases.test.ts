/** Kea 2.2's lease JSON as the core's entries: our mark, the MAC, the expiry, an empty hostname. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOurs, leasesOf, observedLease } from '../../../../src/targets/kea/kea-leases.ts';
import { recorded } from '../../../support/fake-kea-agent.ts';

test('a recorded lease4-get-all: the lease with our mark is ours, the one without is not', () => {
  const [answer] = recorded('lease4-get-all') as [{ arguments: unknown }];
  const entries = leasesOf(answer.arguments).map((lease) => observedLease('ipv4', lease, undefined));
  assert.deepEqual(
    entries.map((e) => [e.address, e.mac, e.hostname, e.ours]),
    [
      ['10.77.0.11', '52:54:00:12:34:56', undefined, false],
      ['10.77.0.50', '02:00:00:00:00:01', 'vm-50.cloud.example.com', true],
    ],
  );
  const raw = (answer.arguments as { leases: { cltt: number; 'valid-lft': number }[] }).leases[1]!;
  assert.equal(entries[1]!.expiresAt, raw.cltt + raw['valid-lft']);
});

test('a recorded lease4-get (one lease as the arguments) and an empty answer', () => {
  const [one] = recorded('lease4-get') as [{ arguments: unknown }];
  assert.deepEqual(
    leasesOf(one.arguments).map((l) => l['ip-address']),
    ['10.77.0.50'],
  );
  const [empty] = recorded('lease4-get-empty') as [{ arguments?: unknown }];
  assert.deepEqual(leasesOf(empty.arguments), []);
});

test('the mark: another owner, a mark that is not an object, or a context without it is not ours', () => {
  assert.equal(isOurs({ 'nebula-ipam': {} }, undefined), true);
  assert.equal(isOurs({ 'nebula-ipam': { owner: 'a' } }, 'a'), true);
  assert.equal(isOurs({ 'nebula-ipam': { owner: 'a' } }, 'b'), false);
  assert.equal(isOurs({ 'nebula-ipam': {} }, 'a'), false);
  assert.equal(isOurs({ 'nebula-ipam': 'yes' }, undefined), false);
  assert.equal(isOurs({ other: {} }, undefined), false);
  assert.equal(isOurs(undefined, undefined), false);
});
