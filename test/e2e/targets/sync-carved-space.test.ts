/**
 * A record somebody else wrote for an address of a range's carved subnet that the range does not
 * cover (item 3): `sync` against a real BIND 9 reports it (text and --json), holds it, and
 * leaves the record alone; once the range is gone, the range carved there in its place refuses
 * the address to oned. The bundle as separate processes, the record planted with `nsupdate`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBind } from '../../support/bind-server.ts';
import { type DnsTestServer, ZONES } from '../../support/dns-test-server.ts';
import { expectFailure } from '../../support/driver-assert.ts';
import { expectHold } from '../../support/sync-holds.ts';
import { createSyncSandbox, type SyncSandbox } from '../../support/sync-sandbox.ts';

describe('a foreign record in a carved subnet outside its range, against BIND 9', () => {
  let server: DnsTestServer;
  let s: SyncSandbox;
  before(async () => {
    server = await startBind();
    s = createSyncSandbox(server, { size: 4 });
  });
  after(async () => {
    s?.cleanup();
    await server?.stop();
  });

  it('is reported and held, never deleted, and the next range carved there never hands it out', async () => {
    // The AR has 4 addresses at the start of the /26 carved for it; .40 is in none of them.
    const nas = `nas.${ZONES.forward}`;
    const planted = '192.0.2.40';
    assert.ok(s.ar.indexOf(planted) >= s.ar.size, `${planted} is outside the AR (${s.ar.attrs.IP}+${s.ar.size})`);
    assert.equal((await server.nsupdate(ZONES.forward, [`update add ${nas} 600 A ${planted}`])).code, 0);

    const since = Date.now();
    const sync = s.cli(['sync']);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.match(sync.stdout, /^1 record on addresses of carved subnets outside their range/m);
    assert.match(
      sync.stdout,
      new RegExp(
        `^  ${nas.replaceAll('.', '\\.')} A 192\\.0\\.2\\.40 .*names 192\\.0\\.2\\.40, in the subnet of range r1`,
        'm',
      ),
    );
    expectHold(s, planted, 'dns', `A record ${nas} on target dns`, since);

    const json = s.json<{ plan: { carvedSpace: { address: string; range: string; pool: string }[] } }>(['sync']);
    assert.deepEqual(
      json.plan.carvedSpace.map((c) => [c.address, c.range, c.pool]),
      [[planted, 'r1', 'p']],
    );
    assert.deepEqual(await server.lookup(nas, 'A'), [planted], 'the record is left as it is');

    // The range goes (onevnet rmar); the next AR is carved in the same /26 and covers .40.
    const removed = s.run('unregister_address_range', s.ar.unregisterXml('rmar'));
    assert.equal(removed.code, 0, removed.stderr);
    const next = s.register({ SIZE: '61' });
    assert.equal(next.attrs.IP, s.ar.attrs.IP, 'carved where the old range was');
    const index = next.indexOf(planted);
    assert.ok(index < next.size);
    expectFailure(s.run('allocate_address', next.allocateXml(index)), 5, [planted, 'it is held', nas]);
  });
});
