/**
 * Reconcile as an operator reads it (issue 19 item 3): leases are counted one way, in the dry run
 * and in the rebuild alike, and "agree" is said only when something was compared.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import {
  createSandbox,
  OnedAr,
  registerXml,
  type DriverSandbox,
  type RunResult,
} from '../../support/driver-harness.ts';
import { onevnetList } from '../../support/onevnet-list.ts';
import { ISSUE2_POOLS } from '../../support/sample-config.ts';

const cli = (sandbox: DriverSandbox, ...args: string[]): RunResult => sandbox.runRaw('nebula-ipam', { args });

function saveDocument(sandbox: DriverSandbox, xml: string): string {
  const file = path.join(sandbox.dir, 'vnets.xml');
  fs.writeFileSync(file, xml);
  const printed = new Date(Date.now() + 1000);
  fs.utimesSync(file, printed, printed);
  return file;
}

test('a lost book with a 2-address reservation: the dry run and the rebuild count the same leased addresses', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    const web = new OnedAr(
      expectReply(
        sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '16' })),
        'AR',
      ),
      { arId: 0 },
    );
    const holders = new Map<bigint, string>();
    for (let vm = 0; vm < 3; vm++) {
      const ip = expectReply(sandbox.run('get_address', web.getXml(1)), 'ADDRESS').get('IP')!;
      web.noteLeased(web.indexOf(ip));
      holders.set(web.indexOf(ip), `VM ${vm}`);
    }
    // onevnet reserve 2 addresses into VNET 12: one allocate of SIZE 2, two LEASE elements.
    expectQuietSuccess(sandbox.run('allocate_address', web.allocateXml(8n, 2)));
    holders.set(8n, 'VNET 12');
    holders.set(9n, 'VNET 12');
    const file = saveDocument(sandbox, onevnetList([{ id: 0, name: 'web', ars: [{ ar: web, holders }] }]));
    fs.rmSync(sandbox.bookPath);
    fs.rmSync(`${sandbox.bookPath}.prev`, { force: true });
    // A lost book is made again on purpose, empty, before reconcile rebuilds it.
    assert.equal(cli(sandbox, 'init').code, 0);

    const dry = cli(sandbox, 'reconcile', '--from', file);
    assert.equal(dry.code, 1, dry.stdout + dry.stderr);
    const asOf = new Date(Date.now() + 1000).toISOString();
    const applied = cli(sandbox, 'reconcile', '--from', file, '--apply', '--as-of', asOf);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const counted = (out: string) => [...out.matchAll(/(\d+) leased address(?:es)?/g)].map((m) => Number(m[1]));
    assert.ok(counted(dry.stdout).length >= 2, `the dry run counts leased addresses:\n${dry.stdout}`);
    assert.ok(
      counted(dry.stdout).every((n) => n === 5),
      `the dry run counts 5 everywhere:\n${dry.stdout}`,
    );
    assert.ok(counted(applied.stdout).length >= 2, `the rebuild counts leased addresses:\n${applied.stdout}`);
    assert.ok(
      counted(applied.stdout).every((n) => n === 5),
      `the rebuild counts 5 everywhere:\n${applied.stdout}`,
    );
    const json = JSON.parse(cli(sandbox, 'reconcile', '--from', file, '--json').stdout);
    assert.equal(json.document.leases, 5);
    const status = cli(sandbox, 'reconcile', '--from', file);
    assert.equal(status.code, 0, status.stdout);
    assert.match(status.stdout, /OpenNebula and the lease book agree/);

    // The other way: the AR is gone from OpenNebula (another AR of the driver is still there).
    const db = new OnedAr(
      expectReply(
        sandbox.run(
          'register_address_range',
          registerXml({ TYPE: 'IP4', IP: '192.168.50.10', SIZE: '10', IPAM_MAD: 'mydrv' }),
        ),
        'AR',
      ),
      { arId: 1 },
    );
    const gone = saveDocument(sandbox, onevnetList([{ id: 0, name: 'web', ars: [{ ar: db, holders: new Map() }] }]));
    // As of well after everything in the book: within reconcile's clock margin nothing is judged.
    const stale = cli(sandbox, 'reconcile', '--from', gone, '--as-of', new Date(Date.now() + 3_600_000).toISOString());
    assert.equal(stale.code, 1, stale.stdout + stale.stderr);
    assert.match(stale.stdout, /range in the book only\s+r1 .*IP4, SIZE 16, 5 leased addresses; no AR/, stale.stdout);
  } finally {
    sandbox.cleanup();
  }
});

test('no AR of the picked driver in the document: reconcile says nothing was compared and why, exit 1, never "agree"', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    const ar = new OnedAr(
      expectReply(
        sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '16' })),
        'AR',
      ),
      { arId: 0 },
    );
    const file = saveDocument(sandbox, onevnetList([{ id: 0, name: 'web', ars: [{ ar, holders: new Map() }] }]));
    const before = sandbox.bookBytes();

    const wrong = cli(sandbox, 'reconcile', '--from', file, '--driver', 'nebula');
    assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
    assert.doesNotMatch(wrong.stdout, /agree/);
    assert.match(
      wrong.stdout,
      /^Nothing was compared: the document has no AR with IPAM_MAD nebula; its AR has IPAM_MAD mydrv; to compare those, add --driver mydrv\.$/m,
    );
    const json = JSON.parse(cli(sandbox, 'reconcile', '--from', file, '--driver', 'nebula', '--json').stdout);
    assert.equal(json.compared, false);
    const asOf = new Date(Date.now() + 1000).toISOString();
    assert.equal(cli(sandbox, 'reconcile', '--from', file, '--driver', 'nebula', '--apply', '--as-of', asOf).code, 1);
    assert.deepEqual(sandbox.bookBytes(), before, 'nothing was written');

    const right = cli(sandbox, 'reconcile', '--from', file, '--driver', 'mydrv');
    assert.equal(right.code, 0, right.stdout);
    assert.match(right.stdout, /OpenNebula and the lease book agree/);

    const empty = saveDocument(sandbox, '<VNET_POOL></VNET_POOL>');
    fs.rmSync(sandbox.bookPath);
    assert.equal(cli(sandbox, 'init').code, 0);
    const none = cli(sandbox, 'reconcile', '--from', empty);
    assert.equal(none.code, 1, none.stdout + none.stderr);
    assert.match(none.stdout, /^Nothing was compared: the document has no AR with .*\(it has no AR at all\)/m);
  } finally {
    sandbox.cleanup();
  }
});
