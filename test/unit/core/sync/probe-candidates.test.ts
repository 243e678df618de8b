/** The probe's candidates (issue 18 item 5): what get_address would give next, never a leased, held or reserved address. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIPv4 } from '../../../../src/core/address/ipv4.ts';
import { probeCandidates } from '../../../../src/core/sync/probe-candidates.ts';
import { configWith, NOW } from '../../../support/sample-config.ts';
import { book, ip, lease, range } from '../../../support/sync-fixtures.ts';

const config = configWith([
  { name: 'p', network: '10.9.0.0/24', probe: { port: 2222, next: 3, timeoutMs: 500 } },
  { name: 'q', network: '10.8.0.0/24' },
]);
const shown = (list: readonly { address: bigint }[]) => list.map((c) => formatIPv4(c.address));
const r1 = range('r1', {
  type: 'IP4',
  size: 8n,
  ip: ip('10.9.0.0'),
  pool: 'p',
  nextIndex: 5n,
  leases: [lease(5, 5)],
  oned: { used: 1n, held: 1n, since: NOW, heldBack: [{ first: 7n, last: 7n }] },
});
const held = {
  family: 'ipv4' as const,
  address: ip('10.9.0.6'),
  pool: 'p',
  source: 'dns' as const,
  reason: 'x',
  firstSeen: NOW,
  lastSeen: NOW,
};

test('from the cursor round the range, skipping leases, holds, held-back and reserved addresses; pools without probe give none', () => {
  const b = { ...book([r1, range('r2', { type: 'IP4', size: 4n, ip: ip('10.8.0.10'), pool: 'q' })]), holds: [held] };
  // .0 is the network address and .1 the gateway, .5 leased, .6 held, .7 held back: from index 5 round, .2 .3 .4.
  const candidates = probeCandidates(b, config);
  assert.deepEqual(shown(candidates), ['10.9.0.2', '10.9.0.3', '10.9.0.4']);
  assert.deepEqual(
    candidates.map(({ pool, port, timeoutMs }) => [pool, port, timeoutMs]),
    [
      ['p', 2222, 500],
      ['p', 2222, 500],
      ['p', 2222, 500],
    ],
    "each candidate carries its pool's port and timeout",
  );
});

test('a full range gives none; fewer free addresses than next give what there is', () => {
  assert.deepEqual(shown(probeCandidates(book([{ ...r1, leases: [lease(0, 7)] }]), config)), []);
  const { oned: _, ...withoutOned } = r1;
  const nearlyFull = { ...withoutOned, leases: [lease(3, 6)] };
  // Free: .2 and .7 (.0 is the network address, .1 the gateway, .3-.6 leased): from the cursor (5), .7 first.
  assert.deepEqual(shown(probeCandidates(book([nearlyFull]), config)), ['10.9.0.7', '10.9.0.2']);
});
