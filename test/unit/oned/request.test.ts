import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { decodeRequest } from '../../../src/oned/request.ts';
import type { OnedRequest } from '../../../src/core/oned/attributes.ts';
import { REPO_ROOT } from '../../support/driver-harness.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const decode = (xml: string) => decodeRequest(b64(xml));
const refused = (payload: string, mentions: string[] = []) =>
  expectIpamError(() => decodeRequest(payload), 'bad-request', ['Cannot read the request', ...mentions]);
const wrap = (arInner: string, address = '<ADDRESS><SIZE>1</SIZE></ADDRESS>') =>
  `<IPAM_DRIVER_ACTION_DATA><AR>${arInner}</AR>${address}</IPAM_DRIVER_ACTION_DATA>`;
const fixture = (name: string) =>
  fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'oned', `${name}.xml`), 'utf8');
const asObject = (request: OnedRequest) => ({
  ar: Object.fromEntries(request.ar),
  address: Object.fromEntries(request.address),
});

// docs/oned-contract.md 2.3, verbatim.
const REGISTER =
  '<IPAM_DRIVER_ACTION_DATA><AR><GATEWAY><![CDATA[10.0.0.1]]></GATEWAY><IP><![CDATA[10.0.0.10]]></IP><IPAM_MAD><![CDATA[mydrv]]></IPAM_MAD><SIZE><![CDATA[10]]></SIZE><TYPE><![CDATA[IP4]]></TYPE></AR><ADDRESS><MAC/><IP/><IP6_GLOBAL/><IP6_ULA/><IP6/><SIZE/></ADDRESS></IPAM_DRIVER_ACTION_DATA>';
const MINIMAL =
  '<IPAM_DRIVER_ACTION_DATA><AR><IPAM_MAD><![CDATA[mydrv]]></IPAM_MAD><SIZE><![CDATA[21]]></SIZE></AR><ADDRESS><MAC/><IP/><IP6_GLOBAL/><IP6_ULA/><IP6/><SIZE/></ADDRESS></IPAM_DRIVER_ACTION_DATA>';
const GET =
  '<IPAM_DRIVER_ACTION_DATA><AR><AR_ID><![CDATA[0]]></AR_ID><GATEWAY><![CDATA[10.0.0.1]]></GATEWAY><IP><![CDATA[10.0.0.10]]></IP><IPAM_MAD><![CDATA[mydrv]]></IPAM_MAD><MAC><![CDATA[02:00:0a:00:00:0a]]></MAC><NETWORK_MASK><![CDATA[255.255.255.0]]></NETWORK_MASK><NEXT_INDEX><![CDATA[0]]></NEXT_INDEX><SHARED><![CDATA[NO]]></SHARED><SIZE><![CDATA[10]]></SIZE><TYPE><![CDATA[IP4]]></TYPE><MAC_END><![CDATA[02:00:0a:00:00:13]]></MAC_END><IP_END><![CDATA[10.0.0.19]]></IP_END><USED_LEASES>0</USED_LEASES></AR><ADDRESS><SIZE>1</SIZE></ADDRESS></IPAM_DRIVER_ACTION_DATA>';
const PLACEHOLDER = { MAC: '', IP: '', IP6_GLOBAL: '', IP6_ULA: '', IP6: '', SIZE: '' };

test('the register samples of docs/oned-contract.md 2.3 decode to their attributes, placeholder fields empty', () => {
  assert.deepEqual(asObject(decode(REGISTER)), {
    ar: { GATEWAY: '10.0.0.1', IP: '10.0.0.10', IPAM_MAD: 'mydrv', SIZE: '10', TYPE: 'IP4' },
    address: PLACEHOLDER,
  });
  assert.deepEqual(asObject(decode(MINIMAL)), { ar: { IPAM_MAD: 'mydrv', SIZE: '21' }, address: PLACEHOLDER });
  assert.deepEqual(
    [...decode(REGISTER).ar.keys()],
    ['GATEWAY', 'IP', 'IPAM_MAD', 'SIZE', 'TYPE'],
    'in the order oned sent them',
  );
});

test('the get_address sample keeps computed elements and the non-CDATA USED_LEASES as text', () => {
  const { ar, address } = decode(GET);
  assert.equal(ar.get('MAC'), '02:00:0a:00:00:0a');
  assert.equal(ar.get('IP_END'), '10.0.0.19');
  assert.equal(ar.get('USED_LEASES'), '0', 'a string, not the number 0');
  assert.equal(ar.get('AR_ID'), '0');
  assert.deepEqual(Object.fromEntries(address), { SIZE: '1' });
});

test('allocate, free and IP4_6 requests of the same AR carry the address fields', () => {
  assert.deepEqual(Object.fromEntries(decode(fixture('allocate-ip4')).address), {
    MAC: '02:00:0a:00:00:0f',
    IP: '10.0.0.15',
    SIZE: '1',
  });
  assert.deepEqual(Object.fromEntries(decode(fixture('free-ip4')).address), {
    MAC: '02:00:0a:00:00:0c',
    IP: '10.0.0.12',
    SIZE: '1',
  });
  const dual = decode(fixture('free-ip4_6'));
  assert.equal(dual.address.get('IP6_GLOBAL'), '0', "oned streams ip6_to_s()'s status code, not the address");
  assert.equal(dual.ar.get('GLOBAL_PREFIX'), '2001:db8::');
  assert.equal(decode(fixture('unregister-delete-ip4')).ar.get('ALLOCATED'), '', 'an empty CDATA is an empty value');
});

test('CDATA values are trimmed and keep <, & and quotes', () => {
  const { ar } = decode(
    wrap(
      '<DESCRIPTION><![CDATA[  a <b> & "c" \'d\'  ]]></DESCRIPTION><IP><![CDATA[ 10.0.0.10 ]]></IP><NOTE>x &amp; y</NOTE>',
    ),
  );
  assert.equal(ar.get('DESCRIPTION'), 'a <b> & "c" \'d\'');
  assert.equal(ar.get('IP'), '10.0.0.10');
  assert.equal(ar.get('NOTE'), 'x & y', 'escaped text outside CDATA is unescaped');
});

test('a value made of two CDATA sections (how "]]>" travels) is joined', () => {
  assert.equal(decode(wrap('<X><![CDATA[a]]]]><![CDATA[>b]]></X>')).ar.get('X'), 'a]]>b');
});

test('the payload may end with a newline, and an XML declaration is tolerated', () => {
  assert.equal(decodeRequest(`${b64(GET)}\n`).ar.get('IP'), '10.0.0.10');
  assert.equal(decode(`<?xml version="1.0" encoding="UTF-8"?>${GET}`).ar.get('IP'), '10.0.0.10');
});

test('a value may hold "<!" inside its CDATA: only declarations outside CDATA are refused', () => {
  const request = decode(
    wrap(
      '<DESCRIPTION><![CDATA[see <!-- notes --> and <!DOCTYPE html>]]></DESCRIPTION><IPAM_MAD><![CDATA[mydrv]]></IPAM_MAD>',
    ),
  );
  assert.equal(request.ar.get('DESCRIPTION'), 'see <!-- notes --> and <!DOCTYPE html>');
  refused(b64(`<!-- a comment -->${wrap('<IPAM_MAD><![CDATA[mydrv]]></IPAM_MAD>')}`));
});

test('DOCTYPE and entity declarations are refused before any parsing', () => {
  const bomb = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>';
  refused(b64(`${bomb}${wrap('<X>&b;</X>')}`), ['DOCTYPE']);
  refused(b64(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${wrap('<X>&x;</X>')}`), ['DOCTYPE']);
  refused(b64(wrap('<X><!ENTITY y "z"></X>')), ['DOCTYPE']);
});

test('elements that would collide with JavaScript object keys are refused', () => {
  refused(b64(wrap('<__proto__><![CDATA[x]]></__proto__><IP><![CDATA[10.0.0.10]]></IP>')), ['__proto__']);
  refused(b64(wrap('<constructor>x</constructor>')), ['constructor']);
  refused(b64(wrap('<lower>x</lower>')), ['"lower"']);
});

test('an attribute given twice or holding elements is refused, naming it', () => {
  refused(b64(wrap('<IP><![CDATA[10.0.0.1]]></IP><IP><![CDATA[10.0.0.2]]></IP>')), ['IP', 'more than once']);
  refused(b64(wrap('<IP><A>1</A></IP>')), ['IP', 'elements']);
  refused(b64(wrap('<IP>10.0.0.1</IP>', '<ADDRESS><SIZE>1</SIZE><SIZE>2</SIZE></ADDRESS>')), ['ADDRESS', 'SIZE']);
});

test('base64 wrapped into lines (as the base64 command prints it) is read', () => {
  const wrapped = (b64(GET).match(/.{1,76}/g) ?? []).join('\n');
  assert.ok(wrapped.includes('\n'));
  assert.equal(decodeRequest(`${wrapped}\n`).ar.get('IP'), '10.0.0.10');
  assert.equal(decodeRequest(wrapped.replace(/\n/g, '\r\n')).ar.get('IP'), '10.0.0.10');
});

test('payloads that are not base64, not UTF-8 or not XML are refused', () => {
  refused('', ['empty']);
  refused('\n', ['empty']);
  refused('%%%%', ['not base64']);
  refused('abc', ['not base64']);
  refused(`${b64(GET).slice(0, 20)} ${b64(GET).slice(20)}`, ['not base64']);
  refused(b64(Buffer.from([0x3c, 0xff, 0xfe, 0x3e])), ['UTF-8']);
  refused(b64('hello'), ['XML']);
  refused(b64(GET.slice(0, 200)), ['well-formed']);
  refused(b64('<IPAM_DRIVER_ACTION_DATA><AR><IP>1</AR></IPAM_DRIVER_ACTION_DATA>'), ['well-formed']);
});

test('a request without an AR, or with an empty one, is refused', () => {
  refused(b64('<IPAM_DRIVER_ACTION_DATA><ADDRESS><SIZE>1</SIZE></ADDRESS></IPAM_DRIVER_ACTION_DATA>'), ['no AR']);
  refused(b64('<IPAM_DRIVER_ACTION_DATA><AR/><ADDRESS/></IPAM_DRIVER_ACTION_DATA>'), ['no AR']);
  refused(b64('<IPAM_DRIVER_ACTION_DATA><AR><IP>1</IP></AR><AR><IP>2</IP></AR></IPAM_DRIVER_ACTION_DATA>'), ['AR']);
  refused(b64('<OTHER><AR><IP>1</IP></AR></OTHER>'), ['IPAM_DRIVER_ACTION_DATA']);
});
