/** Guest-agent reports (observe.onevm) as holds: pure (issue 18 item 5). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAMILIES } from '../../../../src/core/address/family.ts';
import { recordHolds } from '../../../../src/core/book/holds.ts';
import { desiredState } from '../../../../src/core/sync/desired-state.ts';
import { guestAddresses, guestHolds, type GuestReport } from '../../../../src/core/sync/guest-holds.ts';
import { plan } from '../../../../src/core/sync/plan.ts';
import { ip, syncBook, syncConfig } from '../../../support/sync-fixtures.ts';

const at = (text: string) => ({ family: 'ipv4' as const, address: ip(text) });

test('GUEST_IP_ADDRESSES: comma-separated IPv4 and IPv6, spaces and junk skipped', () => {
  assert.deepEqual(
    guestAddresses(' 10.77.0.9, fe80::1,,not-an-ip,10.77.0.300').map((a) => FAMILIES[a.family].format(a.address)),
    ['10.77.0.9', 'fe80::1'],
  );
  assert.deepEqual(guestAddresses(''), []);
});

test('a free address of a pool a guest reports, or on a NIC, is held with the VM as reason; leased, gateway or outside addresses are not', () => {
  const book = syncBook();
  const config = syncConfig();
  const leased = book.ranges.flatMap((r) => (r.ip === undefined ? [] : r.leases.map((l) => r.ip! + l.first)));
  assert.ok(leased.length > 0, 'the fixture leases something');
  const reports: GuestReport[] = [
    {
      id: 42,
      name: 'web-1',
      nics: [{ family: 'ipv4', address: leased[0]! }],
      guest: [{ family: 'ipv4', address: leased[0]! }, at('10.77.0.1'), at('192.0.2.7'), at('10.77.0.250')],
    },
    { id: 43, name: 'db', nics: [at('10.77.0.251')], guest: [at('10.77.0.251')] },
    // No guest agent: its NIC's address, free in the book, is oned's word that it is in use.
    { id: 44, name: 'quiet', nics: [at('10.77.0.252'), { family: 'ipv4', address: leased[0]! }], guest: [] },
  ];
  const holds = guestHolds(book, config, reports);
  assert.deepEqual(
    holds.map((h) => [FAMILIES[h.family].format(h.address), h.pool, h.source, h.reason]),
    [
      ['10.77.0.250', 'lan', 'vm', 'guest agent of VM 42 (web-1) reports it'],
      [
        '10.77.0.251',
        'lan',
        'vm',
        "guest agent of VM 43 (db) reports it (its NIC's address, which the book does not lease)",
      ],
      ['10.77.0.252', 'lan', 'vm', 'VM 44 (quiet) has it on a NIC, which the book does not lease'],
    ],
  );
  // Through plan, stamped with the pass's time; recorded, a report seen again changes nothing.
  const now = Date.parse('2026-12-07T20:00:00.000Z');
  const planned = plan(desiredState(book, config), { zones: [], dhcp: [], guests: reports }, now);
  assert.deepEqual(
    planned.holds.map((h) => [FAMILIES[h.family].format(h.address), h.seenAt]),
    [
      ['10.77.0.250', '2026-12-07T20:00:00.000Z'],
      ['10.77.0.251', '2026-12-07T20:00:00.000Z'],
      ['10.77.0.252', '2026-12-07T20:00:00.000Z'],
    ],
  );
  const held = recordHolds(book, planned.holds);
  assert.equal(recordHolds(held, planned.holds), held);
  // No report at all (onevm not read, or the VM gone): the holds stay, nothing is freed.
  const later = plan(desiredState(held, config), { zones: [], dhcp: [] }, now + 60_000);
  assert.deepEqual(later.holds, []);
  assert.equal(recordHolds(held, later.holds), held);
});
