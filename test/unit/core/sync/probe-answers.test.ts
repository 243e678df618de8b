/** What the probe's observations mean (issue 18 item 5): socket outcomes, the neighbour table, the holds. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIPv4 } from '../../../../src/core/address/ipv4.ts';
import { desiredState } from '../../../../src/core/sync/desired-state.ts';
import { plan } from '../../../../src/core/sync/plan.ts';
import {
  answeredTcp,
  completeNeighbours,
  probeHolds,
  withProbeHolds,
} from '../../../../src/core/sync/probe-answers.ts';
import { NOW } from '../../../support/sample-config.ts';
import { ip, syncBook, syncConfig } from '../../../support/sync-fixtures.ts';

test('a TCP connect accepted, refused (RST) or reset is an answer; silence, no route and local errors are not', () => {
  assert.equal(answeredTcp({ kind: 'connected' }), true);
  assert.equal(answeredTcp({ kind: 'error', code: 'ECONNREFUSED' }), true);
  assert.equal(answeredTcp({ kind: 'error', code: 'ECONNRESET' }), true);
  for (const code of ['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EMFILE', 'EADDRNOTAVAIL'])
    assert.equal(answeredTcp({ kind: 'error', code }), false, code);
  assert.equal(answeredTcp({ kind: 'timeout' }), false);
});

// As Linux 6.1 prints it (read in a network namespace: .9 answered, .8 was asked and did not).
const TABLE = `IP address       HW type     Flags       HW address            Mask     Device
127.77.0.8       0x1         0x0         00:00:00:00:00:00     *        pa
127.77.0.9       0x1         0x2         8e:20:db:17:97:c6     *        pa
10.0.0.1         0x1         0x6         52:54:00:12:34:56     *        eth0
10.0.0.2         0x1         0x2         00:00:00:00:00:00     *        eth0
not-an-address   0x1         0x2         52:54:00:12:34:57     *        eth0
10.0.0.3         0x1         zz          52:54:00:12:34:58     *        eth0

`;

test('/proc/net/arp: complete entries (flag 0x2, also when permanent) with a link-layer address; incomplete ones and junk lines are not', () => {
  const complete = [...completeNeighbours(TABLE)].map(formatIPv4);
  assert.deepEqual(complete, ['127.77.0.9', '10.0.0.1']);
  assert.deepEqual([...completeNeighbours('')], [], 'no table (not Linux): none');
  assert.deepEqual(
    [...completeNeighbours('IP address       HW type     Flags       HW address            Mask     Device\n')],
    [],
    'the header alone: none',
  );
});

const answers = [
  { address: ip('127.77.0.5'), pool: 'loop', by: { kind: 'tcp', port: 22 }, at: NOW },
  { address: ip('127.77.0.9'), pool: 'loop', by: { kind: 'arp' }, at: NOW },
] as const;

test('an answer is a hold from the probe whose reason says how and when', () => {
  assert.deepEqual(probeHolds(answers, NOW), [
    {
      family: 'ipv4',
      address: ip('127.77.0.5'),
      pool: 'loop',
      source: 'probe',
      reason: `answered TCP on port 22 at ${NOW}`,
      seenAt: NOW,
    },
    {
      family: 'ipv4',
      address: ip('127.77.0.9'),
      pool: 'loop',
      source: 'probe',
      reason: `answered ARP at ${NOW}`,
      seenAt: NOW,
    },
  ]);
});

test("the pass's plan gets the answers' holds after its own; an address it holds already keeps the plan's reason", () => {
  const planned = plan(desiredState(syncBook(), syncConfig()), { zones: [], dhcp: [] }, Date.parse(NOW));
  assert.equal(withProbeHolds(planned, [], Date.parse(NOW)), planned, 'no answer: the same plan');
  const dnsHold = { ...probeHolds([answers[1]], NOW)[0]!, source: 'dns' as const, reason: 'A record x on target bind' };
  const holding = { ...planned, holds: [dnsHold] };
  const later = '2024-05-01T12:00:05.000Z';
  const result = withProbeHolds(holding, answers, Date.parse(later));
  assert.deepEqual(
    result.holds.map((h) => [formatIPv4(h.address), h.source, h.seenAt]),
    [
      ['127.77.0.9', 'dns', NOW],
      ['127.77.0.5', 'probe', later],
    ],
  );
  assert.deepEqual(result.tallies, planned.tallies, 'nothing else of the plan changes');
});
