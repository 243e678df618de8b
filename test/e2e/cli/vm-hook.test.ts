/** `nebula-ipam hook` (issue 18 item 6): fed the VM XML as oned's hook manager passes it ($TEMPLATE, base64), as a separate process. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCliSandbox } from '../../support/cli-harness.ts';
import { expectReply } from '../../support/driver-assert.ts';

/** A VM as `onevm show -x` prints it (trimmed to what the hook reads and a little around it). */
const vmXml = (name: string, state: number, ip: string) =>
  `<VM><ID>42</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME><GNAME>oneadmin</GNAME><NAME>${name}</NAME><PERMISSIONS><OWNER_U>1</OWNER_U></PERMISSIONS><LAST_POLL>0</LAST_POLL><STATE>${state}</STATE><LCM_STATE>3</LCM_STATE><TEMPLATE><CPU><![CDATA[1]]></CPU><NIC><AR_ID><![CDATA[0]]></AR_ID><BRIDGE><![CDATA[br0]]></BRIDGE><IP><![CDATA[${ip}]]></IP><MAC><![CDATA[02:00:0a:00:00:0a]]></MAC><NETWORK><![CDATA[lan]]></NETWORK><NETWORK_ID><![CDATA[0]]></NETWORK_ID><NIC_ID><![CDATA[0]]></NIC_ID></NIC><NIC><IP><![CDATA[192.0.2.99]]></IP><NIC_ID><![CDATA[1]]></NIC_ID></NIC><VMID><![CDATA[42]]></VMID></TEMPLATE><USER_TEMPLATE/></VM>`;
const b64 = (xml: string) => Buffer.from(xml).toString('base64');

test('the hook records VM id and name for its leased NIC address; a rename follows; DONE removes it', () => {
  const sandbox = createCliSandbox({ config: {} });
  try {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '4' });
    const ip = expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!;
    const ran = sandbox.cli(['hook', b64(vmXml('web-1', 3, ip))]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, `VM 42 web-1: ${ip}\n`, '192.0.2.99 is not leased in the book: not recorded');
    assert.match(
      sandbox.bookBytes()!.toString().split('\n')[0]!,
      /"vms":\[\{"ip":"10\.0\.0\.10","id":42,"name":"web-1"\}\]/,
    );
    assert.equal(sandbox.cli(['hook', b64(vmXml('web-renamed', 3, ip))]).code, 0);
    assert.match(sandbox.bookBytes()!.toString(), /"name":"web-renamed"/);
    assert.equal(sandbox.cli(['hook', b64(vmXml('web-renamed', 6, ip))]).code, 0);
    assert.ok(!sandbox.bookBytes()!.toString().includes('"vms"'), 'a DONE VM leaves no entry');
    const bad = sandbox.cli(['hook', 'not base64!']);
    assert.equal(bad.code, 3, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  } finally {
    sandbox.cleanup();
  }
});
