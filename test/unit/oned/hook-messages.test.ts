/** The hook arguments oned's hook manager passes, decoded (issue 18 item 6): the VM ($TEMPLATE) and one.vm.rename's call ($API). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMac } from '../../../src/core/address/mac.ts';
import { decodeHookApiCall } from '../../../src/oned/api-call-xml.ts';
import { decodeHookVm } from '../../../src/oned/vm-xml.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';
import {
  aliasAttrs,
  hookArgument,
  indented,
  nicAttrs,
  pciAttrs,
  renameCallInfoXml,
  vmXml,
  wrapped,
} from '../../support/opennebula-hook-messages.ts';

const everyKind = vmXml({
  id: 7,
  name: 'web-1',
  state: 3,
  nics: [
    nicAttrs(0, {
      IP: '10.20.0.3',
      IP6_GLOBAL: '2001:db8:100:0:0:aff:fe14:3',
      IP6_LINK: 'fe80::400:aff:fe14:3',
      MAC: '02:00:0a:14:00:03',
    }),
    nicAttrs(1, { IP6: '2001:db8:200::10', MAC: '02:00:0e:50:4c:f0' }),
    nicAttrs(2, { MAC: '02:00:c0:ff:ee:05' }),
  ],
  aliases: [aliasAttrs(3, 0, 0, { IP: '10.20.0.9', MAC: '02:00:0a:14:00:09' })],
  pcis: [pciAttrs(4, { IP: '10.20.1.4', MAC: '02:00:0a:14:01:04' }), pciAttrs(5)],
});

const summary = (argument: string) => {
  const vm = decodeHookVm(argument);
  return {
    ...vm,
    nics: vm.nics.map((n) => `${n.kind} ${n.mac === undefined ? '-' : n.mac.toString(16)} ${n.addresses.length}`),
  };
};

describe('decodeHookVm', () => {
  it('reads every interface: NIC, NIC_ALIAS and PCI of TYPE NIC, with IPv4, static and SLAAC IPv6, or a MAC only', () => {
    const vm = decodeHookVm(hookArgument(everyKind));
    assert.equal(vm.id, 7);
    assert.equal(vm.name, 'web-1');
    assert.equal(vm.done, false);
    assert.deepEqual(
      vm.nics.map((n) => n.kind),
      ['NIC', 'NIC', 'NIC', 'NIC_ALIAS', 'PCI'],
      'the GPU (PCI of TYPE PCI) is no interface',
    );
    assert.equal(vm.nics[0]!.mac, parseMac('02:00:0a:14:00:03'));
    assert.deepEqual(
      vm.nics[0]!.addresses.map((a) => a.family),
      ['ipv4', 'ipv6'],
      'IP and IP6_GLOBAL; IP6_LINK is no lease',
    );
    assert.deepEqual(vm.nics[1]!.addresses, [{ family: 'ipv6', address: 0x20010db8020000000000000000000010n }]);
    assert.deepEqual(vm.nics[2]!.addresses, [], 'an ETHER NIC has a MAC and no IP');
    assert.equal(vm.nics[3]!.addresses[0]!.address, 0x0a140009n);
    assert.equal(vm.nics[4]!.mac, parseMac('02:00:0a:14:01:04'));
  });

  it('reads the same VM indented as Nokogiri prints it, and base64 wrapped over lines', () => {
    const plain = summary(hookArgument(everyKind));
    assert.ok(indented(everyKind).includes('\n    <NIC>\n'), 'the fixture is really indented');
    assert.deepEqual(summary(hookArgument(indented(everyKind))), plain);
    assert.deepEqual(summary(wrapped(hookArgument(everyKind))), plain);
  });

  it('STATE is numeric: 6 is DONE, others are not', () => {
    assert.equal(decodeHookVm(hookArgument(vmXml({ id: 7, name: 'web-1', state: 6 }))).done, true);
    assert.equal(decodeHookVm(hookArgument(vmXml({ id: 7, name: 'web-1', state: 8 }))).done, false);
    expectIpamError(
      () => decodeHookVm(hookArgument(vmXml({ id: 7, name: 'web-1', state: 3 }).replace('<STATE>3<', '<STATE>DONE<'))),
      'bad-request',
      ['STATE', '"DONE"'],
    );
  });

  it('refuses, in one line, what is not a VM as the hook passes it', () => {
    expectIpamError(() => decodeHookVm('not base64!'), 'bad-request', ['not base64', '$TEMPLATE']);
    expectIpamError(() => decodeHookVm(hookArgument('<VM><ID>7</ID')), 'bad-request', ['well-formed']);
    expectIpamError(() => decodeHookVm(hookArgument('<HOST><ID>1</ID><NAME>kvm1</NAME></HOST>')), 'bad-request', [
      'no VM element',
      'RESOURCE = VM',
    ]);
    expectIpamError(() => decodeHookVm(hookArgument('<VM><ID>x</ID><NAME>a</NAME></VM>')), 'bad-request', [
      'VM ID is "x"',
    ]);
    expectIpamError(
      () => decodeHookVm(hookArgument('<VM><ID>7</ID><NAME></NAME><STATE>3</STATE></VM>')),
      'bad-request',
      ['VM 7 has no NAME'],
    );
    expectIpamError(() => decodeHookVm(hookArgument('<VM><ID>7</ID><NAME>a&#233;</NAME></VM>')), 'bad-request');
  });
});

describe('decodeHookApiCall', () => {
  it("reads one.vm.rename's CALL_INFO: success, and IN 2 (the VM) and IN 3 (the new name)", () => {
    const call = decodeHookApiCall(hookArgument(renameCallInfoXml(7, 'web-2')));
    assert.equal(call.success, true);
    assert.deepEqual(
      [...call.params],
      [
        [1, '****'],
        [2, '7'],
        [3, 'web-2'],
      ],
    );
    assert.deepEqual(decodeHookApiCall(wrapped(hookArgument(indented(renameCallInfoXml(7, 'web-2'))))), call);
  });

  it('a failed call reads as failed', () => {
    assert.equal(decodeHookApiCall(hookArgument(renameCallInfoXml(7, 'db-1', false))).success, false);
  });

  it('refuses, in one line, what is not a call as the hook passes it', () => {
    expectIpamError(() => decodeHookApiCall('%%%'), 'bad-request', ['not base64', '$API']);
    expectIpamError(() => decodeHookApiCall(hookArgument(vmXml({ id: 7, name: 'a', state: 3 }))), 'bad-request', [
      'no CALL_INFO',
      'TYPE = api',
    ]);
    expectIpamError(
      () => decodeHookApiCall(hookArgument(renameCallInfoXml(7, 'a').replace('<RESULT>1<', '<RESULT>yes<'))),
      'bad-request',
      ['RESULT is "yes"'],
    );
    expectIpamError(
      () => decodeHookApiCall(hookArgument(renameCallInfoXml(7, 'a').replace('<RESULT>1<', '<RESULT>0<'))),
      'bad-request',
      ['disagree'],
    );
  });
});
