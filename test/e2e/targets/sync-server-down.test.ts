/**
 * A DNS server hung (SIGSTOP), then stopped, while oned leases: every lease succeeds (driver
 * actions never wait for a target), `sync` says the target is down (exit 8) and writes nothing,
 * and once BIND runs again on the same port the next pass puts every record.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBind } from '../../support/bind-server.ts';
import { startProcess, waitFor } from '../../support/dns-server-process.ts';
import { ZONES } from '../../support/dns-test-server.ts';
import { createSyncSandbox } from '../../support/sync-sandbox.ts';

describe('BIND hung, then stopped, during 50 leases', () => {
  let bind: Awaited<ReturnType<typeof startBind>>;
  let s: ReturnType<typeof createSyncSandbox>;
  let again: ReturnType<typeof startProcess> | undefined;
  const leased: string[] = [];
  before(async () => {
    bind = await startBind();
    s = createSyncSandbox(bind, { timeoutMs: 2000 });
  });
  after(async () => {
    s?.cleanup();
    await again?.stop();
    await bind?.stop();
  });

  it('every lease succeeds and sync says the target is down (exit 8), hung and stopped', async () => {
    bind.process.pause();
    for (let i = 0; i < 25; i++) leased.push(s.lease());
    const hung = s.cli(['sync']);
    assert.equal(hung.code, 8, hung.stdout + hung.stderr);
    assert.match(hung.stderr, /Cannot sync target dns: /);
    assert.match(hung.stdout, /Not read, so not synced/);
    await bind.process.stop();
    for (let i = 0; i < 25; i++) leased.push(s.lease());
    assert.equal(new Set(leased).size, 50, 'fifty different addresses');
    const down = s.cli(['sync']);
    assert.equal(down.code, 8, down.stdout + down.stderr);
    assert.match(down.stderr, /Cannot sync target dns: /);
  });

  it('started again on the same port, the next pass puts every record', async () => {
    again = startProcess('/usr/sbin/named', ['-g', '-n', '1', '-c', path.join(bind.dir, 'named.conf')], bind.dir);
    await waitFor(
      'BIND answering again',
      15_000,
      async () => (await bind.lookup(ZONES.forward, 'SOA').catch(() => [])).length === 1,
      () => again!.output().slice(-2000),
    );
    const back = s.cli(['sync']);
    assert.equal(back.code, 0, back.stdout + back.stderr);
    for (const ip of leased) assert.deepEqual(await bind.lookup(s.nameOf(ip), 'A'), [ip], ip);
  });
});
