/**
 * `nebula-ipam hook` (issue 18 item 6) as a separate process, fed exactly what oned's hook
 * manager passes (test/support/opennebula-hook-messages.ts): a state hook's $TEMPLATE, the
 * one.vm.rename API hook's $API; then what `show` and `leases` print.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCliSandbox, expectCliFailure, expectOk } from '../../support/cli-harness.ts';
import { expectQuietSuccess } from '../../support/driver-assert.ts';
import { SAMPLE_CONFIG } from '../../support/sample-config.ts';
import {
  aliasAttrs,
  hookArgument,
  indented,
  nicAttrs,
  renameCallInfoXml,
  vmXml,
  wrapped,
} from '../../support/opennebula-hook-messages.ts';

function sandboxWithLeases() {
  const sandbox = createCliSandbox({ config: {} });
  const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '4' });
  // oned's allocate_address sends the NIC's MAC with the address: the book keeps it on the lease.
  for (const index of [0n, 2n]) {
    expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(index)));
    ar.noteLeased(index);
  }
  const first = ar.address(0n);
  return { sandbox, ar, ip: first.IP!, mac: first.MAC, alias: ar.address(2n) };
}

test('the state hook records a VM on its NIC and NIC_ALIAS leases; leases and show carry it; a rename by API hook follows; DONE forgets', () => {
  const { sandbox, ip, mac, alias } = sandboxWithLeases();
  try {
    const nics = [nicAttrs(0, { IP: ip, MAC: mac }), nicAttrs(1, { IP: '192.0.2.99', MAC: '02:00:c0:00:02:63' })];
    const aliases = [aliasAttrs(2, 0, 0, { IP: alias.IP!, MAC: alias.MAC })];
    const running = hookArgument(vmXml({ id: 42, name: 'web-1', state: 3, nics, aliases }));
    assert.equal(
      expectOk(sandbox.cli(['hook', running])),
      `VM 42 web-1: ${ip} ${alias.IP} (not recorded: 192.0.2.99 not leased in the book)\n`,
    );
    assert.match(
      sandbox.bookBytes()!.toString().split('\n')[0]!,
      /"vms":\[\{"ip":"10\.0\.0\.10","id":42,"name":"web-1"\},/,
    );

    const rows = sandbox.json<{ leases: { addresses: string; vmId?: number; vmName?: string }[] }>(['leases']).leases;
    assert.deepEqual(
      rows.map((r) => [r.addresses, r.vmId, r.vmName]),
      [
        [ip, 42, 'web-1'],
        [alias.IP, 42, 'web-1'],
      ],
    );
    const table = expectOk(sandbox.cli(['leases']));
    assert.match(table.split('\n')[0]!, /\bVM\b/);
    assert.match(table, new RegExp(`${ip.replaceAll('.', '\\.')} .* 42 web-1 `));
    assert.match(expectOk(sandbox.cli(['show', ip])), /, VM 42 web-1\)\n$/);
    assert.match(expectOk(sandbox.cli(['show', 'r1'])), /42 web-1/);

    // one.vm.rename, as the API hook passes it: a failed rename changes nothing, a done one renames.
    const before = sandbox.bookBytes()!.toString();
    assert.equal(
      expectOk(sandbox.cli(['hook', '--call', 'one.vm.rename', hookArgument(renameCallInfoXml(42, 'db-1', false))])),
      'one.vm.rename of VM 42 to db-1 failed in OpenNebula: nothing changed\n',
    );
    assert.equal(sandbox.bookBytes()!.toString(), before);
    assert.equal(
      expectOk(sandbox.cli(['hook', '--call', 'one.vm.rename', hookArgument(renameCallInfoXml(42, 'web-2'))])),
      'VM 42 renamed web-2: 2 address(es)\n',
    );
    assert.deepEqual(
      sandbox.json<{ lease: { vmName?: string } }>(['show', ip]).lease.vmName,
      'web-2',
      'show --json names the new name',
    );

    // The alias is detached: the next run (RUNNING again after the hotplug) drops its entry.
    const detached = hookArgument(vmXml({ id: 42, name: 'web-2', state: 3, nics: [nics[0]!] }));
    assert.equal(expectOk(sandbox.cli(['hook', detached])), `VM 42 web-2: ${ip}\n`);
    assert.equal(sandbox.json<{ lease: { vmId?: number } }>(['show', alias.IP!]).lease.vmId, undefined);

    const done = hookArgument(vmXml({ id: 42, name: 'web-2', state: 6, nics: [nics[0]!] }));
    assert.equal(expectOk(sandbox.cli(['hook', done])), 'VM 42 web-2 is DONE: its addresses are forgotten\n');
    assert.ok(!sandbox.bookBytes()!.toString().includes('"vms"'), 'a DONE VM leaves no entry');
    assert.doesNotMatch(expectOk(sandbox.cli(['leases'])).split('\n')[0]!, /\bVM\b/, 'no VM known: no VM column');
  } finally {
    sandbox.cleanup();
  }
});

test("the hook reads $TEMPLATE indented by the hook manager and base64 wrapped over lines; a lease made for another MAC is not the NIC's", () => {
  const { sandbox, ip, mac } = sandboxWithLeases();
  try {
    const xml = indented(vmXml({ id: 7, name: 'app', state: 3, nics: [nicAttrs(0, { IP: ip, MAC: mac })] }));
    assert.equal(expectOk(sandbox.cli(['hook', wrapped(hookArgument(xml))])), `VM 7 app: ${ip}\n`);
    const other = vmXml({
      id: 8,
      name: 'imposter',
      state: 3,
      nics: [nicAttrs(0, { IP: ip, MAC: '02:00:0a:00:00:99' })],
    });
    assert.equal(
      expectOk(sandbox.cli(['hook', hookArgument(other)])),
      `VM 8 imposter: no leased address (not recorded: ${ip} leased for MAC ${mac}, not the NIC's 02:00:0a:00:00:99)\n`,
    );
    assert.match(sandbox.bookBytes()!.toString(), /"id":7,"name":"app"/, 'the MAC mismatch left app its entry');
  } finally {
    sandbox.cleanup();
  }
});

test('every failure is one line and a non-zero exit, and changes nothing in the book', () => {
  const { sandbox, ip, mac } = sandboxWithLeases();
  try {
    expectOk(
      sandbox.cli([
        'hook',
        hookArgument(vmXml({ id: 7, name: 'app', state: 3, nics: [nicAttrs(0, { IP: ip, MAC: mac })] })),
      ]),
    );
    const before = sandbox.bookBytes()!.toString();
    const rename = hookArgument(renameCallInfoXml(7, 'x'));
    for (const [args, code, mentions] of [
      [['hook', 'not base64!'], 3, ['not base64', '$TEMPLATE']],
      [['hook', hookArgument('<HOST><ID>0</ID><NAME>kvm1</NAME></HOST>')], 3, ['no VM element']],
      [['hook', rename], 3, ['no VM element']],
      [['hook', hookArgument('<VM><ID>7</ID><NAME>app</NAME><STATE>3</STATE>')], 3, ['not well-formed']],
      [['hook', '--call', 'one.vm.rename', hookArgument(vmXml({ id: 7, name: 'a', state: 3 }))], 3, ['no CALL_INFO']],
      [['hook', '--call', 'one.vm.rename', '@@@'], 3, ['not base64', '$API']],
      [['hook', '--call', 'one.vm.poweroff', rename], 2, ['"one.vm.poweroff"', 'one.vm.rename only']],
      [['hook', '--call', 'one.vm.rename', hookArgument(renameCallInfoXml('abc', 'x'))], 3, ['VM id (IN 2) is "abc"']],
      [['hook'], 2, ['missing BASE64_VM_XML']],
    ] as const) {
      expectCliFailure(sandbox.cli(args), code, mentions);
      assert.equal(sandbox.bookBytes()!.toString(), before, `${args.join(' ').slice(0, 60)} changed the book`);
    }
  } finally {
    sandbox.cleanup();
  }
});

test('show RANGE lists the holds on its addresses (address, source, since, reason), and show ADDRESS says it is held', () => {
  const sandbox = createCliSandbox({ config: SAMPLE_CONFIG });
  try {
    sandbox.register({ TYPE: 'IP4', SIZE: '8' });
    assert.doesNotMatch(expectOk(sandbox.cli(['show', 'r1'])), /^Held/m, 'no holds, no list');
    expectOk(sandbox.cli(['hold', 'add', '10.20.0.7', '--reason', 'answers ping, owner unknown']));
    const text = expectOk(sandbox.cli(['show', 'r1']));
    assert.match(text, /^Held \(seen in use outside the book/m);
    assert.match(text, /^10\.20\.0\.7 +operator +\d{4}-\d\d-\d\dT\S+ +answers ping, owner unknown$/m);
    const json = sandbox.json<{ holds: { address: string; source: string; reason: string; firstSeen: string }[] }>([
      'show',
      'r1',
    ]);
    assert.deepEqual(
      json.holds.map((h) => [h.address, h.source, h.reason]),
      [['10.20.0.7', 'operator', 'answers ping, owner unknown']],
    );
    assert.match(
      expectOk(sandbox.cli(['show', '10.20.0.7'])),
      /is free .*; held, never handed out: answers ping, owner unknown \(operator/,
    );
    assert.equal(
      sandbox.json<{ hold: { reason: string } }>(['show', '10.20.0.7']).hold.reason,
      'answers ping, owner unknown',
    );
  } finally {
    sandbox.cleanup();
  }
});

test('`hook -` reads the argument on standard input (ARGUMENTS_STDIN = yes): a VM too big for one argument', () => {
  const { sandbox, ip, mac } = sandboxWithLeases();
  try {
    // A long-lived VM: its XML carries every history record; past 128 KiB (Linux's MAX_ARG_STRLEN) it is no argument.
    const history = '<HISTORY><OID>7</OID><SEQ>1</SEQ><HOSTNAME>kvm2</HOSTNAME></HISTORY>'.repeat(3000);
    const xml = vmXml({ id: 7, name: 'old-timer', state: 3, nics: [nicAttrs(0, { IP: ip, MAC: mac })] }).replace(
      '</HISTORY_RECORDS>',
      `${history}</HISTORY_RECORDS>`,
    );
    const argument = hookArgument(xml);
    assert.ok(argument.length > 128 * 1024, `${argument.length} bytes`);
    assert.equal(expectOk(sandbox.cli(['hook', '-'], { stdin: argument })), `VM 7 old-timer: ${ip}\n`);
    assert.equal(
      expectOk(
        sandbox.cli(['hook', '--call', 'one.vm.rename', '-'], { stdin: hookArgument(renameCallInfoXml(7, 'veteran')) }),
      ),
      'VM 7 renamed veteran: 1 address(es)\n',
    );
    expectCliFailure(sandbox.cli(['hook', '-'], { stdin: '' }), 3, ['not base64']);
    // By hand (`echo ... | nebula-ipam hook -`) it ends with a newline; the hook manager's has none.
    assert.equal(expectOk(sandbox.cli(['hook', '-'], { stdin: `${argument}\n` })), `VM 7 old-timer: ${ip}\n`);
    // Bounded: past 64 MiB nothing more is read, and the book is untouched.
    const before = sandbox.bookBytes()!.toString();
    expectCliFailure(sandbox.cli(['hook', '-'], { stdin: 'A'.repeat(64 * 1024 * 1024 + 1) }), 3, [
      "Cannot read the hook's argument on (standard input): it is larger than 64 MiB",
      'nothing was changed',
    ]);
    assert.equal(sandbox.bookBytes()!.toString(), before);
  } finally {
    sandbox.cleanup();
  }
});
