/**
 * The hooks `install --hook` makes, run the way OpenNebula's hook manager runs them
 * (test/support/hook-manager.ts: COMMAND through `sh -c`, the expanded ARGUMENTS on standard
 * input): a long-lived VM whose base64 XML is over 128 KiB (Linux's MAX_ARG_STRLEN) is recorded,
 * renamed and forgotten. The argument form older releases installed cannot even start for
 * that VM (E2BIG). Through the built bundle, against a fake oned on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createCliSandbox, expectOk } from '../../support/cli-harness.ts';
import { expectQuietSuccess } from '../../support/driver-assert.ts';
import { runCli, startFakeOned } from '../../support/fake-oned.ts';
import { runAsHookManager } from '../../support/hook-manager.ts';
import { hookArgument, nicAttrs, renameCallInfoXml, vmXml } from '../../support/opennebula-hook-messages.ts';

/** MAX_ARG_STRLEN: 32 pages of 4 KiB. */
const ONE_ARGUMENT = 128 * 1024;

/** A VM with years of history: every migration and resize is a HISTORY record in its XML. */
function longLivedVm(id: number, name: string, state: number, nic: Readonly<Record<string, string>>): string {
  const history = Array.from(
    { length: 2500 },
    (_, seq) =>
      `<HISTORY><OID>${id}</OID><SEQ>${seq}</SEQ><HOSTNAME>kvm${seq % 7}</HOSTNAME><HID>${seq % 7}</HID><STIME>1700000000</STIME></HISTORY>`,
  ).join('');
  return vmXml({ id, name, state, nics: [nic] }).replace('</HISTORY_RECORDS>', `${history}</HISTORY_RECORDS>`);
}

test("a VM over 128 KiB of base64 is recorded by install --hook's hooks run as the hook manager runs them; the argument form fails with E2BIG", async () => {
  const oned = await startFakeOned();
  const sandbox = createCliSandbox({ config: {} });
  try {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '4' });
    expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(0n)));
    const { IP: ip, MAC: mac } = ar.address(0n);
    const authFile = path.join(sandbox.dir, 'one_auth');
    fs.writeFileSync(authFile, 'oneadmin:pw\n', { mode: 0o600 });
    const config = JSON.parse(fs.readFileSync(sandbox.configPath!, 'utf8'));
    fs.writeFileSync(
      sandbox.configPath!,
      JSON.stringify({ ...config, oned: { endpoint: oned.endpoint, authFile, timeoutMs: 2000 } }),
    );
    const installed = await runCli(sandbox, ['install', '--hook', '--hook-command', sandbox.program]);
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    const held = (name: string) => new Map(oned.hooks.find((h) => h.name === name)!.template);
    const env = sandbox.env();

    const running = hookArgument(longLivedVm(7, 'old-timer', 3, nicAttrs(0, { IP: ip!, MAC: mac })));
    assert.ok(running.length > ONE_ARGUMENT, `${running.length} bytes of base64`);

    // What older releases installed: the VM as an argument. Fine for a small VM, E2BIG for this one.
    const argumentForm = new Map([
      ['COMMAND', sandbox.program],
      ['ARGUMENTS', 'hook $TEMPLATE'],
    ]);
    const small = hookArgument(vmXml({ id: 7, name: 'young', state: 3, nics: [nicAttrs(0, { IP: ip!, MAC: mac })] }));
    const smallRun = await runAsHookManager(argumentForm, { template: small }, env);
    assert.ok('code' in smallRun && smallRun.code === 0, JSON.stringify(smallRun));
    assert.deepEqual(await runAsHookManager(argumentForm, { template: running }, env), { spawnError: 'E2BIG' });

    const recorded = await runAsHookManager(held('nebula-ipam-vm-running'), { template: running }, env);
    assert.ok('code' in recorded, JSON.stringify(recorded));
    assert.equal(recorded.stdin, running, 'the base64 alone on stdin, no newline');
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.equal(recorded.stdout, `VM 7 old-timer: ${ip}\n`);
    assert.equal(sandbox.json<{ lease: { vmName?: string } }>(['show', ip!]).lease.vmName, 'old-timer');

    const rename = hookArgument(renameCallInfoXml(7, 'veteran'));
    const renamed = await runAsHookManager(held('nebula-ipam-vm-rename'), { api: rename }, env);
    assert.ok('code' in renamed && renamed.code === 0, JSON.stringify(renamed));
    assert.equal(renamed.stdout, 'VM 7 renamed veteran: 1 address(es)\n');
    assert.match(expectOk(sandbox.cli(['show', ip!])), /VM 7 veteran\)\n$/);

    const done = hookArgument(longLivedVm(7, 'veteran', 6, nicAttrs(0, { IP: ip!, MAC: mac })));
    const forgotten = await runAsHookManager(held('nebula-ipam-vm-done'), { template: done }, env);
    assert.ok('code' in forgotten && forgotten.code === 0, JSON.stringify(forgotten));
    assert.equal(forgotten.stdout, 'VM 7 veteran is DONE: its addresses are forgotten\n');
    assert.equal(sandbox.json<{ lease: { vmId?: number } }>(['show', ip!]).lease.vmId, undefined);
  } finally {
    sandbox.cleanup();
    await oned.stop();
  }
});
