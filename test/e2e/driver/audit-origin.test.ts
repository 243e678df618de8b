/** Audit records say where a change came from (issue 19 item 6): the host, and SUDO_USER under sudo. */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { test } from 'node:test';
import { createSandbox, registerXml } from '../../support/driver-harness.ts';
import { ISSUE2_POOLS } from '../../support/sample-config.ts';

test('each audit record carries the host that wrote it, and a command run through sudo its SUDO_USER', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    assert.equal(
      sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '4' })).code,
      0,
    );
    const leased = sandbox.runRaw('nebula-ipam', {
      args: ['lease', '--pool', 'private', '--owner', 'bmc-1'],
      env: { SUDO_USER: 'alice' },
    });
    assert.equal(leased.code, 0, leased.stderr);
    const log = sandbox.runRaw('nebula-ipam', { args: ['log', '--json'] });
    assert.equal(log.code, 0, log.stderr);
    const records = JSON.parse(log.stdout).records as { action: string; host?: string; sudoUser?: string }[];
    const register = records.find((r) => r.action === 'register_address_range')!;
    const lease = records.find((r) => r.action === 'lease')!;
    assert.equal(register.host, os.hostname());
    assert.equal(register.sudoUser, undefined, 'oned runs no sudo');
    assert.equal(lease.host, os.hostname());
    assert.equal(lease.sudoUser, 'alice');
  } finally {
    sandbox.cleanup();
  }
});

test('log --range --owner --actor --action filter the records, and combine', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    assert.equal(
      sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '4' })).code,
      0,
    );
    assert.equal(
      sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '4' })).code,
      0,
    );
    for (const owner of ['bmc-1', 'bmc-2'])
      assert.equal(sandbox.runRaw('nebula-ipam', { args: ['lease', '--pool', 'private', '--owner', owner] }).code, 0);
    const picked = (...args: string[]) => {
      const r = sandbox.runRaw('nebula-ipam', { args: ['log', '--json', ...args] });
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout).records as { action: string; range?: string; owner?: string; actor: string }[]).map(
        (x) => `${x.action} ${x.range ?? '-'} ${x.owner ?? '-'}`,
      );
    };
    // The book's first record is `init`'s, which made it on purpose.
    assert.deepEqual(
      picked().map((r) => r.split(' ')[0]),
      ['init', 'register_address_range', 'register_address_range', 'lease', 'lease'],
    );
    assert.deepEqual(picked('--range', 'r2'), ['register_address_range r2 -']);
    assert.deepEqual(picked('--owner', 'bmc-2').length, 1);
    assert.ok(picked('--owner', 'bmc-2')[0]!.endsWith(' bmc-2'));
    assert.equal(picked('--actor', 'oned').length, 2, 'an actor kind matches every request of it');
    assert.equal(picked('--action', 'lease').length, 2);
    assert.equal(picked('--action', 'lease', '--owner', 'bmc-1').length, 1);
    const bad = sandbox.runRaw('nebula-ipam', { args: ['log', '--action', 'leas'] });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /did you mean "lease"\?/);
  } finally {
    sandbox.cleanup();
  }
});
