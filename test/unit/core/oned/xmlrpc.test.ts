/** oned's XML-RPC as nebula-ipam speaks it: the call's bytes, and oned's answers read back (issue 18 items 5, 6). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAnswer, encodeCall, escapeText } from '../../../../src/core/oned/xmlrpc.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';
import { faultResponse, onedResponse } from '../../../support/fake-oned.ts';

test('a call: the session and template strings escaped (& < > and CR), ints as i4, booleans as 0/1', () => {
  assert.equal(
    encodeCall('one.hook.update', ['oneadmin:p&ss<1>', 7, 'ARGUMENTS = "hook $TEMPLATE"\r\n', false]),
    '<?xml version="1.0" encoding="UTF-8"?>\n<methodCall><methodName>one.hook.update</methodName><params>' +
      '<param><value><string>oneadmin:p&amp;ss&lt;1&gt;</string></value></param>' +
      '<param><value><i4>7</i4></value></param>' +
      '<param><value><string>ARGUMENTS = "hook $TEMPLATE"&#13;\n</string></value></param>' +
      '<param><value><boolean>0</boolean></value></param></params></methodCall>\n',
  );
  assert.equal(escapeText('a&amp;b'), 'a&amp;amp;b', 'text that looks escaped is escaped again');
  assert.throws(() => encodeCall('x', [2 ** 31]), /i4 cannot hold/);
});

test("oned's success: the body string decoded (entities, &#x0d;, CDATA inside kept as text), an allocate's int", () => {
  const body = '<VM_POOL><VM><ID>1</ID><NAME><![CDATA[a&b]]></NAME></VM></VM_POOL>\r\n';
  assert.deepEqual(decodeAnswer('one.vmpool.infoextended', onedResponse(true, body)), { ok: true, result: body });
  assert.deepEqual(decodeAnswer('one.hook.allocate', onedResponse(true, 12)), { ok: true, result: 12 });
  // An untyped <value> is a string (the XML-RPC spec); <int> is <i4>.
  const plain =
    '<?xml version="1.0"?><methodResponse><params><param><value><array><data><value><boolean>1</boolean></value><value>x &lt; y</value><value><int>0</int></value></data></array></value></param></params></methodResponse>';
  assert.deepEqual(decodeAnswer('m', plain), { ok: true, result: 'x < y' });
});

test("oned's refusal (success false) and an XML-RPC fault: the message and the code", () => {
  assert.deepEqual(
    decodeAnswer(
      'one.vmpool.infoextended',
      onedResponse(false, "[one.vmpool.infoextended] User couldn't be authenticated, aborting call.", 256),
    ),
    {
      ok: false,
      message: "[one.vmpool.infoextended] User couldn't be authenticated, aborting call.",
      code: 256,
    },
  );
  assert.deepEqual(decodeAnswer('one.hook.allocate', faultResponse('expected 2 parameters <ss>', -501)), {
    ok: false,
    message: 'expected 2 parameters <ss>',
    code: -501,
    fault: true,
  });
});

test('what is not an answer of oned is one store-io error naming the method and why', () => {
  const cases: [string, string][] = [
    ['<html><body>502 Bad Gateway</body></html>', 'its root is <html>'],
    ['', 'it is empty'],
    [
      '<methodResponse><params><param><value><string>x</string></value></param></params></methodResponse>',
      'not [success, result, code]',
    ],
    [
      '<methodResponse><params><param><value><array><data><value><boolean>yes</boolean></value></data></array></value></param></params></methodResponse>',
      '<boolean> holds "yes"',
    ],
    ['<methodResponse><params>', '<params> is not closed'],
    ['<!DOCTYPE x [<!ENTITY a "b">]><methodResponse/>', 'comment or declaration'],
    ['<methodResponse><params><param><value>&bogus;</value></param></params></methodResponse>', 'the reference'],
    ['<methodResponse a="1"/>', 'is not an XML-RPC tag'],
  ];
  for (const [xml, why] of cases)
    expectIpamError(() => decodeAnswer('one.vmpool.infoextended', xml), 'store-io', [
      "Cannot read oned's answer to one.vmpool.infoextended",
      why,
    ]);
});
