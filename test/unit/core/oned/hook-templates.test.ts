/** The OpenNebula hooks of issue 18 item 6: the README shows exactly what `install --hook` makes; how oned stores them. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  hookDrift,
  hookTemplateText,
  hookUpdateText,
  nebulaIpamHooks,
  storedAttributes,
} from '../../../../src/core/oned/hook-templates.ts';
import { REPO_ROOT } from '../../../support/driver-harness.ts';

const MARKED = /^<!-- hook-template -->\n```\n([\s\S]*?)\n```$/gm;

test('the README\'s "VM names" hook files are the templates install --hook makes, in order', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const shown = [...readme.matchAll(MARKED)].map((m) => m[1]);
  assert.deepEqual(shown, nebulaIpamHooks().map(hookTemplateText));
});

test('a template in onehook syntax: = aligned, a value with a space or $ quoted; the VM on stdin, --driver in COMMAND', () => {
  const [running] = nebulaIpamHooks('/opt/nebula-ipam/bin/nebula-ipam', 'lab');
  assert.equal(
    hookTemplateText(running!),
    [
      'NAME            = nebula-ipam-vm-running',
      'TYPE            = state',
      'COMMAND         = "/opt/nebula-ipam/bin/nebula-ipam --driver lab hook -"',
      'ARGUMENTS       = "$TEMPLATE"',
      'ARGUMENTS_STDIN = yes',
      'RESOURCE        = VM',
      'ON              = RUNNING',
    ].join('\n'),
  );
});

test('as oned keeps it: no NAME or TYPE, ON as STATE and LCM_STATE (what one.hook.update needs)', () => {
  const [running, done] = nebulaIpamHooks();
  assert.deepEqual(storedAttributes(done!), [
    ['COMMAND', '/usr/local/bin/nebula-ipam hook -'],
    ['ARGUMENTS', '$TEMPLATE'],
    ['ARGUMENTS_STDIN', 'yes'],
    ['RESOURCE', 'VM'],
    ['STATE', 'DONE'],
    ['LCM_STATE', 'LCM_INIT'],
  ]);
  assert.match(hookUpdateText(running!), /^STATE {11}= ACTIVE\nLCM_STATE {7}= RUNNING$/m);
  assert.doesNotMatch(hookUpdateText(running!), /NAME|TYPE|\bON\b/);
});

test('drift: only our keys count (oned adds REMOTE), a changed value or type is named', () => {
  const [running] = nebulaIpamHooks();
  const held = new Map([...storedAttributes(running!), ['REMOTE', 'NO'] as const]);
  assert.deepEqual(hookDrift(running!, { type: 'state', template: held }), []);
  const edited = new Map(held).set('ARGUMENTS', 'hook');
  edited.delete('LCM_STATE');
  assert.deepEqual(hookDrift(running!, { type: 'api', template: edited }), ['TYPE', 'ARGUMENTS', 'LCM_STATE']);
});

test('drift: a hook an older release made (the VM as an argument, no ARGUMENTS_STDIN) is named for update', () => {
  const [running] = nebulaIpamHooks();
  const older = new Map([
    ['COMMAND', '/usr/local/bin/nebula-ipam'],
    ['ARGUMENTS', 'hook $TEMPLATE'],
    ['RESOURCE', 'VM'],
    ['STATE', 'ACTIVE'],
    ['LCM_STATE', 'RUNNING'],
    ['REMOTE', 'NO'],
  ]);
  assert.deepEqual(hookDrift(running!, { type: 'state', template: older }), [
    'COMMAND',
    'ARGUMENTS',
    'ARGUMENTS_STDIN',
  ]);
  // The argument on stdin but ARGUMENTS_STDIN turned off: the hook manager would append it to COMMAND.
  const off = new Map(storedAttributes(running!)).set('ARGUMENTS_STDIN', 'no');
  assert.deepEqual(hookDrift(running!, { type: 'state', template: off }), ['ARGUMENTS_STDIN']);
});

test('the rename hook is an API hook on one.vm.rename: COMMAND names the call ($API does not), oned keeps CALL', () => {
  const rename = nebulaIpamHooks('/usr/local/bin/nebula-ipam', 'lab').find((h) => h.type === 'api')!;
  assert.equal(
    hookTemplateText(rename),
    [
      'NAME            = nebula-ipam-vm-rename',
      'TYPE            = api',
      'COMMAND         = "/usr/local/bin/nebula-ipam --driver lab hook --call one.vm.rename -"',
      'ARGUMENTS       = "$API"',
      'ARGUMENTS_STDIN = yes',
      'CALL            = one.vm.rename',
    ].join('\n'),
  );
  assert.deepEqual(hookDrift(rename, { type: 'api', template: new Map(storedAttributes(rename)) }), []);
});
