/** The probe's candidates (issue 18 item 5): what get_address would give next, never a leased, held or reserved address. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAMILIES } from '../../../../src/core/address/family.ts';
import { probeCandidates, probeHolds } from '../../../../src/core/sync/probe-candidates.ts';
import { configWith, NOW } from '../../../support/sample-config.ts';
import { book, ip, lease, range } from '../../../support/sync-fixtures.ts';

const config = configWith([
  { name: 'p', network: '10.9.0.0/24', probe: { icmp: true, next: 3 } },
  { name: 'q', network: '10.8.0.0/24' },
]);
const shown = (list: readonly { address: bigint }[]) => list.map((c) => FAMILIES.ipv4.format(c.address));

test('from the cursor round the range, skipping leases, holds, held-back and reserved addresses; pools without probe give none', () => {
  const r = range('r1', {
    type: 'IP4',
    size: 8n,
    ip: ip('10.9.0.0'),
    pool: 'p',
    nextIndex: 5n,
    leases: [lease(5, 5)],
    oned: { used: 1n, held: 1n, since: NOW, heldBack: [{ first: 7n, last: 7n }] },
  });
  const b = {
    ...book([r, range('r2', { type: 'IP4', size: 4n, ip: ip('10.8.0.10'), pool: 'q' })]),
    holds: [
      {
        family: 'ipv4' as const,
        address: ip('10.9.0.6'),
        pool: 'p',
        source: 'dns' as const,
        reason: 'x',
        firstSeen: NOW,
        lastSeen: NOW,
      },
    ],
  };
  // .0 is the network address and .1 the gateway, .5 leased, .6 held, .7 held back: from index 5 round, .2 .3 .4.
  assert.deepEqual(shown(probeCandidates(b, config)), ['10.9.0.2', '10.9.0.3', '10.9.0.4']);
  assert.deepEqual(shown(probeCandidates(book([{ ...r, leases: [lease(0, 7)] }]), config)), [], 'a full range: none');
  const [hold] = probeHolds([{ family: 'ipv4', address: ip('10.9.0.1'), pool: 'p', at: NOW }]);
  assert.deepEqual([hold!.source, hold!.reason], ['probe', `answered ICMP echo at ${NOW}`]);
});
