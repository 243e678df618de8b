/**
 * `sync` with `observe.onevm` (issue 18 item 5): the addresses VMs' guest agents report, read
 * from a fake `onevm` on PATH printing OpenNebula's own XML shape
 * (test/fixtures/onevm/list-extended.xml), become holds; nothing is freed; a failing onevm is one
 * line and exit 8. Through the built bundle.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createCliSandbox } from '../../support/cli-harness.ts';
import { expectReply } from '../../support/driver-assert.ts';
import { REPO_ROOT } from '../../support/driver-harness.ts';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/onevm/list-extended.xml');

/** A directory holding an `onevm` that logs its arguments and runs `body`, to put first on PATH. */
function fakeOnevm(dir: string, body: string): string {
  const bin = path.join(dir, 'fake-bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'onevm'), `#!/bin/sh\necho "$@" >> ${bin}/calls\n${body}\n`, { mode: 0o755 });
  return bin;
}

test('guest-agent addresses free in a pool become holds (reason: the VM), skipped by get_address; a VM no longer reporting one frees nothing', () => {
  const sandbox = createCliSandbox({
    config: { pools: [{ name: 'lan', network: '10.0.0.0/24' }], observe: { onevm: true } },
  });
  try {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '8' });
    assert.equal(expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP'), '10.0.0.10');
    ar.noteLeased(0n);
    const bin = fakeOnevm(sandbox.dir, `cat '${FIXTURE}'`);
    const env = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };

    const pass = sandbox.cli(['sync'], { env });
    assert.equal(pass.code, 0, pass.stdout + pass.stderr);
    assert.doesNotMatch(pass.stderr, /Cannot/);
    assert.match(pass.stdout, /Held 2 addresses seen in use outside the book/);
    assert.equal(fs.readFileSync(path.join(bin, 'calls'), 'utf8'), 'list -x --extended\n');
    const holds = sandbox.json<{ holds: { address: string; pool: string; source: string; reason: string }[] }>([
      'hold',
      'list',
    ]).holds;
    assert.deepEqual(
      holds.map((h) => [h.address, h.pool, h.source, h.reason]),
      [
        ['10.0.0.13', 'lan', 'vm', 'guest agent of VM 42 (web-1) reports it'],
        [
          '10.0.0.15',
          'lan',
          'vm',
          "guest agent of VM 43 (db-1) reports it (its NIC's address, which the book does not lease)",
        ],
      ],
      "VM 42's own lease, its link-local and outside addresses, and VM 45's gateway are not held",
    );

    const handed: string[] = [];
    for (let i = 0; i < 8; i++) {
      const reply = sandbox.run('get_address', ar.getXml(1));
      if (reply.code !== 0) break;
      const ip = expectReply(reply, 'ADDRESS').get('IP')!;
      handed.push(ip);
      ar.noteLeased(ar.indexOf(ip));
    }
    assert.deepEqual(handed, ['10.0.0.11', '10.0.0.12', '10.0.0.14', '10.0.0.16', '10.0.0.17']);

    // The guests stop reporting them: the holds stay until the operator releases them.
    const quiet = fakeOnevm(sandbox.dir, "echo '<VM_POOL/>'");
    const again = sandbox.cli(['sync'], { env: { PATH: `${quiet}${path.delimiter}${process.env.PATH ?? ''}` } });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(sandbox.json<{ holds: unknown[] }>(['hold', 'list']).holds.length, 2);
  } finally {
    sandbox.cleanup();
  }
});

test('an onevm that fails, hangs, prints something else or is missing is one stderr line and exit 8; the book is untouched', () => {
  const sandbox = createCliSandbox({
    config: { pools: [{ name: 'lan', network: '10.0.0.0/24' }], observe: { onevm: { timeoutMs: 500 } } },
  });
  try {
    sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '8' });
    const before = sandbox.bookBytes()!.toString();
    const cases: [string, string | undefined, RegExp][] = [
      [
        'echo "[UserPoolInfo] User couldn\'t be authenticated, aborting call." >&2; exit 255',
        undefined,
        /^Cannot run onevm list -x --extended: it exited 255: \[UserPoolInfo\] User couldn't be authenticated, aborting call\.\n$/,
      ],
      ['exec sleep 5', undefined, /^Cannot run onevm list -x --extended: it did not finish within 500 ms/],
      [
        "echo '<VNET_POOL/>'",
        undefined,
        /^Cannot read what onevm list -x --extended printed: it has no VM_POOL element\n$/,
      ],
      ['', path.dirname(process.execPath), /^Cannot run onevm list -x --extended: onevm is not on PATH/],
    ];
    for (const [body, pathValue, expected] of cases) {
      const bin = fakeOnevm(sandbox.dir, body);
      const ran = sandbox.cli(['sync'], {
        env: { PATH: pathValue ?? `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
      });
      assert.equal(ran.code, 8, `${body}: ${ran.stdout}${ran.stderr}`);
      // One line for the failure (then, as after any failure, the line saying which book was used).
      const lines = ran.stderr
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('Lease book '));
      assert.equal(lines.length, 1, ran.stderr);
      assert.match(`${lines[0]}\n`, expected);
    }
    assert.equal(sandbox.bookBytes()!.toString(), before, 'nothing held, nothing freed');
  } finally {
    sandbox.cleanup();
  }
});
