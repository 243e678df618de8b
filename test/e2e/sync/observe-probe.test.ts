/**
 * `sync` with a pool's `probe` (issue 18 item 5): the next free addresses get_address would give
 * are pinged with the real system ping, and those that answer are held. The pool lies in
 * 127.0.0.0/8, every address of which answers on Linux: every ping goes to loopback.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { createCliSandbox } from '../../support/cli-harness.ts';
import { expectFailure, expectReply } from '../../support/driver-assert.ts';

// Installed by scripts/test-prerequisites.sh (iputils-ping), as the servers are: missing, the test fails.
const pingWorks = () => spawnSync('ping', ['-c', '1', '-W', '1', '-n', '127.0.0.1']).status === 0;

test('the next free candidates of a range answer ICMP and are held; a leased address is never probed; a dry run holds nothing', () => {
  assert.ok(pingWorks(), 'ping 127.0.0.1 answers (scripts/test-prerequisites.sh installs iputils-ping)');
  const sandbox = createCliSandbox({
    config: { pools: [{ name: 'loop', network: '127.77.0.0/24', probe: { icmp: true, next: 3 } }] },
  });
  try {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '127.77.0.10', SIZE: '6' });
    assert.equal(expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP'), '127.77.0.10');
    ar.noteLeased(0n);

    const dry = sandbox.cli(['sync', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.equal(sandbox.json<{ holds: unknown[] }>(['hold', 'list']).holds.length, 0);

    const before = Date.now();
    const pass = sandbox.cli(['sync']);
    assert.equal(pass.code, 0, pass.stdout + pass.stderr);
    assert.match(pass.stdout, /Held 3 addresses seen in use outside the book/);
    const holds = () =>
      sandbox.json<{ holds: { address: string; source: string; reason: string; firstSeen: string }[] }>([
        'hold',
        'list',
      ]).holds;
    const first = holds();
    assert.deepEqual(
      first.map((h) => [h.address, h.source]),
      [
        ['127.77.0.11', 'probe'],
        ['127.77.0.12', 'probe'],
        ['127.77.0.13', 'probe'],
      ],
      'the three get_address would give next; 127.77.0.10 is leased and never probed',
    );
    for (const h of first) {
      assert.match(h.reason, /^answered ICMP echo at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const answered = Date.parse(h.reason.slice('answered ICMP echo at '.length));
      assert.ok(answered >= before - 1000 && answered <= Date.now(), h.reason);
    }

    // The next pass probes the next ones (held ones are no candidates): the range is then full.
    const again = sandbox.cli(['sync']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual(
      holds().map((h) => h.address),
      ['127.77.0.11', '127.77.0.12', '127.77.0.13', '127.77.0.14', '127.77.0.15'],
    );
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 255, ['no free block of 1 left']);
  } finally {
    sandbox.cleanup();
  }
});

test('probe config: icmp must be true, next from 1 to 64; one line naming the key', () => {
  const sandbox = createCliSandbox({
    config: { pools: [{ name: 'loop', network: '127.77.0.0/24', probe: { icmp: true, next: 65 } }] },
    book: 'none',
  });
  try {
    const ran = sandbox.cli(['sync']);
    assert.equal(ran.code, 4, ran.stderr);
    assert.match(ran.stderr, /pools\[0\]\.probe\.next must be a whole number from 1 to 64, not 65/);
  } finally {
    sandbox.cleanup();
  }
});
