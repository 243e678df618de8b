/**
 * Holds are never handed out (issue 18 item 5), through the built bundle with oned's bytes: a
 * hold planted in the book (as `sync` records one) is skipped by get_address, also when it is
 * the only free address (then the normal "no free block" answer), refused by allocate_address
 * with the hold's reason, and `lease --count` / `lease --ip` skip or refuse it likewise.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { createCliSandbox, type CliSandbox } from '../../support/cli-harness.ts';
import { expectFailure, expectReply } from '../../support/driver-assert.ts';

const REASON = 'Kea lease 10.0.0.11 for 02:00:0a:00:00:0b, not made by nebula-ipam';

/** Puts holds on `ips` into the book file's head line, as this release writes them. */
function plantHolds(sandbox: CliSandbox, ips: readonly string[]): void {
  const holds = ips.map((ip) => ({
    ip,
    pool: 'lan',
    source: 'dhcp',
    reason: REASON,
    first: '2026-12-07T10:00:00.000Z',
    last: '2026-12-07T10:00:00.000Z',
  }));
  const text = fs.readFileSync(sandbox.bookPath, 'utf8');
  const planted = text.replace('"ranges":[', `"holds":${JSON.stringify(holds)},"ranges":[`);
  assert.notEqual(planted, text);
  fs.writeFileSync(sandbox.bookPath, planted);
}

function withSandbox(body: (sandbox: CliSandbox) => void): void {
  const sandbox = createCliSandbox({ config: {} });
  try {
    body(sandbox);
  } finally {
    sandbox.cleanup();
  }
}

test('get_address never returns a held address, also when it is the only free one', () => {
  withSandbox((sandbox) => {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '3' });
    plantHolds(sandbox, ['10.0.0.11']);
    const picked: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ip = expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!;
      ar.noteLeased(ar.indexOf(ip));
      picked.push(ip);
    }
    assert.deepEqual(picked, ['10.0.0.10', '10.0.0.12']);
    // Only the held 10.0.0.11 is left: the answer oned gets when the range is full.
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 255, ['r1', 'no free block of 1 left']);
    const allocate = sandbox.run('allocate_address', ar.allocateXml(1n));
    // conflict (exit 5), as for any address that is taken.
    expectFailure(allocate, 5, ['Cannot allocate 10.0.0.11', 'held', REASON, 'nebula-ipam hold release 10.0.0.11']);
    assert.equal(allocate.stderr.trim().split('\n').length, 1, allocate.stderr);
    // The very code and shape of an address in use (exit-codes.ts: conflict; oned reads only the status).
    const inUse = sandbox.run('allocate_address', ar.allocateXml(0n));
    expectFailure(inUse, allocate.code, ['Cannot allocate 10.0.0.10', 'leased to OpenNebula']);
    // The hold survived the actions' writes.
    assert.match(fs.readFileSync(sandbox.bookPath, 'utf8').split('\n')[0]!, /"holds":\[\{"ip":"10\.0\.0\.11"/);
  });
});

test('lease --count skips a held address and lease --ip refuses it with one line', () => {
  const sandbox = createCliSandbox({ config: { pools: [{ name: 'lan', network: '10.1.0.0/24' }] } });
  try {
    sandbox.json(['range', 'add', '--pool', 'lan', '--size', '4', '--owner', 'a']);
    plantHolds(sandbox, ['10.1.0.3']);
    const picked = [1, 2, 3].map(
      () => sandbox.json<{ addresses: string }>(['lease', '--pool', 'lan', '--owner', 'a', '--count', '1']).addresses,
    );
    assert.ok(!picked.includes('10.1.0.3'), picked.join(' '));
    const refused = sandbox.cli(['lease', '--pool', 'lan', '--owner', 'b', '--ip', '10.1.0.3']);
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr.trim(), /^[^\n]*Cannot lease 10\.1\.0\.3: it is held: Kea lease/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  } finally {
    sandbox.cleanup();
  }
});

test('verify reports a held address that is leased anyway, with its fix', () => {
  withSandbox((sandbox) => {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '2' });
    const ip = expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!;
    assert.equal(sandbox.cli(['verify']).code, 0);
    // As after an older release (or an import) leased an address sync had seen in use.
    plantHolds(sandbox, [ip]);
    const verify = sandbox.cli(['verify']);
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /held address leased +r1 +10\.0\.0\.10 is held \(dhcp: Kea lease/);
    assert.match(verify.stdout, /nebula-ipam hold release 10\.0\.0\.10/);
  });
});
