/** `nebula-ipam hold list|add|release` (issue 18 item 5), through the built bundle. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCliSandbox } from '../../support/cli-harness.ts';
import { expectFailure, expectReply } from '../../support/driver-assert.ts';

test('hold add keeps an address from get_address; hold list shows it; hold release gives it back, audited; a second release fails in one line', () => {
  const sandbox = createCliSandbox({ config: { pools: [{ name: 'lan', network: '10.2.0.0/24' }] } });
  try {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.2.0.10', SIZE: '1' });
    const added = sandbox.cli(['hold', 'add', '10.2.0.10', '--reason', 'printer on the shelf']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^Held 10\.2\.0\.10 in pool lan: printer on the shelf\n$/);
    const listed = sandbox.json<{ holds: { address: string; source: string; reason: string }[] }>(['hold', 'list']);
    assert.deepEqual(
      listed.holds.map((h) => [h.address, h.source, h.reason]),
      [['10.2.0.10', 'operator', 'printer on the shelf']],
    );
    assert.match(sandbox.cli(['hold', 'list']).stdout, /10\.2\.0\.10 +lan +operator .*printer on the shelf/);
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 255, ['no free block of 1 left']);
    assert.match(sandbox.cli(['metrics']).stdout, /^nebula_ipam_held_addresses\{[^}]*pool="lan"[^}]*\} 1$/m);

    const released = sandbox.cli(['hold', 'release', '10.2.0.10']);
    assert.equal(released.code, 0, released.stderr);
    assert.match(released.stdout, /^Released the hold on 10\.2\.0\.10 \(operator: printer on the shelf\)/);
    assert.equal(expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP'), '10.2.0.10');
    const log = sandbox.cli(['log']);
    assert.match(log.stdout, /hold-release/);

    const again = sandbox.cli(['hold', 'release', '10.2.0.10']);
    assert.equal(again.code, 5, again.stderr);
    assert.equal(again.stderr.trim(), 'Cannot release the hold on 10.2.0.10: no hold is there (`hold list`)');
    assert.match(sandbox.cli(['hold', 'list']).stdout, /^No holds\.\n$/);
  } finally {
    sandbox.cleanup();
  }
});

test('a held address is counted held, not free, by status, show and metrics; released, it is free again', () => {
  const sandbox = createCliSandbox({ config: { pools: [{ name: 'lan', network: '10.2.0.0/24' }] } });
  try {
    sandbox.register({ TYPE: 'IP4', IP: '10.2.0.10', SIZE: '4' });
    const usage = () => {
      const status = sandbox.json<{
        ranges: { id: string; held: string | number; free: string | number }[];
        totals: { held: string | number; free: string | number };
      }>(['status']);
      const range = status.ranges[0]!;
      return [Number(range.held), Number(range.free), Number(status.totals.held), Number(status.totals.free)];
    };
    assert.deepEqual(usage(), [0, 4, 0, 4]);
    assert.doesNotMatch(sandbox.cli(['status']).stdout, /HELD/, 'no HELD column while nothing is held');
    assert.equal(sandbox.cli(['hold', 'add', '10.2.0.12', '--reason', 'a printer']).code, 0);

    assert.deepEqual(usage(), [1, 3, 1, 3]);
    const text = sandbox.cli(['status', '--wide']).stdout;
    assert.match(text, /SIZE +USED +HELD +FREE/);
    assert.match(text, /^r\d+ .* 4 +0 +1 +3 /m);
    const id = sandbox.json<{ ranges: { id: string }[] }>(['status']).ranges[0]!.id;
    const show = sandbox.cli(['show', id]).stdout;
    assert.match(show, /^ {2}held {7}1 \(seen in use outside the book/m);
    assert.match(show, /^ {2}free {7}3 /m);
    const metrics = sandbox.cli(['metrics']).stdout;
    assert.match(metrics, new RegExp(`^nebula_ipam_range_held_addresses{[^}]*range="${id}"[^}]*} 1$`, 'm'));
    assert.match(metrics, new RegExp(`^nebula_ipam_range_free_addresses{[^}]*range="${id}"[^}]*} 3$`, 'm'));

    assert.equal(sandbox.cli(['hold', 'release', '10.2.0.12']).code, 0);
    assert.deepEqual(usage(), [0, 4, 0, 4]);
  } finally {
    sandbox.cleanup();
  }
});
