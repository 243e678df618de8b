/**
 * `install --hook` (issue 18 item 6): the README's hooks made in oned through its XML-RPC API, a
 * fake oned on 127.0.0.1 that keeps its hook pool as oned does (test/support/fake-oned.ts). First
 * run creates, a second changes nothing, an edited hook is updated (with STATE/LCM_STATE, as
 * one.hook.update requires), a refusal is one line and changes nothing after it. Through the
 * built bundle, as a separate process.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { hookTemplateText, nebulaIpamHooks } from '../../../src/core/oned/hook-templates.ts';
import { type CliSandbox, createCliSandbox } from '../../support/cli-harness.ts';
import { type FakeOned, runCli, startFakeOned } from '../../support/fake-oned.ts';

const SESSION = 'oneadmin:s3cr&t';

async function withOned(run: (oned: FakeOned, sandbox: CliSandbox) => Promise<void>): Promise<void> {
  const oned = await startFakeOned();
  const sandbox = createCliSandbox({ config: { pools: [] } });
  try {
    const authFile = path.join(sandbox.dir, 'one_auth');
    fs.writeFileSync(authFile, `${SESSION}\n`, { mode: 0o600 });
    fs.writeFileSync(
      sandbox.configPath!,
      JSON.stringify({ pools: [], oned: { endpoint: oned.endpoint, authFile, timeoutMs: 2000 } }),
    );
    await run(oned, sandbox);
  } finally {
    sandbox.cleanup();
    await oned.stop();
  }
}

const stateRows = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('nebula-ipam-'))
    .map((line) => line.split(/\s{2,}/));

test("first run creates the README's hooks, a second changes nothing, an edited one is updated", async () => {
  await withOned(async (oned, sandbox) => {
    const first = await runCli(sandbox, ['install', '--hook']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual(stateRows(first.stdout), [
      ['nebula-ipam-vm-running', '0', 'created'],
      ['nebula-ipam-vm-done', '1', 'created'],
      ['nebula-ipam-vm-rename', '2', 'created'],
    ]);
    assert.deepEqual(
      oned.calls.map((c) => [c.method, ...c.params]),
      [
        ['one.hookpool.info', SESSION, -2, -1, -1],
        ...nebulaIpamHooks().map((h) => ['one.hook.allocate', SESSION, hookTemplateText(h)]),
      ],
      "the templates sent are the README's, byte for byte",
    );
    assert.deepEqual(oned.hooks[1], {
      id: 1,
      name: 'nebula-ipam-vm-done',
      type: 'state',
      template: [
        ['COMMAND', '/usr/local/bin/nebula-ipam hook -'],
        ['ARGUMENTS', '$TEMPLATE'],
        ['ARGUMENTS_STDIN', 'yes'],
        ['RESOURCE', 'VM'],
        ['STATE', 'DONE'],
        ['LCM_STATE', 'LCM_INIT'],
        ['REMOTE', 'NO'],
      ],
    });
    // The rename hook is an API hook: oned keys it by its CALL (src/hem/onehem-server.rb).
    assert.equal(oned.hooks[2]!.type, 'api');
    assert.deepEqual(
      oned.hooks[2]!.template.filter(([k]) => k !== 'REMOTE'),
      [
        ['COMMAND', '/usr/local/bin/nebula-ipam hook --call one.vm.rename -'],
        ['ARGUMENTS', '$API'],
        ['ARGUMENTS_STDIN', 'yes'],
        ['CALL', 'one.vm.rename'],
      ],
    );

    oned.calls.length = 0;
    const again = await runCli(sandbox, ['install', '--hook']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual(stateRows(again.stdout), [
      ['nebula-ipam-vm-running', '0', 'kept'],
      ['nebula-ipam-vm-done', '1', 'kept'],
      ['nebula-ipam-vm-rename', '2', 'kept'],
    ]);
    assert.deepEqual(
      oned.calls.map((c) => c.method),
      ['one.hookpool.info'],
      'nothing sent but the read',
    );

    // An operator edits the running hook's arguments (onehook update): install --hook puts ours back.
    oned.hooks[0]!.template = oned.hooks[0]!.template.map(([k, v]) => [k, k === 'ARGUMENTS' ? '$TEMPLATE extra' : v]);
    oned.calls.length = 0;
    const edited = await runCli(sandbox, ['install', '--hook']);
    assert.equal(edited.code, 0, edited.stdout + edited.stderr);
    assert.deepEqual(stateRows(edited.stdout), [
      ['nebula-ipam-vm-running', '0', 'updated (ARGUMENTS differed)'],
      ['nebula-ipam-vm-done', '1', 'kept'],
      ['nebula-ipam-vm-rename', '2', 'kept'],
    ]);
    assert.deepEqual(
      oned.calls.map((c) => [c.method, ...c.params]),
      [
        ['one.hookpool.info', SESSION, -2, -1, -1],
        [
          'one.hook.update',
          SESSION,
          0,
          [
            'COMMAND         = "/usr/local/bin/nebula-ipam hook -"',
            'ARGUMENTS       = "$TEMPLATE"',
            'ARGUMENTS_STDIN = yes',
            'RESOURCE        = VM',
            'STATE           = ACTIVE',
            'LCM_STATE       = RUNNING',
          ].join('\n'),
          0,
        ],
      ],
    );
    assert.equal(oned.hooks[0]!.template.find(([k]) => k === 'ARGUMENTS')![1], '$TEMPLATE');
    const settled = await runCli(sandbox, ['--json', 'install', '--hook']);
    assert.deepEqual(
      JSON.parse(settled.stdout).hooks.map((h: { state: string }) => h.state),
      ['kept', 'kept', 'kept'],
    );
  });
});

test('hooks an older release made (the VM as an argument) are updated to the stdin form; a second run changes nothing', async () => {
  await withOned(async (oned, sandbox) => {
    // What install --hook made before the hooks read standard input: HOOK/TEMPLATE as oned keeps it.
    const older: [string, string][][] = [
      [
        ['COMMAND', '/usr/local/bin/nebula-ipam'],
        ['ARGUMENTS', 'hook $TEMPLATE'],
        ['RESOURCE', 'VM'],
        ['STATE', 'ACTIVE'],
        ['LCM_STATE', 'RUNNING'],
        ['REMOTE', 'NO'],
      ],
      [
        ['COMMAND', '/usr/local/bin/nebula-ipam'],
        ['ARGUMENTS', 'hook $TEMPLATE'],
        ['RESOURCE', 'VM'],
        ['STATE', 'DONE'],
        ['LCM_STATE', 'LCM_INIT'],
        ['REMOTE', 'NO'],
      ],
      [
        ['COMMAND', '/usr/local/bin/nebula-ipam'],
        ['ARGUMENTS', 'hook --call one.vm.rename $API'],
        ['CALL', 'one.vm.rename'],
        ['REMOTE', 'NO'],
      ],
    ];
    const names = ['nebula-ipam-vm-running', 'nebula-ipam-vm-done', 'nebula-ipam-vm-rename'];
    older.forEach((template, id) =>
      oned.hooks.push({ id, name: names[id]!, type: id === 2 ? 'api' : 'state', template }),
    );
    const updated = await runCli(sandbox, ['install', '--hook']);
    assert.equal(updated.code, 0, updated.stdout + updated.stderr);
    assert.deepEqual(stateRows(updated.stdout), [
      ['nebula-ipam-vm-running', '0', 'updated (COMMAND, ARGUMENTS, ARGUMENTS_STDIN differed)'],
      ['nebula-ipam-vm-done', '1', 'updated (COMMAND, ARGUMENTS, ARGUMENTS_STDIN differed)'],
      ['nebula-ipam-vm-rename', '2', 'updated (COMMAND, ARGUMENTS, ARGUMENTS_STDIN differed)'],
    ]);
    const attribute = (id: number, key: string) => oned.hooks[id]!.template.find(([k]) => k === key)?.[1];
    assert.deepEqual(
      [0, 1, 2].map((id) => [attribute(id, 'COMMAND'), attribute(id, 'ARGUMENTS'), attribute(id, 'ARGUMENTS_STDIN')]),
      [
        ['/usr/local/bin/nebula-ipam hook -', '$TEMPLATE', 'yes'],
        ['/usr/local/bin/nebula-ipam hook -', '$TEMPLATE', 'yes'],
        ['/usr/local/bin/nebula-ipam hook --call one.vm.rename -', '$API', 'yes'],
      ],
    );
    assert.equal(attribute(2, 'CALL'), 'one.vm.rename', 'the API hook keeps its CALL');

    oned.calls.length = 0;
    const again = await runCli(sandbox, ['install', '--hook']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual(
      stateRows(again.stdout).map((row) => row[2]),
      ['kept', 'kept', 'kept'],
    );
    assert.deepEqual(
      oned.calls.map((c) => c.method),
      ['one.hookpool.info'],
      'nothing sent but the read',
    );

    // ARGUMENTS_STDIN alone turned off: the hook manager would put the VM on the command line again.
    oned.hooks[0]!.template = oned.hooks[0]!.template.map(([k, v]) => [k, k === 'ARGUMENTS_STDIN' ? 'no' : v]);
    const off = await runCli(sandbox, ['install', '--hook']);
    assert.equal(stateRows(off.stdout)[0]![2], 'updated (ARGUMENTS_STDIN differed)', off.stdout + off.stderr);
    assert.equal(attribute(0, 'ARGUMENTS_STDIN'), 'yes');
  });
});

test('--dry-run prints the templates and what it would do, and sends nothing but the read', async () => {
  await withOned(async (oned, sandbox) => {
    const dry = await runCli(sandbox, ['install', '--hook', '--dry-run', '--hook-command', '/opt/bin/nebula-ipam']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(
      dry.stdout,
      /^Would make these hooks in oned at http:\/\/127\.0\.0\.1:\d+\/RPC2 \(dry run: nothing was changed\):\n/,
    );
    assert.deepEqual(stateRows(dry.stdout).slice(0, 2), [
      ['nebula-ipam-vm-running', '-', 'create'],
      ['nebula-ipam-vm-done', '-', 'create'],
    ]);
    for (const hook of nebulaIpamHooks('/opt/bin/nebula-ipam'))
      assert.ok(dry.stdout.includes(hookTemplateText(hook)), hook.name);
    assert.deepEqual(
      oned.calls.map((c) => c.method),
      ['one.hookpool.info'],
    );
    assert.deepEqual(oned.hooks, []);
  });
});

test('a refusal is one line: a fault on allocate, a refused login, a hook of our name of another type, no oned in the config', async () => {
  await withOned(async (oned, sandbox) => {
    oned.answer('one.hook.allocate', { fault: 'expected 2 parameters', code: -501 });
    const fault = await runCli(sandbox, ['install', '--hook']);
    assert.equal(fault.code, 5, fault.stdout + fault.stderr);
    assert.equal(fault.stdout, '');
    assert.match(
      fault.stderr,
      /^Cannot call one\.hook\.allocate on oned at http:\/\/127\.0\.0\.1:\d+\/RPC2: oned refused it \(XML-RPC fault -501\): expected 2 parameters\n$/,
    );

    oned.answer('one.hookpool.info', {
      refused: "[one.hookpool.info] User couldn't be authenticated, aborting call.",
      code: 0x100,
    });
    const login = await runCli(sandbox, ['install', '--hook']);
    assert.equal(login.code, 4, login.stderr);
    assert.match(
      login.stderr,
      /^Cannot call one\.hookpool\.info .*: oned refused it \(code 0x0100\): .*; check the user:password in .*one_auth\n$/,
    );

    oned.answer('one.hookpool.info', {
      ok: '<HOOK_POOL><HOOK><ID>7</ID><NAME>nebula-ipam-vm-done</NAME><TYPE>api</TYPE><TEMPLATE><CALL><![CDATA[one.vm.rename]]></CALL></TEMPLATE></HOOK></HOOK_POOL>',
    });
    oned.calls.length = 0;
    const typed = await runCli(sandbox, ['install', '--hook']);
    assert.equal(typed.code, 5, typed.stderr);
    assert.match(
      typed.stderr,
      /^Cannot update hook nebula-ipam-vm-done \(ID 7\) in oned: it is a api hook and ours is a state hook.*onehook delete 7/,
    );
    assert.deepEqual(
      oned.calls.map((c) => c.method),
      ['one.hookpool.info'],
      'judged before anything changes',
    );

    // COMMAND runs as a shell reads it: a space, quote, `;` or `$` would change what runs.
    for (const command of [
      'nebula-ipam',
      '/opt/"x"/nebula-ipam',
      '/opt/x\nNAME = y',
      '/opt/my bin/nebula-ipam',
      '/opt/x;rm',
      '/opt/$HOME',
    ]) {
      const bad = sandbox.cli(['install', '--hook', '--hook-command', command]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /--hook-command must be an absolute path of letters, digits and _ \. \/ \+ , : @ % -/);
    }

    fs.writeFileSync(sandbox.configPath!, JSON.stringify({ pools: [] }));
    const none = sandbox.cli(['install', '--hook']);
    assert.equal(none.code, 4, none.stderr);
    assert.match(none.stderr, /^Cannot install the hooks: the config .* has no "oned"/);
  });
});
