/**
 * A DNS target that drops the connection midway through a pass's updates (item 5): the updates
 * it answered before are reported as applied, the rest as not confirmed, in the report and in
 * its words. In-process, against a scripted TCP DNS server on 127.0.0.1 (no TSIG): it serves
 * every zone empty by AXFR, answers the first UPDATE message with NOERROR and closes the
 * connection on the second.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSync } from '../../../src/core/sync/describe-sync.ts';
import { tallyAfter } from '../../../src/core/sync/tally-after.ts';
import { MemoryStore } from '../../../src/store/memory/memory-store.ts';
import { syncPass } from '../../../src/sync/sync-pass.ts';
import { OPCODE } from '../../../src/targets/dns/wire-header.ts';
import { type DecodedMessage, encodeMessage } from '../../../src/targets/dns/wire-message.ts';
import { CLASS, TYPE } from '../../../src/targets/dns/wire-rdata.ts';
import { framed, scriptedDnsServer } from '../../support/scripted-dns-server.ts';
import { book, ip, lease, range, syncConfig } from '../../support/sync-fixtures.ts';

function reply(request: DecodedMessage, rcode: number, answers: DecodedMessage['answers'] = []): Buffer {
  return encodeMessage({
    header: { ...request.header, qr: true, rcode },
    questions: request.questions,
    answers,
    authority: [],
    additional: [],
  });
}

/** AXFR of any zone: its SOA twice (an empty zone); UPDATE: NOERROR to the first message, a drop on the next. */
async function scriptedServer(): Promise<{ port: number; updates: () => number; close: () => Promise<void> }> {
  let updates = 0;
  const server = await scriptedDnsServer((request, socket) => {
    const question = request.questions[0]!;
    if (request.header.opcode !== OPCODE.update && question.type === TYPE.AXFR) {
      const soa = {
        name: question.name,
        type: TYPE.SOA,
        class: CLASS.IN,
        ttl: 60,
        data: {
          kind: 'soa' as const,
          mname: `ns1.${question.name}`,
          rname: `admin.${question.name}`,
          serial: 1,
          refresh: 60,
          retry: 60,
          expire: 600,
          minimum: 60,
        },
        offset: 0,
      };
      socket.write(framed(reply(request, 0, [soa, soa])));
    } else if (++updates === 1) socket.write(framed(reply(request, 0)));
    else socket.destroy();
  });
  return { ...server, updates: () => updates };
}

test('a connection dropped midway through a pass: the answered zone counts as applied, the rest not confirmed', async (t) => {
  const dns = await scriptedServer();
  t.after(() => dns.close());
  const config = syncConfig(
    [
      {
        name: 'lan',
        network: '10.77.0.0/24',
        gateway: 'first',
        dnsNames: { forwardZone: 'cloud.example.com', server: 'bind' },
      },
    ],
    { targets: { bind: { type: 'rfc2136', host: '127.0.0.1', port: dns.port, timeoutMs: 2_000 } } },
  );
  const store = new MemoryStore(
    book([
      range('r1', { type: 'IP4', size: 4n, ip: ip('10.77.0.10'), pool: 'lan', leases: [lease(0, 1), lease(2, 3)] }),
    ]),
  );
  const report = await syncPass(
    store,
    config,
    {
      dns: () => ({ host: '127.0.0.1', port: dns.port, timeoutMs: 2_000 }),
      kea: () => assert.fail('no Kea target'),
    },
    { dryRun: false, now: () => Date.parse('2026-12-07T19:00:00.000Z'), hold: async () => 0 },
  );
  const updates = report.plan.dns.find((d) => d.target === 'bind')!.updates;
  assert.equal(updates.length, 8, 'four names in each of two zones');
  assert.ok(dns.updates() >= 2, `the second message was sent: ${dns.updates()}`);
  assert.equal(report.failures.length, 1, JSON.stringify(report.failures));
  assert.equal(report.failures[0]!.target, 'bind');

  // One zone's batch was answered: its four updates are applied, the other four have no answer.
  const said = report.outcomes.dns.bind ?? [];
  const answered = updates.map((_, i) => said[i]);
  const applied = answered.filter((o) => o?.applied === true).length;
  assert.equal(applied, 4, JSON.stringify(answered));
  assert.equal(answered.filter((o) => o === undefined).length, 4);
  const zoneOf = (i: number) => updates[i]!.zone;
  const appliedZones = new Set(answered.flatMap((o, i) => (o ? [zoneOf(i)] : [])));
  assert.equal(appliedZones.size, 1, 'the applied ones are the answered zone');

  const [bind] = tallyAfter(report.plan, report.outcomes);
  assert.deepEqual([bind!.done.add, bind!.unconfirmed, bind!.inPlace, bind!.pending], [4, 4, 4, 4]);
  const text = describeSync(report.plan, { applied: true, outcomes: report.outcomes });
  assert.match(text, /^DNS target bind: added 4 names; 4 not confirmed \(the target failed first\)\n/);
});
