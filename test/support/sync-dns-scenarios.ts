/**
 * `nebula-ipam sync` end to end against a real DNS server (BIND 9, PowerDNS): the bundle as
 * separate processes, leases through the action links as oned makes them, records checked with
 * `dig` and planted with `nsupdate` (clients that are not ours).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectCliFailure } from './cli-harness.ts';
import { type DnsTestServer, ZONES } from './dns-test-server.ts';
import { createSyncSandbox, type SyncSandbox } from './sync-sandbox.ts';
import { expectHold, heldUntilReleased } from './sync-holds.ts';

export function syncDnsScenarios(kind: string, start: () => Promise<DnsTestServer>): void {
  describe(`sync against ${kind}`, () => {
    let server: DnsTestServer;
    let s: SyncSandbox;
    before(async () => {
      server = await start();
      s = createSyncSandbox(server);
    });
    after(async () => {
      s?.cleanup();
      await server?.stop();
    });

    it('puts the A and PTR records of a lease and of an operator lease; a second pass changes nothing', async () => {
      const ip = s.lease();
      // (`lease --mac`, for the operator lease's DHCP entry, is not there yet: DNS only.)
      const operator = s.cli(['lease', '--pool', 'p', '--ip', '192.0.2.40', '--owner', 'bm']);
      assert.equal(operator.code, 0, operator.stderr);
      const first = s.cli(['sync']);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /DNS target dns: added 4 names/);
      for (const address of [ip, '192.0.2.40']) {
        assert.deepEqual(await server.lookup(s.nameOf(address), 'A'), [address]);
        assert.deepEqual(await server.lookup(s.ptrOf(address), 'PTR'), [s.nameOf(address)]);
      }
      const again = s.cli(['sync']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^Nothing to change: 4 DNS records on dns in place\./);
      // The zones' own records (ns1) lie outside the pool: nothing of the server's is held.
      assert.equal(s.cli(['hold', 'list']).stdout, 'No holds.\n');
    });

    it('--dry-run shows the change and makes none (exit 1); the free removes the records on the next pass', async () => {
      assert.equal(s.cli(['sync']).code, 0, 'in step before');
      const ip = s.lease();
      const before = await server.axfr(ZONES.forward);
      const dry = s.cli(['sync', '--dry-run']);
      assert.equal(dry.code, 1, dry.stderr);
      assert.match(dry.stdout, new RegExp(`would add 2 names[^]*${s.nameOf(ip).replaceAll('.', '\\.')} A ${ip}`));
      assert.deepEqual(await server.axfr(ZONES.forward), before, 'a dry run sends nothing');
      assert.equal(s.cli(['sync']).code, 0);
      assert.deepEqual(await server.lookup(s.nameOf(ip), 'A'), [ip]);
      s.free(ip);
      const removed = s.cli(['sync']);
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.stdout, /deleted 2 names/);
      assert.deepEqual(await server.lookup(s.nameOf(ip), 'A'), []);
      assert.deepEqual(await server.lookup(s.ptrOf(ip), 'PTR'), []);
      assert.deepEqual(await server.lookup(`_nebula-ipam.${s.nameOf(ip)}`, 'TXT'), [], 'the ownership mark goes too');
    });

    it('a name somebody else holds is a conflict (exit 1), left exactly as it was', async () => {
      // A lease comes, and somebody else takes its name before sync runs.
      const next = s.lease();
      const planted = await server.nsupdate(ZONES.forward, [`update add ${s.nameOf(next)} 600 A 198.51.100.7`]);
      assert.equal(planted.code, 0, planted.stderr);
      const result = s.cli(['sync']);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`${s.nameOf(next).replaceAll('.', '\\.')} .*is held by records nebula-ipam did not write`),
      );
      assert.deepEqual(await server.lookup(s.nameOf(next), 'A'), ['198.51.100.7']);
      assert.deepEqual(await server.lookup(`_nebula-ipam.${s.nameOf(next)}`, 'TXT'), []);
    });

    it('a key the server refuses: one line naming the target and the key, exit 4, nothing written', async () => {
      const wrong = createSyncSandbox(server, { secret: Buffer.alloc(32, 7) });
      try {
        wrong.lease();
        const zone = await server.axfr(ZONES.forward);
        expectCliFailureLine(wrong.cli(['sync']), 4, ['dns', server.key.name]);
        assert.deepEqual(await server.axfr(ZONES.forward), zone);
      } finally {
        wrong.cleanup();
      }
    });
  });
}

/**
 * A planted record (somebody else's, by nsupdate) on a free address of the pool: the pass holds
 * it and leaves it; get_address never hands it out, allocate_address of it fails in one line;
 * `hold release` makes it available again, and then it is a conflict, still left alone.
 */
export function syncDnsHoldScenario(kind: string, start: () => Promise<DnsTestServer>): void {
  describe(`sync against ${kind}: a planted record inside the pool becomes a hold`, () => {
    let server: DnsTestServer;
    let s: SyncSandbox;
    before(async () => {
      server = await start();
      s = createSyncSandbox(server, { size: 4 });
    });
    after(async () => {
      s?.cleanup();
      await server?.stop();
    });

    it('held with reason and time, never handed out until released, and the record never touched', async () => {
      const first = s.ar.attrs.IP!;
      const planted = first.replace(/\d+$/, (last) => String(Number(last) + 2));
      const printer = `printer.${ZONES.forward}`;
      assert.equal((await server.nsupdate(ZONES.forward, [`update add ${printer} 600 A ${planted}`])).code, 0);
      const since = Date.now();
      const sync = s.cli(['sync']);
      assert.equal(sync.code, 0, sync.stdout + sync.stderr);
      assert.match(sync.stdout, /^Held 1 address seen in use outside the book \(nebula-ipam hold list\)$/m);
      expectHold(s, planted, 'dns', `A record ${printer} on target dns`, since);

      const { filled, conflict } = heldUntilReleased(s, planted, printer);
      assert.match(filled, /DNS target dns: added 6 names/);
      assert.deepEqual(await server.lookup(printer, 'A'), [planted], 'the planted record is left as it is');
      // Now the book leases it: the foreign record is a conflict, reported and still left alone.
      assert.match(
        conflict,
        new RegExp(
          `${printer.replaceAll('.', '\\.')} A ${planted.replaceAll('.', '\\.')} .*names ${planted.replaceAll('.', '\\.')}, leased`,
        ),
      );
      assert.deepEqual(await server.lookup(printer, 'A'), [planted]);
    });
  });
}

/**
 * A sync that failed for a target: the exit code and exactly one stderr line naming every
 * `mention` (no "Lease book" line after a failure). stdout may say what was not read.
 */
export function expectCliFailureLine(
  result: { code: number; stdout: string; stderr: string },
  code: number,
  mentions: readonly string[],
): string {
  return expectCliFailure({ ...result, stdout: '' }, code, mentions);
}
