/**
 * What the DNS edge must do against any real server (the BIND and PowerDNS test files run these
 * against theirs): records added, changed and removed as dig then sees them; a name somebody
 * else holds left alone (YXDOMAIN); a delete of data somebody changed refused (NXRRSET); a wrong
 * key one clear config error; readZone equal to dig's AXFR; a stopped server an error within the
 * timeout; a batch of 150 updates all in place.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DnsRecord, DnsUpdate } from '../../src/core/sync/target-records.ts';
import { IpamError } from '../../src/core/errors.ts';
import { applyUpdates } from '../../src/targets/dns/apply-updates.ts';
import { readZone, transferZone } from '../../src/targets/dns/read-zone.ts';
import { type DnsTestServer, ZONES } from './dns-test-server.ts';

const F = ZONES.forward;
const a = (name: string, data: string, ttl = 300): DnsRecord => ({ name: `${name}.${F}`, type: 'A', ttl, data });
const aaaa = (name: string, data: string): DnsRecord => ({ name: `${name}.${F}`, type: 'AAAA', ttl: 300, data });
const ptr4 = (last: number, target: string): DnsRecord => ({
  name: `${last}.${ZONES.classless}`,
  type: 'PTR',
  ttl: 300,
  data: `${target}.${F}`,
});
/** 2001:db8::<hex> in the /64 nibble zone. */
const ptr6 = (hex: string, target: string): DnsRecord => ({
  name: `${hex.padStart(16, '0').split('').reverse().join('.')}.${ZONES.nibble}`,
  type: 'PTR',
  ttl: 300,
  data: `${target}.${F}`,
});

const create = (zone: string, ...records: DnsRecord[]): DnsUpdate => ({
  zone,
  prerequisites: [...new Set(records.map((r) => r.name))].map((name) => ({ kind: 'name-not-in-use', name })),
  remove: [],
  add: records,
});
const replace = (zone: string, from: DnsRecord, to: DnsRecord): DnsUpdate => ({
  zone,
  prerequisites: [{ kind: 'rrset-equals', records: [from] }],
  remove: [from],
  add: [to],
});
const drop = (zone: string, ...records: DnsRecord[]): DnsUpdate => ({
  zone,
  prerequisites: records.map((r) => ({ kind: 'rrset-equals', records: [r] })),
  remove: records,
  add: [],
});

async function expectRejection(
  promise: Promise<unknown>,
  kind: IpamError['kind'],
  mentions: readonly string[],
): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof IpamError, `expected an IpamError of kind ${kind}, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  assert.doesNotMatch(error.message, /[\r\n]/);
  for (const text of mentions)
    assert.ok(error.message.includes(text), `the message names ${JSON.stringify(text)}: ${error.message}`);
  return error.message;
}

export interface ScenarioOptions {
  /** The server serves the RFC 2317 classless reverse zone. */
  readonly classless: boolean;
}

export function dnsEdgeScenarios(name: string, start: () => Promise<DnsTestServer>, options: ScenarioOptions): void {
  describe(`the DNS edge against ${name}`, { timeout: 120_000 }, () => {
    let dns: DnsTestServer;
    before(async () => {
      dns = await start();
    });
    after(async () => {
      await dns?.stop();
    });

    test('forward records (A, AAAA) are added, changed and removed, as dig sees them', async () => {
      assert.deepEqual(
        await applyUpdates(dns.server(), [create(F, a('vm-a', '192.0.2.10'), aaaa('vm-a', '2001:db8::10'))]),
        [{ applied: true }],
      );
      assert.deepEqual(await dns.lookup(`vm-a.${F}`, 'A'), ['192.0.2.10']);
      assert.deepEqual(await dns.lookup(`vm-a.${F}`, 'AAAA'), ['2001:db8::10']);
      assert.deepEqual(
        await applyUpdates(dns.server(), [replace(F, a('vm-a', '192.0.2.10'), a('vm-a', '192.0.2.11'))]),
        [{ applied: true }],
      );
      assert.deepEqual(await dns.lookup(`vm-a.${F}`, 'A'), ['192.0.2.11']);
      assert.deepEqual(
        await applyUpdates(dns.server(), [drop(F, a('vm-a', '192.0.2.11'), aaaa('vm-a', '2001:db8::10'))]),
        [{ applied: true }],
      );
      assert.deepEqual(await dns.lookup(`vm-a.${F}`, 'A'), []);
      assert.deepEqual(await dns.lookup(`vm-a.${F}`, 'AAAA'), []);
    });

    test('reverse records (PTR) in the nibble ip6.arpa zone are added, changed and removed', async () => {
      const first = ptr6('10', 'vm-a');
      assert.deepEqual(await applyUpdates(dns.server(), [create(ZONES.nibble, first)]), [{ applied: true }]);
      assert.deepEqual(await dns.lookup(first.name, 'PTR'), [`vm-a.${F}`]);
      const [reverse] = (await dns.dig('+short', '-x', '2001:db8::10')).split('\n');
      assert.equal(reverse, `vm-a.${F}.`, 'dig -x finds it by address');
      assert.deepEqual(await applyUpdates(dns.server(), [replace(ZONES.nibble, first, ptr6('10', 'vm-b'))]), [
        { applied: true },
      ]);
      assert.deepEqual(await dns.lookup(first.name, 'PTR'), [`vm-b.${F}`]);
      assert.deepEqual(await applyUpdates(dns.server(), [drop(ZONES.nibble, ptr6('10', 'vm-b'))]), [{ applied: true }]);
      assert.deepEqual(await dns.lookup(first.name, 'PTR'), []);
    });

    if (options.classless)
      test('reverse records (PTR) in the RFC 2317 classless zone are added, changed and removed', async () => {
        assert.deepEqual(await applyUpdates(dns.server(), [create(ZONES.classless, ptr4(10, 'vm-a'))]), [
          { applied: true },
        ]);
        assert.deepEqual(await dns.lookup(`10.${ZONES.classless}`, 'PTR'), [`vm-a.${F}`]);
        assert.deepEqual(
          await applyUpdates(dns.server(), [replace(ZONES.classless, ptr4(10, 'vm-a'), ptr4(10, 'vm-c'))]),
          [{ applied: true }],
        );
        assert.deepEqual(await dns.lookup(`10.${ZONES.classless}`, 'PTR'), [`vm-c.${F}`]);
        assert.deepEqual(await applyUpdates(dns.server(), [drop(ZONES.classless, ptr4(10, 'vm-c'))]), [
          { applied: true },
        ]);
        assert.deepEqual(await dns.lookup(`10.${ZONES.classless}`, 'PTR'), []);
      });

    test('a name somebody else holds is not taken: YXDOMAIN, and their record stays', async () => {
      const theirs = await dns.nsupdate(F, [`update add held.${F} 600 A 198.51.100.7`]);
      assert.equal(theirs.code, 0, theirs.stderr);
      const outcome = await applyUpdates(dns.server(), [create(F, a('held', '192.0.2.30'))]);
      assert.deepEqual(outcome, [{ applied: false, rcode: 'YXDOMAIN' }]);
      assert.deepEqual(await dns.lookup(`held.${F}`, 'A'), ['198.51.100.7']);
    });

    test('a delete of data somebody changed is refused: NXRRSET, and their record stays', async () => {
      assert.deepEqual(await applyUpdates(dns.server(), [create(F, a('moved', '192.0.2.40'))]), [{ applied: true }]);
      const theirs = await dns.nsupdate(F, [
        `update delete moved.${F} A 192.0.2.40`,
        `update add moved.${F} 300 A 192.0.2.41`,
      ]);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.deepEqual(await applyUpdates(dns.server(), [drop(F, a('moved', '192.0.2.40'))]), [
        { applied: false, rcode: 'NXRRSET' },
      ]);
      assert.deepEqual(await dns.lookup(`moved.${F}`, 'A'), ['192.0.2.41']);
    });

    test('a wrong TSIG secret is one clear config error naming the server and the key, and changes nothing', async () => {
      const wrong = dns.server(2_000, { ...dns.key, secret: Buffer.alloc(32, 9) });
      const where = `127.0.0.1:${dns.port}`;
      const message = await expectRejection(applyUpdates(wrong, [create(F, a('forged', '192.0.2.50'))]), 'config', [
        `Cannot update zone ${F} on ${where}`,
        'TSIG key "nebula"',
      ]);
      assert.match(message, /secret/);
      assert.deepEqual(await dns.lookup(`forged.${F}`, 'A'), []);
      await expectRejection(readZone(wrong, F), 'config', [`Cannot read zone ${F} on ${where}`, 'TSIG key "nebula"']);
      const unknown = dns.server(2_000, { ...dns.key, name: 'stranger' });
      await expectRejection(applyUpdates(unknown, [create(F, a('forged', '192.0.2.50'))]), 'config', [
        `Cannot update zone ${F} on ${where}`,
        'TSIG key "stranger"',
      ]);
      assert.deepEqual(await dns.lookup(`forged.${F}`, 'A'), []);
    });

    test('a zone the server does not serve: the update is not applied, the transfer a config error', async () => {
      const [outcome] = await applyUpdates(dns.server(), [
        create('elsewhere.example', { name: 'vm.elsewhere.example', type: 'A', ttl: 300, data: '192.0.2.80' }),
      ]);
      assert.equal(outcome?.applied, false);
      assert.ok(
        outcome !== undefined && !outcome.applied && ['NOTAUTH', 'NOTZONE', 'REFUSED'].includes(outcome.rcode),
        JSON.stringify(outcome),
      );
      await expectRejection(readZone(dns.server(), 'elsewhere.example'), 'config', [
        `Cannot read zone elsewhere.example on 127.0.0.1:${dns.port}`,
        'serves the zone',
      ]);
    });

    test('readZone returns what dig AXFR shows (A, AAAA, PTR, TXT), with the SOA serial', async () => {
      assert.deepEqual(
        await applyUpdates(dns.server(), [
          create(F, a('vm-z', '192.0.2.60'), aaaa('vm-z', '2001:db8::60'), {
            name: `vm-z.${F}`,
            type: 'TXT',
            ttl: 300,
            data: 'heritage=nebula-ipam,owner=test',
          }),
          create(ZONES.nibble, ptr6('60', 'vm-z')),
        ]),
        [{ applied: true }, { applied: true }],
      );
      for (const zone of [F, ZONES.nibble]) {
        const ours = (await readZone(dns.server(), zone))
          .map((r) => [r.name, String(r.ttl), r.type, r.data])
          .sort((x, y) => x.join(' ').localeCompare(y.join(' ')));
        const digs = (await dns.axfr(zone)).filter((fields) => ['A', 'AAAA', 'PTR', 'TXT'].includes(fields[2]!));
        assert.deepEqual(ours, digs, zone);
        assert.ok(ours.length > 0);
      }
      const serial = Number((await dns.lookup(F, 'SOA'))[0]!.split(' ')[2]);
      assert.equal((await transferZone(dns.server(), F)).serial, serial);
    });

    test('a server that stops answering (SIGSTOP) is an error naming it within the timeout, never a hang', async (t) => {
      dns.process.pause();
      t.after(() => dns.process.resume());
      const where = `127.0.0.1:${dns.port}`;
      await expectRejection(applyUpdates(dns.server(300), [create(F, a('stopped', '192.0.2.70'))]), 'store-io', [
        `Cannot update zone ${F} on ${where}`,
        'no answer within 300 ms',
      ]);
      await expectRejection(
        applyUpdates(dns.server(300), [create(F, a('stopped', '192.0.2.70')), create(F, a('stopped2', '192.0.2.71'))]),
        'store-io',
        [where, 'no answer within 300 ms'],
      );
      await expectRejection(readZone(dns.server(300), F), 'store-io', [
        `Cannot read zone ${F} on ${where}`,
        'no answer within 300 ms',
      ]);
      dns.process.resume();
      assert.deepEqual(await applyUpdates(dns.server(), [create(F, a('resumed', '192.0.2.72'))]), [{ applied: true }]);
    });

    test('150 updates in one batch (A, AAAA and PTR), and one update too big for UDP, are all in place', async () => {
      const updates: DnsUpdate[] = [];
      for (let i = 0; i < 150; i++) {
        updates.push(
          i % 3 === 2
            ? create(ZONES.nibble, ptr6((0x1000 + i).toString(16), `bulk-${i}`))
            : create(F, i % 3 === 0 ? a(`bulk-${i}`, `198.18.0.${i}`) : aaaa(`bulk-${i}`, `2001:db8::1:${i}`)),
        );
      }
      const outcomes = await applyUpdates(dns.server(), updates);
      assert.equal(outcomes.length, updates.length);
      // One update alone that no UDP datagram holds goes over TCP.
      const wide = Array.from({ length: 40 }, (_, i) => a(`wide-${i}`, `198.18.1.${i}`));
      assert.deepEqual(await applyUpdates(dns.server(), [create(F, ...wide)]), [{ applied: true }]);
      assert.deepEqual(
        outcomes.flatMap((outcome, i) => (outcome.applied ? [] : [`${i}: ${outcome.rcode}`])),
        [],
      );
      const forward = await readZone(dns.server(), F);
      const reverse = await readZone(dns.server(), ZONES.nibble);
      const names = new Set([...forward, ...reverse].map((r) => (r.type === 'PTR' ? r.data : r.name)));
      for (let i = 0; i < 150; i++) assert.ok(names.has(`bulk-${i}.${F}`), `bulk-${i} is in place`);
      for (let i = 0; i < 40; i++) assert.ok(names.has(`wide-${i}.${F}`), `wide-${i} is in place`);
      assert.deepEqual(await dns.lookup(`bulk-149.${F}`, 'A'), []);
      assert.deepEqual(await dns.lookup(`bulk-147.${F}`, 'A'), ['198.18.0.147']);
      assert.deepEqual(await dns.lookup(ptr6((0x1000 + 149).toString(16), '').name, 'PTR'), [`bulk-149.${F}`]);
    });

    test('a zone transfer of 3000 records over many messages (each checked, RFC 8945 5.3.1) reads them all', async () => {
      const zone = ZONES.nibble;
      const chunks = Array.from({ length: 10 }, (_, c) => ({
        zone,
        prerequisites: [],
        remove: [],
        add: Array.from({ length: 300 }, (_, i) => ptr6((0x20000 + c * 300 + i).toString(16), `many-${c * 300 + i}`)),
      }));
      assert.deepEqual(await applyUpdates(dns.server(), chunks), Array(10).fill({ applied: true }));
      const stats = /messages (\d+)/.exec(await dns.dig(zone, 'AXFR'));
      assert.ok(Number(stats?.[1]) > 1, `dig saw the transfer in ${stats?.[1]} messages`);
      const records = await readZone(dns.server(), zone);
      const targets = new Set(records.map((r) => r.data));
      for (let i = 0; i < 3000; i++) assert.ok(targets.has(`many-${i}.${F}`), `many-${i}`);
      assert.deepEqual(records.length, (await dns.axfr(zone)).filter((fields) => fields[2] === 'PTR').length);
    });
  });
}
