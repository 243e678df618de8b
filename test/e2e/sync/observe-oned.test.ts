/**
 * `sync` with `observe.oned` (issue 18 item 5): the addresses VMs' guest agents report in oned's
 * VM pool, read over oned's XML-RPC API from a fake oned answering the bytes oned's server
 * writes around OpenNebula's own VM XML (test/fixtures/onevm/list-extended.xml), become holds;
 * nothing is freed; oned down, a refused login, a fault, a hang or nonsense is one line with the
 * exit code of exit-codes.ts and the book untouched. Also from a file (`observe.oned.fromFile`,
 * `sync --vms FILE|-`). Through the built bundle, as a separate process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startBind } from '../../support/bind-server.ts';
import { type CliSandbox, createCliSandbox } from '../../support/cli-harness.ts';
import { expectReply } from '../../support/driver-assert.ts';
import { REPO_ROOT } from '../../support/driver-harness.ts';
import { type FakeOned, runCli, startFakeOned } from '../../support/fake-oned.ts';
import { createSyncSandbox } from '../../support/sync-sandbox.ts';
import { closedPort } from '../../support/closed-port.ts';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/onevm/list-extended.xml');
const POOL_XML = fs.readFileSync(FIXTURE, 'utf8');
/** A password with every character XML-RPC must escape: it reaches oned as written only if escaped. */
const SESSION = 'oneadmin:pa&ss<w>rd';
const HELD = [
  ['10.0.0.11', 'lan', 'vm', 'VM 44 (no-agent) has it on a NIC, which the book does not lease'],
  ['10.0.0.12', 'lan', 'vm', 'VM 45 (router) has it on a NIC, which the book does not lease'],
  ['10.0.0.13', 'lan', 'vm', 'guest agent of VM 42 (web-1) reports it'],
  [
    '10.0.0.15',
    'lan',
    'vm',
    "guest agent of VM 43 (db-1) reports it (its NIC's address, which the book does not lease)",
  ],
];

let oned: FakeOned;
before(async () => {
  oned = await startFakeOned();
});
after(async () => {
  await oned.stop();
});

function sandboxWith(observe: object, connection: object = {}): { sandbox: CliSandbox; authFile: string } {
  const sandbox = createCliSandbox({ config: { pools: [{ name: 'lan', network: '10.0.0.0/24' }] } });
  const authFile = path.join(sandbox.dir, 'one_auth');
  fs.writeFileSync(authFile, `${SESSION}\n`, { mode: 0o600 });
  fs.writeFileSync(
    sandbox.configPath!,
    JSON.stringify({
      pools: [{ name: 'lan', network: '10.0.0.0/24' }],
      oned: { endpoint: oned.endpoint, authFile, timeoutMs: 2000, ...connection },
      observe,
    }),
  );
  return { sandbox, authFile };
}

function holdsOf(sandbox: CliSandbox): string[][] {
  return sandbox
    .json<{ holds: { address: string; pool: string; source: string; reason: string }[] }>(['hold', 'list'])
    .holds.map((h) => [h.address, h.pool, h.source, h.reason]);
}

/** The stderr lines that are not the usual "Lease book ..." note. */
function failureLines(stderr: string): string[] {
  return stderr
    .trim()
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('Lease book '));
}

test("guest-agent addresses in oned's VM pool become holds; get_address skips them; a VM no longer reporting one frees nothing", async () => {
  const { sandbox } = sandboxWith({ oned: true });
  try {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '8' });
    assert.equal(expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP'), '10.0.0.10');
    ar.noteLeased(0n);
    oned.answer('one.vmpool.infoextended', { ok: POOL_XML });
    oned.calls.length = 0;

    const dry = await runCli(sandbox, ['sync', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.deepEqual(holdsOf(sandbox), [], 'a dry run holds nothing');

    const pass = await runCli(sandbox, ['sync']);
    assert.equal(pass.code, 0, pass.stdout + pass.stderr);
    assert.deepEqual(failureLines(pass.stderr), []);
    assert.match(pass.stdout, /Held 4 addresses seen in use outside the book/);
    // What oned was asked: every VM not DONE, with the session exactly as the auth file holds it.
    assert.deepEqual(
      oned.calls.map((c) => [c.method, ...c.params]),
      [
        ['one.vmpool.infoextended', SESSION, -2, -1, -1, -1],
        ['one.vmpool.infoextended', SESSION, -2, -1, -1, -1],
      ],
    );
    assert.match(oned.calls[0]!.body, /<string>oneadmin:pa&amp;ss&lt;w&gt;rd<\/string>/);
    assert.deepEqual(
      holdsOf(sandbox),
      HELD,
      "VM 42's own lease, link-local and outside addresses, the gateway VM 45 reports are not held",
    );

    const handed: string[] = [];
    for (let i = 0; i < 8; i++) {
      const reply = sandbox.run('get_address', ar.getXml(1));
      if (reply.code !== 0) break;
      const ip = expectReply(reply, 'ADDRESS').get('IP')!;
      handed.push(ip);
      ar.noteLeased(ar.indexOf(ip));
    }
    assert.deepEqual(handed, ['10.0.0.14', '10.0.0.16', '10.0.0.17']);

    oned.answer('one.vmpool.infoextended', { ok: '<VM_POOL></VM_POOL>' });
    const again = await runCli(sandbox, ['sync']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(holdsOf(sandbox).length, 4, 'holds stay until the operator releases them');
  } finally {
    sandbox.cleanup();
  }
});

test('oned down, a refused login, a fault, a hang, nonsense, or a bad auth file: one stderr line, the right exit code, the book untouched', async () => {
  const { sandbox, authFile } = sandboxWith({ oned: true }, { timeoutMs: 500 });
  try {
    sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '8' });
    const before = sandbox.bookBytes()!.toString();
    const endpoint = oned.endpoint;
    const at = `Cannot call one.vmpool.infoextended on oned at ${endpoint}`;
    const cases: [string, () => void | Promise<void>, number, RegExp][] = [
      [
        'refused login',
        () =>
          oned.answer('one.vmpool.infoextended', {
            refused: "[one.vmpool.infoextended] User couldn't be authenticated, aborting call.",
            code: 0x100,
          }),
        4,
        new RegExp(
          `^${escapeRe(at)}: oned refused it \\(code 0x0100\\): \\[one\\.vmpool\\.infoextended\\] User couldn't be authenticated, aborting call\\.; check the user:password in ${escapeRe(authFile)}$`,
        ),
      ],
      [
        'XML-RPC fault',
        () => oned.answer('one.vmpool.infoextended', { fault: 'expected 5 parameters', code: -501 }),
        8,
        new RegExp(`^${escapeRe(at)}: oned refused it \\(XML-RPC fault -501\\): expected 5 parameters$`),
      ],
      [
        'malformed answer',
        () => oned.answer('one.vmpool.infoextended', { raw: '<html>Bad Gateway' }),
        8,
        new RegExp(`^${escapeRe(at)}: its answer is not oned's XML-RPC: `),
      ],
      [
        'not a VM pool',
        () => oned.answer('one.vmpool.infoextended', { ok: '<VNET_POOL/>' }),
        8,
        new RegExp(
          `^Cannot read the VM pool from one\\.vmpool\\.infoextended of oned at ${escapeRe(endpoint)}: it has no VM_POOL element$`,
        ),
      ],
      [
        'hang',
        () => oned.answer('one.vmpool.infoextended', { hang: true }),
        8,
        new RegExp(`^${escapeRe(at)}: no answer within 500 ms \\(oned\\.timeoutMs\\)$`),
      ],
      [
        'auth file open to others',
        () => {
          oned.answer('one.vmpool.infoextended', { ok: POOL_XML });
          fs.chmodSync(authFile, 0o644);
        },
        4,
        new RegExp(
          `^Cannot read oned\\.authFile ${escapeRe(authFile)}: it holds oned's password but its mode is 0644, so group or others can read it; nothing was changed, run: chmod 600 `,
        ),
      ],
      [
        'empty auth file',
        () => {
          fs.writeFileSync(authFile, '');
          fs.chmodSync(authFile, 0o600);
        },
        4,
        new RegExp(
          `^Cannot read oned\\.authFile ${escapeRe(authFile)}: it is empty \\(OpenNebula's one_auth format\\)`,
        ),
      ],
      [
        'missing auth file',
        () => fs.rmSync(authFile),
        4,
        new RegExp(`^Cannot read oned\\.authFile "?${escapeRe(authFile)}"?: there is no such file`),
      ],
    ];
    for (const [what, arrange, code, expected] of cases) {
      await arrange();
      const ran = await runCli(sandbox, ['sync']);
      assert.equal(ran.code, code, `${what}: ${ran.stdout}${ran.stderr}`);
      const lines = failureLines(ran.stderr);
      assert.equal(lines.length, 1, `${what}: ${ran.stderr}`);
      assert.match(lines[0]!, expected, what);
    }
    // oned not there at all.
    fs.writeFileSync(authFile, `${SESSION}\n`, { mode: 0o600 });
    const port = await closedPort();
    const config = JSON.parse(fs.readFileSync(sandbox.configPath!, 'utf8'));
    config.oned.endpoint = `http://127.0.0.1:${port}/RPC2`;
    fs.writeFileSync(sandbox.configPath!, JSON.stringify(config));
    const down = await runCli(sandbox, ['sync']);
    assert.equal(down.code, 8, down.stdout + down.stderr);
    assert.deepEqual(failureLines(down.stderr), [
      `Cannot call one.vmpool.infoextended on oned at http://127.0.0.1:${port}/RPC2: ECONNREFUSED`,
    ]);
    assert.equal(sandbox.bookBytes()!.toString(), before, 'nothing held, nothing freed');
  } finally {
    sandbox.cleanup();
  }
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('the VM pool from a file: observe.oned.fromFile each pass, sync --vms FILE and --vms - (standard input)', async () => {
  const { sandbox } = sandboxWith({ oned: { fromFile: FIXTURE } });
  try {
    sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '8' });
    oned.calls.length = 0;
    const fromFile = await runCli(sandbox, ['sync']);
    assert.equal(fromFile.code, 0, fromFile.stdout + fromFile.stderr);
    // Nothing is leased here: VM 42's NIC is held too, beside the other VMs' NICs and guest reports.
    assert.equal(holdsOf(sandbox).length, 5);
    assert.deepEqual(oned.calls, [], 'fromFile never calls oned');
    for (const address of ['10.0.0.10', '10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.15'])
      assert.equal(sandbox.cli(['hold', 'release', address]).code, 0);

    const viaOption = await runCli(sandbox, ['sync', '--vms', FIXTURE]);
    assert.equal(viaOption.code, 0, viaOption.stdout + viaOption.stderr);
    assert.equal(holdsOf(sandbox).length, 5);
    for (const address of ['10.0.0.10', '10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.15'])
      assert.equal(sandbox.cli(['hold', 'release', address]).code, 0);

    const viaStdin = await runCli(sandbox, ['sync', '--vms', '-'], { stdin: POOL_XML });
    assert.equal(viaStdin.code, 0, viaStdin.stdout + viaStdin.stderr);
    assert.equal(holdsOf(sandbox).length, 5);

    const bad = await runCli(sandbox, ['sync', '--vms', '-'], { stdin: 'not xml' });
    assert.equal(bad.code, 8, bad.stdout + bad.stderr);
    assert.match(
      failureLines(bad.stderr).join('\n'),
      /^Cannot read the VM pool from --vms - \(standard input\): it is not well-formed XML/,
    );
    const follow = sandbox.cli(['sync', '--follow', '--vms', '-']);
    assert.equal(follow.code, 2, follow.stderr);
  } finally {
    sandbox.cleanup();
  }
});

test('sync --vms naming a missing file: exit 5 and one line before any pass, --follow too; the book untouched', async () => {
  const { sandbox } = sandboxWith({ oned: true });
  try {
    sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '8' });
    const before = sandbox.bookBytes()!.toString();
    const missing = path.join(sandbox.dir, 'no-such-pool.xml');
    oned.calls.length = 0;
    for (const args of [
      ['sync', '--vms', missing],
      ['sync', '--dry-run', '--vms', missing],
      ['sync', '--follow', '--vms', missing],
    ]) {
      const run = await runCli(sandbox, args);
      assert.equal(run.code, 5, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stdout, '', 'no pass ran');
      assert.equal(
        run.stderr,
        `Cannot read --vms ${JSON.stringify(missing)}: there is no such file; nothing was changed\n`,
      );
    }
    assert.equal(sandbox.bookBytes()!.toString(), before);
    assert.deepEqual(oned.calls, [], '--vms stands in for oned: never called');
  } finally {
    sandbox.cleanup();
  }
});

test('oned down blocks no target: the DNS records are put in the same pass (real BIND), the oned line is the only failure', async () => {
  const server = await startBind();
  const port = await closedPort();
  const s = createSyncSandbox(server, { size: 4 });
  try {
    const authFile = path.join(s.dir, 'one_auth');
    fs.writeFileSync(authFile, `${SESSION}\n`, { mode: 0o600 });
    const config = JSON.parse(fs.readFileSync(s.configPath!, 'utf8'));
    fs.writeFileSync(
      s.configPath!,
      JSON.stringify({
        ...config,
        oned: { endpoint: `http://127.0.0.1:${port}/RPC2`, authFile },
        observe: { oned: true },
      }),
    );
    const address = s.lease();
    const ran = await runCli(s, ['sync']);
    assert.equal(ran.code, 8, ran.stdout + ran.stderr);
    assert.deepEqual(
      ran.stderr.split('\n').filter((line) => line.startsWith('Cannot')),
      [`Cannot call one.vmpool.infoextended on oned at http://127.0.0.1:${port}/RPC2: ECONNREFUSED`],
    );
    assert.deepEqual(await server.lookup(s.nameOf(address), 'A'), [address]);
    assert.deepEqual(await server.lookup(s.ptrOf(address), 'PTR'), [s.nameOf(address)]);
  } finally {
    s.cleanup();
    await server.stop();
  }
});

test('sync --follow still ends on SIGTERM after a pass held what oned reports (exit 143)', async () => {
  const { sandbox } = sandboxWith({ oned: true });
  sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '8' });
  oned.answer('one.vmpool.infoextended', { ok: POOL_XML });
  const child = spawn(sandbox.program, ['sync', '--follow', '--interval', '3600'], {
    cwd: sandbox.dir,
    env: sandbox.env(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (part: Buffer) => (stderr += part.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 143 : null))),
  );
  try {
    await until(() => holdsOf(sandbox).some(([a]) => a === '10.0.0.13'), 'the first pass holds what VM 42 reports');
    // Before the fix, a pass that wrote holds left SIGTERM ignored for good (the unit's stop hung).
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(killer);
    assert.equal(code, 143, stderr);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    sandbox.cleanup();
  }
});

/** Waits for `done`, at most 100 checks 200 ms apart; fails naming `what`. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`timed out waiting until ${what}`);
}
